// cimlir runtime: the CPU backend's CimLinear step, a weight-stationary layer on CIM
// crossbars (cim-numerics.md; the step format is in docs/plan-format.md).
//
// prepare (plan load): parse the attributes (LinearStepLayout.h) and the layer's device
// settings, apply the run-time overrides (CimSettings.h), derive each group's W_g [K,N] and
// program it onto a chip (ProgrammedWeights::program, with the chip seed in effect). Only
// the compact programmed form (Wq as int8/int16 plus what faults need) is kept.
// run (per batch): LinearStepLayout lowers x to rows (gemm/matmul rows, conv im2col
// patches) and calls cpu::cim::cimLinear per group with the §9 row mapping taken from the
// RunContext (dataset index of the batch's first sample, repeat index), then applies Gemm's
// alpha/beta·C, reshapes (matmul) or scatters and adds the bias (conv).
// report: CimCounters summed over every run since prepare, and the samples they cover.
#pragma once

#include "runtime/backends/cpu/CimSettings.h"
#include "runtime/backends/cpu/StepAttrs.h"
#include "runtime/exec/Backend.h"

#include <memory>

namespace cimlir {

/// Prepares a CimLinear step with `overrides` applied to its settings. Throws cimlir::Error
/// naming the step for a malformed step, settings it cannot run (digital, calibrated ADC,
/// static input scales) or an override that cim-numerics.md §10 refuses.
std::unique_ptr<StepKernel> prepareCimLinear(const StepAttrs &attrs, const CimOverrides &overrides);

} // namespace cimlir
