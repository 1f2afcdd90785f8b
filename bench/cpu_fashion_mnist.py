"""CPU throughput of the bundled Fashion-MNIST models: cim-run (digital plan) against
onnxruntime's CPU provider on the same machine, same images, same batch sizes, run side by
side in one job. Needs numpy and onnxruntime (pip; benchmarks only, not a project
dependency) and a built tree (scripts/build.sh).

  python3 bench/cpu_fashion_mnist.py [--batches 1,64,256] [--threads N]
Prints a Markdown table for docs/benchmarks.md.
"""
import argparse
import gzip
import json
import os
import subprocess
import tempfile
import time

import numpy as np
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "bin")
DATA = "/usr/share/datasets/fashion-mnist"


def images():
    with gzip.open(os.path.join(DATA, "t10k-images-idx3-ubyte.gz")) as f:
        raw = np.frombuffer(f.read(), np.uint8, offset=16)
    return raw.reshape(-1, 1, 28, 28).astype(np.float32)


def run_cimlir(model, batch, work):
    plan = os.path.join(work, model + ".plan")
    report = os.path.join(work, "report.json")
    subprocess.run([os.path.join(BIN, "cim-opt"), os.path.join(ROOT, "models", model + ".onnx"),
                    "-o", plan], check=True)
    best = 0.0
    for _ in range(3):  # best of three: the machine is shared
        subprocess.run([os.path.join(BIN, "cim-run"), plan, "--dataset", DATA, "--batch",
                        str(batch), "--report", report, "--quiet"], check=True)
        r = json.load(open(report))
        best = max(best, r["samples_per_second"])
    return best, r["accuracy"]


def run_ort(model, batch, x, threads):
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(os.path.join(ROOT, "models", model + ".onnx"), opts,
                                providers=["CPUExecutionProvider"])
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for i in range(0, len(x), batch):
            sess.run(None, {"image": x[i:i + batch]})
        best = max(best, len(x) / (time.perf_counter() - start))
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", default="1,64,256")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    x = images()
    print("| model | batch | cim-run images/s | onnxruntime images/s | ratio | cim-run accuracy |")
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as work:
        for model in ("fashion_mlp", "fashion_cnn"):
            for batch in map(int, args.batches.split(",")):
                ours, acc = run_cimlir(model, batch, work)
                base = run_ort(model, batch, x, args.threads)
                print(f"| {model} | {batch} | {ours:,.0f} | {base:,.0f} | {ours / base:.2f} | {acc:.4f} |")


if __name__ == "__main__":
    main()
