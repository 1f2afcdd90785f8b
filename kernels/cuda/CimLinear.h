// cimlir CUDA kernels: one CIM layer on the GPU (cim-numerics.md §3–§6), the same numbers as
// the CPU reference (kernels/cpu/cim/CimLinear.h).
//
// Two launches per call (one-bit slices on both sides take CimBitPlanes.h's product kernel):
//  1. quantizeRows (QuantizeRows.cuh): per row m, s_x (dynamic_row: max |x[m,:]|, or
//     its clip percentile, over qmax_x; or the static scale) and xq = clamp(rint(x / s_x)) as int16
//     [M, Kpad], IEEE float32 division as on the host.
//  2. cimProductKernel: one CTA per (32 rows, column tile). For each row block r, the DAC slices
//     u_i of its rows are cut from xq into shared memory (never to global memory); for each weight
//     slice j the chip's differential levels L~+_j - L~-_j (int8, programmed on the host at
//     load) are staged, and every slice pair's partial sums P[r,i,j] come from int8 tensor-core
//     MMAs (mma.sync m16n8k32, exact int32). With programming noise the levels are float32 (the
//     CPU's cells) and P comes from fp64 MMAs (m8n8k4: u_i and the level exact in double, the
//     sum rounded as the CPU's double sum is, in another order). The ADC converts them in
//     registers: `full` and
//     `dynamic` without noise in exact integer arithmetic (a float estimate of rint(P·qmax/FS)
//     corrected by the exact remainder, half to even: smallCode or exactCode in CimProduct.cuh);
//     with read or ADC noise in IEEE double with the CPU's Philox streams and series Box–Muller
//     (PhiloxMath.h), so the codes are the CPU's bit for bit. The recombination sum of §6 is int64
//     (exact) or double, and the epilogue writes y = fl32(s_x·s_w)·fl32(sum).
//
// Hybrid inputs (§7): the quantization kernel also writes d = xq − clamp(xq) as int8, cuBLASLt
// multiplies it by Wq exactly (int32), and the product kernel slices the clamped part and adds
// d·Wq to §6's sum as the CPU does.
//
// What the caller checks first (cimGpuGap, CimChip.h): hybrid inputs only with 8-bit inputs and
// weights, `dynamic` column blocks of at most 128 outputs, and exact sums that fit int64.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cimlir::cuda {

class Blas;

enum class AdcKind : int { Ideal = 0, Full = 1, Dynamic = 2, Calibrated = 3 };

constexpr int kMaxSlices = 16;

/// A programmed chip (one group) in device memory.
struct CimChipView {
  int64_t K = 0, N = 0;
  int64_t Kpad = 0;               ///< K rounded up to 16 (the row stride of levels and xq)
  int S = 0;                      ///< weight slices
  int widths[kMaxSlices] = {};    ///< b_j
  int offsets[kMaxSlices] = {};   ///< p_j
  const int8_t *levels = nullptr; ///< [S][N][Kpad]: L~+_j - L~-_j, k contiguous, zero padded
  /// With programming noise (CimCallView::floatLevels), the levels in float32 instead, in the
  /// same layout: the CPU's cells (ProgrammedWeights::differentialLevels), not integers.
  const float *floatLevels = nullptr;
  /// Hybrid inputs (§7): Wq^T int8 [roundUp(N, 4)][Kpad], the digital part's weights (zero
  /// rows past N).
  const int8_t *weightsT = nullptr;
  const float *weightScales = nullptr; ///< s_w [N]
  /// For the one-bit kernel (else null): the levels as bit planes [S][2][N][rowBlocks][planeWords]
  /// of uint32, plane 0 the cells with L~+_j - L~-_j = +1, plane 1 those with -1; bit b of word
  /// w of row block r is row r·R + 32·w + b (zero past the block).
  const uint32_t *planes = nullptr;
  int planeWords = 0; ///< words per row block and column: bitPlaneWords(R)
};

/// What calls count on the device for cim-run's report (the data-dependent parts of
/// cpu::CimCounters), added up over calls: device memory, zeroed before the first call.
struct CimDeviceCounters {
  unsigned long long activeInputDigits = 0;  ///< nonzero u_i[m,k] of the analog inputs (§3)
  unsigned long long skippedConversions = 0; ///< `dynamic`: conversions of reads whose FS is 0
  unsigned long long digitalNonzero = 0;     ///< hybrid inputs: nonzero d (§7)
};

