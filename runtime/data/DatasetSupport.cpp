// Helpers shared by the dataset kinds (see DatasetSupport.h).
#include "runtime/data/DatasetSupport.h"

#include "core/Error.h"
#include "core/HalfFloat.h"

#include <cstring>

namespace cimlir::data_detail {

namespace {

template <typename To, typename From> void convertLoop(const From *src, To *dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (kIsHalfFloat<From>) { // through its exact double value
      const double v = toDouble(src[i]);
      convertLoop(&v, dst + i, 1);
    } else if constexpr (std::is_same_v<To, Float16>) {
      dst[i] = toFloat16(static_cast<double>(src[i]));
    } else if constexpr (std::is_same_v<To, BFloat16>) {
      dst[i] = toBFloat16(static_cast<double>(src[i]));
    } else if constexpr (std::is_same_v<To, bool>) {
      dst[i] = src[i] != From(0);
    } else {
      dst[i] = static_cast<To>(src[i]);
    }
  }
}

// Calls f(T*) with the element type of `t` (bool is stored as one byte holding 0 or 1).
template <typename F> void withType(DType d, void *p, F &&f) {
  switch (d) {
  case DType::F32:
    return f(static_cast<float *>(p));
  case DType::F64:
    return f(static_cast<double *>(p));
  case DType::I8:
    return f(static_cast<int8_t *>(p));
  case DType::U8:
    return f(static_cast<uint8_t *>(p));
  case DType::I16:
    return f(static_cast<int16_t *>(p));
  case DType::U16:
    return f(static_cast<uint16_t *>(p));
  case DType::I32:
    return f(static_cast<int32_t *>(p));
  case DType::I64:
    return f(static_cast<int64_t *>(p));
  case DType::Bool:
    return f(static_cast<bool *>(p));
  case DType::F16:
    return f(static_cast<Float16 *>(p));
  case DType::BF16:
    return f(static_cast<BFloat16 *>(p));
  }
}

} // namespace

Tensor convertTensor(const Tensor &src, DType to) {
  if (src.dtype() == to)
    return src;
  Tensor dst = Tensor::allocate(to, src.shape());
  const int64_t n = src.numel();
  withType(src.dtype(), const_cast<void *>(src.raw()),
           [&](auto *in) { withType(to, dst.raw(), [&](auto *out) { convertLoop(in, out, n); }); });
  return dst;
}

Tensor concatRows(const std::vector<Tensor> &parts) {
  if (parts.empty())
    throw Error("internal: concatenating no tensors");
  if (parts.size() == 1)
    return parts[0];
  Shape shape = parts[0].shape();
  if (shape.empty())
    throw Error("internal: concatenating scalars");
  int64_t rows = 0;
  for (const Tensor &p : parts) {
    if (p.dtype() != parts[0].dtype() || perSample(p.shape()) != perSample(shape))
      throw Error("internal: concatenating tensors of different dtype or shape");
    rows += p.dim(0);
  }
  shape[0] = rows;
  Tensor out = Tensor::allocate(parts[0].dtype(), shape);
  auto *dst = static_cast<char *>(out.raw());
  for (const Tensor &p : parts) {
    if (p.byteSize())
      std::memcpy(dst, p.raw(), p.byteSize());
    dst += p.byteSize();
  }
  return out;
}

Tensor stackTensors(const std::vector<Tensor> &parts) {
  if (parts.empty())
    throw Error("internal: stacking no tensors");
  std::vector<Tensor> rows;
  for (const Tensor &p : parts) {
    Shape s = p.shape();
    s.insert(s.begin(), 1);
    rows.push_back(p.reshaped(s));
  }
  return concatRows(rows);
}

bool shapeMatches(const Shape &actual, const Shape &expected) {
  if (actual.size() != expected.size())
    return false;
  for (size_t i = 0; i < actual.size(); ++i)
    if (expected[i] >= 0 && actual[i] != expected[i])
      return false;
  return true;
}

Shape perSample(const Shape &shape) {
  return shape.empty() ? Shape{} : Shape(shape.begin() + 1, shape.end());
}

std::string dimsWithX(const Shape &dims) {
  if (dims.empty())
    return "1";
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? "x" : "") + (dims[i] < 0 ? std::string("N") : std::to_string(dims[i]));
  return s;
}

std::string quotedList(const std::vector<std::string> &names) {
  if (names.empty())
    return "nothing";
  std::string s;
  for (size_t i = 0; i < names.size(); ++i)
    s += (i ? ", '" : "'") + names[i] + "'";
  return s;
}

void checkRange(int64_t begin, int64_t count, int64_t size, const std::string &what) {
  if (begin < 0 || count < 0 || begin > size || count > size - begin)
    throw Error("internal: samples [" + std::to_string(begin) + ", " +
                std::to_string(begin + count) + ") requested from " + what + " of " +
                std::to_string(size));
}

std::vector<int64_t> tensorToLabels(const Tensor &t) {
  std::vector<int64_t> out(static_cast<size_t>(t.numel()));
  Tensor wide = convertTensor(t, DType::I64);
  if (!out.empty())
    std::memcpy(out.data(), wide.raw(), out.size() * sizeof(int64_t));
  return out;
}

const TensorSpec &singleInput(const std::string &path, const std::string &kind,
                              const std::vector<TensorSpec> &graphInputs, const std::string &hint) {
  if (graphInputs.size() != 1) {
    std::vector<std::string> names;
    for (const auto &s : graphInputs)
      names.push_back(s.name);
    throw Error("dataset " + path + ": " + kind +
                " dataset feeds exactly one graph input, but the plan has " +
                std::to_string(graphInputs.size()) + " (" + quotedList(names) + "); " + hint);
  }
  return graphInputs[0];
}

} // namespace cimlir::data_detail
