// cimlir CPU kernels: ONNX Einsum, any equation, by its definition (every combination of the
// labels' values, products summed over the labels the output lacks). The equation's reading
// here is the onnx dialect's shape rule too.
#pragma once

#include "core/Tensor.h"

#include <string>
#include <vector>

namespace cimlir::cpu {

/// An Einsum equation read against its inputs' shapes: each input's and the output's axes as
/// label numbers, and each label's size. "..." stands for the same broadcast axes in every
/// term; without "->" the output is the ellipsis, then the labels used once, in
/// alphabetical order.
struct EinsumSpec {
  std::vector<std::vector<int>> inputs; ///< per input, per axis: its label
  std::vector<int> output;              ///< per output axis: its label
  std::vector<int64_t> sizes;           ///< per label
  Shape outputShape;
};

/// Reads `equation` for inputs of `shapes`; "" and fills `spec`, or what is wrong.
std::string parseEinsum(const std::string &equation, const std::vector<Shape> &shapes,
                        EinsumSpec &spec);

/// einsum()'s checks (one element type, float32 or float64; the equation; Y's type and shape),
/// with its messages; the spec of the equation for these inputs.
EinsumSpec checkEinsum(const std::string &equation, const std::vector<const Tensor *> &inputs,
                       const Tensor &y);

/// The loop einsum() runs for `spec`, shared with the CUDA backend for the same sums in the same
/// order. The loop's labels are the output's, then the summed ones as the inputs first name them;
/// output element o takes the output labels' values from o (row-major), and adds `terms` products
/// in order, term s taking the summed labels' values from s (row-major); each product is 1 times
/// the inputs' elements in input order.
struct EinsumLoop {
  std::vector<int64_t> sizes; ///< per loop label
  size_t outputLabels = 0;    ///< how many of the labels, first, are the output's
  int64_t terms = 0;          ///< products per output element
  /// Per input, per loop label: the element stride (the sum over the input's axes of that label;
  /// 0 along an axis of size 1, which broadcasts).
  std::vector<std::vector<int64_t>> strides;
};
EinsumLoop einsumLoop(const EinsumSpec &spec, const std::vector<Shape> &shapes);

/// Y = einsum(equation, inputs): float32 or float64 (one type), summed in float64.
void einsum(const std::string &equation, const std::vector<const Tensor *> &inputs, Tensor &y);

} // namespace cimlir::cpu
