#!/usr/bin/env bash
# One golden case (cases.txt): compile a bundled model for a device, run it on the first 300
# Fashion-MNIST test images with fixed seeds, and require outputs with the same bits as the
# committed golden/NAME.npz. With --update, write that file instead (only when a change of
# numbers is intended, and say why in the commit).
#   run_golden_test.sh BIN_DIR DATASET_DIR WORK_DIR NAME [--update]
set -euo pipefail
bin=$1 dataset=$2 work=$3 name=$4 update=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
e2e=$(dirname "$here")
models=$(cd "$e2e/../../models" && pwd)

line=$(grep -E "^$name " "$here/cases.txt") || { echo "no golden case '$name'" >&2; exit 2; }
read -r -a words <<<"$line"
model=${words[1]} device=${words[2]}
[ -f "$e2e/$device" ] && device="$e2e/$device"
opt_args=() run_args=() seen_dash=no
for w in "${words[@]:3}"; do
  [ "$w" = DATASET ] && w=$dataset
  if [ "$w" = -- ]; then seen_dash=yes
  elif [ $seen_dash = yes ]; then run_args+=("$w")
  else opt_args+=("$w"); fi
done

source "$e2e/pin_openblas.sh" # the digital cases' bits, the same on every machine
rm -rf "$work" && mkdir -p "$work"
"$bin/cim-opt" "$models/$model.onnx" --device "$device" ${opt_args[@]+"${opt_args[@]}"} \
  -o "$work/plan.bin"
"$bin/cim-run" "$work/plan.bin" --dataset "$dataset" --limit 300 --quiet \
  ${run_args[@]+"${run_args[@]}"} --outputs "$work/outputs.npz"

golden=$here/$name.npz
if [ "$update" = --update ]; then
  cp "$work/outputs.npz" "$golden"
  echo "wrote $golden"
  exit 0
fi
exec python3 "$here/compare_npz.py" "$golden" "$work/outputs.npz"
