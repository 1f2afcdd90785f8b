"""Runs half.onnxtext through a plan (standard library only: npz_stdlib, struct's 'e' is
IEEE binary16, bfloat16 rounded by the bit formula).
  half_run.py write DIR   writes DIR/in.npz: X float16 [2, 3], B float32 [2, 2] (for bfloat16)
  half_run.py check DIR   checks DIR/out.npz: Y float16, Z (bfloat16, saved as float32), F
  half_run.py freeze DIR  writes DIR/frozen.npz: F float32 [2] = 1.00390625 (a tie between two
                          bfloat16 values) and 3.3, for a bfloat16 input"""
import struct
import sys

from npz_stdlib import read_npz, write_npz

X = [-1.0, 0.5, 2.0, 3.0, -0.25, 1.0]
W = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
B = [1.5, -3.0, 0.1, 7.0]


def to_bfloat16(x):
    """float32 x rounded to bfloat16 (nearest even), as a float."""
    (u,) = struct.unpack("<I", struct.pack("<f", x))
    u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    return struct.unpack("<f", struct.pack("<I", u))[0]


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


if sys.argv[1] == "freeze":
    write_npz(sys.argv[2] + "/frozen.npz", {"F": ("<f4", (2,), [1.00390625, 3.3])})
elif sys.argv[1] == "write":
    write_npz(sys.argv[2] + "/in.npz", {"X": ("<f2", (2, 3), X), "B": ("<f4", (2, 2), B)})
else:
    out = read_npz(sys.argv[2] + "/out.npz")
    relu = [max(v, 0.0) for v in X]
    y = [sum(relu[3 * r + k] * W[2 * k + c] for k in range(3)) for r in range(2) for c in range(2)]
    assert out["Y"] == ("<f2", (2, 2), y), out["Y"]
    assert out["F"] == ("<f4", (2, 2), y), out["F"]
    b = [to_bfloat16(f32(v)) for v in B]
    z = [to_bfloat16(f32(v * v)) for v in b]
    assert out["Z"] == ("<f4", (2, 2), z), (out["Z"], z)
    print("half outputs match")
