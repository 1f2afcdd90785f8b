#include "kernels/cuda/Recurrent.h"

#include "core/Error.h"
#include "kernels/cpu/UnaryMath.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"

#include <cuda_runtime.h>

#include <algorithm>
#include <string>
#include <vector>

namespace cimlir::cuda {

namespace {

/// One activation function of the cell, resolved on the host: an op of cpu::unaryOpTypes(), or
/// Relu, or one of the two that only recurrent cells define (kernels/cpu/Recurrent.cpp).
struct CellActivation {
  enum Kind : int { Unary, Relu, Affine, ScaledTanh } kind = Unary;
  int op = 0;
  float alpha = 0.0f, beta = 0.0f;
};

CellActivation cellActivation(const cpu::RecurrentActivation &a) {
  CellActivation c;
  c.alpha = a.alpha;
  c.beta = a.beta;
  if (a.name == "Relu") {
    c.kind = CellActivation::Relu;
  } else if (a.name == "Affine") {
    c.kind = CellActivation::Affine;
  } else if (a.name == "ScaledTanh") {
    c.kind = CellActivation::ScaledTanh;
  } else {
    const auto &types = cpu::unaryOpTypes();
    auto it = std::find_if(types.begin(), types.end(),
                           [&](const cpu::UnaryOpType &t) { return t.name == a.name; });
    if (it == types.end())
      throw Error("recurrent: unknown activation '" + a.name + "'");
    c.op = static_cast<int>(it - types.begin());
  }
  return c;
}

/// The activation as the CPU's cell applies it (relu keeps NaN, as ONNX's max does).
__device__ __forceinline__ float activate(const CellActivation &a, float v) {
  switch (a.kind) {
  case CellActivation::Relu:
    return v < 0.0f ? 0.0f : v;
  case CellActivation::Affine:
    return a.alpha * v + a.beta;
  case CellActivation::ScaledTanh:
    return a.alpha * tanhf(a.beta * v);
  default:
    return cpu::applyUnary<float>(static_cast<cpu::UnaryOp>(a.op), v, a.alpha, a.beta);
  }
}

/// What one step's kernel reads and writes: direction d, step s.
struct StepArgs {
  cpu::RecurrentCell cell = cpu::RecurrentCell::Lstm;
  int64_t H = 0, GH = 0, D = 0, d = 0, batch = 0, seq = 0, s = 0;
  bool reverse = false, hasClip = false, inputForget = false, linearBeforeReset = false;
  float clip = 0.0f;
  CellActivation fn[3];
  const float *gatesX = nullptr;  // [seq, batch, D·GH]
  const float *product = nullptr; // [batch, GH]: this step's hidden product
  const float *rb = nullptr;      // Rb of direction d [GH], or null
  const float *pd = nullptr;      // P of direction d [3H], or null
  const int32_t *lengths = nullptr;
  float *h = nullptr, *c = nullptr; // [batch, H]
  float *zr = nullptr;              // GRU without linear_before_reset: z and r [2, batch, H]
  float *resetH = nullptr;          // and r ⊙ h [batch, H]
  float *y = nullptr;               // [seq, D, batch, H] or null
};

/// Entry b's sequence length, clamped into [0, seq] (checkLengthsKernel reports one outside).
__device__ __forceinline__ int64_t lengthOf(const StepArgs &a, int64_t b) {
  return a.lengths ? min(max(static_cast<int64_t>(a.lengths[b]), int64_t(0)), a.seq) : a.seq;
}

/// Reports the first sequence length outside [0, seq] (the CPU kernel's error, from the GPU).
__global__ void checkLengthsKernel(const int32_t *lengths, int64_t batch, int64_t seq,
                                   DeviceFault *fault, int site) {
  for (int64_t b = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; b < batch;
       b += int64_t(gridDim.x) * blockDim.x)
    if (lengths[b] < 0 || lengths[b] > seq)
      reportValueFault(fault, site, lengths[b], seq);
}

/// Batch entry b's input projection of direction d at step s (a finished entry reads a valid
/// step; its results are not kept).
__device__ __forceinline__ const float *inputRow(const StepArgs &a, int64_t b) {
  const int64_t len = lengthOf(a, b);
  const int64_t t = a.reverse ? max(len - 1 - a.s, int64_t(0)) : a.s;
  return a.gatesX + (t * a.batch + b) * a.D * a.GH + a.d * a.GH;
}

/// Gate `gate`'s pre-activation of element (b, j): input projection + hidden product + Rb.
__device__ __forceinline__ float gather(const StepArgs &a, const float *x, int64_t b, int64_t j,
                                        int gate) {
  return x[gate * a.H + j] + a.product[b * a.GH + gate * a.H + j] +
         (a.rb ? a.rb[gate * a.H + j] : 0.0f);
}

/// Clip (std::clamp's order: NaN passes), then the activation.
__device__ __forceinline__ float finish(const StepArgs &a, const CellActivation &f, float v) {
  if (a.hasClip)
    v = v < -a.clip ? -a.clip : a.clip < v ? a.clip : v;
  return activate(f, v);
}

/// GRU without linear_before_reset, first half of a step: z and r, and r ⊙ h for the second
/// hidden product.
__global__ void gruGatesKernel(const StepArgs a) {
  const int64_t count = a.batch * a.H;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t b = i / a.H, j = i % a.H;
    const float *x = inputRow(a, b);
    const float z = finish(a, a.fn[0], gather(a, x, b, j, 0));
    const float r = finish(a, a.fn[0], gather(a, x, b, j, 1));
    a.zr[i] = z;
    a.zr[count + i] = r;
    a.resetH[i] = r * a.h[i];
  }
}

/// The rest of a step for every element (b, j): the new state, kept where the entry's sequence
/// has not ended, and its row of Y.
__global__ void cellStepKernel(const StepArgs a) {
  const int64_t count = a.batch * a.H;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t b = i / a.H, j = i % a.H;
    const float *x = inputRow(a, b);
    float next = 0.0f, cell = 0.0f;
    switch (a.cell) {
    case cpu::RecurrentCell::Rnn:
      next = finish(a, a.fn[0], gather(a, x, b, j, 0));
      break;
    case cpu::RecurrentCell::Gru: {
      float z, cand;
      if (a.linearBeforeReset) {
        z = finish(a, a.fn[0], gather(a, x, b, j, 0));
        const float r = finish(a, a.fn[0], gather(a, x, b, j, 1));
        cand = x[2 * a.H + j] +
               r * (a.product[b * a.GH + 2 * a.H + j] + (a.rb ? a.rb[2 * a.H + j] : 0.0f));
      } else {
        z = a.zr[i];
        cand = gather(a, x, b, j, 2);
      }
      cand = finish(a, a.fn[1], cand);
      next = (1.0f - z) * cand + z * a.h[i];
      break;
    }
    case cpu::RecurrentCell::Lstm: {
      const float c = a.c[i];
      float in = gather(a, x, b, j, 0), forget = gather(a, x, b, j, 2);
      if (a.pd) {
        in += a.pd[j] * c;
        forget += a.pd[2 * a.H + j] * c;
      }
      in = finish(a, a.fn[0], in);
      forget = a.inputForget ? 1.0f - in : finish(a, a.fn[0], forget);
      const float cand = finish(a, a.fn[1], gather(a, x, b, j, 3));
      cell = forget * c + in * cand;
      float out = gather(a, x, b, j, 1);
      if (a.pd)
        out += a.pd[a.H + j] * cell;
      out = finish(a, a.fn[0], out);
      next = out * activate(a.fn[2], cell);
      break;
    }
    }
    const int64_t len = lengthOf(a, b);
    if (a.s >= len)
      continue;
    const int64_t t = a.reverse ? len - 1 - a.s : a.s;
    a.h[i] = next;
    if (a.cell == cpu::RecurrentCell::Lstm)
      a.c[i] = cell;
    if (a.y)
      a.y[((t * a.D + a.d) * a.batch + b) * a.H + j] = next;
  }
}

