#!/usr/bin/env bash
# A model exported by scripts/export_models.py (models/export/NAME: model.onnx and
# onnxruntime's outputs as test_data_set_0), compiled as exported:
#  - digital: every output within 1e-4 relative (1e-5 absolute) of onnxruntime's;
#  - on rram-256 crossbars: the run completes with every linear layer on CIM (random weights
#    give no accuracy to assert; the error is printed);
#  - a model with a recurrent layer, on the precise device (14-bit weights and inputs, ideal
#    ADC, no noise): within 5e-4 of onnxruntime, its W and R on crossbars.
#   run_exported_model_test.sh BIN_DIR MODEL_DIR WORK_DIR
set -euo pipefail
bin=$1 dir=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
"$bin/cim-opt" "$dir/model.onnx" -o "$work/digital.plan"
"$bin/cim-run" "$work/digital.plan" --dataset "$dir" --batch 1 --rtol 1e-4 --atol 1e-5
"$bin/cim-opt" "$dir/model.onnx" --device rram-256 -o "$work/rram.plan"
"$bin/cim-run" "$work/rram.plan" --dataset "$dir" --batch 1 --rtol 1e30 --atol 1e30 \
  --report "$work/rram.json"
python3 "$(dirname "$0")/assert_cim_layers_ran.py" "$work/rram.json"
if "$bin/cim-opt" "$dir/model.onnx" --emit=import | grep -qE 'onnx\.(RNN|GRU|LSTM) '; then
  devices=$(cd "$(dirname "$0")" && pwd)/devices
  "$bin/cim-opt" "$dir/model.onnx" --device "$devices/precise.json" -o "$work/precise.plan"
  "$bin/cim-run" "$work/precise.plan" --dataset "$dir" --batch 1 --rtol 0 --atol 5e-4
fi
