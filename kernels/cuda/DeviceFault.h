// cimlir CUDA kernels: how a kernel reports bad data that only it can see (a Gather index out of
// range in an activation, a sequence length beyond the sequence, an integer divisor of 0). The
// first fault of a batch is written to host-mapped memory; the backend reads it when it next waits
// for the stream and throws the error then, naming the step (runtime/backends/cuda/CudaContext.h).
#pragma once

#include <cstdint>

namespace cimlir::cuda {

/// What a fault says of its value (the backend words the error from it).
enum FaultKind : int {
  kIndexFault = 0,    ///< an index outside [-bound, bound)
  kValueFault = 1,    ///< a value outside [0, bound]
  kDivisionFault = 2, ///< an integer division by zero
  kOutsideFault = 3,  ///< a value outside [0, bound), named by the site's description
};

struct DeviceFault {
  int site;        ///< 0: no fault; else the step that faulted (Context::faultSite)
  int kind;        ///< a FaultKind
  long long value; ///< the offending index or value
  long long bound; ///< the extent it had to fit
};

#if defined(__CUDACC__)
/// Records a fault of `kind` at `site`, unless a fault is recorded already.
__device__ inline void reportFault(DeviceFault *fault, int site, FaultKind kind, long long value,
                                   long long bound) {
  if (atomicCAS(&fault->site, 0, -1) == 0) {
    fault->kind = kind;
    fault->value = value;
    fault->bound = bound;
    __threadfence_system();
    atomicExch(&fault->site, site);
  }
}

/// Records index `value` outside [-bound, bound) at `site`.
__device__ inline void reportIndexFault(DeviceFault *fault, int site, long long value,
                                        long long bound) {
  reportFault(fault, site, kIndexFault, value, bound);
}

/// Records `value` outside [0, bound] at `site`.
__device__ inline void reportValueFault(DeviceFault *fault, int site, long long value,
                                        long long bound) {
  reportFault(fault, site, kValueFault, value, bound);
}

/// Records `value` outside [0, bound) at `site` (whose description names the value).
__device__ inline void reportOutsideFault(DeviceFault *fault, int site, long long value,
                                          long long bound) {
  reportFault(fault, site, kOutsideFault, value, bound);
}

/// Records an integer division by zero at `site`.
__device__ inline void reportDivisionFault(DeviceFault *fault, int site) {
  reportFault(fault, site, kDivisionFault, 0, 0);
}
#endif

} // namespace cimlir::cuda
