"""Checks cim-sweep's grid outputs (standard library only):

  check_grid.py SPEC.json OUT.csv WORK_DIR

- one row per combination of the grid's values, in order (the first key slowest), with the
  parameters and values of the grid and the energy, latency and area of the chip;
- the compile-time values (crossbar.rows, weights.slices) reached the plan: each point's
  cim-run report (WORK_DIR/point-NNN.json) shows them in every CIM layer's settings, and one
  plan was compiled per distinct set of them (WORK_DIR/plan-NNN.bin);
- the pareto column is the set of points that no other beats on energy (less) and accuracy
  (more), worked out here again; a 4-bit ADC costs less ADC energy than an 8-bit one.
"""
import csv
import itertools
import json
import math
import os
import sys

spec_path, csv_path, work = sys.argv[1:]
spec = json.load(open(spec_path))
rows = list(csv.DictReader(open(csv_path, newline="")))
expected = []
for s in spec["series"]:
    keys = list(s["grid"])
    for combination in itertools.product(*s["grid"].values()):
        expected.append((s["name"], keys, combination))
assert len(rows) == len(expected), (len(rows), len(expected))

value_text = lambda v: v if isinstance(v, str) else json.dumps(v, separators=(",", ":"))
compiled = set()
for n, (row, (series, keys, values)) in enumerate(zip(rows, expected)):
    assert row["series"] == series and row["parameter"] == " ".join(keys), row
    assert row["value"] == " ".join(value_text(v) for v in values), row
    for column in ("energy_pj_per_sample", "latency_ns_per_sample", "area_mm2"):
        assert float(row[column]) > 0, (column, row)
    report = json.load(open(os.path.join(work, "point-%03d.json" % (n + 1))))
    cim = [l for l in report["layers"] if l["op"] == "CimLinear"]
    assert cim, "no CIM layer ran"
    for key, value in zip(keys, values):
        section, field = key.split(".")
        for layer in cim:
            got = layer["settings"][section][field]
            assert got == value, (key, got, value, layer["name"])
        if key in ("crossbar.rows", "weights.slices"):
            compiled.add((key, value_text(value)))
    assert math.isclose(float(row["energy_pj_per_sample"]),
                        report["cost"]["energy_pj_per_sample"], rel_tol=1e-15), row
plans = sorted(f for f in os.listdir(work) if f.startswith("plan-"))
assert len(plans) == len(compiled), (plans, compiled)

energy = [float(r["energy_pj_per_sample"]) for r in rows]
accuracy = [float(r["accuracy_mean"]) for r in rows]
front = [int(not any(energy[j] <= energy[i] and accuracy[j] >= accuracy[i] and
                     (energy[j] < energy[i] or accuracy[j] > accuracy[i])
                     for j in range(len(rows))))
         for i in range(len(rows))]
assert [int(r["pareto"]) for r in rows] == front, ([r["pareto"] for r in rows], front)
assert any(front), "an empty front"
# adc.bits 4 against 8 at the same crossbar rows: a sixteenth of the ADC energy, so less energy.
assert energy[0] < energy[2] and energy[1] < energy[3], energy
print("grid: %d points, %d plans, pareto %s" % (len(rows), len(plans), front))
