#!/usr/bin/env bash
# The figures of docs/sensitivity.md and docs/numerics.md ("Smoothing") for one Fashion-MNIST
# model: accuracy with every layer digital; on `harsh` and on harsh with calibrated ranges
# (docs/sensitivity/harsh-calibrated.json), every layer on CIM and the layers
# --digital-budget 10 keeps digital, with the sensitivity report; and the smoothing table
# (rram-256's crossbar and weight slices, ideal ADC, no noise; inputs of 3 and 4 bits, static
# and dynamic_row, α = 0, 0.25, 0.5, 0.75). Sensitivity and calibration use the train split
# (2,000 and 512 images), accuracies the 10,000 test images. Minutes on a GPU; on a 2-core CPU
# about an hour for the ViT.
#   scripts/sensitivity_figures.sh BIN_DIR MODEL.onnx FASHION_MNIST_DIR OUT_DIR
set -euo pipefail
bin=$1 model=$2 data=$3 out=$4
root=$(cd "$(dirname "$0")/.." && pwd)
name=$(basename "$model" .onnx)
mkdir -p "$out"

# The test-set accuracy of a plan.
accuracy() {
  "$bin/cim-run" "$1" --dataset "$data" --quiet --report "$out/run.json" >/dev/null
  python3 -c "import json, sys; print(f\"{json.load(open(sys.argv[1]))['accuracy']:.4f}\")" \
    "$out/run.json"
}

"$bin/cim-opt" "$model" -o "$out/digital.plan"
echo "$name all digital (fp32): $(accuracy "$out/digital.plan")"

for device in harsh "$root/docs/sensitivity/harsh-calibrated.json"; do
  tag=$(basename "$device" .json)
  calibration=()
  [ "$tag" = harsh ] || calibration=(--calibration "$data")
  "$bin/cim-opt" "$model" --device "$device" ${calibration[@]+"${calibration[@]}"} \
    -o "$out/$tag.all.plan"
  "$bin/cim-opt" "$model" --device "$device" ${calibration[@]+"${calibration[@]}"} \
    --sensitivity "$data" --sensitivity-limit 2000 --digital-budget 10 \
    --sensitivity-report "$out/$name.$tag.json" --save-device "$out/$name.$tag.kept.json" \
    -o "$out/$tag.kept.plan" >"$out/$name.$tag.table.txt" 2>"$out/$name.$tag.progress.txt"
  echo "$name $tag: all on CIM $(accuracy "$out/$tag.all.plan"), marked $(accuracy "$out/$tag.kept.plan")"
done

echo "$name smoothing (inputs, alpha: accuracy)"
for scale in static dynamic_row; do
  for bits in 3 4; do
    line="  $bits bits, $scale:"
    for alpha in 0 0.25 0.5 0.75; do
      cat >"$out/smooth.json" <<JSON
{"crossbar": {"rows": 256, "cols": 256}, "weights": {"bits": 8, "slices": [1, 2, 2, 2]},
 "inputs": {"bits": $bits, "scale": "$scale", "smooth_alpha": $alpha},
 "adc": {"mode": "ideal"}, "noise": {"read": 0.0}}
JSON
      "$bin/cim-opt" "$model" --device "$out/smooth.json" --calibration "$data" \
        --calibration-limit 512 -o "$out/smooth.plan" 2>/dev/null
      line+=" $alpha: $(accuracy "$out/smooth.plan")"
    done
    echo "$line"
  done
done
