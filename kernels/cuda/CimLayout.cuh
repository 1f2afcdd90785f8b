// cimlir CUDA kernels: the int8 CIM kernel's layout, chosen on the host (CimLinear.cu launches
// it; cimProductLayout and CimScratch in CimLinear.h expose it): the K staged at a time, the
// CTA's rows and columns (wide or narrow), the row-block split of few-row calls, the shared
// memory that takes, and the scratch arrays of a call.
#pragma once

#include "kernels/cuda/CimLinear.h"
#include "kernels/cuda/CimProduct.cuh"

#include <cstddef>
#include <cstdint>

namespace cimlir::cuda::product {

/// A call's arguments before the layout (layOut) and the data pointers.
ProductArgs productArgs(int64_t M, const CimChipView &chip, const CimCallView &call);

/// The int8 kernel's shared memory for `a`.
size_t productSharedBytes(const ProductArgs &a);

/// The whole layout of the int8 kernel's call (args from productArgs): columns and rows per
/// CTA, then the split.
void layOut(ProductArgs &args);

/// The row length of hybrid inputs' d·Wq: N rounded up to 4 (int8Gemm's ldc).
int64_t digitalLd(const CimChipView &chip);

} // namespace cimlir::cuda::product
