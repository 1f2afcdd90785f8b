// cimlir CUDA kernels: how a kernel reports bad data that only it can see (a Gather index out of
// range in an activation, a sequence length beyond the sequence, an integer divisor of 0). The
// first fault of a batch is written to host-mapped memory; the backend reads it when it next waits
// for the stream and throws the error then, naming the step (runtime/backends/cuda/CudaContext.h).
#pragma once

#include <cstdint>

namespace cimlir::cuda {

struct DeviceFault {
  int site;        ///< 0: no fault; else the step that faulted (Context::faultSite)
  int kind;        ///< 0: an index outside [-bound, bound); 1: a value outside [0, bound];
                   ///< 2: an integer division by zero; 3: a value outside [0, bound)
  long long value; ///< the offending index or value
  long long bound; ///< the extent it had to fit
};

#if defined(__CUDACC__)
/// Records index `value` outside [-bound, bound) at `site`, unless a fault is recorded already.
__device__ inline void reportIndexFault(DeviceFault *fault, int site, long long value,
                                        long long bound) {
  if (atomicCAS(&fault->site, 0, -1) == 0) {
    fault->kind = 0;
    fault->value = value;
    fault->bound = bound;
    __threadfence_system();
    atomicExch(&fault->site, site);
  }
}

/// Records `value` outside [0, bound] at `site`, unless a fault is recorded already.
__device__ inline void reportValueFault(DeviceFault *fault, int site, long long value,
                                        long long bound) {
  if (atomicCAS(&fault->site, 0, -1) == 0) {
    fault->kind = 1;
    fault->value = value;
    fault->bound = bound;
    __threadfence_system();
    atomicExch(&fault->site, site);
  }
}

/// Records `value` outside [0, bound) at `site` (whose description names the value), unless a
/// fault is recorded already.
__device__ inline void reportOutsideFault(DeviceFault *fault, int site, long long value,
                                          long long bound) {
  if (atomicCAS(&fault->site, 0, -1) == 0) {
    fault->kind = 3;
    fault->value = value;
    fault->bound = bound;
    __threadfence_system();
    atomicExch(&fault->site, site);
  }
}

/// Records an integer division by zero at `site`, unless a fault is recorded already.
__device__ inline void reportDivisionFault(DeviceFault *fault, int site) {
  if (atomicCAS(&fault->site, 0, -1) == 0) {
    fault->kind = 2;
    fault->value = 0;
    fault->bound = 0;
    __threadfence_system();
    atomicExch(&fault->site, site);
  }
}
#endif

} // namespace cimlir::cuda
