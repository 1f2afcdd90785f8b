// cimlir CUDA kernels: what the CIM kernels' host-side choices need to know of the current GPU
// (which kernel a layer takes, the CTA layout), asked of the driver once per device.
#pragma once

#include <cstddef>

namespace cimlir::cuda {

struct DeviceShape {
  size_t sharedPerCta = 227 * 1024; ///< the most shared memory one CTA may take (opt-in)
  size_t twoCtaShared = 113 * 1024; ///< the shared memory a CTA may take with two on an SM
  int sms = 132;                    ///< streaming multiprocessors
};

/// The current device's shape, cached per device; an H200's (sm_90) where no device answers, so
/// that the choices can be made, and tested, without a GPU.
DeviceShape deviceShape();

} // namespace cimlir::cuda
