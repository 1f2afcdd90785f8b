"""Writes a ConvTranspose followed by a Relu as textual ONNX and 6 random inputs (standard
library only), for the fused-activation test:

    make_deconv_model.py OUT.onnxtext OUT.npz

x [N,2,3,3] -> ConvTranspose `deconv` (W [2,3,2,2], strides 2, bias) -> Relu `relu` -> y
[N,3,6,6]; the bias of output channel 0 is -5, so that the Relu clamps much of it."""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "import",
                                "Inputs"))
from npz_stdlib import write_npz  # noqa: E402

rng = random.Random(7)
w = [rng.uniform(-1, 1) for _ in range(2 * 3 * 2 * 2)]
b = [-5.0, rng.uniform(-1, 1), rng.uniform(-1, 1)]
open(sys.argv[1], "w").write("""<
  ir_version: 8,
  opset_import: ["" : 17]
>
deconvnet (float[N, 2, 3, 3] x) => (float[N, 3, 6, 6] y) <float[2, 3, 2, 2] w = {%s}, float[3] b = {%s}> {
  deconv = ConvTranspose <strides = [2, 2], kernel_shape = [2, 2]> (x, w, b)
  y = Relu (deconv)
}
""" % (", ".join(repr(v) for v in w), ", ".join(repr(v) for v in b)))
x = [rng.uniform(-2, 2) for _ in range(6 * 2 * 3 * 3)]
write_npz(sys.argv[2], {"x": ("<f4", (6, 2, 3, 3), x)})
