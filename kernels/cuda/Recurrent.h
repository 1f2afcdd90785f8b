// cimlir CUDA kernels: the ONNX recurrent layers RNN, GRU and LSTM on the GPU, the CPU kernel's
// cell (kernels/cpu/Recurrent.h) step by step: each step's hidden product comes from the caller
// (cuBLAS for the onnx ops, the CIM kernel for a CIM layer's), the rest of the cell from one
// kernel per step (two for a GRU without linear_before_reset, whose second product reads
// r ⊙ h). The arithmetic is the CPU's, in the same order, in float32 without FMA contraction;
// the activations are CUDA's functions (within 2 ulp of the host's, kernels/cpu/UnaryMath.h).
#pragma once

#include "kernels/cpu/Recurrent.h"
#include "kernels/cuda/Blas.h"
#include "kernels/cuda/DeviceFault.h"
#include "kernels/cuda/DeviceMemory.h"

#include <cuda_runtime_api.h>

#include <cstdint>
#include <functional>

namespace cimlir::cuda {

/// The optional operands and the outputs of a recurrent layer in device memory (null when
/// absent), with cpu::RecurrentIo's shapes. A sequence length outside [0, seq] is reported to
/// `fault` at `faultSite` (DeviceFault.h) and taken as clamped into it.
struct DeviceRecurrentIo {
  const float *bias = nullptr;
  const int32_t *sequenceLens = nullptr;
  const float *initialH = nullptr;
  const float *initialC = nullptr;
  const float *peepholes = nullptr;
  float *y = nullptr;
  float *yH = nullptr;
  float *yC = nullptr;
  DeviceFault *fault = nullptr;
  int faultSite = 0;
};

/// cpu::HiddenProduct in device memory: out [batch, GH] columns [col0, col1) (at least) =
/// h [batch, H] · R_d[col0:col1, :]^T, enqueued on the stream of recurrenceSteps.
using DeviceHiddenProduct =
    std::function<void(int64_t direction, int64_t read, const float *h, int64_t batch, int64_t col0,
                       int64_t col1, float *out)>;

/// cpu::recurrenceSteps on the GPU: the recurrence of `spec` over inputGates [seq, batch,
/// D·G·H] (device), enqueued on `stream`. `spec` is checked as the CPU checks it.
void recurrenceSteps(const cpu::RecurrentSpec &spec, const float *inputGates, int64_t seq,
                     int64_t batch, const DeviceHiddenProduct &hidden, const DeviceRecurrentIo &io,
                     const Allocate &allocate, cudaStream_t stream);

/// The hidden product of an onnx RNN, GRU or LSTM: R [D, GH, H] (device) in cuBLAS, without TF32.
DeviceHiddenProduct weightsHiddenProduct(Blas &blas, const float *r, int64_t hidden,
                                         int64_t gateWidth);

/// The input projections of every step at once, X [seq·batch, in] · W_d^T + Wb_d into columns
/// [d·GH, (d+1)·GH) of gates [seq·batch, D·GH] (all device; bias B [D, 2·GH] or null), as
/// cpu::recurrent computes them: the product, then the bias added.
void inputProjections(Blas &blas, const float *x, int64_t rows, int64_t in, const float *w,
                      const float *bias, int64_t directions, int64_t gateWidth, float *gates);

} // namespace cimlir::cuda
