// cimlir CPU kernels: ONNX Resize (and Upsample), as the ONNX reference implementation
// computes it: per axis, each output coordinate mapped back to the input
// (coordinate_transformation_mode), then nearest, linear or cubic weights over its nearest
// input positions (edges repeated; cubic's exclude_outside renormalises instead). Axes are
// resized one after the other, which for these separable filters is the reference's
// N-dimensional interpolation.
#pragma once

#include "core/Tensor.h"

#include <string>
#include <vector>

namespace cimlir::cpu {

struct ResizeParams {
  std::vector<double> scales;   ///< per axis: output / input (as given, or derived from sizes)
  std::vector<double> roi;      ///< tf_crop_and_resize: starts then ends, per axis, normalised
  std::string mode = "nearest"; ///< nearest, linear, cubic
  std::string coordinates = "half_pixel";         ///< the coordinate_transformation_mode
  std::string nearestMode = "round_prefer_floor"; ///< round_prefer_floor/ceil, floor, ceil
  double cubicA = -0.75;
  bool excludeOutside = false;
  double extrapolation = 0.0; ///< tf_crop_and_resize outside the roi
};

/// One output position along a resized axis: the input positions it reads and their weights
/// (summed in this order, from 0, zero weights skipped), or the extrapolation value.
struct ResizeTaps {
  std::vector<int64_t> index;
  std::vector<double> weight;
  bool extrapolate = false;
};

/// An axis that the resize changes, and its taps per output position.
struct ResizeAxis {
  size_t axis = 0;
  int64_t in = 0, out = 0;
  std::vector<ResizeTaps> taps;
};

/// The axes resize() resizes, in its order (axis after axis; one that keeps its length at scale
/// 1 is left out, except with tf_crop_and_resize), after every check resize() makes: for the
/// CUDA backend, which sums the same taps in the same order.
std::vector<ResizeAxis> resizeAxes(const Tensor &x, const ResizeParams &p, const Tensor &y);

/// Y = X resized to Y's shape (float32 or float64, same rank). Throws cimlir::Error for an
/// unknown mode or a scale that is not positive.
void resize(const Tensor &x, const ResizeParams &p, Tensor &y);

} // namespace cimlir::cpu
