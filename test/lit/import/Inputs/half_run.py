"""Runs half.onnxtext through a plan (standard library only: .npz by hand, struct's 'e' is
IEEE binary16, bfloat16 rounded by the bit formula).
  half_run.py write DIR   writes DIR/in.npz: X float16 [2, 3], B float32 [2, 2] (for bfloat16)
  half_run.py check DIR   checks DIR/out.npz: Y float16, Z (bfloat16, saved as float32), F
  half_run.py freeze DIR  writes DIR/frozen.npz: F float32 [2] = 1.00390625 (a tie between two
                          bfloat16 values) and 3.3, for a bfloat16 input"""
import ast
import struct
import sys
import zipfile

X = [-1.0, 0.5, 2.0, 3.0, -0.25, 1.0]
W = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
B = [1.5, -3.0, 0.1, 7.0]


def npy(descr, shape, payload):
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}) + " "
    header += " " * ((-(10 + len(header) + 1)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload


def to_bfloat16(x):
    """float32 x rounded to bfloat16 (nearest even), as a float."""
    (u,) = struct.unpack("<I", struct.pack("<f", x))
    u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    return struct.unpack("<f", struct.pack("<I", u))[0]


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def read(path):
    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            data = z.read(name)
            length = struct.unpack("<H", data[8:10])[0]
            header = ast.literal_eval(data[10:10 + length].decode())
            code = {"<f2": "e", "<f4": "f"}[header["descr"]]
            count = len(data[10 + length:]) // struct.calcsize(code)
            out[name[:-4]] = (header["descr"], header["shape"],
                              list(struct.unpack(f"<{count}{code}", data[10 + length:])))
    return out


if sys.argv[1] == "freeze":
    with zipfile.ZipFile(sys.argv[2] + "/frozen.npz", "w") as z:
        z.writestr("F.npy", npy("<f4", (2,), struct.pack("<2f", 1.00390625, 3.3)))
elif sys.argv[1] == "write":
    with zipfile.ZipFile(sys.argv[2] + "/in.npz", "w") as z:
        z.writestr("X.npy", npy("<f2", (2, 3), struct.pack("<6e", *X)))
        z.writestr("B.npy", npy("<f4", (2, 2), struct.pack("<4f", *B)))
else:
    out = read(sys.argv[2] + "/out.npz")
    relu = [max(v, 0.0) for v in X]
    y = [sum(relu[3 * r + k] * W[2 * k + c] for k in range(3)) for r in range(2) for c in range(2)]
    assert out["Y"] == ("<f2", (2, 2), y), out["Y"]
    assert out["F"] == ("<f4", (2, 2), y), out["F"]
    b = [to_bfloat16(f32(v)) for v in B]
    z = [to_bfloat16(f32(v * v)) for v in b]
    assert out["Z"] == ("<f4", (2, 2), z), (out["Z"], z)
    print("half outputs match")
