#!/usr/bin/env bash
# A model case: MODEL_DIR/model.onnx with onnxruntime's outputs (test_data_set_0) and a
# test.json that says how to compile it and how close to onnxruntime it must come. The models
# that PyPI packages ship (models/pypi, scripts/pypi_models.py: the options are what a user
# has to say about a shipped model, sizes of symbolic dimensions and inputs to freeze) and
# the float16 conversions (models/float16, scripts/make_float16_models.py):
#  - digital: every output within test.json's digital_atol of onnxruntime's (1e-4 of the
#    largest for float32 models, 4 units in the last place of it for float16 ones);
#  - rram-256: the run completes with CIM layers (the error is printed: no accuracy to assert
#    on one input).
#   run_model_case_test.sh BIN_DIR MODEL_DIR WORK_DIR
set -euo pipefail
bin=$1 dir=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
# Through a file, so that a test.json without the field fails the test.
python3 -c '
import json, sys
for o in json.load(open(sys.argv[1] + "/test.json"))["cim_opt_options"]:
    print(o.replace("@DIR@", sys.argv[1]))' "$dir" >"$work/options.txt"
mapfile -t options <"$work/options.txt"
atol=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["digital_atol"])' \
  "$dir/test.json")
"$bin/cim-opt" "$dir/model.onnx" "${options[@]}" -o "$work/digital.plan"
"$bin/cim-run" "$work/digital.plan" --dataset "$dir" --batch 1 --rtol 0 --atol "$atol"
"$bin/cim-opt" "$dir/model.onnx" "${options[@]}" --device rram-256 -o "$work/rram.plan"
"$bin/cim-run" "$work/rram.plan" --dataset "$dir" --batch 1 --rtol 1e30 --atol 1e30 \
  --report "$work/rram.json"
python3 "$(dirname "$0")/assert_cim_layers_ran.py" "$work/rram.json"
