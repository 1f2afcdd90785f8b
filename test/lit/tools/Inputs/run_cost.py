"""cim-run-cost.test's helper (Python standard library only):

    run_cost.py inputs OUT.npz [--zero-row]
                                      writes x = [[1, 0, 0, 0.25]] (float32) as OUT.npz, with
                                      --zero-row a second row of zeros
    run_cost.py check REPORT.json KEY=VALUE...
                                      checks the report's first layer: a KEY of the layer, its
                                      counters or its cost (`cost.NAME`), or the chip's
                                      (`chip.NAME`), each equal to VALUE within 1e-12 relative,
                                      and that the chip's cost is the sum of the layers'
"""
import json
import math
import struct
import sys
import zipfile


def npy(shape, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % "".join(
        "%d, " % d for d in shape)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return (b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() +
            struct.pack("<%df" % len(values), *values))


if sys.argv[1] == "inputs":
    with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_STORED) as z:
        rows = [[1.0, 0.0, 0.0, 0.25]] + ([[0.0] * 4] if sys.argv[3:] == ["--zero-row"] else [])
        z.writestr("x.npy", npy((len(rows), 4), [v for row in rows for v in row]))
    sys.exit(0)

report = json.load(open(sys.argv[2]))
layer = report["layers"][0]
failed = []
for check in sys.argv[3:]:
    key, expected = check.split("=")
    if key.startswith("cost."):
        got = layer["cost"][key[5:]]
    elif key.startswith("chip."):
        got = report["cost"][key[5:]]
    elif key in layer["counters"]:
        got = layer["counters"][key]
    else:
        got = layer[key]
    if not math.isclose(got, float(expected), rel_tol=1e-12, abs_tol=1e-15):
        failed.append("%s: %r, expected %s" % (key, got, expected))
for name, total in report["cost"].items():
    summed = sum(l["cost"][name] for l in report["layers"])
    if not math.isclose(total, summed, rel_tol=1e-12, abs_tol=1e-15):
        failed.append("chip %s: %r, the layers add up to %r" % (name, total, summed))
if failed:
    sys.exit("\n".join(failed))
print("%s: %d layer(s), %d figures as expected" % (layer["op"], len(report["layers"]),
                                                  len(sys.argv) - 3))
