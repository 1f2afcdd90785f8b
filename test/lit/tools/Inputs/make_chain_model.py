"""Writes the model and inputs of cim-opt-fuse-elementwise.test: a textual ONNX model whose
elementwise chains cim-fuse-elementwise fuses (GELU as the exporters write it, a LeakyRelu and
a scale, attention's scale, additive mask and last-axis Softmax) next to ones it must leave
(a value read twice, a Softmax over another axis), and random inputs for it (standard
library only).
    make_chain_model.py MODEL.onnxtext INPUTS.npz
"""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "import",
                                "Inputs"))
from npz_stdlib import write_npz  # noqa: E402

MODEL = """<ir_version: 8, opset_import: ["" : 17]>
chains (float[N,3,8] x, float[N,1,8] mask) => (float[N,3,8] gelu, float[N,3,8] probs,
                                               float[N,3,8] leaky, float[N,3,8] across) {
  root2 = Constant <value = float {1.41421356}> ()
  one = Constant <value = float {1.0}> ()
  half = Constant <value = float {0.5}> ()
  scale = Constant <value = float {2.8284271}> ()
  d = Div (x, root2)
  e = Erf (d)
  a = Add (e, one)
  m = Mul (x, a)
  gelu = Mul (m, half)
  scores = Div (x, scale)
  masked = Add (scores, mask)
  probs = Softmax <axis = -1> (masked)
  l = LeakyRelu <alpha = 0.2> (x)
  twice = Mul (l, half)
  leaky = Add (twice, twice)
  s2 = Sub (x, half)
  across = Softmax <axis = 1> (s2)
}
"""

model_path, inputs_path = sys.argv[1:3]
with open(model_path, "w") as f:
    f.write(MODEL)
rng = random.Random(5)
n = 4
write_npz(inputs_path, {
    "x": ("<f4", (n, 3, 8), [rng.uniform(-4, 4) for _ in range(n * 3 * 8)]),
    "mask": ("<f4", (n, 1, 8), [rng.choice([0.0, -1e4]) for _ in range(n * 8)]),
})
