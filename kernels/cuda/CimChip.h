// cimlir CUDA kernels: a programmed chip (kernels/cpu/cim/WeightProgramming.h: host code, the
// same cells on every backend) moved to device memory in the layout of the fused CIM kernel
// (CimLinear.h), and what that kernel cannot run yet.
#pragma once

#include "kernels/cpu/cim/WeightProgramming.h"
#include "kernels/cuda/CimLinear.h"
#include "kernels/cuda/DeviceMemory.h"

#include <memory>
#include <string>
#include <vector>

namespace cimlir::cuda {

/// One group's chip in device memory, with the call parameters of the chip's params() (the
/// fresh key and row mapping are set per call: withRows).
struct DeviceCimChip {
  std::vector<std::shared_ptr<void>> memory;
  cim::CimParams params; ///< what the chip was programmed with (seed and layer id among them)
  CimChipView chip;
  CimCallView call;
  /// The id of the cell array (levels or planes) where uploadCimChip registered it instead of
  /// uploading it (chip.levels, floatLevels or planes, as the call says, are then null until a
  /// caller fills them), else -1.
  int cellArray = -1;

  /// call with the fresh key of (seed, repeat, layer id) and the row mapping of §9 (rows'
  /// samples from *batchStart + sampleOffset; batchStart null: from sampleOffset).
  CimCallView withRows(uint64_t repeat, const int64_t *batchStart, int64_t sampleOffset,
                       int64_t rowsPerSample, int64_t rowOffset) const;
};

/// Uploads `weights` (programmed with weights.params()): the differential levels (as int8
/// [S][N][Kpad], float32 with programming noise, or the one-bit kernel's bit planes when it runs
/// the layer: CimCallView::bitPlanes), s_w per column and the full scales. The caller checks
/// cimGpuGap first.
DeviceCimChip uploadCimChip(const cpu::ProgrammedWeights &weights, const Upload &upload,
                            const RegisterWeights &registerCells = nullptr);

/// What of `params` (a layer with K rows) the fused kernel does not do yet, or "" when it runs
/// it: hybrid inputs of more than 8 bits (or K of 133,000 or more),
/// `dynamic` column blocks wider than 128 outputs, more than 16 slices, or exact sums beyond int64.
std::string cimGpuGap(const cim::CimParams &params, int64_t K);

} // namespace cimlir::cuda
