"""Runs if.onnxtext's run-time If through a plan (standard library only: .npz by hand).
  if_run.py write DIR   writes DIR/true.npz and DIR/false.npz: X float32 [2, 3] and C bool [1]
  if_run.py check DIR   checks DIR/true_out.npz = Relu(X), DIR/false_out.npz = Neg(X)"""
import ast
import struct
import sys
import zipfile

X = [-1.5, 0.25, 2.0, -0.125, 3.5, -4.0]


def npy(descr, shape, payload):
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}) + " "
    header += " " * ((-(10 + len(header) + 1)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload


def write(path, cond):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("X.npy", npy("<f4", (2, 3), struct.pack("<6f", *X)))
        z.writestr("C.npy", npy("|b1", (1,), bytes([cond])))


def read_only_array(path):
    with zipfile.ZipFile(path) as z:
        (name,) = z.namelist()
        data = z.read(name)
    length = struct.unpack("<H", data[8:10])[0]
    header = ast.literal_eval(data[10:10 + length].decode())
    assert header["descr"] == "<f4" and header["shape"] == (2, 3), header
    return list(struct.unpack("<6f", data[10 + length:]))


if sys.argv[1] == "write":
    write(sys.argv[2] + "/true.npz", True)
    write(sys.argv[2] + "/false.npz", False)
else:
    assert read_only_array(sys.argv[2] + "/true_out.npz") == [max(v, 0.0) for v in X]
    assert read_only_array(sys.argv[2] + "/false_out.npz") == [-v for v in X]
    print("both branches picked")
