"""Compares the float arrays of two .npz files within a relative tolerance, with the Python
standard library only (npz_stdlib, beside the import tests):

    close_npz.py A.npz B.npz RTOL

prints "close" when every array of A is in B with the same shape and max |a - b| <=
RTOL * max |b| (per array), else what differs and by how much."""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "import",
                                "Inputs"))
from npz_stdlib import read_npz  # noqa: E402

a, b, rtol = read_npz(sys.argv[1]), read_npz(sys.argv[2]), float(sys.argv[3])
problems = []
for name, (_, shape, values) in a.items():
    if name not in b or b[name][1] != shape:
        problems.append("%s: missing or of another shape" % name)
        continue
    if any(math.isnan(v) for v in values + b[name][2]):
        problems.append("%s: holds a NaN" % name)
        continue
    scale = max((abs(v) for v in b[name][2]), default=0.0)
    worst = max((abs(x - y) for x, y in zip(values, b[name][2])), default=0.0)
    if worst > rtol * scale:
        problems.append("%s: max |a - b| %g, %g of max |b|" % (name, worst, worst / scale))
print("; ".join(problems) if problems else "close")
