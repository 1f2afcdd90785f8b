#!/usr/bin/env bash
# Fuzzes the readers of user files (docs/reliability.md) with libFuzzer: builds the fuzz
# targets with Debian's clang-22 under AddressSanitizer and UndefinedBehaviorSanitizer in
# build-fuzz/, then runs each for SECONDS (default 20) from its seed corpus
# (test/fuzz/corpus/<target>, copied: the committed seeds are not changed).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# An input that crashes, leaks, hangs (10 s) or needs more than 2 GiB is saved under
# build-fuzz/crashes/<target>/ and the script fails; put it in test/fuzz/regressions/<target>/
# with the fix, and every build replays it (ctest -L fuzz). scripts/test.sh runs this with 20 s
# per target; a longer run is the same command with more seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"
seconds=${1:-20}
shift || true
jobs=${CIMLIR_JOBS:-$(nproc)}

CC=clang-22 CXX=clang++-22 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir -DCIMLIR_FUZZ=ON -DCIMLIR_SANITIZE=address,undefined \
  -DCIMLIR_CUDA=OFF \
  > /dev/null
cmake --build build-fuzz -j "$jobs" --target fuzz_targets

targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=($(cd build-fuzz/bin && ls fuzz_* | sort))
fi
failed=()
for t in "${targets[@]}"; do
  work=build-fuzz/fuzz-work/$t
  rm -rf "$work" && mkdir -p "$work/corpus" "build-fuzz/crashes/$t"
  cp test/fuzz/corpus/"$t"/* "$work/corpus/"
  echo "fuzz: $t for ${seconds}s"
  if ! build-fuzz/bin/"$t" "$work/corpus" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="build-fuzz/crashes/$t/" \
      > "$work/log" 2>&1; then
    failed+=("$t")
    tail -n 40 "$work/log"
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added" "$work/log" | tr '\n' ' '
  echo
done
if ((${#failed[@]})); then
  echo "fuzz: ${failed[*]} found inputs that break them (build-fuzz/crashes/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, nothing found"
