// cimlir runtime: the CPU backend's CimLinear step, a weight-stationary layer on CIM
// crossbars (cim-numerics.md; the step format is in docs/plan-format.md).
//
// prepare (plan load): read the decisions the compiler wrote into the step
// (runtime/exec/CimStepParams.h: weights, inputs, hybrid, mapping, adc, noise), apply the run-time
// overrides, take each group's Wq [K,N] and scales out of the plan's integer weights
// (runtime/exec/LinearStep.h and kernels/cim/WeightLayout.h) and program it onto a chip with the
// plan's layer id (ProgrammedWeights::program, with the chip seed in effect). The kernel converts
// with the plan's full scales. Only the compact programmed form (Wq as int8/int16 plus what faults
// need) is kept.
// run (per batch): LinearStepLayout lowers x to rows (gemm/matmul rows, conv im2col
// patches) and calls cpu::cimLinear per group with the §9 row mapping taken from the
// RunContext (dataset index of the batch's first sample, repeat index), then applies Gemm's
// alpha/beta·C, reshapes (matmul) or scatters and adds the bias (conv).
// report: CimCounters summed over every run since prepare and the samples they cover, which
// cim-run prices (runtime/tooling/RepeatReport.h).
#pragma once

#include "kernels/cpu/cim/CimLinear.h"
#include "kernels/cpu/cim/WeightProgramming.h"
#include "runtime/backends/cpu/LinearStepLayout.h"
#include "runtime/device/CostModel.h"
#include "runtime/exec/Backend.h"
#include "runtime/exec/CimStepParams.h"
#include "runtime/exec/StepAttrs.h"

#include <memory>
#include <string>
#include <vector>

namespace cimlir {

/// A CimLinear step's layer as loaded: the decisions with the overrides, the layout and one
/// programmed chip per group (programming is host work, the same for every backend, so the
/// CUDA backend's step builds on this too).
class CimLayer {
public:
  /// Throws cimlir::Error naming the step (see prepareCimLinear).
  CimLayer(const StepAttrs &attrs, const CimOverrides &overrides);

  const CimStepParams &decided() const { return decided_; }
  const LinearStepLayout &layout() const { return layout_; }
  const std::vector<cpu::ProgrammedWeights> &chips() const { return chips_; }
  /// The parameters of one call on group g: those the chip was programmed with, and the
  /// repeat index that keys the fresh noise with the seed (§9).
  cim::CimParams callParams(int64_t g, const RunContext &context) const;
  /// cim-run's per-layer report: settings, arrays and `counters` over `samples` samples
  /// (runtime/tooling/RepeatReport.h prices them).
  nlohmann::json report(const cpu::CimCounters &counters, int64_t samples) const;

private:
  // Everything the compiler decided (weights, inputs, hybrid, mapping, adc, noise), with the
  // run-time overrides; nothing is derived again from device settings.
  CimStepParams decided_;
  LinearStepLayout layout_;
  std::string name_;
  std::vector<cpu::ProgrammedWeights> chips_; // one per group
  device::CimLayerShape shape_;               // its arrays
};

/// Prepares a CimLinear step with `overrides` applied to its settings. Throws cimlir::Error
/// naming the step for a malformed step, settings it cannot run (calibrated ADC, static
/// input scales) or an override that cim-numerics.md §10 refuses.
std::unique_ptr<StepKernel> prepareCimLinear(const StepAttrs &attrs, const CimOverrides &overrides);

} // namespace cimlir
