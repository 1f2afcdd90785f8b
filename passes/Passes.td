//===- Passes.td - cimlir passes -----------------------------*- tablegen -*-===//
#ifndef CIMLIR_PASSES_TD
#define CIMLIR_PASSES_TD

include "mlir/Pass/PassBase.td"

def VerifyPlanContract : Pass<"cim-verify-plan-contract", "::mlir::func::FuncOp"> {
  let summary = "Checks that a function is ready to be written into a plan";
  let description = [{
    Runs last, before plan emission (like torch-mlir's backend-contract check): every
    op must be one the runtime executes (an `onnx` or `cim` op, or `func.return`), every tensor
    ranked with an element type plans hold, and every dynamic dimension must be a
    batch dimension that cim-run can bind. Fails with one error per offending op.

    Guarantees: a function that passes is accepted by the plan emitter.
  }];
  let statistics = [
    Statistic<"numSteps", "steps", "Number of ops that become plan steps">,
  ];
}

def LowerToCim : Pass<"cim-lower-to-cim", "::mlir::func::FuncOp"> {
  let summary = "Places the layers with constant weights on CIM crossbars, as the device says";
  let description = [{
    Rewrites every `onnx.Gemm` and `onnx.MatMul` whose B is constant and every `onnx.Conv`
    whose W is constant (cim-numerics.md §0) into a `cim.linear` op carrying the layer's
    resolved device settings, unless the device marks the layer digital (§8), in which
    case the onnx op stays and runs in fp32. Gemm's transA becomes a digital
    `onnx.Transpose` before the layer (§0). A MatMul with a 1-D activation stays digital.

    ```mlir
    %y = onnx.Gemm %x, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64}
    // becomes, under --device rram-256:
    %y = cim.linear %x, %w, %b {kind = "gemm", layer = "/fc1/Gemm", settings = {...}, ...}
    ```

    Guarantees: numerics are unchanged for digital layers; every `cim.linear` names its
    layer (the ONNX node name) and carries settings that passed the device-file checks.
    Fails with an error naming the layer when the device asks for a digital precision
    other than fp32, which the runtime does not implement yet.
  }];
  let options = [
    Option<"device", "device", "std::string", /*default=*/"\"digital\"",
           "device file or preset (docs/device-files.md)">,
  ];
  let dependentDialects = ["::cimlir::cim::CimDialect"];
  let statistics = [
    Statistic<"numCimLayers", "cim-layers", "Layers placed on crossbars">,
    Statistic<"numDigitalLayers", "digital-layers", "Layers with constant weights left digital">,
  ];
}

def MapCrossbars : Pass<"cim-map-crossbars", "::mlir::func::FuncOp"> {
  let summary = "Tiles each CIM layer onto crossbar arrays (cim-numerics.md §2)";
  let description = [{
    For every `cim.linear`, cuts each group's K x N weight matrix into row blocks of
    `crossbar.rows` and column blocks of floor(`crossbar.cols` / 2) outputs (each output
    uses a differential column pair), one array per (row block, column block, weight
    slice), and records the mapping as the op's `mapping` attribute:

    ```mlir
    cim.linear ... {mapping = {arrays = 16 : i64, col_blocks = 1 : i64, groups = 1 : i64,
                               k = 784 : i64, n = 256 : i64, row_blocks = 4 : i64,
                               rows_per_sample = 1 : i64, slices = 4 : i64,
                               utilisation = 0.765625 : f64}, ...}
    ```
    arrays = row_blocks · col_blocks · slices · groups and utilisation =
    2·K·N·slices·groups / (arrays · rows · cols). `rows_per_sample` is how many rows of x
    one sample feeds the layer (1 for Gemm, OH·OW for Conv, the middle axes for an N-D
    MatMul), which the cost report multiplies by. Numbers do not change.
  }];
  let statistics = [
    Statistic<"numArrays", "arrays", "Crossbar arrays of all layers">,
  ];
}

#endif // CIMLIR_PASSES_TD
