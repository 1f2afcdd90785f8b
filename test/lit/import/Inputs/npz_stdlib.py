"""Tiny .npz writing and reading with the standard library only (the lit tests run where
numpy is not installed), for the float, bool and int64 arrays the tests feed cim-run."""
import ast
import struct
import zipfile

CODES = {"<f2": "e", "<f4": "f", "|b1": "?", "<i8": "q"}


def npy(descr, shape, payload):
    """One .npy member: the version 1.0 header numpy writes, then the raw little-endian bytes."""
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}) + " "
    header += " " * ((-(10 + len(header) + 1)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload


def write_npz(path, arrays):
    """arrays: {name: (descr, shape, values)}."""
    with zipfile.ZipFile(path, "w") as z:
        for name, (descr, shape, values) in arrays.items():
            z.writestr(name + ".npy", npy(descr, shape,
                                          struct.pack(f"<{len(values)}{CODES[descr]}", *values)))


def read_npz(path):
    """{name: (descr, shape, values)} of every member."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for member in z.namelist():
            data = z.read(member)
            length = struct.unpack("<H", data[8:10])[0]
            header = ast.literal_eval(data[10:10 + length].decode())
            code = CODES[header["descr"]]
            count = len(data[10 + length:]) // struct.calcsize(code)
            out[member[:-4]] = (header["descr"], header["shape"],
                                list(struct.unpack(f"<{count}{code}", data[10 + length:])))
    return out
