#!/usr/bin/env bash
# A model quantized by onnxruntime's tools (models/quantized/NAME: scripts/quantize_models.py,
# with onnxruntime's outputs as test_data_set_0), compiled as quantized:
#  - digital: every output within 1e-4 relative (1e-5 absolute) of onnxruntime's;
#  - QDQ models (NAME ending in _qdq): on rram-256 crossbars with weights.source "model",
#    every linear layer on CIM with the model's own int8 levels and scales.
#   run_quantized_model_test.sh BIN_DIR MODEL_DIR WORK_DIR
set -euo pipefail
bin=$1 dir=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
"$bin/cim-opt" "$dir/model.onnx" -o "$work/digital.plan"
"$bin/cim-run" "$work/digital.plan" --dataset "$dir" --batch 1 --rtol 1e-4 --atol 1e-5
case "$dir" in
*_qdq)
  echo '{"name": "rram-256-model-weights", "weights": {"source": "model"}}' >"$work/device.json"
  "$bin/cim-opt" "$dir/model.onnx" --device "$work/device.json" --emit=cim >"$work/cim.mlir"
  python3 - "$work/cim.mlir" <<'PY'
import re, sys
ir = open(sys.argv[1]).read()
layers = ir.count("cim.linear")
model = len(re.findall(r"#cim\.weights<[^>]*source = model", ir))
print(f"{layers} CIM layers, {model} with the model's weights")
assert layers > 0 and model == layers, "a CIM layer did not take the model's weights"
PY
  "$bin/cim-opt" "$dir/model.onnx" --device "$work/device.json" -o "$work/cim.plan"
  "$bin/cim-run" "$work/cim.plan" --dataset "$dir" --batch 1 --rtol 1e30 --atol 1e30
  ;;
esac
