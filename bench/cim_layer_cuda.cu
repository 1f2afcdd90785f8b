// Benchmark 10a of issue 11: one CIM layer on the GPU against the slice-pair roofline, measured
// side by side in one process.
//
//   cim_layer_cuda [--size 4096] [--iterations 10]
//
// Cases (M = K = N = size, 256-row arrays):
//   sliced:   8-bit weights in 7 one-bit slices, 8-bit inputs in 7 one-bit slices, 8-bit `full`
//             ADC, no noise; baseline: 49 int8 GEMMs of that shape in cuBLASLt (the slice-pair
//             roofline: every slice pair one tensor-core product).
//   ideal:    the sliced case with an `ideal` ADC (no conversions: the products and staging alone).
//   noisy:    the same with read noise 0.01, with exact and with fast normals (noise.normals);
//             baseline: the sliced case (target: at most 1.5x). Also the two-bit case with read
//             noise and fast normals against the noise-free two-bit case.
//   two-bit:  slices of 1, 2, 2, 2 bits on both sides (16 pairs, the int8 kernel), 8-bit `full`
//             ADC; baseline: 16 int8 GEMMs.
//   unsliced: one 7-bit weight slice and one 7-bit input slice (an 8-bit ADC); baseline: one
//             int8 GEMM.
//   programmed: the two-bit case with programming noise 0.05 (float cells, fp64 MMAs);
//             baseline: 16 fp64 GEMMs in cuBLASLt (its roofline).
// Times are medians of CUDA-event timings over the iterations after two warm-ups; the CIM
// time includes input quantization. Prints a Markdown table for docs/benchmarks.md.
#include "kernels/cim/CimParams.h"
#include "kernels/cpu/cim/WeightProgramming.h"
#include "kernels/cuda/CimChip.h"
#include "kernels/cuda/CimLinear.h"
#include "kernels/cuda/CudaCheck.h"

#include <cublasLt.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace cimlir;

