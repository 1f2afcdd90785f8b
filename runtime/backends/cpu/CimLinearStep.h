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
// report: CimCounters summed over every run since prepare, and the samples they cover.
#pragma once

#include "runtime/exec/Backend.h"
#include "runtime/exec/CimStepParams.h"
#include "runtime/exec/StepAttrs.h"

#include <memory>

namespace cimlir {

/// Prepares a CimLinear step with `overrides` applied to its settings. Throws cimlir::Error
/// naming the step for a malformed step, settings it cannot run (calibrated ADC, static
/// input scales) or an override that cim-numerics.md §10 refuses.
std::unique_ptr<StepKernel> prepareCimLinear(const StepAttrs &attrs, const CimOverrides &overrides);

} // namespace cimlir
