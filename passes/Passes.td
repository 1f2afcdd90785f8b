//===- Passes.td - cimlir passes -----------------------------*- tablegen -*-===//
#ifndef CIMLIR_PASSES_TD
#define CIMLIR_PASSES_TD

include "mlir/Pass/PassBase.td"

def VerifyPlanContract : Pass<"cim-verify-plan-contract", "::mlir::func::FuncOp"> {
  let summary = "Checks that a function is ready to be written into a plan";
  let description = [{
    Runs last, before plan emission (like torch-mlir's backend-contract check): every
    op must be one the runtime executes (an `onnx` op or `func.return`), every tensor
    ranked with an element type plans hold, and every dynamic dimension must be a
    batch dimension that cim-run can bind. Fails with one error per offending op.

    Guarantees: a function that passes is accepted by the plan emitter.
  }];
  let statistics = [
    Statistic<"numSteps", "steps", "Number of ops that become plan steps">,
  ];
}

#endif // CIMLIR_PASSES_TD
