"""Runs if.onnxtext's run-time If through a plan (standard library only, npz_stdlib).
  if_run.py write DIR   writes DIR/true.npz and DIR/false.npz: X float32 [2, 3] and C bool [1]
  if_run.py check DIR   checks DIR/true_out.npz = Relu(X), DIR/false_out.npz = Neg(X)"""
import sys

from npz_stdlib import read_npz, write_npz

X = [-1.5, 0.25, 2.0, -0.125, 3.5, -4.0]

if sys.argv[1] == "write":
    for cond in (True, False):
        write_npz(f"{sys.argv[2]}/{str(cond).lower()}.npz",
                  {"X": ("<f4", (2, 3), X), "C": ("|b1", (1,), [cond])})
else:
    assert read_npz(sys.argv[2] + "/true_out.npz") == {"Y": ("<f4", (2, 3), [max(v, 0.0) for v in X])}
    assert read_npz(sys.argv[2] + "/false_out.npz") == {"Y": ("<f4", (2, 3), [-v for v in X])}
    print("both branches picked")
