"""Checks the --repeats fields of a cim-run report: check_repeats.py REPORT.json N FIRST_CHIP
Every metric under over_repeats has N values, their mean and their sample standard deviation
(divisor N - 1, 0 for N = 1); the top-level metric is the mean; every CIM layer lists the chip
seeds FIRST_CHIP .. FIRST_CHIP + N - 1 and per-sample counters that are its counters over its
samples. Prints one line per metric checked."""
import json
import math
import sys

report = json.load(open(sys.argv[1]))
n, first = int(sys.argv[2]), int(sys.argv[3])
assert report["repeats"] == n, report["repeats"]
for name, stats in sorted(report["over_repeats"].items()):
    values = stats["values"]
    assert len(values) == n, (name, values)
    mean = sum(values) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    assert math.isclose(stats["mean"], mean, rel_tol=1e-12, abs_tol=1e-15), (name, stats, mean)
    assert math.isclose(stats["std"], std, rel_tol=1e-12, abs_tol=1e-15), (name, stats, std)
    assert report[name] == stats["mean"], (name, report[name])
    print("%s: %d values, mean and std ok" % (name, n))
assert report["layers"], "no CIM layers in the report"
for layer in report["layers"]:
    assert layer["chip_seeds"] == list(range(first, first + n)), layer["chip_seeds"]
    for key, total in layer["counters"].items():
        assert math.isclose(layer["per_sample"][key], total / layer["samples"]), (layer["name"], key)
    print("layer %s: chips %s" % (layer["name"], layer["chip_seeds"]))
