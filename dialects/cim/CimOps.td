//===- CimOps.td - cim dialect operations --------------------*- tablegen -*-===//
#ifndef CIMLIR_CIM_OPS_TD
#define CIMLIR_CIM_OPS_TD

include "dialects/cim/CimDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Cim_LinearOp : Cim_Op<"linear", [Pure]> {
  let summary = "a layer computed on CIM crossbars: y = CIM(x · W)";
  let description = [{
    The matrix product of a Gemm, MatMul or Conv whose weights are constant, placed on
    crossbars (cim-numerics.md §0–§7). `kind` says which ONNX op it computes and how x and
    W are read:
    - `gemm`: y = alpha · CIM(x · op(W)) + beta · C, W [K,N] or [N,K] with `transB`;
    - `matmul`: y = CIM(x · W), x [..., K], W [K,N];
    - `conv`: im2col rows of x (K ordered as W[M, C/g, k...] flattened, §0) times each
      group's W_g, with `strides`, `pads`, `dilations` and `group`.
    `layer` is the ONNX node name (its id is FNV-1a 64 of "layer#g<group>", §9) and
    `settings` the layer's resolved device settings (docs/device-files.md).
    ```mlir
    %y = cim.linear %x, %w, %b {kind = "gemm", layer = "/fc1/Gemm", alpha = 1.0 : f32,
           beta = 1.0 : f32, transB = 1 : i64, settings = {adc = {bits = 8 : i64, ...}, ...}}
         : (tensor<?x784xf32>, tensor<256x784xf32>, tensor<256xf32>) -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$x, AnyRankedTensor:$weight,
                   Optional<AnyRankedTensor>:$bias,
                   StrAttr:$kind, StrAttr:$layer, DictionaryAttr:$settings,
                   OptionalAttr<F32Attr>:$alpha, OptionalAttr<F32Attr>:$beta,
                   OptionalAttr<I64Attr>:$transB,
                   OptionalAttr<DenseI64ArrayAttr>:$strides,
                   OptionalAttr<DenseI64ArrayAttr>:$pads,
                   OptionalAttr<DenseI64ArrayAttr>:$dilations,
                   OptionalAttr<I64Attr>:$group);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // CIMLIR_CIM_OPS_TD
