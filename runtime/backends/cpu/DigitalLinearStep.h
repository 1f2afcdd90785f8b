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

#include "runtime/exec/Backend.h"
#include "runtime/exec/StepAttrs.h"

#include <memory>

namespace cimlir {

/// Prepares a DigitalLinear step. Throws cimlir::Error naming the step for a malformed step
/// (kind, precision, W not a float32 constant of the kind's rank, bad attributes).
std::unique_ptr<StepKernel> prepareDigitalLinear(const StepAttrs &attrs);

} // namespace cimlir
