"""Exits 0 when two .npz files hold the same arrays, bit for bit (names, dtypes, shapes and
every byte of data), else prints what differs and exits 1. Standard library only: the .npy
entries are read by their header, not through numpy."""
import ast
import struct
import sys
import zipfile


def arrays(path):
    out = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            raw = z.read(info)
            if raw[:6] != b"\x93NUMPY":
                sys.exit(f"{path}: {info.filename} is not a .npy entry")
            major = raw[6]
            size_bytes = 2 if major == 1 else 4
            (hlen,) = struct.unpack("<H" if major == 1 else "<I", raw[8:8 + size_bytes])
            start = 8 + size_bytes + hlen
            header = ast.literal_eval(raw[8 + size_bytes:start].decode("latin1"))
            out[info.filename] = (header["descr"], tuple(header["shape"]), raw[start:])
    return out


def main(golden_path, actual_path):
    golden, actual = arrays(golden_path), arrays(actual_path)
    if golden.keys() != actual.keys():
        print(f"arrays differ: golden {sorted(golden)} vs {sorted(actual)}")
        return 1
    bad = False
    for name, (descr, shape, data) in golden.items():
        a_descr, a_shape, a_data = actual[name]
        if (descr, shape) != (a_descr, a_shape):
            print(f"{name}: golden {descr} {shape} vs {a_descr} {a_shape}")
            bad = True
        elif data != a_data:
            if descr == "<f4":
                n = len(data) // 4
                g = struct.unpack(f"<{n}f", data)
                a = struct.unpack(f"<{n}f", a_data)
                diff = [i for i in range(n) if struct.pack("<f", g[i]) != struct.pack("<f", a[i])]
                worst = max(abs(g[i] - a[i]) for i in diff)
                print(f"{name}: {len(diff)} of {n} values differ (first at {diff[0]}: "
                      f"{g[diff[0]]!r} vs {a[diff[0]]!r}; largest difference {worst:g})")
            else:
                print(f"{name}: the data differ")
            bad = True
    if not bad:
        print(f"{len(golden)} arrays identical to {golden_path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
