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

/// Y = einsum(equation, inputs): float32 or float64 (one type), summed in float64.
void einsum(const std::string &equation, const std::vector<const Tensor *> &inputs, Tensor &y);

} // namespace cimlir::cpu
