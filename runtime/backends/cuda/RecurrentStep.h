// cimlir runtime: the CUDA backend's RNN, GRU and LSTM steps (kernels/cuda/Recurrent.h): the
// input projections of every step in one cuBLAS GEMM per direction, then the cell step by step
// with cuBLAS hidden products, as the CPU backend's RecurrentStep computes them; and the device
// operands of a recurrent step, which the CIM layers of recurrent kinds share (LinearLayout).
#pragma once

#include "kernels/cpu/Recurrent.h"
#include "kernels/cuda/Recurrent.h"
#include "runtime/backends/cuda/CudaContext.h"
#include "runtime/exec/Backend.h"
#include "runtime/exec/RecurrentAttrs.h"
#include "runtime/exec/StepAttrs.h"

#include <functional>
#include <memory>
#include <vector>

namespace cimlir::cuda {

/// The optional operands (found by `where`; their device data from `data(step input)`) and the
/// outputs of a recurrent step in device memory, their shapes checked for `seq` and `batch` as
/// the CPU kernel checks them; sequence lengths outside [0, seq] are reported at `faultSite`.
DeviceRecurrentIo recurrentDeviceIo(const cpu::RecurrentSpec &spec, const RecurrentInputs &where,
                                    const std::vector<const Tensor *> &in,
                                    const std::vector<Tensor *> &out, int64_t seq, int64_t batch,
                                    const std::function<const void *(size_t)> &data,
                                    Context &context, int faultSite);

/// The fault site of a recurrent step's sequence lengths (Context::faultSite).
int recurrentFaultSite(const StepAttrs &attrs, Context &context);

/// The GPU kernel of an onnx RNN, GRU or LSTM step, or null where it stays on the host
/// (operands of other types). Throws cimlir::Error naming
/// the step for a malformed one, as the CPU backend does.
std::unique_ptr<StepKernel> prepareGpuRecurrent(const StepAttrs &attrs,
                                                const std::shared_ptr<Context> &context,
                                                cpu::RecurrentCell cell);

} // namespace cimlir::cuda
