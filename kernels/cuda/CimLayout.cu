#include "kernels/cuda/CimLayout.cuh"

#include "kernels/cuda/DeviceShape.h"

#include <algorithm>
#include <vector>

namespace cimlir::cuda {

using namespace product;

namespace {

size_t alignUp(size_t v, size_t a) { return (v + a - 1) / a * a; }

// K staged at a time with float levels (their rows are four times as wide): two CTAs still fit
// an SM.
constexpr int kFloatChunk = 128;

/// The int8 kernel's CTA shape for args.M rows (args.chunk set): column blocks per CTA in
/// `dynamic` mode; for a narrow layer (N of 64 or fewer), which would leave most warps of a
/// 128-column CTA idle, warps stacked over rows (ProductArgs::rowGroups) when one chunk then
/// still holds a whole row block, two CTAs still fit an SM (the registers allow two:
/// __launch_bounds__), each row group has rows, and it does not take fewer CTAs than SMs where
/// the wide layout would take more (the wide layout's smaller CTAs then finish sooner: a warp's
/// work is the same in both, a narrow CTA stages more). The input slices are staged all at once
/// where they fit, else one at a time.
void layOutColumns(ProductArgs &args, const DeviceShape &device) {
  const CimChipView &chip = args.chip;
  const CimCallView &call = args.call;
  // Float levels: a row block of more than one chunk restages its inputs for every pair, so
  // then only the pair's input slice is staged.
  if (call.floatLevels)
    args.oneSlice = args.chunk < std::min(chip.K, call.rows);
  if (call.adc == AdcKind::Dynamic) {
    args.blocksPerCta = static_cast<int>(kColsPerCta / call.colsPerBlock);
    args.ctaCols = static_cast<int>(args.blocksPerCta * call.colsPerBlock);
    return;
  }
  if (chip.N > 64 || call.floatLevels) // (the float kernel is compiled for the wide layout)
    return;
  if (args.chunk < std::min(chip.K, call.rows)) // a row block takes more than one chunk
    return;
  const size_t limit = std::max(productSharedBytes(args), device.twoCtaShared);
  const int64_t wideCtas = (args.M + kRowsPerCta - 1) / kRowsPerCta;
  for (int groups = kThreads / 32; groups > 1; groups /= 2)
    for (const bool oneSlice : {false, true}) {
      ProductArgs narrow = args;
      narrow.rowGroups = groups;
      narrow.ctaCols = kColsPerWarp * (kThreads / 32 / groups);
      narrow.oneSlice = oneSlice;
      const int64_t ctas = (args.M + kRowsPerCta * groups - 1) / (kRowsPerCta * groups);
      const bool everyGroupHasRows = kRowsPerCta * (groups - 1) < args.M;
      if (narrow.ctaCols >= chip.N && productSharedBytes(narrow) <= limit && everyGroupHasRows &&
          ctas >= std::min<int64_t>(device.sms, wideCtas)) {
        args = narrow;
        return;
      }
    }
}

/// The row blocks of a call with fewer CTAs than SMs (few rows: a decoder's tokens, a
/// classifier's batch) split over CTAs, about two per SM: each adds its row blocks' pair sums
/// into a partial sum, which splitSumKernel adds up. Only integer sums (exact at any split):
/// a double sum (Noisy mode) split or not would differ in the last place with the batch size.
void splitRowBlocks(ProductArgs &args, const DeviceShape &device) {
  const int64_t rowsPerCta = static_cast<int64_t>(kRowsPerCta) * args.rowGroups;
  const int64_t ctas =
      (args.M + rowsPerCta - 1) / rowsPerCta * ((args.chip.N + args.ctaCols - 1) / args.ctaCols);
  args.blocksPerSplit = args.rowBlocks;
  args.splits = 1;
  const bool doubleSums = !args.call.integerSums();
  if (ctas >= device.sms || args.rowBlocks < 2 || doubleSums)
    return;
  const int64_t wanted = std::min<int64_t>(args.rowBlocks, (2 * device.sms + ctas - 1) / ctas);
  args.blocksPerSplit = (args.rowBlocks + wanted - 1) / wanted;
  args.splits = static_cast<int>((args.rowBlocks + args.blocksPerSplit - 1) / args.blocksPerSplit);
}

} // namespace

namespace product {

ProductArgs productArgs(int64_t M, const CimChipView &chip, const CimCallView &call) {
  ProductArgs args;
  args.chip = chip;
  args.call = call;
  args.M = M;
  // K staged at a time: up to 256 (128 with more than 8 input slices, kFloatChunk with float
  // levels), no more than a row block needs (staging zeros past it would cost as much as real
  // rows).
  const int64_t wholeBlock = (std::min(chip.K, call.rows) + 31) / 32 * 32;
  const int64_t most = call.floatLevels ? kFloatChunk : call.T <= 8 ? 256 : 128;
  args.chunk = static_cast<int>(std::min<int64_t>(most, wholeBlock));
  args.rowBlocks = (chip.K + call.rows - 1) / call.rows;
  return args;
}

size_t productSharedBytes(const ProductArgs &a) {
  const size_t ld = static_cast<size_t>(a.chunk + kRowPad);
  const size_t rows = static_cast<size_t>(kRowsPerCta) * a.rowGroups;
  const size_t wRows = a.rowGroups > 1 ? a.stagedCols() : kColsPerCta;
  const size_t T = static_cast<size_t>(a.call.T);
  const size_t wRow = a.call.floatLevels ? (a.chunk + kFloatRowPad) * sizeof(float) : ld;
  return (a.oneSlice ? 1 : T) * rows * ld + wRows * wRow + T * rows * sizeof(long long) +
         rows * a.blocksPerCta * sizeof(unsigned long long) + rows * sizeof(uint2);
}

void layOut(ProductArgs &args) {
  const DeviceShape device = deviceShape();
  layOutColumns(args, device);
  splitRowBlocks(args, device);
}

int64_t digitalLd(const CimChipView &chip) { return (chip.N + 3) / 4 * 4; }

} // namespace product

CimProductLayout cimProductLayout(int64_t M, const CimChipView &chip, const CimCallView &call) {
  ProductArgs args = productArgs(M, chip, call);
  CimProductLayout layout;
  if (call.bitPlanes)
    return layout;
  layOut(args);
  layout.rowsPerCta = kRowsPerCta * args.rowGroups;
  layout.ctaCols = args.ctaCols;
  layout.oneSlice = args.oneSlice;
  layout.splits = args.splits;
  return layout;
}

namespace {

/// The byte sizes of CimScratch's arrays, in order, each aligned to 256.
std::vector<size_t> scratchParts(int64_t M, const CimChipView &chip, const CimCallView &call) {
  const int splits = cimProductLayout(M, chip, call).splits;
  const bool hybrid = call.hybridMax > 0;
  return {alignUp(static_cast<size_t>(M * chip.Kpad) * sizeof(int16_t), 256),
          alignUp(static_cast<size_t>(M) * sizeof(float), 256),
          alignUp(static_cast<size_t>(M), 256),
          splits > 1 ? alignUp(static_cast<size_t>(splits * M * chip.N) * sizeof(long long), 256)
                     : 0,
          hybrid ? alignUp(static_cast<size_t>(M * chip.Kpad), 256) : 0,
          hybrid ? static_cast<size_t>(M * digitalLd(chip)) * sizeof(int32_t) : 0};
}

} // namespace

size_t CimScratch::bytes(int64_t M, const CimChipView &chip, const CimCallView &call) {
  size_t total = 0;
  for (const size_t part : scratchParts(M, chip, call))
    total += part;
  return total;
}

CimScratch CimScratch::carve(void *memory, int64_t M, const CimChipView &chip,
                             const CimCallView &call) {
  const std::vector<size_t> parts = scratchParts(M, chip, call);
  auto *base = static_cast<unsigned char *>(memory);
  CimScratch s;
  s.xq = reinterpret_cast<int16_t *>(base);
  s.rowScales = reinterpret_cast<float *>(base += parts[0]);
  s.rowFinite = base += parts[1];
  base += parts[2];
  s.partials = parts[3] ? base : nullptr;
  base += parts[3];
  s.residual = parts[4] ? reinterpret_cast<int8_t *>(base) : nullptr;
  base += parts[4];
  s.digital = parts[5] ? reinterpret_cast<int32_t *>(base) : nullptr;
  return s;
}

} // namespace cimlir::cuda
