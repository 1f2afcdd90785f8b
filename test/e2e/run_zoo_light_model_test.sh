#!/usr/bin/env bash
# One of the onnx wheel's "light" model-zoo graphs (models/zoo-light/NAME: AlexNet, ResNet-50,
# VGG-19, ... with every weight a ConstantOfShape fill, and the output onnx ships for them),
# compiled as shipped:
#  - digital: on a fresh random input (the fills make the output independent of it), the
#    output within 1e-4 relative (1e-5 absolute) of the one onnx ships;
#  - rram-256: the graph compiles with its linear layers on crossbars (these are 224x224
#    ImageNet networks: running them on CIM on a CPU would take minutes).
#   run_zoo_light_model_test.sh BIN_DIR MODEL_DIR WORK_DIR
set -euo pipefail
bin=$1 dir=$2 work=$3
rm -rf "$work" && mkdir -p "$work/data/test_data_set_0"
"$bin/cim-opt" "$dir/model.onnx" -o "$work/digital.plan"
# The input's name and shape as cim-opt imported them (one float32 input).
"$bin/cim-opt" "$dir/model.onnx" --emit=cim >"$work/digital.mlir"
signature=$(grep -m1 -o 'func.func @main([^)]*)' "$work/digital.mlir")
python3 - "$signature" "$work/data/test_data_set_0/input_0.pb" <<'PY'
import random, re, struct, sys
m = re.search(r'%arg0: tensor<([0-9x]+)xf32> \{onnx.name = "([^"]+)"\}', sys.argv[1])
assert m, "no single float32 input in: " + sys.argv[1]
dims, name = [int(d) for d in m.group(1).split("x")], m.group(2).encode()
count = 1
for d in dims:
    count *= d
def varint(n):
    out = b""
    while True:
        out += bytes([(n & 0x7F) | (0x80 if n >> 7 else 0)])
        n >>= 7
        if not n:
            return out
raw = struct.pack(f"<{count}f", *(random.uniform(-1, 1) for _ in range(count)))
# TensorProto: dims (1), data_type (2) = FLOAT, name (8), raw_data (9).
pb = b"".join(b"\x08" + varint(d) for d in dims) + b"\x10\x01"
pb += b"\x42" + varint(len(name)) + name + b"\x4a" + varint(len(raw)) + raw
open(sys.argv[2], "wb").write(pb)
PY
cp "$dir/test_data_set_0/output_0.pb" "$work/data/test_data_set_0/"
# The fills make every class's logit the same number, near 1e8 after many layers: only kernels
# that round every output channel alike reproduce onnx's tie (pin_openblas.sh).
source "$(dirname "$0")/pin_openblas.sh"
"$bin/cim-run" "$work/digital.plan" --dataset "$work/data" --batch 1 --rtol 1e-4 --atol 1e-5
rm "$work/digital.plan"  # VGG-19's is 0.5 GB
"$bin/cim-opt" "$dir/model.onnx" --device rram-256 --emit=cim >"$work/rram.mlir"
layers=$(grep -c 'cim.linear' "$work/rram.mlir" || true)
echo "$layers layers on crossbars"
test "$layers" -gt 0
