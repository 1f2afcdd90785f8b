#include "kernels/cuda/Pool.h"

#include "core/Error.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace cimlir::cuda {

namespace {

/// Visits the in-bounds taps of output `outIndex` of a plane (its row-major index), in the CPU's
/// order (row-major over the taps), calling visit(offset within the plane); win[a] is left at
/// axis a's window.
template <typename Visit>
__device__ void forWindow(const PoolWindows &w, int64_t outIndex, const int64_t *(&win)[3],
                          Visit &&visit) {
  int64_t o[kMaxPoolAxes] = {0, 0, 0};
  for (int a = w.axes - 1; a >= 0; --a) {
    o[a] = outIndex % w.out[a];
    outIndex /= w.out[a];
  }
  for (int a = 0; a < w.axes; ++a)
    win[a] = w.windows[a] + 4 * o[a];
  const int64_t lo0 = win[0][1], hi0 = win[0][2];
  const int64_t lo1 = w.axes > 1 ? win[1][1] : 0, hi1 = w.axes > 1 ? win[1][2] : 1;
  const int64_t lo2 = w.axes > 2 ? win[2][1] : 0, hi2 = w.axes > 2 ? win[2][2] : 1;
  for (int64_t t0 = lo0; t0 < hi0; ++t0) {
    const int64_t c0 = win[0][0] + t0 * w.dilations[0];
    for (int64_t t1 = lo1; t1 < hi1; ++t1) {
      const int64_t c1 = w.axes > 1 ? win[1][0] + t1 * w.dilations[1] : 0;
      for (int64_t t2 = lo2; t2 < hi2; ++t2) {
        const int64_t c2 = w.axes > 2 ? win[2][0] + t2 * w.dilations[2] : 0;
        visit((c0 * w.in[1] + c1) * w.in[2] + c2);
      }
    }
  }
}

template <typename T> __global__ void maxPoolKernel(const T *x, PoolWindows w, T *y) {
  const int64_t count = w.planes * w.outSize;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const T *plane = x + (idx / w.outSize) * w.inSize;
    const int64_t *win[3];
    T best = std::numeric_limits<T>::lowest();
    forWindow(w, idx % w.outSize, win, [&](int64_t off) {
      const T v = plane[off];
      best = best < v ? v : best; // std::max(best, v): a NaN never replaces best
    });
    y[idx] = best;
  }
}

__global__ void averagePoolKernel(const float *x, PoolWindows w, bool countIncludePad, float *y) {
  const int64_t count = w.planes * w.outSize;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const float *plane = x + (idx / w.outSize) * w.inSize;
    const int64_t *win[3];
    double sum = 0.0;
    forWindow(w, idx % w.outSize, win, [&](int64_t off) { sum += plane[off]; });
    int64_t taps = 1;
    for (int a = 0; a < w.axes; ++a)
      taps *= countIncludePad ? win[a][3] : win[a][2] - win[a][1];
    // A window with nothing to count averages to 0 instead of 0/0 = NaN (as on the CPU).
    y[idx] = taps > 0 ? __double2float_rn(sum / static_cast<double>(taps)) : 0.0f;
  }
}

__global__ void globalAveragePoolKernel(const float *x, int64_t planes, int64_t size, float *y) {
  for (int64_t p = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; p < planes;
       p += int64_t(gridDim.x) * blockDim.x) {
    double sum = 0.0;
    const float *plane = x + p * size;
    for (int64_t i = 0; i < size; ++i)
      sum += plane[i];
    y[p] = __double2float_rn(sum / static_cast<double>(size));
  }
}

} // namespace

DevicePoolWindows uploadPoolWindows(const cpu::PoolGeometry &g, const Upload &upload) {
  DevicePoolWindows d;
  PoolWindows &w = d.view;
  w.axes = static_cast<int>(g.k);
  w.planes = g.planes;
  w.inSize = g.inSize;
  w.outSize = g.outSize;
  std::vector<int64_t> table;
  std::vector<size_t> at;
  for (size_t axis = 0; axis < g.k; ++axis) {
    w.in[axis] = g.in[axis];
    w.out[axis] = g.out[axis];
    w.dilations[axis] = g.dilations[axis];
    at.push_back(table.size());
    for (const cpu::AxisWindow &aw : g.windows[axis])
      table.insert(table.end(), {aw.start, aw.tapLo, aw.tapHi, aw.padTaps});
  }
  table.resize(std::max<size_t>(1, table.size()));
  d.memory = upload(table.data(), table.size() * sizeof(int64_t), "pooling windows");
  for (size_t axis = 0; axis < g.k; ++axis)
    w.windows[axis] = static_cast<const int64_t *>(d.memory.get()) + at[axis];
  return d;
}

void maxPool(const void *x, DType t, const PoolWindows &w, void *y, cudaStream_t stream) {
  const int64_t count = w.planes * w.outSize;
  if (count == 0)
    return;
  auto launch = [&](auto e) {
    using T = decltype(e);
    maxPoolKernel<T><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
        static_cast<const T *>(x), w, static_cast<T *>(y));
  };
  if (t == DType::F32)
    launch(float{});
  else if (t == DType::U8)
    launch(uint8_t{});
  else if (t == DType::I8)
    launch(int8_t{});
  else
    throw Error(std::string("internal: no GPU max pool of ") + dtypeName(t));
  checkLaunch("max pool");
}

void averagePool(const float *x, const PoolWindows &w, bool countIncludePad, float *y,
                 cudaStream_t stream) {
  if (w.planes * w.outSize == 0)
    return;
  averagePoolKernel<<<gridStrideBlocks(w.planes * w.outSize), kGridStrideThreads, 0, stream>>>(
      x, w, countIncludePad, y);
  checkLaunch("average pool");
}

void globalAveragePool(const float *x, int64_t planes, int64_t size, float *y,
                       cudaStream_t stream) {
  if (planes == 0)
    return;
  globalAveragePoolKernel<<<gridStrideBlocks(planes), kGridStrideThreads, 0, stream>>>(x, planes,
                                                                                       size, y);
  checkLaunch("global average pool");
}

} // namespace cimlir::cuda
