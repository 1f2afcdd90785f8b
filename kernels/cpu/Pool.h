// cimlir CPU kernels: max, average and global average pooling over N-d windows.
#pragma once

#include "core/Tensor.h"

#include <vector>

namespace cimlir::cpu {

/// Attributes after normalisation: one entry per spatial axis (pads: begins then ends);
/// auto_pad and ceil_mode already resolved by the compiler into pads/the output shape, so
/// the kernel reads the output extent from Y's shape. Windows may extend past the end of
/// the input (ceil_mode): such positions are skipped (max) or not counted (average).
struct PoolParams {
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> pads;
  std::vector<int64_t> dilations;
  bool countIncludePad = false; // AveragePool only: pads (not ceil-mode overhang) count
};

/// One output position's window along one axis: input position start + tap * dilation.
struct AxisWindow {
  int64_t start = 0;
  int64_t tapLo = 0, tapHi = 0; // taps landing inside the input [0, D)
  int64_t padTaps = 0;          // taps landing inside the padded extent [-pad_begin, D + pad_end)
};

/// The windows of a pooling of X into Y (checked: shapes, attributes, Y's extents).
struct PoolGeometry {
  size_t k = 0; // spatial axes
  int64_t planes = 0, inSize = 1, outSize = 1;
  std::vector<int64_t> in, out, dilations;
  std::vector<std::vector<AxisWindow>> windows; // [axis][output index]
};

/// Throws cimlir::Error naming kernel `kn` for shapes or attributes that do not fit. Reads only
/// the shapes of x and y (any memory).
PoolGeometry poolGeometry(const char *kn, const Tensor &x, const PoolParams &p, const Tensor &y);

/// X [N, C, D1..Dk] -> Y [N, C, O1..Ok]. float32 and uint8 (and int8).
void maxPool(const Tensor &x, const PoolParams &p, Tensor &y);
/// float32 only.
void averagePool(const Tensor &x, const PoolParams &p, Tensor &y);
/// X [N, C, D1..Dk] -> Y [N, C, 1..1]; float32.
void globalAveragePool(const Tensor &x, Tensor &y);

} // namespace cimlir::cpu
