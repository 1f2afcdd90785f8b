// cimlir CUDA kernels: ONNX Resize of float32 or float64 device memory, as cpu::resize computes
// it: axis after axis through float64 intermediates, each output position the sum of its taps in
// the CPU's order. The taps (positions and weights) are the CPU's own (cpu::resizeAxes), computed
// on the host and uploaded once per shape, so the results are the CPU's bits.
#pragma once

#include "core/DType.h"
#include "core/Tensor.h"
#include "kernels/cpu/Resize.h"
#include "kernels/cuda/DeviceMemory.h"

#include <cuda_runtime_api.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace cimlir::cuda {

/// Cubic's taps per output position; nearest and linear have 2.
constexpr int kMaxResizeTaps = 4;

/// One output position's cpu::ResizeTaps.
struct ResizeSource {
  int64_t index[kMaxResizeTaps];
  double weight[kMaxResizeTaps];
  int taps;
  bool extrapolate;
};

/// One resized axis: [outer, in, inner] to [outer, out, inner].
struct ResizePass {
  int64_t outer = 0, in = 0, out = 0, inner = 0;
  const ResizeSource *sources = nullptr; ///< per output position, in device memory
};

struct DeviceResizePasses {
  std::vector<ResizePass> passes;
  std::shared_ptr<void> memory;
};

/// The passes of cpu::resizeAxes's `axes` for X of shape `x`, their taps uploaded.
DeviceResizePasses uploadResizePasses(const std::vector<cpu::ResizeAxis> &axes, const Shape &x,
                                      const Upload &upload);

/// Y = X (`elements` values of `type`, float32 or float64) through `passes`, `extrapolation`
/// where a position says so; `allocate` gives the float64 values between passes.
void resize(const void *x, DType type, int64_t elements, const std::vector<ResizePass> &passes,
            double extrapolation, const Allocate &allocate, void *y, cudaStream_t stream);

} // namespace cimlir::cuda
