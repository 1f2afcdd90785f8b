#!/usr/bin/env python3
"""Quantizes small exported models with onnxruntime's quantization tools, as users quantize
models for deployment, and writes onnxruntime's outputs beside them (the ONNX test-data
layout cim-run reads). Runs where onnxruntime and numpy are (the GPU machine):

  python3 scripts/quantize_models.py MODELS_EXPORT_DIR OUT_DIR

For resnet18_small and bert_small (models/export) it writes OUT_DIR/<name>_<form>/:
  - qdq: quantize_static, QuantFormat.QDQ (QuantizeLinear/DequantizeLinear pairs, int8
    weights per channel), calibrated on 8 random inputs;
  - qop: quantize_static, QuantFormat.QOperator (QLinearConv, QLinearMatMul, ...);
  - dynamic: quantize_dynamic (DynamicQuantizeLinear, MatMulInteger, ConvInteger).
"""
import os
import shutil
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper
from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                      quantize_dynamic, quantize_static)


def random_input(sess, rng):
    feed = {}
    for i in sess.get_inputs():
        shape = [d if isinstance(d, int) else 1 for d in i.shape]
        if "int64" in i.type:
            feed[i.name] = rng.integers(0, 100, size=shape).astype(np.int64)
        else:
            feed[i.name] = rng.standard_normal(shape).astype(np.float32)
    return feed


class Reader(CalibrationDataReader):
    def __init__(self, model):
        sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
        rng = np.random.default_rng(1)
        self.feeds = iter([random_input(sess, rng) for _ in range(8)])

    def get_next(self):
        return next(self.feeds, None)


def save_case(path, out_dir):
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feed = random_input(sess, np.random.default_rng(2))
    outputs = sess.run(None, feed)
    data = os.path.join(out_dir, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    for k, i in enumerate(sess.get_inputs()):
        t = numpy_helper.from_array(feed[i.name], i.name)
        open(os.path.join(data, f"input_{k}.pb"), "wb").write(t.SerializeToString())
    for k, (o, y) in enumerate(zip(sess.get_outputs(), outputs)):
        t = numpy_helper.from_array(y, o.name)
        open(os.path.join(data, f"output_{k}.pb"), "wb").write(t.SerializeToString())


def main():
    src, out = sys.argv[1], sys.argv[2]
    for name in ("resnet18_small", "bert_small"):
        model = os.path.join(src, name, "model.onnx")
        forms = {
            "qdq": lambda o: quantize_static(model, o, Reader(model), quant_format=QuantFormat.QDQ,
                                             per_channel=True, weight_type=QuantType.QInt8,
                                             activation_type=QuantType.QUInt8),
            "qop": lambda o: quantize_static(model, o, Reader(model),
                                             quant_format=QuantFormat.QOperator, per_channel=True,
                                             weight_type=QuantType.QInt8,
                                             activation_type=QuantType.QUInt8),
            "dynamic": lambda o: quantize_dynamic(model, o, weight_type=QuantType.QInt8),
        }
        for form, make in forms.items():
            case = os.path.join(out, f"{name}_{form}")
            shutil.rmtree(case, ignore_errors=True)
            os.makedirs(case)
            path = os.path.join(case, "model.onnx")
            try:
                make(path)
                save_case(path, case)
                ops = sorted({n.op_type for n in onnx.load(path).graph.node})
                print(f"{name}_{form}: {os.path.getsize(path)} bytes, ops {ops}", flush=True)
            except Exception as e:  # a form the tool cannot make is a finding, not a stop
                print(f"{name}_{form}: failed: {type(e).__name__}: {e}"[:400], flush=True)
                shutil.rmtree(case, ignore_errors=True)


if __name__ == "__main__":
    main()
