"""Writes a plan with CimLinear steps (docs/plan-format.md) and a dataset for it, with the
Python standard library only (the compiler cannot emit CimLinear yet):

    make_cim_plan.py OUT.plan OUT.npz

The model is a small classifier: image [N,1,6,6] -> CimLinear conv (4 channels, 3x3,
stride 2, pad 1, bias) -> Relu -> Flatten [N,36] -> CimLinear gemm (transB, C) [N,6] -> Relu
-> CimLinear matmul [N,3] = logits. Every CIM layer runs on an rram-like device with a 6-bit
full ADC, read noise and programming noise, so chips (--chip-seed) and noise seeds (--seed)
change the outputs. OUT.npz holds 20 images `image` and `labels`, the argmax of the same
model in float64 (so accuracy is high, but not always 1 on a noisy chip).
"""
import io
import json
import random
import struct
import sys
import zipfile
import zlib

plan_path, npz_path = sys.argv[1:3]
rng = random.Random(1234)


def randn(count, scale=1.0):
    return [rng.gauss(0.0, scale) for _ in range(count)]


def f32(values):
    return struct.pack("<%df" % len(values), *values)


# The layer settings the compiler writes (device::toJsonText(LayerSettings, -1)).
SETTINGS = json.dumps({
    "crossbar": {"rows": 16, "cols": 8},
    "weights": {"bits": 8, "slices": [1, 2, 2, 2], "granularity": "per_channel", "clip_percentile": 100.0},
    "inputs": {"bits": 8, "slices": [1, 1, 1, 1, 1, 1, 1], "scale": "dynamic_row", "clip_percentile": 100.0,
               "hybrid_analog_bits": 0},
    "adc": {"mode": "full", "bits": 6, "percentile": 100.0, "noise_lsb": 0.0, "samples": 1},
    "noise": {"read": 0.03, "program": 0.05, "stuck_at_min": 0.0, "stuck_at_max": 0.0, "seed": 0,
              "chip_seed": 0},
    "digital": {"enabled": False, "precision": "fp32"},
}, separators=(",", ":"))

conv_w = randn(4 * 1 * 3 * 3)   # [4,1,3,3]
conv_b = randn(4, 0.1)          # [4]
fc_w = randn(6 * 36, 0.3)       # [6,36], transB
fc_c = randn(6, 0.1)            # [6]
out_w = randn(6 * 3)            # [6,3]

values = [
    {"name": "image", "dtype": "float32", "shape": [-1, 1, 6, 6]},   # 0
    {"name": "conv.weight", "dtype": "float32", "shape": [4, 1, 3, 3]},  # 1
    {"name": "conv.bias", "dtype": "float32", "shape": [4]},         # 2
    {"name": "conv", "dtype": "float32", "shape": [-1, 4, 3, 3]},    # 3
    {"name": "relu1", "dtype": "float32", "shape": [-1, 4, 3, 3]},   # 4
    {"name": "flat", "dtype": "float32", "shape": [-1, 36]},         # 5
    {"name": "fc.weight", "dtype": "float32", "shape": [6, 36]},     # 6
    {"name": "fc.bias", "dtype": "float32", "shape": [6]},           # 7
    {"name": "fc", "dtype": "float32", "shape": [-1, 6]},            # 8
    {"name": "relu2", "dtype": "float32", "shape": [-1, 6]},         # 9
    {"name": "out.weight", "dtype": "float32", "shape": [6, 3]},     # 10
    {"name": "logits", "dtype": "float32", "shape": [-1, 3]},        # 11
]
constants = [(1, conv_w), (2, conv_b), (6, fc_w), (7, fc_c), (10, out_w)]
steps = [
    {"op": "CimLinear", "name": "/conv/Conv", "inputs": [0, 1, 2], "outputs": [3],
     "attrs": {"kind": "conv", "settings": SETTINGS, "strides": [2, 2], "pads": [1, 1, 1, 1],
               "dilations": [1, 1], "group": 1}},
    {"op": "Relu", "name": "/relu1", "inputs": [3], "outputs": [4], "attrs": {}},
    {"op": "Flatten", "name": "/flatten", "inputs": [4], "outputs": [5], "attrs": {}},
    {"op": "CimLinear", "name": "/fc/Gemm", "inputs": [5, 6, 7], "outputs": [8],
     "attrs": {"kind": "gemm", "settings": SETTINGS, "alpha": 1.0, "beta": 1.0, "transB": 1}},
    {"op": "Relu", "name": "/relu2", "inputs": [8], "outputs": [9], "attrs": {}},
    {"op": "CimLinear", "name": "/out/MatMul", "inputs": [9, 10], "outputs": [11],
     "attrs": {"kind": "matmul", "settings": SETTINGS}},
]
device = json.dumps({"name": "lit-rram"}, separators=(",", ":"))
meta = {
    "format": 1, "producer": "make_cim_plan.py", "source": "handmade.onnx", "device": device,
    "inputs": [{"name": "image", "value": 0}], "outputs": [{"name": "logits", "value": 11}],
    "values": values,
    "constants": [{"value": v, "section": i + 1} for i, (v, _) in enumerate(constants)],
    "steps": steps,
}


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def write_plan(path):
    sections = [(1, "metadata", json.dumps(meta).encode())]
    sections += [(2, "const:" + values[v]["name"], f32(data)) for v, data in constants]
    align = lambda v: (v + 63) // 64 * 64
    offset = align(64 + 64 * len(sections))
    table, placed = b"", []
    for kind, name, body in sections:
        table += struct.pack("<IIQQ40s", kind, zlib.crc32(body), offset, len(body), name.encode())
        placed.append(offset)
        offset = align(offset + len(body))
    head = struct.pack("<8sIIQII24sI", b"CIMPLAN\0", 1, len(sections), fnv1a64(device.encode()),
                       zlib.crc32(table), 0, b"make_cim_plan.py", 0)
    out = bytearray(head + struct.pack("<I", zlib.crc32(head)) + table)
    for (_, _, body), at in zip(sections, placed):
        out += b"\0" * (at - len(out)) + body
    out += b"\0" * (align(len(out)) - len(out))
    open(path, "wb").write(out)


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
                conv.append(max(acc, 0.0))
    hidden = [max(sum(conv[k] * fc_w[n * 36 + k] for k in range(36)) + fc_c[n], 0.0) for n in range(6)]
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

write_plan(plan_path)
with zipfile.ZipFile(npz_path, "w", zipfile.ZIP_STORED) as z:
    z.writestr("image.npy", npy("<f4", (20, 1, 6, 6), f32([v for img in images for v in img])))
    z.writestr("labels.npy", npy("<i8", (20,), struct.pack("<20q", *labels)))
