// cimlir core: a dense, row-major tensor with shared storage.
//
// A Tensor either owns 64-byte aligned memory (Tensor::allocate) or views memory
// owned by someone else (a mapped plan file) through the shared `owner` handle, so
// constants are never copied out of the plan.
#pragma once

#include "core/DType.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cimlir {

using Shape = std::vector<int64_t>;

/// Number of elements of a shape (1 for a scalar, 0 when any dimension is 0). Throws
/// cimlir::Error when the count does not fit int64 (a corrupt or hostile shape).
int64_t shapeNumel(const Shape &shape);
/// Same, without throwing: false when the count does not fit int64 (`numel` is then
/// unspecified).
bool checkedShapeNumel(const Shape &shape, int64_t &numel);
/// Elements times `itemSize`: false when either the count or the byte size overflows int64.
bool checkedShapeBytes(const Shape &shape, size_t itemSize, int64_t &bytes);
/// "[2,3,4]": how shapes appear in messages.
std::string shapeToString(const Shape &shape);

class Tensor {
public:
  Tensor() = default;

  /// New zero-filled tensor with 64-byte aligned storage. Throws cimlir::Error when the
  /// byte size overflows or the memory is not there.
  static Tensor allocate(DType dtype, Shape shape);
  /// Tensor over `data`, kept alive by `owner` (which may be null for static data).
  static Tensor view(DType dtype, Shape shape, void *data, std::shared_ptr<const void> owner);

  DType dtype() const { return dtype_; }
  const Shape &shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t i) const { return shape_[i]; }
  int64_t numel() const { return shapeNumel(shape_); }
  size_t byteSize() const { return static_cast<size_t>(numel()) * dtypeSize(dtype_); }
  bool defined() const { return data_ != nullptr || numel() == 0; }

  void *raw() { return data_; }
  const void *raw() const { return data_; }
  template <typename T> T *data() { return static_cast<T *>(data_); }
  template <typename T> const T *data() const { return static_cast<const T *>(data_); }

  /// Same storage, another shape of the same element count.
  Tensor reshaped(Shape shape) const;
  /// Rows [begin, end) of the first axis, sharing storage.
  Tensor sliceRows(int64_t begin, int64_t end) const;
  /// A deep copy with its own storage.
  Tensor clone() const;

private:
  DType dtype_ = DType::F32;
  Shape shape_;
  void *data_ = nullptr;
  std::shared_ptr<const void> owner_;
};

/// "float32 [2,3]": how a tensor appears in messages.
std::string describeTensor(const Tensor &t);

} // namespace cimlir