namespace {

std::shared_ptr<void> deviceAlloc(size_t bytes) {
  void *p = nullptr;
  cuda::check(cudaMalloc(&p, bytes), "bench allocation");
  return std::shared_ptr<void>(p, [](void *q) { cudaFree(q); });
}

std::shared_ptr<void> deviceCopy(const void *host, size_t bytes) {
  auto d = deviceAlloc(bytes);
  cuda::check(cudaMemcpy(d.get(), host, bytes, cudaMemcpyHostToDevice), "bench upload");
  return d;
}

/// Median milliseconds of `fn` over `iterations` timed runs after two warm-ups.
double medianMs(const std::function<void()> &fn, int iterations) {
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  for (int w = 0; w < 2; ++w)
    fn();
  std::vector<float> ms;
  for (int i = 0; i < iterations; ++i) {
    cudaEventRecord(start);
    fn();
    cudaEventRecord(stop);
    cuda::check(cudaEventSynchronize(stop), "timing");
    float t = 0.0f;
    cudaEventElapsedTime(&t, start, stop);
    ms.push_back(t);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

void checkLt(cublasStatus_t s, const char *what) {
  if (s != CUBLAS_STATUS_SUCCESS) {
    std::fprintf(stderr, "cuBLASLt %s failed: %d\n", what, static_cast<int>(s));
    std::exit(1);
  }
}

/// A GEMM of M = N = K = n in cuBLASLt (the TN layout tensor cores take): int8 x int8 -> int32
/// (the slice products' roofline), or in double (`fp64`: the roofline of programming noise's
/// fp64 MMAs).
class LtGemm {
public:
  LtGemm(int64_t n, bool fp64) : n_(n), fp64_(fp64) {
    const cudaDataType in = fp64 ? CUDA_R_64F : CUDA_R_8I, out = fp64 ? CUDA_R_64F : CUDA_R_32I;
    const size_t inBytes = fp64 ? 8 : 1, outBytes = fp64 ? 8 : 4;
    checkLt(cublasLtCreate(&handle_), "create");
    checkLt(cublasLtMatmulDescCreate(&desc_, fp64 ? CUBLAS_COMPUTE_64F : CUBLAS_COMPUTE_32I, out),
            "desc");
    cublasOperation_t transA = CUBLAS_OP_T;
    checkLt(
        cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSA, &transA, sizeof transA),
        "transA");
    checkLt(cublasLtMatrixLayoutCreate(&a_, in, n, n, n), "layout A");
    checkLt(cublasLtMatrixLayoutCreate(&b_, in, n, n, n), "layout B");
    checkLt(cublasLtMatrixLayoutCreate(&c_, out, n, n, n), "layout C");
    std::vector<unsigned char> host(static_cast<size_t>(n * n) * inBytes);
    std::mt19937 gen(1);
    if (fp64)
      for (size_t i = 0; i < host.size() / 8; ++i) {
        const double v = static_cast<double>(static_cast<int>(gen() % 255) - 127) / 64.0;
        std::memcpy(host.data() + 8 * i, &v, 8);
      }
    else
      for (auto &v : host)
        v = static_cast<unsigned char>(static_cast<int>(gen() % 255) - 127);
    A_ = deviceCopy(host.data(), host.size());
    B_ = deviceCopy(host.data(), host.size());
    C_ = deviceAlloc(static_cast<size_t>(n * n) * outBytes);
    workspace_ = deviceAlloc(kWorkspace);
    cublasLtMatmulPreference_t pref;
    checkLt(cublasLtMatmulPreferenceCreate(&pref), "preference");
    size_t ws = kWorkspace;
    checkLt(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                 &ws, sizeof ws),
            "workspace");
    int found = 0;
    checkLt(cublasLtMatmulAlgoGetHeuristic(handle_, desc_, a_, b_, c_, c_, pref, 1, &algo_, &found),
            "heuristic");
    if (found == 0) {
      std::fprintf(stderr, "cuBLASLt found no %s algorithm\n", fp64 ? "fp64" : "int8");
      std::exit(1);
    }
    cublasLtMatmulPreferenceDestroy(pref);
  }
  void run() {
    const int32_t one = 1, zero = 0;
    const double oneF64 = 1.0, zeroF64 = 0.0;
    checkLt(cublasLtMatmul(handle_, desc_, fp64_ ? static_cast<const void *>(&oneF64) : &one,
                           A_.get(), a_, B_.get(), b_,
                           fp64_ ? static_cast<const void *>(&zeroF64) : &zero, C_.get(), c_,
                           C_.get(), c_, &algo_.algo, workspace_.get(), kWorkspace, nullptr),
            "matmul");
  }

private:
  static constexpr size_t kWorkspace = size_t(32) << 20;
  int64_t n_;
  bool fp64_;
  cublasLtHandle_t handle_;
  cublasLtMatmulDesc_t desc_;
  cublasLtMatrixLayout_t a_, b_, c_;
  cublasLtMatmulHeuristicResult_t algo_{};
  std::shared_ptr<void> A_, B_, C_, workspace_;
};

struct Layer {
  cuda::DeviceCimChip chip;
  cuda::CimCallView call;
};

Layer makeLayer(int64_t n, int sliceBits, double readNoise, cim::AdcMode mode = cim::AdcMode::Full,
                cim::NormalTransform normals = cim::NormalTransform::Exact,
                double programNoise = 0.0) {
  cim::CimParams p;
  p.weights.bits = 8;
  p.inputs.bits = 8;
  p.weights.slices = sliceBits == 1   ? cim::oneBitSlices(7)
                     : sliceBits == 2 ? std::vector<int>{1, 2, 2, 2}
                                      : std::vector<int>{7};
  p.inputs.slices = p.weights.slices;
  p.crossbar.rows = 256;
  p.crossbar.cols = 256;
  p.adc.mode = mode;
  p.adc.bits = 8;
  p.noise.read = readNoise;
  p.noise.normals = normals;
  p.noise.program = programNoise;
  p.layerId = 42;
  Tensor w = Tensor::allocate(DType::F32, {n, n});
  std::mt19937 gen(7);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  for (int64_t i = 0; i < n * n; ++i)
    w.data<float>()[i] = normal(gen);
  const cpu::ProgrammedWeights programmed = cpu::ProgrammedWeights::program(w, p);
  Layer layer;
  layer.chip = cuda::uploadCimChip(
      programmed, [](const void *h, size_t b, const std::string &) { return deviceCopy(h, b); });
  layer.call = layer.chip.withRows(0, nullptr, 0, 1, 0);
  return layer;
}

} // namespace