/// The parameters of one call (cim-numerics.md §3–§5, §9).
struct CimCallView {
  int T = 0;                   ///< input slices
  int widths[kMaxSlices] = {}; ///< a_i
  int offsets[kMaxSlices] = {};
  int32_t qmaxInput = 0; ///< qmax_x
  bool staticScale = false;
  float staticScaleValue = 0.0f;
  /// A dynamic scale's clip below the 100th percentile (§3): the percentile lies between the
  /// order statistics clipLower and clipLower + 1 of |x[m,:]| at fraction clipFraction
  /// (cim::percentileRank); -1: max |x[m,:]|.
  int64_t clipLower = -1;
  double clipFraction = 0.0;
  int64_t rows = 0;         ///< crossbar rows R
  int64_t colsPerBlock = 0; ///< N_c = floor(C / 2)
  AdcKind adc = AdcKind::Full;
  int32_t qmaxAdc = 0;
  const int64_t *fullScales = nullptr; ///< device, [(r·T + i)·S + j]
  /// Every FS a pair can have (`full`: its own; `dynamic`: at most R_r·(2^{a_i}-1)·(2^{b_j}-1))
  /// has FS·(qmax_a + 1) < 2^29 and FS·2^{o_i+p_j} < 2^31: the exact ADC runs in int32.
  bool narrowAdc = false;
  /// Every pair's codes come from smallCode (CimProduct.cuh): for every P the pair can give,
  /// |P| < 2^22 and 2·|P|·qmax_a < 2^24; 2·FS·qmax_a < 2^24 and |P|·qmax_a / FS < 2^21.
  bool smallAdc = false;
  /// The one-bit kernel (CimBitPlanes.cu) runs the call: one-bit slices on both sides, exact(),
  /// an `ideal` ADC or a `full` one with smallAdc and one FS per row block (at least the block's
  /// largest |P|), pair sums of a row block within int32, and its staging fits shared memory.
  bool bitPlanes = false;
  const float *calibratedFullScales = nullptr; ///< device, [i·S + j]
  double sigmaRead = 0.0;                      ///< sigma_r
  bool fastNormals = false;                    ///< noise.normals = fast (PhiloxMath.h)
  /// Programming noise: the levels are CimChipView::floatLevels, the partial sums doubles from
  /// fp64 tensor-core MMAs (exact products, summed as the CPU sums them up to order).
  bool floatLevels = false;
  /// Hybrid inputs (§7): the crossbar sees l = clamp(xq, ±hybridMax), d = xq − l goes through
  /// the int8 GEMM of chip.weightsT, and §6's sum gets d·Wq added (0: no hybrid inputs).
  int32_t hybridMax = 0;
  /// The counters the call adds to (may be null: nothing counted).
  CimDeviceCounters *counters = nullptr;
  double sigmaAdcLsb = 0.0; ///< sigma_a / sqrt(samples), 0 in ideal mode
  uint32_t freshKey[2] = {};
  /// Row m's sample is *batchStart + sampleOffset + m / rowsPerSample (§9; batchStart: device
  /// memory, null for 0, so that a replayed CUDA graph takes each batch's start), its row within
  /// the sample rowOffset + m % rowsPerSample.
  const int64_t *batchStart = nullptr;
  int64_t sampleOffset = 0, rowsPerSample = 1, rowOffset = 0;
  /// A fused normalisation (kernels/cpu/LayerNormPrologue.h): x's rows are normalised with
  /// this scale and bias [K] (device; bias may be null) as they are quantized (null: none).
  const float *layerNormScale = nullptr, *layerNormBias = nullptr;
  float layerNormEpsilon = 0.0f;
  /// Integer partial sums and codes (integer levels, no read noise, no ADC noise, not
  /// calibrated).
  bool exact() const {
    return !floatLevels && sigmaRead == 0.0 && sigmaAdcLsb == 0.0 && adc != AdcKind::Calibrated;
  }
  /// Fresh noise whose codes come from float32 arithmetic (CimProduct.cuh: fastNoisyCode, exact
  /// integer sums): fast normals, a `full` ADC, integer partial sums, codes in smallCode's range
  /// and steps FS·2^shift in int32.
  bool fastAdc() const {
    return !exact() && !floatLevels && fastNormals && adc == AdcKind::Full && smallAdc && narrowAdc;
  }
  /// Integer codes and full scales, so §6's sum is exact in any order (and may be split):
  /// exact(), or a `full` ADC (noise moves a code, not its integer FS).
  bool integerSums() const { return exact() || adc == AdcKind::Full; }
};

/// How the int8 kernel lays out a call of M rows (the one-bit kernel's calls keep the defaults):
/// rows and columns per CTA, whether a CTA stages one input slice at a time, and over how many
/// CTAs the row blocks are split.
struct CimProductLayout {
  int rowsPerCta = 32;
  int ctaCols = 128;
  bool oneSlice = false;
  int splits = 1; ///< CTAs over the row blocks (few rows; CimScratch::partials)
};
CimProductLayout cimProductLayout(int64_t M, const CimChipView &chip, const CimCallView &call);

/// Scratch memory of one call with M rows: xq int16 [M, Kpad], s_x float [M], finite flags
/// uint8 [M], where the layout splits the row blocks the partial sums (8 bytes each,
/// [splits][M][N]), and with hybrid inputs d int8 [M, Kpad] and d·Wq int32 [M, roundUp(N, 4)].
struct CimScratch {
  int16_t *xq = nullptr;
  float *rowScales = nullptr;
  uint8_t *rowFinite = nullptr;
  void *partials = nullptr;
  int8_t *residual = nullptr;
  int32_t *digital = nullptr;
  static size_t bytes(int64_t M, const CimChipView &chip, const CimCallView &call);
  /// Carves the arrays out of `memory` (bytes(M, chip, call) bytes).
  static CimScratch carve(void *memory, int64_t M, const CimChipView &chip,
                          const CimCallView &call);
};

/// y [M, N] float32 (device) = CIM(x [M, K] float32 (device) · chip), enqueued on `stream`;
/// hybrid inputs' digital part runs through `blas` (bound to the same stream; may be null
/// without hybrid inputs).
void cimLinear(const float *x, int64_t M, const CimChipView &chip, const CimCallView &call,
               const CimScratch &scratch, float *y, cudaStream_t stream, Blas *blas);

} // namespace cimlir::cuda
