#include "kernels/cpu/QuantizeLinear.h"

#include "kernels/cpu/Check.h"

#include <algorithm>
#include <cmath>

namespace cimlir::cpu {

using detail::fail;

QuantizationAxis quantizationAxis(const char *kn, const Tensor &x, const Tensor &scale,
                                  const Tensor *zeroPoint, int64_t axis) {
  detail::requireDType(kn, "scale", scale, DType::F32);
  QuantizationAxis p;
  if (scale.numel() != 1) {
    if (scale.rank() > 1 || axis < 0 || axis >= x.rank() || scale.numel() != x.dim(axis))
      fail(kn, "scale " + shapeToString(scale.shape()) +
                   " is neither one value nor one per "
                   "index of axis " +
                   std::to_string(axis) + " of X " + shapeToString(x.shape()));
    p.count = scale.numel();
    for (int64_t a = axis + 1; a < x.rank(); ++a)
      p.inner *= x.dim(a);
  }
  if (zeroPoint && (zeroPoint->numel() != scale.numel() ||
                    (scale.numel() != 1 && zeroPoint->shape() != scale.shape())))
    fail(kn, "the zero point's shape " + shapeToString(zeroPoint->shape()) +
                 " differs from the scale's " + shapeToString(scale.shape()));
  return p;
}

namespace {

int64_t zeroPointAt(const Tensor *zp, int64_t i) {
  if (!zp)
    return 0;
  switch (zp->dtype()) {
  case DType::I8:
    return zp->data<int8_t>()[i];
  case DType::U8:
    return zp->data<uint8_t>()[i];
  case DType::I32:
    return zp->data<int32_t>()[i];
  default:
    fail("QuantizeLinear",
         std::string("a zero point of ") + dtypeName(zp->dtype()) + " is not supported");
  }
}

} // namespace

std::vector<int64_t> zeroPointValues(const Tensor *zeroPoint, int64_t count) {
  std::vector<int64_t> v(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i)
    v[static_cast<size_t>(i)] = zeroPointAt(zeroPoint, zeroPoint ? i : 0);
  return v;
}

void quantizeLinear(const Tensor &x, const Tensor &scale, const Tensor *zeroPoint, int64_t axis,
                    Tensor &y) {
  const char *kn = "QuantizeLinear";
  detail::requireDType(kn, "X", x, DType::F32);
  detail::requireShape(kn, "Y", y, x.shape());
  const QuantizationAxis p = quantizationAxis(kn, x, scale, zeroPoint, axis);
  if (zeroPoint && zeroPoint->dtype() != y.dtype())
    fail(kn, "the zero point and Y differ in type");
  int64_t lo = 0, hi = 0;
  if (y.dtype() == DType::I8)
    lo = -128, hi = 127;
  else if (y.dtype() == DType::U8)
    lo = 0, hi = 255;
  else
    fail(kn, std::string("Y must be int8 or uint8, got ") + dtypeName(y.dtype()));
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t k = (i / p.inner) % p.count;
    // Divided in float, as onnxruntime and the ONNX reference do; halves to even.
    const float q = std::nearbyint(x.data<float>()[i] / scale.data<float>()[k]);
    const double v = std::clamp(static_cast<double>(q) + zeroPointAt(zeroPoint, k),
                                static_cast<double>(lo), static_cast<double>(hi));
    if (y.dtype() == DType::I8)
      y.data<int8_t>()[i] = static_cast<int8_t>(v);
    else
      y.data<uint8_t>()[i] = static_cast<uint8_t>(v);
  }
}

void dequantizeLinear(const Tensor &x, const Tensor &scale, const Tensor *zeroPoint, int64_t axis,
                      Tensor &y) {
  const char *kn = "DequantizeLinear";
  detail::requireData(kn, "X", x);
  detail::requireDType(kn, "Y", y, DType::F32);
  detail::requireShape(kn, "Y", y, x.shape());
  const QuantizationAxis p = quantizationAxis(kn, x, scale, zeroPoint, axis);
  if (zeroPoint && zeroPoint->dtype() != x.dtype())
    fail(kn, "the zero point and X differ in type");
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t k = (i / p.inner) % p.count;
    int64_t v = 0;
    if (x.dtype() == DType::I8)
      v = x.data<int8_t>()[i];
    else if (x.dtype() == DType::U8)
      v = x.data<uint8_t>()[i];
    else if (x.dtype() == DType::I32)
      v = x.data<int32_t>()[i];
    else
      fail(kn, std::string("X must be int8, uint8 or int32, got ") + dtypeName(x.dtype()));
    y.data<float>()[i] = static_cast<float>(v - zeroPointAt(zeroPoint, k)) * scale.data<float>()[k];
  }
}

} // namespace cimlir::cpu
