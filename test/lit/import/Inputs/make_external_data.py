"""Writes the external-data fixtures of external-data.onnxtext (needs the onnx and numpy
Python packages; the outputs are committed, so tests do not).

  external/model.onnx      Gemm whose weight W [8,4] and bias B [8] live in weights.bin
  external/test_data_set_0 an input and the output numpy computes, for cim-run
  escape/model.onnx        the same graph with W's location '../weights.bin' (must be refused)
  past-end/                W's offset is 1000, past the end of weights.bin (must be refused)
  bad-offset/              W's offset is '8xyz' (must be refused)
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(1234)
w = rng.standard_normal((8, 4)).astype(np.float32)
b = rng.standard_normal(8).astype(np.float32)
x = rng.standard_normal((3, 4)).astype(np.float32)
y = x @ w.T + b


def model(location_w, offset_w="0"):
    W = numpy_helper.from_array(w, "W")
    B = numpy_helper.from_array(b, "B")
    for t, loc, off in ((W, location_w, offset_w), (B, "weights.bin", w.nbytes)):
        t.ClearField("raw_data")
        t.data_location = TensorProto.EXTERNAL
        for k, v in (("location", loc), ("offset", str(off)), ("length", str(t.dims[0] * (t.dims[1] if len(t.dims) > 1 else 1) * 4))):
            e = t.external_data.add()
            e.key, e.value = k, v
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["X", "W", "B"], ["Y"], name="fc", transB=1)], "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 8])], [W, B])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


for folder, loc, off in (("external", "weights.bin", "0"), ("escape", "../weights.bin", "0"),
                         ("past-end", "weights.bin", "1000"), ("bad-offset", "weights.bin", "8xyz")):
    os.makedirs(os.path.join(here, folder), exist_ok=True)
    onnx.save(model(loc, off), os.path.join(here, folder, "model.onnx"))
    if folder != "escape":
        with open(os.path.join(here, folder, "weights.bin"), "wb") as f:
            f.write(w.tobytes() + b.tobytes())
with open(os.path.join(here, "weights.bin"), "wb") as f:  # what escape/ points at
    f.write(w.tobytes() + b.tobytes())
ds = os.path.join(here, "external", "test_data_set_0")
os.makedirs(ds, exist_ok=True)
for name, arr, fname in (("X", x, "input_0.pb"), ("Y", y, "output_0.pb")):
    with open(os.path.join(ds, fname), "wb") as f:
        f.write(numpy_helper.from_array(arr, name).SerializeToString())