int main(int argc, char **argv) {
  int64_t n = 4096;
  int iterations = 10;
  for (int a = 1; a + 1 < argc; a += 2) {
    if (!std::strcmp(argv[a], "--size"))
      n = std::atoll(argv[a + 1]);
    else if (!std::strcmp(argv[a], "--iterations"))
      iterations = std::atoi(argv[a + 1]);
  }
  try {
    cudaDeviceProp prop;
    cuda::check(cudaGetDeviceProperties(&prop, 0), "device");
    std::vector<float> x(static_cast<size_t>(n * n));
    std::mt19937 gen(3);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (auto &v : x)
      v = normal(gen);
    auto dx = deviceCopy(x.data(), x.size() * sizeof(float));
    auto dy = deviceAlloc(x.size() * sizeof(float));

    LtGemm gemm(n, false);
    const double gemmMs = medianMs([&] { gemm.run(); }, iterations);
    const double tops = 2.0 * n * n * n / (gemmMs * 1e-3) / 1e12;
    LtGemm gemmF64(n, true);
    const double gemmF64Ms = medianMs([&] { gemmF64.run(); }, iterations);

    // The layer on the first `rows` rows of x (all n by default).
    auto timeLayer = [&](const Layer &layer, int64_t rows = 0) {
      const int64_t M = rows ? rows : n;
      auto scratch = deviceAlloc(cuda::CimScratch::bytes(M, layer.chip.chip, layer.call));
      return medianMs(
          [&] {
            cuda::cimLinear(static_cast<const float *>(dx.get()), M, layer.chip.chip, layer.call,
                            cuda::CimScratch::carve(scratch.get(), M, layer.chip.chip, layer.call),
                            static_cast<float *>(dy.get()), nullptr, nullptr);
          },
          iterations);
    };
    const Layer oneBit = makeLayer(n, 1, 0.0);
    const double sliced = timeLayer(oneBit);
    const double slicedIdeal = timeLayer(makeLayer(n, 1, 0.0, cim::AdcMode::Ideal));
    const double noisy = timeLayer(makeLayer(n, 1, 0.01));
    const double noisyFast =
        timeLayer(makeLayer(n, 1, 0.01, cim::AdcMode::Full, cim::NormalTransform::Fast));
    const Layer twoBitNoisyFastLayer =
        makeLayer(n, 2, 0.01, cim::AdcMode::Full, cim::NormalTransform::Fast);
    const double twoBitNoisyFast = timeLayer(twoBitNoisyFastLayer);
    const double twoBit = timeLayer(makeLayer(n, 2, 0.0));
    // One row (a decoder's token): bound by reading the cells, S·N·K bytes of levels, taken as
    // half a device-to-device copy of that many bytes (which reads and writes them).
    const double oneRow = timeLayer(twoBitNoisyFastLayer, 1);
    const size_t cellBytes = static_cast<size_t>(4 * n * n);
    auto copyFrom = deviceAlloc(cellBytes), copyTo = deviceAlloc(cellBytes);
    const double readMs = medianMs(
                              [&] {
                                cuda::check(cudaMemcpyAsync(copyTo.get(), copyFrom.get(), cellBytes,
                                                            cudaMemcpyDeviceToDevice),
                                            "copying");
                              },
                              iterations) /
                          2;
    const double unsliced = timeLayer(makeLayer(n, 7, 0.0));
    const double programmed =
        timeLayer(makeLayer(n, 2, 0.0, cim::AdcMode::Full, cim::NormalTransform::Exact, 0.05));

    std::printf("GPU: %s; M = K = N = %lld; int8 GEMM in cuBLASLt: %.3f ms (%.0f TOPS); fp64 "
                "GEMM: %.2f ms (%.1f TFLOPS)\n\n",
                prop.name, static_cast<long long>(n), gemmMs, tops, gemmF64Ms,
                2.0 * n * n * n / (gemmF64Ms * 1e-3) / 1e12);
    std::printf("One-bit slices run on the %s kernel.\n\n",
                oneBit.call.bitPlanes ? "one-bit (b1 MMA)" : "int8");
    std::printf("| case | cimlir ms | baseline | baseline ms | ratio |\n");
    std::printf("|---|---|---|---|---|\n");
    std::printf("| 7x7 one-bit slices, full 8-bit ADC | %.2f | 49 int8 GEMMs | %.2f | %.2f |\n",
                sliced, 49 * gemmMs, sliced / (49 * gemmMs));
    std::printf("| same, ideal ADC (no conversions) | %.2f | 49 int8 GEMMs | %.2f | %.2f |\n",
                slicedIdeal, 49 * gemmMs, slicedIdeal / (49 * gemmMs));
    std::printf("| same, read noise 0.01 (exact normals) | %.2f | the noise-free layer | %.2f | "
                "%.2f |\n",
                noisy, sliced, noisy / sliced);
    std::printf("| same, read noise 0.01, fast normals | %.2f | the noise-free layer | %.2f | "
                "%.2f |\n",
                noisyFast, sliced, noisyFast / sliced);
    std::printf("| 4x4 slices of 1,2,2,2 bits, full 8-bit ADC | %.2f | 16 int8 GEMMs | %.2f | %.2f "
                "|\n",
                twoBit, 16 * gemmMs, twoBit / (16 * gemmMs));
    std::printf("| 4x4 slices, read noise 0.01, fast normals | %.2f | the noise-free layer | %.2f "
                "| %.2f |\n",
                twoBitNoisyFast, twoBit, twoBitNoisyFast / twoBit);
    std::printf("| unsliced (7-bit slices) | %.2f | 1 int8 GEMM | %.2f | %.2f |\n", unsliced,
                gemmMs, unsliced / gemmMs);
    std::printf("| 4x4 slices, programming noise 0.05 (float cells) | %.2f | 16 fp64 GEMMs | "
                "%.2f | %.2f |\n",
                programmed, 16 * gemmF64Ms, programmed / (16 * gemmF64Ms));
    std::printf("| one row (M = 1), 4x4 slices, read noise 0.01, fast normals | %.3f | reading "
                "its cells (%zu MiB) | %.3f | %.2f |\n",
                oneRow, cellBytes >> 20, readMs, oneRow / readMs);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "cim_layer_cuda: %s\n", e.what());
    return 1;
  }
  return 0;
}
