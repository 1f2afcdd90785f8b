#include "kernels/cuda/DigitalLinear.h"

#include "core/Error.h"
#include "kernels/cpu/Bf16.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"
#include "kernels/cuda/QuantizeRows.cuh"

#include <cuda_bf16.h>

#include <algorithm>

namespace cimlir::cuda {

namespace {

constexpr int32_t kQmax = 127; // §8's int8: 8-bit symmetric levels

int64_t roundUp(int64_t v, int64_t to) { return (v + to - 1) / to * to; }

/// bf16 bits of x, rounded as the CPU kernel rounds (kernels/cpu/Bf16.h).
__global__ void toBf16Kernel(const float *x, int64_t count, uint16_t *out) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count;
       i += int64_t(gridDim.x) * blockDim.x)
    out[i] = cpu::bf16Bits(x[i]);
}

/// int8: z = fl32(s_x·s_w)·fl32(sum), NaN for a non-finite row.
__global__ void int8EpilogueKernel(const int32_t *sums, int64_t ldSums, const float *rowScales,
                                   const uint8_t *finite, const float *weightScales, int64_t M,
                                   int64_t N, float *z) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < M * N;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t m = i / N, n = i % N;
    const float scale = __fmul_rn(rowScales[m], weightScales[n]);
    z[i] = finite[m] ? __fmul_rn(scale, __int2float_rn(sums[m * ldSums + n]))
                     : __int_as_float(0x7fc00000);
  }
}

/// w8a16: z = fl32(s_w·sum).
__global__ void dequantizeKernel(const float *weightScales, int64_t M, int64_t N, float *z) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < M * N;
       i += int64_t(gridDim.x) * blockDim.x)
    z[i] = __fmul_rn(weightScales[i % N], z[i]);
}

/// Row-major z [M,N] = x [M,K] · W [K,N] as cuBLAS's column-major z^T = W^T · x^T.
void gemmEx(Blas &blas, const void *x, const void *w, cudaDataType type, int64_t M, int64_t N,
            int64_t K, float *z) {
  const float one = 1.0f, zero = 0.0f;
  checkBlas(blas.library().gemmEx(blas.handle(), CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(N),
                                  static_cast<int>(M), static_cast<int>(K), &one, w, type,
                                  static_cast<int>(N), x, type, static_cast<int>(K), &zero, z,
                                  CUDA_R_32F, static_cast<int>(N), CUBLAS_COMPUTE_32F,
                                  CUBLAS_GEMM_DEFAULT),
            "a digital layer's GEMM");
}

} // namespace

std::string digitalGpuGap(cim::DigitalPrecision precision, int64_t K) {
  if (precision == cim::DigitalPrecision::Int8 && K * kQmax * kQmax >= (int64_t(1) << 31))
    return "int8 sums beyond int32";
  return "";
}

DeviceDigitalWeights uploadDigitalWeights(const cpu::DigitalWeights &weights, const Upload &upload,
                                          const RegisterWeights &registerMatrix) {
  DeviceDigitalWeights d;
  // The weight matrix, the bulk: uploaded, or registered with the caller's streamer.
  auto matrix = [&](const void *host, size_t bytes, const std::string &what) {
    if (!registerMatrix)
      return upload(host, bytes, what);
    d.matrixArray = registerMatrix(host, bytes, what);
    return std::shared_ptr<void>();
  };
  d.precision = weights.precision();
  d.K = weights.rows();
  d.N = weights.cols();
  const int64_t K = d.K, N = d.N;
  switch (d.precision) {
  case cim::DigitalPrecision::Fp32:
    d.values = matrix(weights.values().raw(), weights.values().byteSize(), "digital weights");
    break;
  case cim::DigitalPrecision::Bf16: {
    std::vector<uint16_t> bits(static_cast<size_t>(K * N));
    for (int64_t i = 0; i < K * N; ++i)
      bits[i] = cpu::bf16Bits(weights.values().data<float>()[i]);
    d.values = matrix(bits.data(), bits.size() * sizeof(uint16_t), "bf16 digital weights");
    break;
  }
  case cim::DigitalPrecision::Int8: {
    d.Kpad = roundUp(K, 16);
    const int64_t ldc = roundUp(N, 4);
    std::vector<int8_t> levels(static_cast<size_t>(ldc * d.Kpad), 0);
    const int8_t *wT = weights.levelsTransposed().data<int8_t>();
    for (int64_t n = 0; n < N; ++n)
      std::copy(wT + n * K, wT + (n + 1) * K, levels.data() + n * d.Kpad);
    d.levelsT = matrix(levels.data(), levels.size(), "int8 digital weights");
    d.scales =
        upload(weights.scales().data(), weights.scales().size() * sizeof(float), "weight scales");
    break;
  }
  case cim::DigitalPrecision::W8A16: {
    // Wq [K,N] as bf16: every level of -127..127 is exact.
    std::vector<uint16_t> bits(static_cast<size_t>(K * N));
    const int8_t *wT = weights.levelsTransposed().data<int8_t>();
    for (int64_t k = 0; k < K; ++k)
      for (int64_t n = 0; n < N; ++n)
        bits[k * N + n] = cpu::bf16Bits(static_cast<float>(wT[n * K + k]));
    d.values = matrix(bits.data(), bits.size() * sizeof(uint16_t), "w8a16 digital weights");
    d.scales =
        upload(weights.scales().data(), weights.scales().size() * sizeof(float), "weight scales");
    break;
  }
  }
  return d;
}

