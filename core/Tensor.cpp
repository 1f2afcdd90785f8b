#include "core/Tensor.h"

#include "core/Error.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace cimlir {

bool checkedShapeNumel(const Shape &shape, int64_t &numel) {
  numel = 1;
  for (int64_t d : shape)
    if (d == 0) {
      numel = 0; // [0, 2^62, 4] holds nothing, whatever the other dimensions multiply to
      return true;
    }
  for (int64_t d : shape)
    if (__builtin_mul_overflow(numel, d, &numel))
      return false;
  return true;
}

bool checkedShapeBytes(const Shape &shape, size_t itemSize, int64_t &bytes) {
  int64_t numel;
  return checkedShapeNumel(shape, numel) && itemSize <= size_t(INT64_MAX) &&
         !__builtin_mul_overflow(numel, static_cast<int64_t>(itemSize), &bytes);
}

int64_t shapeNumel(const Shape &shape) {
  int64_t n;
  if (!checkedShapeNumel(shape, n))
    throw Error("shape " + shapeToString(shape) + " has more elements than fit in int64");
  return n;
}

std::string shapeToString(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ",";
    s += shape[i] < 0 ? std::string("N") : std::to_string(shape[i]);
  }
  return s + "]";
}

Tensor Tensor::allocate(DType dtype, Shape shape) {
  for (int64_t d : shape)
    if (d < 0)
      throw Error("internal: allocating a tensor of unbound shape " + shapeToString(shape));
  int64_t numel;
  size_t bytes, rounded;
  if (!checkedShapeNumel(shape, numel) ||
      __builtin_mul_overflow(static_cast<uint64_t>(numel), dtypeSize(dtype), &bytes) ||
      __builtin_add_overflow(bytes, size_t(63), &rounded))
    throw Error("cannot allocate a " + std::string(dtypeName(dtype)) + " tensor of shape " +
                shapeToString(shape) + ": its size in bytes overflows");
  rounded = rounded / 64 * 64;
  if (rounded == 0)
    rounded = 64;
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  void *p = std::aligned_alloc(64, rounded);
  if (!p)
    throw Error("out of host memory allocating " + std::to_string(bytes) + " bytes");
  std::memset(p, 0, rounded);
  t.data_ = p;
  t.owner_ =
      std::shared_ptr<const void>(p, [](const void *q) { std::free(const_cast<void *>(q)); });
  return t;
}

Tensor Tensor::view(DType dtype, Shape shape, void *data, std::shared_ptr<const void> owner) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = data;
  t.owner_ = std::move(owner);
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  if (shapeNumel(shape) != numel())
    throw Error("internal: reshape " + shapeToString(shape_) + " to " + shapeToString(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::sliceRows(int64_t begin, int64_t end) const {
  Tensor t = *this;
  int64_t rowBytes =
      shape_.empty() ? 0 : static_cast<int64_t>(byteSize()) / std::max<int64_t>(shape_[0], 1);
  t.shape_[0] = end - begin;
  t.data_ = static_cast<char *>(data_) + begin * rowBytes;
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = allocate(dtype_, shape_);
  if (byteSize())
    std::memcpy(t.data_, data_, byteSize());
  return t;
}

std::string describeTensor(const Tensor &t) {
  return std::string(dtypeName(t.dtype())) + " " + shapeToString(t.shape());
}

} // namespace cimlir
