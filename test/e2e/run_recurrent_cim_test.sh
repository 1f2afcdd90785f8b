#!/usr/bin/env bash
# Recurrent layers on crossbars (docs/numerics.md, "Recurrent layers"), on a model written
# here: a batch-first reverse GRU without linear_before_reset (two reads a step) feeding a
# bidirectional LSTM whose last hidden states Y_h are the output, random constant weights,
# a dynamic batch.
#  - On a precise device (14-bit weights and inputs, ideal ADC, no noise) the CIM layers give
#    the digital outputs within 2e-3: the split into W and R layers, Wb, the directions and
#    Y_h are right (the digital kernel is checked against onnxruntime by the node tests).
#  - On rram-256 (read noise on) the outputs are the same bits at batch 1 and batch 5: the
#    noise of every read is keyed by its sample and step, not by the batch.
#   run_recurrent_cim_test.sh BIN_DIR DEVICE_DIR WORK_DIR
set -euo pipefail
bin=$1 devices=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
python3 - "$work" <<'PY'
import random, struct, sys, zipfile
work = sys.argv[1]
rng = random.Random(7)
seq, feat, hg, hl, n = 6, 4, 3, 2, 5
def values(count, scale=0.6):
    return ", ".join(f"{rng.gauss(0, scale):.6f}" for _ in range(count))
model = f"""<
  ir_version: 9,
  opset_import: ["" : 14]
>
agraph (float[N, {seq}, {feat}] X) => (float[N, 2, {hl}] H) <
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
open(f"{work}/model.onnxtext", "w").write(model)
x = [rng.uniform(-2, 2) for _ in range(n * seq * feat)]
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d), }" % (n, seq, feat)
header += " " * (63 - (10 + len(header)) % 64) + "\n"
npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()
with zipfile.ZipFile(f"{work}/inputs.npz", "w") as z:
    z.writestr("X.npy", npy + struct.pack(f"<{len(x)}f", *x))
PY
# H's values, read from a cim-run --outputs file.
read_h='import struct, sys, zipfile
raw = zipfile.ZipFile(sys.argv[1]).read("H.npy")
start = 10 + struct.unpack("<H", raw[8:10])[0]
print(" ".join(repr(v) for v in struct.unpack("<%df" % ((len(raw) - start) // 4), raw[start:])))'
"$bin/cim-opt" "$work/model.onnxtext" -o "$work/digital.plan"
"$bin/cim-opt" "$work/model.onnxtext" --device "$devices/precise.json" -o "$work/precise.plan"
"$bin/cim-opt" "$work/model.onnxtext" --device rram-256 --emit=mlir >"$work/rram.mlir"
test "$(grep -c 'cim.linear' "$work/rram.mlir")" -eq 4 # GRU.W, GRU.R, LSTM.W, LSTM.R
"$bin/cim-opt" "$work/model.onnxtext" --device rram-256 -o "$work/rram.plan"
"$bin/cim-run" "$work/digital.plan" --dataset "$work/inputs.npz" --outputs "$work/digital.npz"
"$bin/cim-run" "$work/precise.plan" --dataset "$work/inputs.npz" --outputs "$work/precise.npz"
"$bin/cim-run" "$work/rram.plan" --dataset "$work/inputs.npz" --batch 1 --outputs "$work/rram1.npz"
"$bin/cim-run" "$work/rram.plan" --dataset "$work/inputs.npz" --batch 5 --outputs "$work/rram5.npz"
python3 - "$(python3 -c "$read_h" "$work/digital.npz")" "$(python3 -c "$read_h" "$work/precise.npz")" \
  "$(python3 -c "$read_h" "$work/rram1.npz")" "$(python3 -c "$read_h" "$work/rram5.npz")" <<'PY'
import sys
digital, precise, rram1, rram5 = ([float(v) for v in a.split()] for a in sys.argv[1:5])
assert len(digital) == 5 * 2 * 2, len(digital)
worst = max(abs(a - b) for a, b in zip(digital, precise))
print(f"precise CIM vs digital: max abs difference {worst:.3g}")
assert worst <= 2e-3, worst
assert rram1 == rram5, "rram-256 outputs differ between batch 1 and batch 5"
noisy = max(abs(a - b) for a, b in zip(digital, rram1))
print(f"rram-256 vs digital: max abs difference {noisy:.3g}, the same bits at batch 1 and 5")
assert noisy > 0, "rram-256 should not reproduce the digital outputs exactly"
PY
