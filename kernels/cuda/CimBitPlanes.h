// cimlir CUDA kernels: the CIM layer's product for one-bit slices on both sides (bit-serial
// inputs, one-bit cells), in one-bit tensor-core MMAs (CimBitPlanes.cu). CimLinear.cu runs it
// when the call's `bitPlanes` is set (uploadCimChip decides: CimChip.h).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace cimlir::cuda {

namespace product {
struct ProductArgs; // CimProduct.cuh
}

/// 32-bit words of one row block in a bit plane: ceil(rows / 256) MMA steps of 256 bits.
int bitPlaneWords(int64_t rows);

/// Shared memory of one CTA of the one-bit kernel: T input slices' planes of 32 rows, two
/// buffers of one weight slice's planes of 128 columns, the accumulators' starts and the
/// output sums. Up to 256-row crossbars with 8-bit inputs about 80 KB (two CTAs share an SM);
/// taller crossbars or more input slices leave one, up to DeviceShape::sharedPerCta.
size_t bitPlaneSharedBytes(int inputSlices, int64_t rows);

/// Enqueues the product of `args` (call.bitPlanes set, xq quantized) on `stream`.
void launchBitPlaneProduct(const product::ProductArgs &args, cudaStream_t stream);

} // namespace cimlir::cuda
