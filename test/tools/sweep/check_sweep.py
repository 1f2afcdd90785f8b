"""Checks cim-sweep's outputs against the spec it ran (standard library only).

  check_sweep.py SPEC.json OUT.csv OUT.png CHIPS SAMPLES

- the CSV has cim-sweep's columns and one row per point, in spec order: a swept series one row
  per value (parameter = the swept key), a one-point series one row (parameter = its panel,
  value empty), with the series' settings;
- every mean and std is a number in [0, 1], chips and samples are as asked; the chip's energy,
  latency and area are positive; no point is marked pareto (not asked for);
- a point without noise (noise.read = 0: the rram-256 plan has no programming noise or stuck
  cells) gives every chip the same result: std == 0; a point with read noise >= 0.2 gives the
  chips different accuracies: std > 0 (today's two chips are 5 images of 64 apart at 0.2);
- the PNG is a PNG (signature, IHDR) of a plausible size.
"""
import csv
import json
import math
import os
import stat
import struct
import sys

COLUMNS = ["series", "parameter", "value", "settings", "accuracy_mean", "accuracy_std",
           "agreement_mean", "agreement_std", "energy_pj_per_sample", "latency_ns_per_sample",
           "area_mm2", "chips", "samples", "seconds", "pareto"]
DEVICE_READ_NOISE = 0.01  # rram-256


def value_text(v):
    return v if isinstance(v, str) else json.dumps(v)


def expected_rows(spec):
    rows = []
    common = spec.get("set", {})
    for s in spec["series"]:
        fixed = dict(common)
        fixed.update(s.get("set", {}))
        if "sweep" in s:
            (key, values), = s["sweep"].items()
            for v in values:
                settings = dict(fixed)
                settings[key] = v
                rows.append((s["name"], key, value_text(v), settings))
        else:
            rows.append((s["name"], s["panel"], "", fixed))
    return rows


def main(spec_path, csv_path, png_path, chips, samples):
    with open(spec_path) as f:
        spec = json.load(f)
    with open(csv_path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    assert header == COLUMNS, f"columns {header}, expected {COLUMNS}"
    expected = expected_rows(spec)
    assert len(rows) == len(expected), f"{len(rows)} rows, expected {len(expected)}"
    checked_zero = checked_spread = 0
    for row, (series, parameter, value, settings) in zip(rows, expected):
        r = dict(zip(COLUMNS, row))
        where = f"row {r}"
        assert (r["series"], r["parameter"], r["value"]) == (series, parameter, value), \
            f"{where}: expected {(series, parameter, value)}"
        want = " ".join(f"{k}={value_text(v)}" for k, v in settings.items())
        assert r["settings"] == want, f"{where}: settings, expected '{want}'"
        assert int(r["chips"]) == chips and int(r["samples"]) == samples, where
        assert float(r["seconds"]) > 0, where
        for column in ("energy_pj_per_sample", "latency_ns_per_sample", "area_mm2"):
            assert float(r[column]) > 0, f"{where}: {column}"
        assert r["pareto"] == "", f"{where}: a pareto mark without --pareto"
        for column in ("accuracy_mean", "accuracy_std", "agreement_mean", "agreement_std"):
            x = float(r[column])
            assert math.isfinite(x) and 0.0 <= x <= 1.0, f"{where}: {column} {x} not in [0, 1]"
        read_noise = float(settings.get("noise.read", DEVICE_READ_NOISE))
        if read_noise == 0:
            assert float(r["accuracy_std"]) == 0 and float(r["agreement_std"]) == 0, \
                f"{where}: noise-free chips differ"
            checked_zero += 1
        elif read_noise >= 0.2:
            assert float(r["accuracy_std"]) > 0, f"{where}: noisy chips agree exactly"
            checked_spread += 1
    assert checked_zero and checked_spread, "the spec needs a noise-free and a very noisy point"

    # Outputs get a plain new file's mode (not the 0600 of their temporary files).
    umask = os.umask(0)
    os.umask(umask)
    for path in (csv_path, png_path):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert mode == 0o666 & ~umask, f"{path} has mode {oct(mode)}"

    with open(png_path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{png_path} is not a PNG"
    assert head[12:16] == b"IHDR", f"{png_path}: no IHDR chunk"
    width, height = struct.unpack(">II", head[16:24])
    assert 400 <= width <= 4000 and 300 <= height <= 2000, f"PNG size {width}x{height}"
    print(f"{len(rows)} rows checked ({checked_zero} noise-free, {checked_spread} noisy); "
          f"PNG {width}x{height}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
