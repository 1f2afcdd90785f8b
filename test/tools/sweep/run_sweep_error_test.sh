#!/usr/bin/env bash
# cim-sweep on a sweep that must fail: exit 1, one error line that contains EXPECTED, and no
# output written (a CSV that was there before is left as it was; no PNG, no temporary files).
#   run_sweep_error_test.sh SWEEP BIN_DIR MODEL_BASENAME DATASET_DIR WORK_DIR SPEC EXPECTED [ARGS...]
set -euo pipefail
sweep=$1 bin=$2 model=$3 dataset=$4 work=$5 spec=$6 expected=$7
shift 7
rm -rf "$work" && mkdir -p "$work"
echo "an earlier sweep" > "$work/sweep.csv"
set +e
CIMLIR_REAL_CIM_RUN="$bin/cim-run" "$sweep" "$model.onnx" --dataset "$dataset" --limit 8 \
  --chips 2 --spec "$spec" --cim-opt "$bin/cim-opt" --cim-run "$bin/cim-run" \
  --csv "$work/sweep.csv" --png "$work/sweep.png" --quiet "$@" 2> "$work/stderr"
rc=$?
set -e
cat "$work/stderr" >&2
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$rc" -eq 1 ] || fail "exit status $rc, expected 1"
[ "$(wc -l < "$work/stderr")" -eq 1 ] || fail "expected one line on stderr"
grep -q '^cim-sweep: error: ' "$work/stderr" || fail "no 'cim-sweep: error:' line"
grep -qF -- "$expected" "$work/stderr" || fail "the error does not say: $expected"
[ "$(cat "$work/sweep.csv")" = "an earlier sweep" ] || fail "the earlier CSV was changed"
leftover=$(ls -A "$work" | grep -vxE 'sweep\.csv|stderr' || true)
[ -z "$leftover" ] || fail "files written: $leftover"
