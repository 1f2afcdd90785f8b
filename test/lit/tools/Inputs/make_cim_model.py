"""Writes a small model with three CIM layers as textual ONNX, a device file for it and a
dataset, with the Python standard library only:

    make_cim_model.py OUT.onnxtext OUT.json OUT.npz [--batch-norm]

The model is a small classifier: image [N,1,6,6] -> Conv `conv` (4 channels, 3x3, stride 2,
pad 1, bias) -> Relu -> Flatten [N,36] -> Gemm `fc` (transB, C) [N,6] -> Relu -> MatMul
`logits` [N,3] (the layers are named after their outputs). The device (OUT.json) puts every
layer on an rram-like chip with a 6-bit full ADC, read noise and programming noise, so chips
(--chip-seed) and noise seeds (--seed) change the outputs. OUT.npz holds 20 images `image`
and `labels`, the argmax of the same model in float64 (so accuracy is high, but not always 1
on a noisy chip). With --batch-norm a BatchNormalization (inference, random statistics)
follows `conv` (as `bn1`) and `fc` (as `bn2`): what cim-fold-batch-norm folds.
"""
import json
import random
import struct
import sys
import zipfile

model_path, device_path, npz_path = sys.argv[1:4]
batch_norm = sys.argv[4:] == ["--batch-norm"]
rng = random.Random(1234)


def randn(count, scale=1.0):
    return [rng.gauss(0.0, scale) for _ in range(count)]


def f32(values):
    return struct.pack("<%df" % len(values), *values)


DEVICE = {
    "name": "lit-rram",
    "crossbar": {"rows": 16, "cols": 8},
    "weights": {"bits": 8, "slices": [1, 2, 2, 2]},
    "adc": {"mode": "full", "bits": 6},
    "noise": {"read": 0.03, "program": 0.05},
}

conv_w = randn(4 * 1 * 3 * 3)   # [4,1,3,3]
conv_b = randn(4, 0.1)          # [4]
fc_w = randn(6 * 36, 0.3)       # [6,36], transB
fc_c = randn(6, 0.1)            # [6]
out_w = randn(6 * 3)            # [6,3]


def norm_params(channels):
    """scale, B, mean, var of a BatchNormalization over `channels`."""
    return ([rng.uniform(0.5, 2.0) * rng.choice([-1, 1]) for _ in range(channels)],
            randn(channels, 0.2), randn(channels, 0.3),
            [rng.uniform(0.2, 3.0) for _ in range(channels)])


bn1 = norm_params(4) if batch_norm else None
bn2 = norm_params(6) if batch_norm else None
EPSILON = 1e-5


def normalise(value, params, c):
    """BatchNormalization of channel c (identity without --batch-norm)."""
    if params is None:
        return value
    scale, shift, mean, var = params
    return (value - mean[c]) / (var[c] + EPSILON) ** 0.5 * scale[c] + shift[c]


def initializer(shape, name, values):
    return "float[%s] %s = {%s}" % (", ".join(map(str, shape)), name,
                                      ", ".join(repr(v) for v in values))


initializers = [initializer([4, 1, 3, 3], "conv_w", conv_w), initializer([4], "conv_b", conv_b),
                initializer([6, 36], "fc_w", fc_w), initializer([6], "fc_c", fc_c),
                initializer([6, 3], "out_w", out_w)]
for name, params in (("bn1", bn1), ("bn2", bn2)):
    if params:
        for part, values in zip(("scale", "shift", "mean", "var"), params):
            initializers.append(initializer([len(values)], "%s_%s" % (name, part), values))


def normalised(name, x):
    """The line of a BatchNormalization `name` of x (none without --batch-norm), and the
    value after it."""
    if not batch_norm:
        return "", x
    return ("\n  %s = BatchNormalization <epsilon = %r> (%s, %s_scale, %s_shift, %s_mean, %s_var)"
            % (name, EPSILON, x, name, name, name, name), name)


bn1_line, after_conv = normalised("bn1", "conv")
bn2_line, after_fc = normalised("bn2", "fc")


MODEL = """<
  ir_version: 8,
  opset_import: ["" : 17]
>
cimnet (float[N, 1, 6, 6] image) => (float[N, 3] logits) <%s> {
  conv = Conv <strides = [2, 2], pads = [1, 1, 1, 1], kernel_shape = [3, 3]> (image, conv_w, conv_b)%s
  relu1 = Relu (%s)
  flat = Flatten (relu1)
  fc = Gemm <transB = 1> (flat, fc_w, fc_c)%s
  relu2 = Relu (%s)
  logits = MatMul (relu2, out_w)
}
""" % (", ".join(initializers), bn1_line, after_conv, bn2_line, after_fc)


def forward(img):
    """The model in float64: img is 36 floats (1x6x6), returns 3 logits."""
    conv = []
    for m in range(4):
        for oy in range(3):
            for ox in range(3):
                acc = conv_b[m]
                for dy in range(3):
                    for dx in range(3):
                        iy, ix = oy * 2 - 1 + dy, ox * 2 - 1 + dx
                        if 0 <= iy < 6 and 0 <= ix < 6:
                            acc += img[iy * 6 + ix] * conv_w[m * 9 + dy * 3 + dx]
                conv.append(max(normalise(acc, bn1, m), 0.0))
    hidden = [max(normalise(sum(conv[k] * fc_w[n * 36 + k] for k in range(36)) + fc_c[n], bn2, n),
                  0.0) for n in range(6)]
    return [sum(hidden[k] * out_w[k * 3 + n] for k in range(6)) for n in range(3)]


def npy(descr, shape, payload):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d, " % d for d in shape) if len(shape) > 1 else "%d," % shape[0])
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload


images = [randn(36) for _ in range(20)]
labels = []
for img in images:
    logits = forward(img)
    labels.append(max(range(3), key=lambda c: (logits[c], -c)))

open(model_path, "w").write(MODEL)
open(device_path, "w").write(json.dumps(DEVICE))
with zipfile.ZipFile(npz_path, "w", zipfile.ZIP_STORED) as z:
    z.writestr("image.npy", npy("<f4", (20, 1, 6, 6), f32([v for img in images for v in img])))
    z.writestr("labels.npy", npy("<i8", (20,), struct.pack("<20q", *labels)))
