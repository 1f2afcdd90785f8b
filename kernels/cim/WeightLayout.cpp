#include "kernels/cim/WeightLayout.h"

#include "core/Error.h"

#include <cstring>

namespace cimlir::cim {

namespace {

[[noreturn]] void fail(const std::string &message) { throw Error("cim weight layout: " + message); }

int64_t elementCount(const WeightLayout &layout) { return layout.groups * layout.K * layout.N; }

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
  if (shape.size() < 3)
    fail("a convolution weight is [M, C/g, k...], got " + shapeToString(shape));
  if (groups < 1 || shape[0] % groups != 0)
    fail("group " + std::to_string(groups) + " does not divide the " + std::to_string(shape[0]) +
         " output channels of " + shapeToString(shape));
  WeightLayout l;
  l.groups = groups;
  l.outputMajor = true;
  l.N = shape[0] / groups;
  l.K = 1;
  for (size_t d = 1; d < shape.size(); ++d)
    l.K *= shape[d];
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
