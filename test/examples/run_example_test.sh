#!/bin/sh
# An example of examples/ built as a user builds it: `cmake --install` of this build into a
# fresh prefix, then the example configured against that prefix alone (find_package(cimlir)),
# built, and its own tests run (docs/write-a-pass.md).
#   run_example_test.sh BUILD_DIR EXAMPLE_DIR WORK_DIR GENERATOR
set -eu
build=$1 example=$2 work=$3 generator=$4
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
cmake -S "$example" -B "$work/build" -G "$generator" -DCMAKE_PREFIX_PATH="$work/prefix" \
  > "$work/configure.log"
cmake --build "$work/build"
ctest --test-dir "$work/build" --output-on-failure