/// gates[row, d·GH + j] += bias[d·2GH + j] for every direction d.
__global__ void addInputBiasKernel(float *gates, int64_t rows, int64_t D, int64_t GH,
                                   const float *bias) {
  const int64_t count = rows * D * GH;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t col = i % (D * GH), d = col / GH, j = col % GH;
    gates[i] += bias[d * 2 * GH + j];
  }
}

} // namespace

void recurrenceSteps(const cpu::RecurrentSpec &spec, const float *inputGates, int64_t seq,
                     int64_t batch, const DeviceHiddenProduct &hidden, const DeviceRecurrentIo &io,
                     const Allocate &allocate, cudaStream_t stream) {
  cpu::checkRecurrentSpec(spec, io.initialC || io.peepholes || io.yC);
  const int64_t H = spec.hidden, D = spec.directions(), GH = spec.gateWidth();
  const size_t functions = cpu::defaultRecurrentActivations(spec.cell).size();
  if (io.sequenceLens && io.fault && batch > 0) {
    checkLengthsKernel<<<gridStrideBlocks(batch), kGridStrideThreads, 0, stream>>>(
        io.sequenceLens, batch, seq, io.fault, io.faultSite);
    checkLaunch("recurrent sequence_lens");
  }
  if (io.y)
    check(
        cudaMemsetAsync(io.y, 0, static_cast<size_t>(seq * D * batch * H) * sizeof(float), stream),
        "clearing Y");
  const size_t state = static_cast<size_t>(batch * H) * sizeof(float);
  std::shared_ptr<void> h = allocate(state, "a recurrent layer's hidden state");
  std::shared_ptr<void> c = allocate(state, "a recurrent layer's cell state");
  std::shared_ptr<void> product = allocate(static_cast<size_t>(batch * GH) * sizeof(float),
                                           "a recurrent layer's hidden product");
  const bool twoProducts = spec.cell == cpu::RecurrentCell::Gru && !spec.linearBeforeReset;
  std::shared_ptr<void> zr, resetH;
  if (twoProducts) {
    zr = allocate(2 * state, "a GRU's gates");
    resetH = allocate(state, "a GRU's reset state");
  }
  StepArgs a;
  a.cell = spec.cell;
  a.H = H;
  a.GH = GH;
  a.D = D;
  a.batch = batch;
  a.seq = seq;
  a.hasClip = spec.clip.has_value();
  a.clip = spec.clip.value_or(0.0f);
  a.inputForget = spec.inputForget;
  a.linearBeforeReset = spec.linearBeforeReset;
  a.gatesX = inputGates;
  a.product = static_cast<const float *>(product.get());
  a.lengths = io.sequenceLens;
  a.h = static_cast<float *>(h.get());
  a.c = static_cast<float *>(c.get());
  a.zr = static_cast<float *>(zr.get());
  a.resetH = static_cast<float *>(resetH.get());
  a.y = io.y;
  const unsigned blocks = gridStrideBlocks(batch * H);
  for (int64_t d = 0; d < D; ++d) {
    a.d = d;
    a.reverse = spec.reverse || d == 1;
    for (size_t f = 0; f < functions; ++f)
      a.fn[f] = cellActivation(spec.activations[d * functions + f]);
    a.rb = io.bias ? io.bias + d * 2 * GH + GH : nullptr;
    a.pd = io.peepholes ? io.peepholes + d * 3 * H : nullptr;
    auto initial = [&](const float *from, float *to) {
      if (from)
        check(cudaMemcpyAsync(to, from + d * batch * H, state, cudaMemcpyDeviceToDevice, stream),
              "copying a recurrent layer's initial state");
      else
        check(cudaMemsetAsync(to, 0, state, stream), "clearing a recurrent layer's state");
    };
    initial(io.initialH, a.h);
    initial(io.initialC, a.c);
    float *productOut = static_cast<float *>(product.get());
    for (int64_t s = 0; s < seq; ++s) {
      a.s = s;
      if (batch == 0)
        continue;
      switch (spec.cell) {
      case cpu::RecurrentCell::Rnn:
      case cpu::RecurrentCell::Lstm:
        hidden(d, s, a.h, batch, 0, GH, productOut);
        break;
      case cpu::RecurrentCell::Gru:
        hidden(d, s, a.h, batch, 0, spec.linearBeforeReset ? GH : 2 * H, productOut);
        if (twoProducts) {
          gruGatesKernel<<<blocks, kGridStrideThreads, 0, stream>>>(a);
          checkLaunch("recurrent GRU gates");
          hidden(d, seq + s, a.resetH, batch, 2 * H, GH, productOut);
        }
        break;
      }
      cellStepKernel<<<blocks, kGridStrideThreads, 0, stream>>>(a);
      checkLaunch("recurrent step");
    }
    if (io.yH)
      check(cudaMemcpyAsync(io.yH + d * batch * H, a.h, state, cudaMemcpyDeviceToDevice, stream),
            "copying Y_h");
    if (io.yC)
      check(cudaMemcpyAsync(io.yC + d * batch * H, a.c, state, cudaMemcpyDeviceToDevice, stream),
            "copying Y_c");
  }
}

