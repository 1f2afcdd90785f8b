#include "kernels/cuda/DeviceShape.h"

#include <cuda_runtime.h>

#include <map>
#include <mutex>

namespace cimlir::cuda {

DeviceShape deviceShape() {
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess) {
    cudaGetLastError(); // no device: sm_90's answers
    return DeviceShape{};
  }
  // Asked on every CIM call's layout (three attribute queries and more): once per device.
  static std::mutex mutex;
  static std::map<int, DeviceShape> known;
  const std::lock_guard<std::mutex> lock(mutex);
  if (const auto found = known.find(device); found != known.end())
    return found->second;
  int perCta = 0, perSm = 0, reserved = 0, sms = 0;
  if (cudaDeviceGetAttribute(&perCta, cudaDevAttrMaxSharedMemoryPerBlockOptin, device) !=
          cudaSuccess ||
      cudaDeviceGetAttribute(&perSm, cudaDevAttrMaxSharedMemoryPerMultiprocessor, device) !=
          cudaSuccess ||
      cudaDeviceGetAttribute(&reserved, cudaDevAttrReservedSharedMemoryPerBlock, device) !=
          cudaSuccess ||
      cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device) != cudaSuccess) {
    cudaGetLastError();
    return DeviceShape{};
  }
  DeviceShape shape;
  shape.sharedPerCta = static_cast<size_t>(perCta);
  shape.twoCtaShared = static_cast<size_t>(perSm / 2 - reserved);
  shape.sms = sms;
  return known[device] = shape;
}

} // namespace cimlir::cuda
