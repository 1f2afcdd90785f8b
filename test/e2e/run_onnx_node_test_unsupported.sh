#!/usr/bin/env bash
# An ONNX node test cimlir must refuse: cim-opt exits non-zero with one error that names
# the node and what is not supported (or the graph input and its element type), and writes
# no plan.
#   run_onnx_node_test_unsupported.sh BIN_DIR TEST_DIR WORK_DIR
set -uo pipefail
bin=$1 dir=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
if "$bin/cim-opt" "$dir/model.onnx" -o "$work/plan.bin" 2>"$work/stderr"; then
  echo "cim-opt accepted a model it must refuse"; exit 1
fi
cat "$work/stderr"
[ ! -e "$work/plan.bin" ] || { echo "a plan was left behind"; exit 1; }
if grep -q "error: graph input '.*' has unsupported element type" "$work/stderr"; then exit 0; fi
grep -q "error: .*not supported" "$work/stderr" || { echo "no 'not supported' error"; exit 1; }
grep -q "node '" "$work/stderr" || { echo "the error does not name the node"; exit 1; }
