// cimlir kernels: hot loops compiled for several x86-64 levels, the best picked at load time
// (GCC's target_clones). The kernels are built with -ffp-contract=off, so every clone does
// the same IEEE operations and gives the same bits. Clang builds (scripts/fuzz.sh) get one
// baseline version: clang does not emit the templates a cloned function instantiates.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
/// AVX-512 (x86-64-v4: F, BW, DQ, VL), AVX2 and baseline x86-64.
#define CIMLIR_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
/// AVX2 and baseline x86-64.
#define CIMLIR_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CIMLIR_VECTOR_CLONES
#define CIMLIR_AVX2_CLONES
#endif
