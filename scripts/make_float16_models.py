#!/usr/bin/env python3
"""Makes models/float16/: float16 versions of three exported models (models/export: a CNN, a
transformer encoder and a GRU), converted as users convert models for GPUs, with
onnxconverter-common's float16.convert_float_to_float16 (keep_io_types=False: float16 inputs,
weights and outputs), each with onnxruntime's outputs on the float32 model's input rounded to
float16, and test.json for test/e2e/run_model_case_test.sh: no cim-opt options, and a digital
tolerance of 4 units in the last place of the largest output (onnxruntime fuses some float16
ops, which round once where cimlir rounds after each op, docs/onnx-support.md "Half
precision").

Needs numpy, onnx, onnxruntime and onnxconverter-common: python3 -m venv /tmp/venv &&
/tmp/venv/bin/pip install numpy onnx onnxruntime onnxconverter-common &&
/tmp/venv/bin/python scripts/make_float16_models.py
"""
import json
import math
import os
import shutil
import sys

import numpy as np
import onnx
import onnxconverter_common
import onnxruntime as ort
from onnx import numpy_helper
from onnxconverter_common import float16

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = ["resnet18_small", "bert_small", "gru_small"]


def main():
    for name in MODELS:
        src = os.path.join(ROOT, "models", "export", name)
        out = os.path.join(ROOT, "models", "float16", name)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(os.path.join(out, "test_data_set_0"))
        model = float16.convert_float_to_float16(onnx.load(os.path.join(src, "model.onnx")),
                                                 keep_io_types=False)
        onnx.save(model, os.path.join(out, "model.onnx"))
        initializers = {t.name for t in model.graph.initializer}
        inputs = [i for i in model.graph.input if i.name not in initializers]
        feeds = {}
        for k, i in enumerate(inputs):
            x = numpy_helper.to_array(
                onnx.load_tensor(os.path.join(src, "test_data_set_0", f"input_{k}.pb")))
            feeds[i.name] = x.astype(np.float16) if x.dtype == np.float32 else x
            with open(os.path.join(out, "test_data_set_0", f"input_{k}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(feeds[i.name], i.name).SerializeToString())
        sess = ort.InferenceSession(os.path.join(out, "model.onnx"),
                                    providers=["CPUExecutionProvider"])
        outputs = sess.run(None, feeds)
        for k, (o, y) in enumerate(zip(sess.get_outputs(), outputs)):
            with open(os.path.join(out, "test_data_set_0", f"output_{k}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(y, o.name).SerializeToString())
        peak = max(float(np.abs(y.astype(np.float64)).max()) for y in outputs)
        ulp = 2.0 ** (math.floor(math.log2(peak)) - 10)
        with open(os.path.join(out, "test.json"), "w") as f:
            json.dump({"source": f"models/export/{name} through onnxconverter-common "
                                 f"{onnxconverter_common.__version__} "
                                 "float16.convert_float_to_float16(keep_io_types=False)",
                       "onnxruntime": ort.__version__, "cim_opt_options": [],
                       "digital_atol": 4 * ulp}, f, indent=1)
            f.write("\n")
        print(f"{name}: outputs {[y.shape for y in outputs]}, max |y| {peak:.4g}, ulp {ulp:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
