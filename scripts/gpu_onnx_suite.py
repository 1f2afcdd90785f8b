#!/usr/bin/env python3
"""The ONNX conformance tests that pass on the CPU backend (test/e2e/onnx_conformance.txt), run
on the CUDA backend: each test's model compiled as test/e2e/run_onnx_node_test.sh compiles it and
run with --backend cuda against the test's expected outputs. Prints the failures, the steps
that still ran on the host (by op), and exits non-zero on any failure.

usage: gpu_onnx_suite.py BIN DATA WORK [BACKEND]   (BIN: cim-opt, cim-run, freeze-shape-inputs; DATA: the
ONNX test data folder holding node/, simple/, ...; WORK: scratch; BACKEND: cuda, or cpu to
try the script without a GPU). Runs on the GPU machine
(scripts/gpu_check.sh); about a minute on 16 cores.
"""
import collections
import concurrent.futures
import json
import os
import subprocess
import sys


def run(bin_dir, data, work, backend, test):
    """(test, error or None, host steps by op) for one conformance test."""
    src, out = os.path.join(data, test), os.path.join(work, test)
    os.makedirs(out, exist_ok=True)
    freeze = []
    frozen = subprocess.run([f"{bin_dir}/freeze-shape-inputs", f"{src}/test_data_set_0",
                             f"{out}/frozen.npz"], capture_output=True, text=True)
    if frozen.returncode == 0:
        freeze = ["--freeze-inputs", f"{out}/frozen.npz"]
    elif frozen.returncode != 3:  # 3: no shape inputs to freeze
        return test, "freeze-shape-inputs: " + frozen.stderr.strip(), {}
    steps = [[f"{bin_dir}/cim-opt", f"{src}/model.onnx", *freeze, "-o", f"{out}/plan.bin"],
             [f"{bin_dir}/cim-run", f"{out}/plan.bin", "--dataset", src, "--batch", "1",
              "--rtol", "1e-3", "--atol", "1e-7", "--backend", backend, "--report",
              f"{out}/report.json", "--quiet"]]
    for cmd in steps:
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            return test, (done.stderr or done.stdout).strip().splitlines()[-1:], {}
    report = json.load(open(f"{out}/report.json"))
    return test, None, report.get("backend_details", {}).get("host_steps", {})


def main():
    bin_dir, data, work = sys.argv[1:4]
    backend = sys.argv[4] if len(sys.argv) > 4 else "cuda"
    here = os.path.dirname(os.path.abspath(__file__))
    tests = [line.split()[1] for line in open(os.path.join(here, "../test/e2e/onnx_conformance.txt"))
             if line.startswith("pass ")]
    failures, host, hosted_tests = [], collections.Counter(), []
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 4) as pool:
        for test, error, steps in pool.map(lambda t: run(bin_dir, data, work, backend, t), tests):
            if error:
                failures.append((test, error))
            if steps:
                host.update(steps)
                hosted_tests.append(test)
    print(f"ONNX conformance on {backend}: {len(tests) - len(failures)} of {len(tests)} pass; "
          f"{len(hosted_tests)} ran steps on the host")
    for test, error in sorted(failures):
        print(f"  FAIL {test}: {error}")
    if host:
        print("  host steps by op: " + ", ".join(f"{op} {n}" for op, n in host.most_common()))
        print("  tests with host steps: " + " ".join(sorted(hosted_tests)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
