#include "kernels/cuda/Resize.h"

#include "core/Error.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"

#include <string>

namespace cimlir::cuda {

namespace {

/// One pass, as cpu::resize's inner loop: from 0, each nonzero weight times its source added in
/// tap order (a zero weight is skipped: 0 · inf would be NaN).
template <typename S, typename D>
__global__ void resizePassKernel(const S *x, ResizePass p, double extrapolation, D *y) {
  const int64_t count = p.outer * p.out * p.inner;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = idx % p.inner, j = (idx / p.inner) % p.out, o = idx / (p.inner * p.out);
    const ResizeSource &s = p.sources[j];
    double v = 0;
    if (s.extrapolate) {
      v = extrapolation;
    } else {
      for (int k = 0; k < s.taps; ++k) {
        const double w = s.weight[k];
        if (w != 0)
          v += w * static_cast<double>(x[(o * p.in + s.index[k]) * p.inner + i]);
      }
    }
    y[idx] = static_cast<D>(v);
  }
}

template <typename S, typename D>
void launchPass(const void *x, const ResizePass &p, double extrapolation, void *y,
                cudaStream_t stream) {
  resizePassKernel<S, D>
      <<<gridStrideBlocks(p.outer * p.out * p.inner), kGridStrideThreads, 0, stream>>>(
          static_cast<const S *>(x), p, extrapolation, static_cast<D *>(y));
  checkLaunch("resize");
}

/// X of T into the first pass, float64 between passes, T out of the last.
template <typename T>
void resizeTyped(const void *x, const std::vector<ResizePass> &passes, double extrapolation,
                 const Allocate &allocate, void *y, cudaStream_t stream) {
  std::shared_ptr<void> between; // the last pass's float64 output
  for (size_t k = 0; k < passes.size(); ++k) {
    const ResizePass &p = passes[k];
    const bool first = k == 0, last = k + 1 == passes.size();
    const void *src = first ? x : between.get();
    std::shared_ptr<void> next =
        last ? nullptr
             : allocate(static_cast<size_t>(p.outer * p.out * p.inner) * sizeof(double),
                        "resize's intermediate values");
    void *dst = last ? y : next.get();
    if (first && last)
      launchPass<T, T>(src, p, extrapolation, dst, stream);
    else if (first)
      launchPass<T, double>(src, p, extrapolation, dst, stream);
    else if (last)
      launchPass<double, T>(src, p, extrapolation, dst, stream);
    else
      launchPass<double, double>(src, p, extrapolation, dst, stream);
    between = std::move(next); // frees the pass's source after the launch, in stream order
  }
}

} // namespace

DeviceResizePasses uploadResizePasses(const std::vector<cpu::ResizeAxis> &axes, const Shape &x,
                                      const Upload &upload) {
  DeviceResizePasses out;
  std::vector<ResizeSource> sources;
  std::vector<size_t> first;
  Shape shape = x;
  for (const cpu::ResizeAxis &a : axes) {
    ResizePass p;
    p.outer = p.inner = 1;
    for (size_t b = 0; b < a.axis; ++b)
      p.outer *= shape[b];
    for (size_t b = a.axis + 1; b < shape.size(); ++b)
      p.inner *= shape[b];
    p.in = a.in;
    p.out = a.out;
    shape[a.axis] = a.out;
    out.passes.push_back(p);
    first.push_back(sources.size());
    for (const cpu::ResizeTaps &t : a.taps) {
      if (t.index.size() > static_cast<size_t>(kMaxResizeTaps) || t.weight.size() != t.index.size())
        throw Error("internal: a resize position with " + std::to_string(t.index.size()) + " taps");
      ResizeSource s{};
      s.taps = static_cast<int>(t.index.size());
      s.extrapolate = t.extrapolate;
      for (size_t k = 0; k < t.index.size(); ++k) {
        s.index[k] = t.index[k];
        s.weight[k] = t.weight[k];
      }
      sources.push_back(s);
    }
  }
  if (sources.empty())
    return out; // no pass, or only empty ones: nothing to read
  out.memory = upload(sources.data(), sources.size() * sizeof(ResizeSource), "resize taps");
  for (size_t k = 0; k < out.passes.size(); ++k)
    out.passes[k].sources = static_cast<const ResizeSource *>(out.memory.get()) + first[k];
  return out;
}

void resize(const void *x, DType type, int64_t elements, const std::vector<ResizePass> &passes,
            double extrapolation, const Allocate &allocate, void *y, cudaStream_t stream) {
  if (type != DType::F32 && type != DType::F64)
    throw Error(std::string("internal: no GPU resize of ") + dtypeName(type));
  const size_t size = dtypeSize(type);
  if (passes.empty()) { // X through float64 and back: the same values
    if (elements)
      check(cudaMemcpyAsync(y, x, static_cast<size_t>(elements) * size, cudaMemcpyDeviceToDevice,
                            stream),
            "resizing on the GPU");
    return;
  }
  const ResizePass &last = passes.back();
  if (last.outer * last.out * last.inner == 0)
    return; // Y is empty (a pass empties no axis that a later one fills: resizeAxes refuses)
  if (type == DType::F32)
    resizeTyped<float>(x, passes, extrapolation, allocate, y, stream);
  else
    resizeTyped<double>(x, passes, extrapolation, allocate, y, stream);
}

} // namespace cimlir::cuda
