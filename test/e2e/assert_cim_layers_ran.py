#!/usr/bin/env python3
"""Fails unless cim-run's JSON report (argv[1]) lists CIM layers and every one of them ran
(has per-sample counts); prints how many ran."""
import json
import sys

layers = [l for l in json.load(open(sys.argv[1]))["layers"] if l["op"] == "CimLinear"]
assert layers and all(layer["samples"] > 0 for layer in layers), "a layer did not run on CIM"
print(f"{len(layers)} CIM layers ran")
