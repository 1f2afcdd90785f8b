#!/usr/bin/env python3
"""The ONNX conformance report: every backend test of Debian's libonnx-testdata (the node,
pytorch-converted, pytorch-operator and simple suites) through cim-opt and cim-run.

Each test is run as ctest runs it (test/e2e/run_onnx_node_test.sh: compile, run every data
set, compare within rtol 1e-3, atol 1e-7). One that does not pass is run as a refusal
(test/e2e/run_onnx_node_test_unsupported.sh: cim-opt exits non-zero with one error naming
the node and what is not supported, and writes no plan). The report says per test:

  pass         the outputs match
  unsupported  a clear refusal; the reason is cim-opt's error
  excluded     outside what cimlir is for, with the reason (training, sequences, strings, ...)
  fail         anything else: wrong numbers, an unclear error, a crash

  scripts/onnx_conformance.py BIN_DIR [--data DIR] [--report FILE] [--jobs N]
writes the report (test/e2e/onnx_conformance.txt by default), which CMake reads to make one
ctest test per passing or refused test, and prints the pass rate that docs/onnx-support.md
and the README quote. Takes about a minute on 2 cores.
  scripts/onnx_conformance.py --check-complete [--data DIR] [--report FILE]
checks, without running anything, that the report lists every test of the test data (a
ctest test: a test that the report misses would otherwise never run).
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]

# Tests outside an inference simulator's scope, by name: (pattern, reason). They are
# reported as excluded unless they pass.
EXCLUSIONS = [
    (r"^test_(adagrad|adam|momentum|nesterov_momentum|gradient)", "training-only operator"),
    (r"_training|training_mode", "training mode"),
    (r"^test_(sequence|optional|split_to_sequence|concat_from_sequence|identity_sequence|"
     r"identity_opt|if_seq|if_opt|loop13_seq|loop16_seq|seq_)", "sequence and optional types"),
    (r"(^test_string|^test_strnorm|^test_regex|_STRING|_string)", "string tensors"),
    (r"BFLOAT16", "ONNX 1.12's test data holds bfloat16 as uint16, made by truncation (Cast "
                  "rounds to nearest even), and CastLike's 'like' with another shape"),
]


def run(script, test_dir, work, bin_dir):
    p = subprocess.run([os.path.join(ROOT, "test", "e2e", script), bin_dir, test_dir, work],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=300)
    return p.returncode, p.stdout


def first_error(text):
    for line in text.splitlines():
        if "error" in line.lower():
            line = re.sub(r"^.*?error: ", "", line)
            return line.strip()[:200]
    lines = [l for l in text.splitlines() if l.strip()]
    return (lines[-1] if lines else "no output").strip()[:200]


def classify(suite, name, data_dir, bin_dir, tmp):
    test_dir = os.path.join(data_dir, suite, name)
    work = os.path.join(tmp, suite, name)
    rc, out = run("run_onnx_node_test.sh", test_dir, work, bin_dir)
    if rc == 0:
        return "pass", ""
    for pattern, reason in EXCLUSIONS:
        if re.search(pattern, name):
            return "excluded", reason
    rc2, out2 = run("run_onnx_node_test_unsupported.sh", test_dir, work, bin_dir)
    if rc2 == 0:
        return "unsupported", first_error(out2)
    return "fail", first_error(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bin_dir", nargs="?")
    ap.add_argument("--check-complete", action="store_true")
    ap.add_argument("--data", default="/usr/include/onnx/backend/test/data")
    ap.add_argument("--report", default=os.path.join(ROOT, "test", "e2e", "onnx_conformance.txt"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    tests = [(s, n) for s in SUITES if os.path.isdir(os.path.join(args.data, s))
             for n in sorted(os.listdir(os.path.join(args.data, s)))
             if os.path.isfile(os.path.join(args.data, s, n, "model.onnx"))]
    if args.check_complete:
        listed = set()
        with open(args.report) as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    listed.add(line.split()[1])
        missing = [f"{s}/{n}" for s, n in tests if f"{s}/{n}" not in listed]
        for m in missing:
            print(f"{args.report}: does not list {m} (run scripts/onnx_conformance.py)")
        return 1 if missing or not tests else 0
    if not args.bin_dir:
        ap.error("BIN_DIR is needed to run the tests")
    bin_dir = os.path.abspath(args.bin_dir)
    results = {}
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(classify, s, n, args.data, bin_dir, tmp): (s, n) for s, n in tests}
        for f in concurrent.futures.as_completed(futures):
            results[futures[f]] = f.result()
    counts = {}
    for status, _ in results.values():
        counts[status] = counts.get(status, 0) + 1
    total = len(results)
    node = [(k, v) for k, v in results.items() if k[0] == "node"]
    node_pass = sum(1 for _, v in node if v[0] == "pass")
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in ["pass", "unsupported", "excluded", "fail"])
    lines = [
        "# The ONNX conformance report (docs/onnx-support.md, \"Conformance\"), written by",
        "# scripts/onnx_conformance.py: STATUS SUITE/TEST [REASON]. CMake makes a ctest test of",
        "# every pass (outputs match) and every unsupported (a clear refusal) line.",
        f"# {total} tests: {summary}; node suite: {node_pass} of {len(node)} pass.",
    ]
    for (s, n), (status, reason) in sorted(results.items()):
        lines.append(f"{status} {s}/{n}" + (f" {reason}" if reason else ""))
    with open(args.report, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{total} tests: {summary}; node suite: {node_pass} of {len(node)} pass "
          f"({100.0 * node_pass / max(len(node), 1):.1f} %)")
    return 1 if counts.get("fail") else 0


if __name__ == "__main__":
    sys.exit(main())
