"""Checks the --repeats fields of a cim-run report: check_repeats.py REPORT.json N FIRST_CHIP
Every metric under over_repeats has N values, their mean and their sample standard deviation
(divisor N - 1, 0 for N = 1); the top-level metric is the mean; every CIM layer lists the chip
seeds FIRST_CHIP .. FIRST_CHIP + N - 1 and per-sample counters that are its counters over its
samples, and whose DAC and ADC energies per sample are those of its counters per sample.
Prints one line per metric checked."""
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
assert report["layers"], "no layers in the report"
for layer in report["layers"]:
    assert layer["chip_seeds"] == list(range(first, first + n)), layer["chip_seeds"]
    for key, total in layer["counters"].items():
        assert math.isclose(layer["per_sample"][key], total / layer["samples"]), (layer["name"], key)
    # The cost per sample is over every chip's samples (docs/cost-model.md's default figures):
    # the DAC's from the active input digits (they differ between chips after the first layer),
    # the ADC's from the conversions.
    settings, per_sample = layer["settings"], layer["per_sample"]
    slices = len(settings["weights"]["slices"])
    col_blocks = -(-layer["n"] // (settings["crossbar"]["cols"] // 2))
    dac = per_sample["active_input_digits"] * slices * col_blocks * 0.390625
    assert math.isclose(layer["cost"]["dac_pj"], dac, rel_tol=1e-12), (layer["name"], dac)
    adc = per_sample["adc_conversions"] * settings["adc"]["samples"] * 1.5625 * 2.0 ** (
        settings["adc"]["bits"] - 8)
    assert math.isclose(layer["cost"]["adc_pj"], adc, rel_tol=1e-12), (layer["name"], adc)
    print("layer %s: chips %s" % (layer["name"], layer["chip_seeds"]))
