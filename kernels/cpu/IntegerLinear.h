// cimlir CPU kernels: the integer products of quantized ONNX models (QOperator form):
// MatMulInteger and ConvInteger, exact in int32 as the ONNX reference computes them. The
// importer builds QLinearMatMul and QLinearConv on them (compiler/importer/QuantizedImport.cpp).
#pragma once

#include "core/Tensor.h"
#include "kernels/cpu/Conv.h"
#include "kernels/cpu/Gemm.h"

#include <vector>

namespace cimlir::cpu {

/// ONNX MatMulInteger: Y (int32) = (A − a_zero_point) · (B − b_zero_point), A and B int8 or
/// uint8 of rank >= 2 with numpy.matmul's batch broadcasting; a_zero_point (A's type) one value
/// or one per row of A (its second-last axis), b_zero_point (B's type) one value or one per
/// column of B. Sums in int64, stored as int32 (wrapping, as int32 accumulators do).
void matMulInteger(const Tensor &a, const Tensor &b, const Tensor &aZero, const Tensor &bZero,
                   Tensor &y);

/// Checks MatMulInteger's operands as matMulInteger does (ranks, extents, batch broadcast, Y
/// int32 of the product's shape, A and B int8 or uint8, the zero points' types and shapes) and
/// returns the product's extents. Reads only shapes and dtypes (the CUDA backend's too).
MatmulExtents matMulIntegerExtents(const Tensor &a, const Tensor &b, const Tensor &aZero,
                                   const Tensor &bZero, const Tensor &y);

/// Checks that zero point `z` (named `what` in kernel `kn`'s errors) is of `type` and holds one
/// value or `count` values in one axis.
void checkZeroPoint(const char *kn, const char *what, const Tensor &z, DType type, int64_t count);

/// Checks ConvInteger's operands as convInteger does (ranks, channels and group, attributes,
/// Y int32 of the output shape, X and W int8 or uint8, the zero points) and returns the
/// extents. Reads only shapes and dtypes (the CUDA backend's too).
ConvExtents convIntegerExtents(const Tensor &x, const Tensor &w, const Tensor &xZero,
                               const Tensor &wZero, const ConvParams &p, const Tensor &y);

/// ONNX ConvInteger: Y (int32) = conv(X − x_zero_point, W − w_zero_point) with `p` (padding
/// contributes 0), X [N, C, D...] and W [M, C/group, K...] int8 or uint8; x_zero_point one
/// value, w_zero_point one value or one per output channel.
void convInteger(const Tensor &x, const Tensor &w, const Tensor &xZero, const Tensor &wZero,
                 const ConvParams &p, Tensor &y);

} // namespace cimlir::cpu