void digitalLinear(Blas &blas, const float *x, int64_t M, const DeviceDigitalWeights &w,
                   const Allocate &allocate, float *z) {
  const int64_t K = w.K, N = w.N;
  if (M == 0 || N == 0)
    return;
  cudaStream_t stream = blas.stream();
  if (K == 0) {
    check(cudaMemsetAsync(z, 0, static_cast<size_t>(M * N) * sizeof(float), stream),
          "clearing an empty product");
    return;
  }
  switch (w.precision) {
  case cim::DigitalPrecision::Fp32: {
    const float one = 1.0f, zero = 0.0f;
    checkBlas(blas.library().sgemm(blas.handle(), CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(N),
                                   static_cast<int>(M), static_cast<int>(K), &one,
                                   static_cast<const float *>(w.values.get()), static_cast<int>(N),
                                   x, static_cast<int>(K), &zero, z, static_cast<int>(N)),
              "a digital layer's GEMM");
    break;
  }
  case cim::DigitalPrecision::Bf16:
  case cim::DigitalPrecision::W8A16: {
    std::shared_ptr<void> xb =
        allocate(static_cast<size_t>(M * K) * sizeof(uint16_t), "bf16 activations");
    toBf16Kernel<<<gridStrideBlocks(M * K), kGridStrideThreads, 0, stream>>>(
        x, M * K, static_cast<uint16_t *>(xb.get()));
    checkLaunch("bf16 rounding");
    gemmEx(blas, xb.get(), w.values.get(), CUDA_R_16BF, M, N, K, z);
    if (w.precision == cim::DigitalPrecision::W8A16) {
      dequantizeKernel<<<gridStrideBlocks(M * N), kGridStrideThreads, 0, stream>>>(
          static_cast<const float *>(w.scales.get()), M, N, z);
      checkLaunch("w8a16 dequantization");
    }
    break;
  }
  case cim::DigitalPrecision::Int8: {
    const int64_t ldc = roundUp(N, 4);
    std::shared_ptr<void> xq = allocate(static_cast<size_t>(M * w.Kpad), "int8 activations");
    std::shared_ptr<void> rowScales = allocate(static_cast<size_t>(M) * sizeof(float), "scales");
    std::shared_ptr<void> finite = allocate(static_cast<size_t>(M), "row flags");
    std::shared_ptr<void> sums =
        allocate(static_cast<size_t>(M * ldc) * sizeof(int32_t), "int8 sums");
    quantizeRows(x, M, K, w.Kpad, kQmax, false, 0.0f, ClipRank{}, static_cast<int8_t *>(xq.get()),
                 static_cast<float *>(rowScales.get()), static_cast<uint8_t *>(finite.get()),
                 stream);
    checkLaunch("int8 quantization");
    int8Gemm(blas, static_cast<const int8_t *>(xq.get()),
             static_cast<const int8_t *>(w.levelsT.get()), M, ldc, w.Kpad,
             static_cast<int32_t *>(sums.get()), "an int8 digital layer's GEMM");
    int8EpilogueKernel<<<gridStrideBlocks(M * N), kGridStrideThreads, 0, stream>>>(
        static_cast<const int32_t *>(sums.get()), ldc, static_cast<const float *>(rowScales.get()),
        static_cast<const uint8_t *>(finite.get()), static_cast<const float *>(w.scales.get()), M,
        N, z);
    checkLaunch("int8 epilogue");
    break;
  }
  }
}

} // namespace cimlir::cuda
