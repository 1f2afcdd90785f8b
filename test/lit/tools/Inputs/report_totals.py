"""Checks the `total` row of a cim-opt --report CSV against the layers' rows: arrays, energy
(and each part), latency and area are their sums (cim-opt-report.test)."""
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
layers, total = rows[:-1], rows[-1]
assert total["layer"] == "total" and total["placement"] == "chip", total
columns = ["energy_pj_per_sample", "adc_pj", "dac_pj", "array_pj", "periphery_pj", "digital_pj",
           "sram_pj", "dram_pj", "latency_ns_per_sample", "area_mm2"]
for column in columns:
    expected = sum(float(r[column]) for r in layers if r[column])
    got = float(total[column])
    # The CSV prints 7 significant digits.
    assert abs(got - expected) <= 1e-6 * max(abs(expected), 1e-30) * 10, (column, got, expected)
arrays = sum(int(r["arrays"]) for r in layers if r["arrays"])
assert int(total["arrays"]) == arrays, (total["arrays"], arrays)
for r in layers:
    if r["energy_pj_per_sample"]:
        parts = sum(float(r[c]) for c in columns[1:8])
        assert abs(parts - float(r["energy_pj_per_sample"])) <= 1e-5 * parts + 1e-30, r
print("total row = sum of the layers")
