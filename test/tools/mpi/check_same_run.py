"""Checks that cim-run over MPI ranks made what one process made (run_mpi_test.sh):

    check_same_run.py ONE MANY RANKS

ONE.json and MANY.json (reports) must be equal in every field but the times (seconds,
samples_per_second, profile), the backend's own details and `ranks` (RANKS in MANY); ONE.npz and
MANY.npz (outputs), where ONE.npz exists, must hold the same bytes. Python standard library only.
"""
import json
import os
import sys
import zipfile

one, many, ranks = sys.argv[1], sys.argv[2], int(sys.argv[3])
TIMES = ("seconds", "samples_per_second", "profile", "backend_details", "ranks")


def report(path):
    with open(path + ".json") as f:
        r = json.load(f)
    return r, {k: v for k, v in r.items() if k not in TIMES}


r1, a = report(one)
rn, b = report(many)
assert r1["ranks"] == 1 and rn["ranks"] == ranks, (r1["ranks"], rn["ranks"])
if a != b:
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            sys.exit(f"{many}.json differs from {one}.json in {key}:\n  {a.get(key)}\n  {b.get(key)}")
assert a["layers"] and a["samples"] > 0, a
if os.path.exists(one + ".npz"):
    with zipfile.ZipFile(one + ".npz") as z1, zipfile.ZipFile(many + ".npz") as zn:
        assert sorted(z1.namelist()) == sorted(zn.namelist()), (z1.namelist(), zn.namelist())
        for name in z1.namelist():
            if z1.read(name) != zn.read(name):
                sys.exit(f"{many}.npz: {name} differs from {one}.npz")
print(f"{many}: the same as one process ({a['samples']} samples, "
      f"{len(a['layers'])} layers, accuracy {a.get('accuracy')})")