DeviceHiddenProduct weightsHiddenProduct(Blas &blas, const float *r, int64_t hidden,
                                         int64_t gateWidth) {
  return [&blas, r, hidden, gateWidth](int64_t d, int64_t, const float *h, int64_t batch,
                                       int64_t col0, int64_t col1, float *out) {
    // Row-major out[b, col0:col1] = h[b, :] · R_d[col0:col1, :]^T. cuBLAS sees the row-major
    // arrays as their column-major transposes: out^T (ld GH) = R_sub (stored [cols][H], so
    // op T) · h^T (stored [batch][H], op N).
    const float one = 1.0f, zero = 0.0f;
    checkBlas(blas.library().sgemm(
                  blas.handle(), CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(col1 - col0),
                  static_cast<int>(batch), static_cast<int>(hidden), &one,
                  r + (d * gateWidth + col0) * hidden, static_cast<int>(hidden), h,
                  static_cast<int>(hidden), &zero, out + col0, static_cast<int>(gateWidth)),
              "a recurrent layer's hidden product");
  };
}

void inputProjections(Blas &blas, const float *x, int64_t rows, int64_t in, const float *w,
                      const float *bias, int64_t directions, int64_t gateWidth, float *gates) {
  if (rows == 0)
    return;
  const float one = 1.0f, zero = 0.0f;
  if (in == 0) // no input features: the products are 0 (cuBLAS refuses a leading dimension of 0)
    check(cudaMemsetAsync(gates, 0,
                          static_cast<size_t>(rows * directions * gateWidth) * sizeof(float),
                          blas.stream()),
          "clearing a recurrent layer's input projections");
  for (int64_t d = 0; d < directions && in > 0; ++d)
    checkBlas(blas.library().sgemm(blas.handle(), CUBLAS_OP_T, CUBLAS_OP_N,
                                   static_cast<int>(gateWidth), static_cast<int>(rows),
                                   static_cast<int>(in), &one, w + d * gateWidth * in,
                                   static_cast<int>(in), x, static_cast<int>(in), &zero,
                                   gates + d * gateWidth, static_cast<int>(directions * gateWidth)),
              "a recurrent layer's input projection");
  if (bias) {
    addInputBiasKernel<<<gridStrideBlocks(rows * directions * gateWidth), kGridStrideThreads, 0,
                         blas.stream()>>>(gates, rows, directions, gateWidth, bias);
    checkLaunch("recurrent input bias");
  }
}

} // namespace cimlir::cuda
