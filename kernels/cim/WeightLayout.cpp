#include "kernels/cim/WeightLayout.h"

#include "core/Error.h"

#include <cmath>
#include <cstring>

namespace cimlir::cim {

namespace {

[[noreturn]] void fail(const std::string &message) { throw Error("cim weight layout: " + message); }

int64_t elementCount(const WeightLayout &layout) { return layout.groups * layout.K * layout.N; }

/// A convolution-like weight [A, B, k...] whose first axis `groups` divides: its groups, the
/// first axis per group, and the elements of one index of it (B·prod(k)).
WeightLayout groupedWeight(const Shape &shape, int64_t groups, const std::string &form,
                           const char *firstAxis) {
  if (shape.size() < 3)
    fail("a " + form + ", got " + shapeToString(shape));
  if (groups < 1 || shape[0] % groups != 0)
    fail("group " + std::to_string(groups) + " does not divide the " + std::to_string(shape[0]) +
         " " + firstAxis + " channels of " + shapeToString(shape));
  WeightLayout l;
  l.groups = groups;
  l.K = shape[0] / groups;
  l.N = 1;
  for (size_t d = 1; d < shape.size(); ++d)
    l.N *= shape[d];
  return l;
}

} // namespace

WeightLayout WeightLayout::matrix(const Shape &shape, bool transposed) {
  if (shape.size() != 2)
    fail("a gemm or matmul weight is a matrix, got " + shapeToString(shape));
  WeightLayout l;
  l.outputMajor = transposed;
  l.K = shape[transposed ? 1 : 0];
  l.N = shape[transposed ? 0 : 1];
  return l;
}

WeightLayout WeightLayout::conv(const Shape &shape, int64_t groups) {
  // [M, C/g, k...]: a group's output channels are its first-axis indices, each a column.
  WeightLayout l = groupedWeight(shape, groups, "convolution weight is [M, C/g, k...]", "output");
  std::swap(l.K, l.N);
  l.outputMajor = true;
  return l;
}

WeightLayout WeightLayout::recurrent(const Shape &shape) {
  if (shape.size() != 3)
    fail("a recurrent weight R is [D, G*H, H], got " + shapeToString(shape));
  WeightLayout l;
  l.groups = shape[0];
  l.outputMajor = true;
  l.N = shape[1];
  l.K = shape[2];
  return l;
}

WeightLayout WeightLayout::convTranspose(const Shape &shape, int64_t groups) {
  // [C, M/g, k...]: a group's input channels are its rows.
  return groupedWeight(shape, groups, "transposed convolution weight is [C, M/g, k...]", "input");
}

Tensor groupMatrix(const Tensor &w, const WeightLayout &layout, int64_t g) {
  if (w.numel() != elementCount(layout) || g < 0 || g >= layout.groups)
    fail("group " + std::to_string(g) + " of a " + shapeToString(w.shape()) +
         " weight does not fit its layout");
  const size_t item = dtypeSize(w.dtype());
  Tensor out = Tensor::allocate(w.dtype(), {layout.K, layout.N});
  const char *src = static_cast<const char *>(w.raw());
  char *dst = static_cast<char *>(out.raw());
  for (int64_t k = 0; k < layout.K; ++k)
    for (int64_t n = 0; n < layout.N; ++n)
      std::memcpy(dst + (k * layout.N + n) * item, src + layout.index(g, k, n) * item, item);
  return out;
}

LayerWeights quantizeLayerWeights(const Tensor &w, const WeightLayout &layout,
                                  const CimParams &params) {
  if (w.dtype() != DType::F32 || !w.defined())
    fail("weights must be float32, got " + std::string(dtypeName(w.dtype())));
  const bool wide = params.weights.bits > 8;
  LayerWeights out;
  out.levels = Tensor::allocate(wide ? DType::I16 : DType::I8, w.shape());
  for (int64_t g = 0; g < layout.groups; ++g) {
    QuantizedWeights q = quantizeWeights(groupMatrix(w, layout, g), params);
    out.scales.insert(out.scales.end(), q.scales.begin(), q.scales.end());
    for (int64_t k = 0; k < layout.K; ++k)
      for (int64_t n = 0; n < layout.N; ++n) {
        const int64_t at = layout.index(g, k, n);
        if (wide)
          out.levels.data<int16_t>()[at] = static_cast<int16_t>(q.at(k, n));
        else
          out.levels.data<int8_t>()[at] = static_cast<int8_t>(q.at(k, n));
      }
  }
  return out;
}

std::string tryQuantizeLayerWeights(const Tensor &w, const WeightLayout &layout,
                                    const CimParams &params, LayerWeights &out) {
  try {
    out = quantizeLayerWeights(w, layout, params);
    return "";
  } catch (const std::exception &e) {
    return e.what();
  }
}

std::string tryModelLayerWeights(const Tensor &levels, const std::vector<float> &scale,
                                 int64_t axis, const WeightLayout &layout, const CimParams &params,
                                 LayerWeights &out) {
  const int bits = params.weights.bits;
  const int64_t qmax = (int64_t(1) << (bits - 1)) - 1;
  const int64_t count = layout.groups * layout.K * layout.N;
  if (levels.dtype() != DType::I8 || levels.numel() != count)
    return "the model's levels are " + describeTensor(levels) + ", expected int8 with " +
           std::to_string(count) + " elements";
  const bool perAxis = scale.size() != 1;
  if (scale.empty() || (perAxis && (axis < 0 || axis >= levels.rank() ||
                                    levels.dim(axis) != static_cast<int64_t>(scale.size()))))
    return "the model has " + std::to_string(scale.size()) + " scales along axis " +
           std::to_string(axis) + " of " + shapeToString(levels.shape());
  for (float s : scale)
    if (!(s > 0) || !std::isfinite(s))
      return "the model's weight scale " + std::to_string(s) + " is not finite and positive";
  int64_t inner = 1;
  for (int64_t d = axis + 1; perAxis && d < levels.rank(); ++d)
    inner *= levels.dim(d);
  // Each output channel must read one model scale.
  std::vector<int64_t> channelScale(static_cast<size_t>(layout.groups * layout.N), -1);
  Tensor out8 = Tensor::allocate(bits <= 8 ? DType::I8 : DType::I16, levels.shape());
  for (int64_t g = 0; g < layout.groups; ++g)
    for (int64_t k = 0; k < layout.K; ++k)
      for (int64_t n = 0; n < layout.N; ++n) {
        const int64_t at = layout.index(g, k, n);
        const int64_t q = levels.data<int8_t>()[at];
        if (q < -qmax || q > qmax)
          return "the model's level " + std::to_string(q) + " is outside the ±" +
                 std::to_string(qmax) + " of " + std::to_string(bits) + "-bit weights";
        if (bits <= 8)
          out8.data<int8_t>()[at] = static_cast<int8_t>(q);
        else
          out8.data<int16_t>()[at] = static_cast<int16_t>(q);
        const int64_t index = perAxis ? (at / inner) % levels.dim(axis) : 0;
        int64_t &c = channelScale[g * layout.N + n];
        if (c >= 0 && c != index)
          return "the model's scales along axis " + std::to_string(axis) +
                 " are not one per output channel";
        c = index;
      }
  out.scales.clear();
  if (params.weights.granularity == WeightGranularity::PerChannel) {
    for (int64_t c : channelScale)
      out.scales.push_back(scale[c]);
  } else {
    for (int64_t g = 0; g < layout.groups; ++g) {
      const float first = scale[channelScale[g * layout.N]];
      for (int64_t n = 0; n < layout.N; ++n)
        if (scale[channelScale[g * layout.N + n]] != first)
          return "weights.granularity is per_tensor, but the model's scales differ between "
                 "output channels";
      out.scales.push_back(first);
    }
  }
  out.levels = out8;
  return "";
}

QuantizedWeights groupQuantizedWeights(const Tensor &levels, const std::vector<float> &scales,
                                       const WeightLayout &layout, int64_t g, int bits,
                                       WeightGranularity granularity) {
  const int64_t count = layout.scaleCount(granularity);
  if (static_cast<int64_t>(scales.size()) != count)
    fail("the layer has " + std::to_string(scales.size()) + " weight scales, expected " +
         std::to_string(count) +
         (granularity == WeightGranularity::PerTensor ? " (one per group)"
                                                      : " (one per output channel)"));
  QuantizedWeights q;
  q.bits = bits;
  q.granularity = granularity;
  const int64_t perGroup = count / layout.groups;
  q.scales.assign(scales.begin() + g * perGroup, scales.begin() + (g + 1) * perGroup);
  q.levels = groupMatrix(levels, layout, g);
  return q;
}

} // namespace cimlir::cim
