#!/usr/bin/env bash
# Layers on crossbars beyond Gemm, MatMul and Conv, on a model written here with random
# constant weights and a dynamic batch (MODEL):
#  - recurrent: a batch-first reverse GRU without linear_before_reset (two reads a step)
#    feeding a bidirectional LSTM whose last hidden states Y_h are the output
#    (docs/numerics.md, "Recurrent layers"): 4 CIM layers;
#  - conv_transpose: a grouped, strided, padded ConvTranspose with output_padding and a bias,
#    then a dilated one: 2 CIM layers.
# Checks:
#  - on a precise device (14-bit weights and inputs, ideal ADC, no noise) the CIM layers give
#    the digital outputs within 2e-3 (the digital kernels are checked against onnxruntime by
#    the node tests);
#  - on rram-256 (read noise on) the outputs are the same bits at batch 1 and batch 5: the
#    noise of every read is keyed by its sample and row, not by the batch.
#   run_cim_layers_test.sh BIN_DIR DEVICE_DIR WORK_DIR MODEL
set -euo pipefail
bin=$1 devices=$2 work=$3 model=$4
rm -rf "$work" && mkdir -p "$work"
layers=$(python3 - "$work" "$model" <<'PY'
import random, struct, sys, zipfile
work, model = sys.argv[1], sys.argv[2]
rng = random.Random(7)
def values(count, scale=0.6):
    return ", ".join(f"{rng.gauss(0, scale):.6f}" for _ in range(count))
header = """<
  ir_version: 9,
  opset_import: ["" : 14]
>
"""
if model == "recurrent":
    seq, feat, hg, hl = 6, 4, 3, 2
    shape, output, layers = [seq, feat], f"float[N, 2, {hl}] H", 4
    body = f"""agraph (float[N, {seq}, {feat}] X) => ({output}) <
    float[1, {3 * hg}, {feat}] Wg = {{{values(3 * hg * feat)}}},
    float[1, {3 * hg}, {hg}] Rg = {{{values(3 * hg * hg)}}},
    float[1, {6 * hg}] Bg = {{{values(6 * hg, 0.2)}}},
    float[2, {4 * hl}, {hg}] Wl = {{{values(8 * hl * hg)}}},
    float[2, {4 * hl}, {hl}] Rl = {{{values(8 * hl * hl)}}},
    float[2, {8 * hl}] Bl = {{{values(16 * hl, 0.2)}}},
    int64[3] flat = {{0, {seq}, {hg}}}
> {{
  G = GRU <hidden_size = {hg}, direction = "reverse", layout = 1, linear_before_reset = 0> (X, Wg, Rg, Bg)
  F = Reshape (G, flat)
  Y, H = LSTM <hidden_size = {hl}, direction = "bidirectional", layout = 1> (F, Wl, Rl, Bl)
}}
"""
elif model == "conv_transpose":
    # 4 -> 6 channels (group 2), 5x5 -> 11x11 (stride 2, pads 1/0, output_padding 1);
    # then 6 -> 2 channels, kernel 2 with dilation 2: 13x13.
    shape, output, layers = [4, 5, 5], "float[N, 2, 13, 13] H", 2
    body = f"""agraph (float[N, 4, 5, 5] X) => ({output}) <
    float[4, 3, 3, 3] W1 = {{{values(4 * 3 * 9)}}},
    float[6] B1 = {{{values(6, 0.2)}}},
    float[6, 2, 2, 2] W2 = {{{values(6 * 2 * 4)}}}
> {{
  Y = ConvTranspose <group = 2, strides = [2, 2], pads = [1, 1, 0, 0], output_padding = [1, 1]> (X, W1, B1)
  H = ConvTranspose <dilations = [2, 2]> (Y, W2)
}}
"""
else:
    sys.exit(f"unknown model {model}")
open(f"{work}/model.onnxtext", "w").write(header + body)
n = 5
count = n
for d in shape:
    count *= d
x = [rng.uniform(-2, 2) for _ in range(count)]
npy_header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % (tuple([n] + shape),)
npy_header += " " * (63 - (10 + len(npy_header)) % 64) + "\n"
npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(npy_header)) + npy_header.encode()
with zipfile.ZipFile(f"{work}/inputs.npz", "w") as z:
    z.writestr("X.npy", npy + struct.pack(f"<{len(x)}f", *x))
print(layers)
PY
)
# H's values, read from a cim-run --outputs file.
read_h='import struct, sys, zipfile
raw = zipfile.ZipFile(sys.argv[1]).read("H.npy")
start = 10 + struct.unpack("<H", raw[8:10])[0]
print(" ".join(repr(v) for v in struct.unpack("<%df" % ((len(raw) - start) // 4), raw[start:])))'
"$bin/cim-opt" "$work/model.onnxtext" -o "$work/digital.plan"
"$bin/cim-opt" "$work/model.onnxtext" --device "$devices/precise.json" -o "$work/precise.plan"
"$bin/cim-opt" "$work/model.onnxtext" --device rram-256 --emit=cim >"$work/rram.mlir"
test "$(grep -c 'cim.linear' "$work/rram.mlir")" -eq "$layers"
"$bin/cim-opt" "$work/model.onnxtext" --device rram-256 -o "$work/rram.plan"
"$bin/cim-run" "$work/digital.plan" --dataset "$work/inputs.npz" --outputs "$work/digital.npz"
"$bin/cim-run" "$work/precise.plan" --dataset "$work/inputs.npz" --outputs "$work/precise.npz"
"$bin/cim-run" "$work/rram.plan" --dataset "$work/inputs.npz" --batch 1 --outputs "$work/rram1.npz"
"$bin/cim-run" "$work/rram.plan" --dataset "$work/inputs.npz" --batch 5 --outputs "$work/rram5.npz"
python3 - "$(python3 -c "$read_h" "$work/digital.npz")" "$(python3 -c "$read_h" "$work/precise.npz")" \
  "$(python3 -c "$read_h" "$work/rram1.npz")" "$(python3 -c "$read_h" "$work/rram5.npz")" <<'PY'
import sys
digital, precise, rram1, rram5 = ([float(v) for v in a.split()] for a in sys.argv[1:5])
assert digital and len(digital) == len(precise) == len(rram1), len(digital)
scale = max(abs(v) for v in digital)
worst = max(abs(a - b) for a, b in zip(digital, precise))
print(f"precise CIM vs digital: max abs difference {worst:.3g} (outputs up to {scale:.3g})")
assert worst <= 2e-3 * max(1.0, scale), worst
assert rram1 == rram5, "rram-256 outputs differ between batch 1 and batch 5"
noisy = max(abs(a - b) for a, b in zip(digital, rram1))
print(f"rram-256 vs digital: max abs difference {noisy:.3g}, the same bits at batch 1 and 5")
assert noisy > 0, "rram-256 should not reproduce the digital outputs exactly"
PY
