#include "kernels/cuda/Layout.h"

#include "core/Error.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/ElementTypes.cuh"
#include "kernels/cuda/GridStride.cuh"

#include <string>
#include <vector>

namespace cimlir::cuda {

namespace {

template <typename E> __global__ void remapKernel(const E *x, OffsetTables t, const E *fill, E *y) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < t.count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = idx, offset = 0;
    bool filled = false;
    for (int a = t.rank - 1; a >= 0; --a) {
      const int64_t o = t.table[a][rest % t.extent[a]];
      rest /= t.extent[a];
      filled |= o < 0;
      offset += o;
    }
    y[idx] = filled ? *fill : x[offset];
  }
}

template <typename E, typename I>
__global__ void gatherKernel(const E *x, int64_t outer, int64_t dim, int64_t inner,
                             const I *indices, int64_t count, E *y, DeviceFault *fault, int site) {
  const int64_t total = outer * count * inner;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = idx % inner, j = (idx / inner) % count, o = idx / (inner * count);
    int64_t at = static_cast<int64_t>(indices[j]);
    if (at < -dim || at >= dim) {
      reportIndexFault(fault, site, at, dim);
      continue;
    }
    if (at < 0)
      at += dim;
    y[idx] = x[(o * dim + at) * inner + i];
  }
}

/// Uploads per-axis tables (entries already element offsets or -1) and fills `out`.
void uploadTables(const std::vector<std::vector<int64_t>> &tables, const Upload &upload,
                  DeviceOffsetTables &out) {
  out = DeviceOffsetTables{};
  OffsetTables &v = out.view;
  v.rank = static_cast<int>(tables.size());
  v.count = 1;
  std::vector<int64_t> flat;
  std::vector<size_t> at;
  for (const auto &t : tables) {
    at.push_back(flat.size());
    flat.insert(flat.end(), t.begin(), t.end());
    v.count *= static_cast<int64_t>(t.size());
  }
  if (flat.empty())
    flat.push_back(0); // a non-null allocation for rank 0 (one element, offset 0)
  out.memory = upload(flat.data(), flat.size() * sizeof(int64_t), "layout tables");
  const auto *base = static_cast<const int64_t *>(out.memory.get());
  for (size_t a = 0; a < tables.size(); ++a) {
    v.extent[a] = static_cast<int64_t>(tables[a].size());
    v.table[a] = base + at[a];
  }
}

/// Row-major element strides of `shape`.
std::vector<int64_t> stridesOf(const Shape &shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t a = shape.size(); a-- > 1;)
    s[a - 1] = s[a] * shape[a];
  return s;
}

} // namespace

bool uploadRemap(const cpu::AxisMaps &maps, const Shape &x, const Upload &upload,
                 DeviceOffsetTables &out) {
  if (maps.size() > static_cast<size_t>(kMaxLayoutRank))
    return false;
  if (maps.size() != x.size())
    throw Error("internal: index maps of rank " + std::to_string(maps.size()) + " for X " +
                shapeToString(x));
  const std::vector<int64_t> stride = stridesOf(x);
  std::vector<std::vector<int64_t>> tables(maps.size());
  for (size_t a = 0; a < maps.size(); ++a)
    for (int64_t m : maps[a]) {
      if (m < -1 || m >= x[a])
        throw Error("internal: index " + std::to_string(m) + " outside axis " + std::to_string(a) +
                    " of X " + shapeToString(x));
      tables[a].push_back(m < 0 ? -1 : m * stride[a]);
    }
  uploadTables(tables, upload, out);
  return true;
}

bool uploadTranspose(const Shape &x, const std::vector<int64_t> &perm, const Upload &upload,
                     DeviceOffsetTables &out) {
  const size_t rank = x.size();
  if (rank > static_cast<size_t>(kMaxLayoutRank))
    return false;
  std::vector<bool> seen(rank, false);
  bool valid = perm.size() == rank;
  for (size_t i = 0; valid && i < rank; ++i) {
    valid = perm[i] >= 0 && perm[i] < static_cast<int64_t>(rank) && !seen[perm[i]];
    if (valid)
      seen[perm[i]] = true;
  }
  if (!valid)
    throw Error("transpose: perm is not a permutation of the axes of X " + shapeToString(x));
  const std::vector<int64_t> stride = stridesOf(x);
  std::vector<std::vector<int64_t>> tables(rank);
  for (size_t a = 0; a < rank; ++a)
    for (int64_t i = 0; i < x[perm[a]]; ++i)
      tables[a].push_back(i * stride[perm[a]]);
  uploadTables(tables, upload, out);
  return true;
}

void remap(const void *x, size_t elementSize, const OffsetTables &tables, const void *fill, void *y,
           cudaStream_t stream) {
  if (tables.count == 0)
    return;
  byElementSize(elementSize, "remap", [&](auto e) {
    using E = decltype(e);
    remapKernel<E><<<gridStrideBlocks(tables.count), kGridStrideThreads, 0, stream>>>(
        static_cast<const E *>(x), tables, static_cast<const E *>(fill), static_cast<E *>(y));
  });
  checkLaunch("remap");
}

void gather(const void *x, size_t elementSize, int64_t outer, int64_t dim, int64_t inner,
            const void *indices, bool indices64, int64_t count, void *y, DeviceFault *fault,
            int site, cudaStream_t stream) {
  const int64_t total = outer * count * inner;
  if (total == 0)
    return;
  byElementSize(elementSize, "gather", [&](auto e) {
    using E = decltype(e);
    const unsigned blocks = gridStrideBlocks(total);
    if (indices64)
      gatherKernel<E, int64_t><<<blocks, kGridStrideThreads, 0, stream>>>(
          static_cast<const E *>(x), outer, dim, inner, static_cast<const int64_t *>(indices),
          count, static_cast<E *>(y), fault, site);
    else
      gatherKernel<E, int32_t><<<blocks, kGridStrideThreads, 0, stream>>>(
          static_cast<const E *>(x), outer, dim, inner, static_cast<const int32_t *>(indices),
          count, static_cast<E *>(y), fault, site);
  });
  checkLaunch("gather");
}

} // namespace cimlir::cuda
