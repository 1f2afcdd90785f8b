#!/usr/bin/env bash
# Builds cim-opt and cim-run to run on a machine that has neither MLIR nor the -dev packages (the
# GPU machine, docs/portable-build.md): build-portable/dist/bin holds the two tools (stripped),
# build-portable/dist/lib the shared libraries they need beyond glibc, found through the tools'
# RPATH ($ORIGIN/../lib); build-portable/dist.tar.xz packs both. Takes about as long as
# scripts/build.sh (minutes with a warm ccache, most of an hour on 2 cores without one). Extra
# arguments go to CMake's configure step, the first time (remove build-portable to change them).
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"
jobs=${CIMLIR_JOBS:-$(nproc)}
if [ ! -f build-portable/build.ninja ]; then
  cmake -S . -B build-portable -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCIMLIR_SELF_CONTAINED=ON -DCIMLIR_BUILD_TESTS=OFF \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir "$@"
fi
cmake --build build-portable -j "$jobs" --target cim-opt cim-run

dist=build-portable/dist
rm -rf "$dist"
mkdir -p "$dist/bin" "$dist/lib"
for tool in cim-opt cim-run; do
  strip -o "$dist/bin/$tool" "build-portable/bin/$tool"
done
# Every shared library the tools load, except glibc's and the C++ runtime (the target machine's
# are at least as new as Debian 12's glibc 2.36 and GCC 12).
if ldd "$dist"/bin/* | grep 'not found'; then
  echo "build_portable.sh: the tools need the libraries above, which this machine lacks" >&2
  exit 1
fi
ldd "$dist"/bin/* | awk '/=> \// {print $3}' | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | ld-linux* | \
      libstdc++.so.* | libgcc_s.so.*) continue ;;
    # CUDA 13's cuBLAS (the CUDA backend): the GPU machine's toolkit has it under
    # /usr/local/cuda/lib64, which the tools' RPATH names after $ORIGIN/../lib.
    libcublas.so.* | libcublasLt.so.*) continue ;;
  esac
  cp -L "$lib" "$dist/lib/"
done
if ldd "$dist"/bin/* | grep -E 'lib(LLVM|MLIR)' ; then
  echo "build_portable.sh: the tools still load the libraries above" >&2
  exit 1
fi
"$dist/bin/cim-opt" --version | head -1
# The device tool carries at most 64 MiB: the tools travel as one archive (about 10 MB).
tar -cJf build-portable/dist.tar.xz -C "$dist" .
du -sh "$dist" build-portable/dist.tar.xz
