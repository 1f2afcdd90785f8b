// cimlir runtime: the CPU backend's DigitalLinear step, a Gemm, MatMul, Conv or ConvTranspose
// (or a recurrent layer's hidden product) with a
// constant weight computed digitally in the precision of cim-numerics.md §8 (the step format
// is in docs/plan-format.md, the formulas in docs/numerics.md).
//
// prepare (plan load): decode the step (runtime/exec/LinearStep.h) and the precision, derive
// each group's W_g [K,N] and prepare it for the kernel (cpu::DigitalWeights: W itself, its
// bf16 rounding, or int8 levels and per-channel scales).
// run (per batch): LinearStepLayout lowers x to rows (gemm/matmul rows, conv im2col
// patches), cpu::digitalLinear computes each group's product, and the layout applies Gemm's
// alpha/beta·C, reshapes (matmul) or scatters and adds the bias (conv).
// report: the kind, precision, extents and the samples run since prepare.
#pragma once

#include "kernels/cim/LayerSettings.h"
#include "kernels/cpu/DigitalLinear.h"
#include "runtime/backends/cpu/LinearStepLayout.h"
#include "runtime/exec/Backend.h"
#include "runtime/exec/StepAttrs.h"

#include <memory>
#include <string>
#include <vector>

namespace cimlir {

/// A DigitalLinear step's layer as loaded: its layout, precision and each group's weights
/// prepared for its precision (the CUDA backend's step uploads these).
class DigitalLayer {
public:
  /// Throws cimlir::Error naming the step (see prepareDigitalLinear).
  explicit DigitalLayer(const StepAttrs &attrs);

  const LinearStepLayout &layout() const { return layout_; }
  const std::string &name() const { return name_; }
  cim::DigitalPrecision precision() const { return precision_; }
  const std::vector<cpu::DigitalWeights> &weights() const { return weights_; }
  /// cim-run's per-layer report: `macs` multiply-accumulates over `samples` samples
  /// (runtime/tooling/RepeatReport.h prices them).
  nlohmann::json report(int64_t samples, int64_t macs) const;
  /// The multiply-accumulates of a call on M rows of one group.
  int64_t macs(int64_t M) const { return M * layout_.step().k * layout_.step().n; }

private:
  LinearStepLayout layout_;
  std::string name_;
  cim::DigitalPrecision precision_ = cim::DigitalPrecision::Fp32;
  std::vector<cpu::DigitalWeights> weights_; // one per group
};

/// Prepares a DigitalLinear step. Throws cimlir::Error naming the step for a malformed step
/// (kind, precision, W not a float32 constant of the kind's rank, bad attributes).
std::unique_ptr<StepKernel> prepareDigitalLinear(const StepAttrs &attrs);

} // namespace cimlir
