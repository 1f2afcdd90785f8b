"""Compares the arrays of two .npz files byte for byte (not the zip containers, which may
differ in metadata): same_npz.py A.npz B.npz prints "same" or "different"."""
import sys
import zipfile


def arrays(path):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


print("same" if arrays(sys.argv[1]) == arrays(sys.argv[2]) else "different")
