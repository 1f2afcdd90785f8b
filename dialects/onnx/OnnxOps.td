//===- OnnxOps.td - onnx dialect operations ------------------*- tablegen -*-===//
//
// Result types are inferred (InferTypeOpAdaptor): the importer builds each op from
// its operands and attributes and gets the static shape ONNX's rules give, and the
// verifier checks that a parsed op's result type is that shape.
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_ONNX_OPS_TD
#define CIMLIR_ONNX_OPS_TD

include "dialects/onnx/OnnxDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

class Onnx_InferredOp<string mnemonic, list<Trait> traits = []>
    : Onnx_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor])>;

//===----------------------------------------------------------------------===//
// Constants and identity
//===----------------------------------------------------------------------===//

def Onnx_ConstantOp : Onnx_InferredOp<"Constant", [ConstantLike]> {
  let summary = "a constant tensor (an initializer or a Constant node)";
  let description = [{
    Initializers become `onnx.Constant` ops whose value is a dense resource, so large
    weights stay out of the IR text and are never copied.
    ```mlir
    %w = onnx.Constant {value = dense_resource<fc1.weight> : tensor<256x784xf32>} : tensor<256x784xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "attr-dict `:` type($output)";
  let hasFolder = 1;
}

def Onnx_IdentityOp : Onnx_InferredOp<"Identity"> {
  let summary = "returns its input";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

def Onnx_ReluOp : Onnx_InferredOp<"Relu"> {
  let summary = "max(x, 0)";
  let arguments = (ins AnyRankedTensor:$X);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

// A float function of every element (float32 and float64), with up to two float
// parameters. The CPU kernels' list (kernels/cpu/Elementwise.h, unaryOpTypes) is the
// importer's: it names each op's parameters (alpha and beta here, whatever ONNX calls them)
// and their defaults; each op has its definition here.
class Onnx_UnaryFloatOp<string mnemonic, string what> : Onnx_InferredOp<mnemonic> {
  let summary = what # ", elementwise";
  let arguments = (ins AnyRankedTensor:$X, OptionalAttr<F32Attr>:$alpha,
                   OptionalAttr<F32Attr>:$beta);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> loc, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::cimlir::onnx::inferUnaryFloat(loc, adaptor.getX(), "}] # mnemonic # [{", types);
    }
  }];
}
def Onnx_AbsOp : Onnx_UnaryFloatOp<"Abs", "|x|">;
def Onnx_AcosOp : Onnx_UnaryFloatOp<"Acos", "arccos x">;
def Onnx_AcoshOp : Onnx_UnaryFloatOp<"Acosh", "arcosh x">;
def Onnx_AsinOp : Onnx_UnaryFloatOp<"Asin", "arcsin x">;
def Onnx_AsinhOp : Onnx_UnaryFloatOp<"Asinh", "arsinh x">;
def Onnx_AtanOp : Onnx_UnaryFloatOp<"Atan", "arctan x">;
def Onnx_AtanhOp : Onnx_UnaryFloatOp<"Atanh", "artanh x">;
def Onnx_CeilOp : Onnx_UnaryFloatOp<"Ceil", "the least integer >= x">;
def Onnx_CeluOp : Onnx_UnaryFloatOp<"Celu", "max(0, x) + min(0, alpha (e^(x/alpha) - 1))">;
def Onnx_CosOp : Onnx_UnaryFloatOp<"Cos", "cos x">;
def Onnx_CoshOp : Onnx_UnaryFloatOp<"Cosh", "cosh x">;
def Onnx_EluOp : Onnx_UnaryFloatOp<"Elu", "x >= 0 ? x : alpha (e^x - 1)">;
def Onnx_ErfOp : Onnx_UnaryFloatOp<"Erf", "the error function erf(x)">;
def Onnx_ExpOp : Onnx_UnaryFloatOp<"Exp", "e^x">;
def Onnx_FloorOp : Onnx_UnaryFloatOp<"Floor", "the greatest integer <= x">;
def Onnx_HardSigmoidOp : Onnx_UnaryFloatOp<"HardSigmoid", "max(0, min(1, alpha x + beta))">;
def Onnx_HardSwishOp : Onnx_UnaryFloatOp<"HardSwish", "x max(0, min(1, x/6 + 1/2))">;
def Onnx_LeakyReluOp : Onnx_UnaryFloatOp<"LeakyRelu", "x >= 0 ? x : alpha x">;
def Onnx_LogOp : Onnx_UnaryFloatOp<"Log", "ln x">;
def Onnx_MishOp : Onnx_UnaryFloatOp<"Mish", "x tanh(softplus(x))">;
def Onnx_NegOp : Onnx_UnaryFloatOp<"Neg", "-x">;
def Onnx_ReciprocalOp : Onnx_UnaryFloatOp<"Reciprocal", "1 / x">;
def Onnx_RoundOp : Onnx_UnaryFloatOp<"Round", "x rounded, halves to even">;
def Onnx_SeluOp : Onnx_UnaryFloatOp<"Selu", "beta (x > 0 ? x : alpha (e^x - 1)) (ONNX's gamma is beta)">;
def Onnx_ShrinkOp : Onnx_UnaryFloatOp<"Shrink", "x < -alpha ? x + beta : x > alpha ? x - beta : 0 (ONNX's lambd and bias)">;
def Onnx_SigmoidOp : Onnx_UnaryFloatOp<"Sigmoid", "1 / (1 + e^-x)">;
def Onnx_SignOp : Onnx_UnaryFloatOp<"Sign", "-1, 0 or 1">;
def Onnx_SinOp : Onnx_UnaryFloatOp<"Sin", "sin x">;
def Onnx_SinhOp : Onnx_UnaryFloatOp<"Sinh", "sinh x">;
def Onnx_SoftplusOp : Onnx_UnaryFloatOp<"Softplus", "ln(1 + e^x)">;
def Onnx_SoftsignOp : Onnx_UnaryFloatOp<"Softsign", "x / (1 + |x|)">;
def Onnx_SqrtOp : Onnx_UnaryFloatOp<"Sqrt", "the square root of x">;
def Onnx_TanOp : Onnx_UnaryFloatOp<"Tan", "tan x">;
def Onnx_TanhOp : Onnx_UnaryFloatOp<"Tanh", "tanh x">;
def Onnx_ThresholdedReluOp : Onnx_UnaryFloatOp<"ThresholdedRelu", "x > alpha ? x : 0">;

def Onnx_GeluOp : Onnx_InferredOp<"Gelu"> {
  let summary = "x/2 (1 + erf(x / sqrt 2)), or its tanh approximation (approximate = \"tanh\")";
  let arguments = (ins AnyRankedTensor:$X, StrAttr:$approximate);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

class Onnx_BinaryOp<string mnemonic, string what> : Onnx_InferredOp<mnemonic> {
  let summary = what # " with NumPy broadcasting";
  let arguments = (ins AnyRankedTensor:$A, AnyRankedTensor:$B);
  let results = (outs AnyRankedTensor:$C);
  let assemblyFormat = "$A `,` $B attr-dict `:` functional-type(operands, results)";
}
def Onnx_AddOp : Onnx_BinaryOp<"Add", "A + B">;
def Onnx_SubOp : Onnx_BinaryOp<"Sub", "A - B">;
def Onnx_MulOp : Onnx_BinaryOp<"Mul", "A * B">;
def Onnx_DivOp : Onnx_BinaryOp<"Div", "A / B (integer division truncates)">;
def Onnx_MaxOp : Onnx_BinaryOp<"Max", "max(A, B) (NaN propagates; the importer chains more inputs)">;
def Onnx_MinOp : Onnx_BinaryOp<"Min", "min(A, B) (NaN propagates; the importer chains more inputs)">;
def Onnx_PowOp : Onnx_BinaryOp<"Pow", "A ^ B (B cast to A's type at import)">;
def Onnx_PReluOp : Onnx_BinaryOp<"PRelu", "A < 0 ? A * B : A">;

def Onnx_ModOp : Onnx_InferredOp<"Mod"> {
  let summary = "remainder with NumPy broadcasting: the divisor's sign, or the dividend's (fmod)";
  let arguments = (ins AnyRankedTensor:$A, AnyRankedTensor:$B, I64Attr:$fmod);
  let results = (outs AnyRankedTensor:$C);
  let assemblyFormat = "$A `,` $B attr-dict `:` functional-type(operands, results)";
}

def Onnx_IsNaNOp : Onnx_InferredOp<"IsNaN"> {
  let summary = "whether each element is NaN (bool)";
  let arguments = (ins AnyRankedTensor:$X);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

def Onnx_IsInfOp : Onnx_InferredOp<"IsInf"> {
  let summary = "whether each element is an infinity of the detected signs (bool)";
  let arguments = (ins AnyRankedTensor:$X, I64Attr:$detect_negative, I64Attr:$detect_positive);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

// Comparisons and logical ops: a bool result (the CPU kernels' list, compareOpTypes in
// kernels/cpu/Elementwise.h, is the importer's).
class Onnx_CompareOp<string mnemonic, string what, bit logical = 0> : Onnx_InferredOp<mnemonic> {
  let summary = what # " with NumPy broadcasting, a bool result";
  let arguments = (ins AnyRankedTensor:$A, AnyRankedTensor:$B);
  let results = (outs AnyRankedTensor:$C);
  let assemblyFormat = "$A `,` $B attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> loc, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::cimlir::onnx::inferCompare(loc, "}] # mnemonic # [{", adaptor.getA(),
                                          adaptor.getB(), }] # !if(logical, "true", "false") # [{,
                                          types);
    }
  }];
}
def Onnx_EqualOp : Onnx_CompareOp<"Equal", "A == B">;
def Onnx_GreaterOp : Onnx_CompareOp<"Greater", "A > B">;
def Onnx_GreaterOrEqualOp : Onnx_CompareOp<"GreaterOrEqual", "A >= B">;
def Onnx_LessOp : Onnx_CompareOp<"Less", "A < B">;
def Onnx_LessOrEqualOp : Onnx_CompareOp<"LessOrEqual", "A <= B">;
def Onnx_AndOp : Onnx_CompareOp<"And", "A and B (bool)", 1>;
def Onnx_OrOp : Onnx_CompareOp<"Or", "A or B (bool)", 1>;
def Onnx_XorOp : Onnx_CompareOp<"Xor", "A xor B (bool)", 1>;

def Onnx_NotOp : Onnx_InferredOp<"Not"> {
  let summary = "logical not (bool)";
  let arguments = (ins AnyRankedTensor:$X);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

def Onnx_WhereOp : Onnx_InferredOp<"Where"> {
  let summary = "condition ? X : Y, the three broadcast together";
  let arguments = (ins AnyRankedTensor:$condition, AnyRankedTensor:$X, AnyRankedTensor:$Y);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Matrix products (the layers that go to CIM crossbars when B/W are constant)
//===----------------------------------------------------------------------===//

def Onnx_GemmOp : Onnx_InferredOp<"Gemm"> {
  let summary = "Y = alpha * op(A) * op(B) + beta * C";
  let arguments = (ins AnyRankedTensor:$A, AnyRankedTensor:$B,
                   Optional<AnyRankedTensor>:$C,
                   F32Attr:$alpha, F32Attr:$beta, I64Attr:$transA, I64Attr:$transB);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Onnx_MatMulOp : Onnx_InferredOp<"MatMul"> {
  let summary = "numpy.matmul";
  let arguments = (ins AnyRankedTensor:$A, AnyRankedTensor:$B);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$A `,` $B attr-dict `:` functional-type(operands, results)";
}

def Onnx_ConvOp : Onnx_InferredOp<"Conv"> {
  let summary = "N-d convolution; auto_pad resolved into explicit pads";
  let arguments = (ins AnyRankedTensor:$X, AnyRankedTensor:$W, Optional<AnyRankedTensor>:$B,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$group);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Onnx_MatMulIntegerOp : Onnx_InferredOp<"MatMulInteger"> {
  let summary = "(A − a_zero_point) · (B − b_zero_point) in int32, numpy.matmul's shapes";
  let description = [{
    A and B int8 or uint8 of rank >= 2; each zero point (of its operand's type; the importer
    makes an absent one 0) one value, or one per row of A / column of B. Also what
    QLinearMatMul is built on (compiler/importer/QuantizedImport.cpp).
  }];
  let arguments = (ins AnyRankedTensor:$A, AnyRankedTensor:$B, AnyRankedTensor:$a_zero_point,
                   AnyRankedTensor:$b_zero_point);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Onnx_ConvIntegerOp : Onnx_InferredOp<"ConvInteger"> {
  let summary = "conv(X − x_zero_point, W − w_zero_point) in int32; auto_pad resolved";
  let description = [{
    X and W int8 or uint8; x_zero_point one value, w_zero_point one value or one per output
    channel (the importer makes absent ones 0); padding contributes 0. Also what QLinearConv
    is built on.
  }];
  let arguments = (ins AnyRankedTensor:$X, AnyRankedTensor:$W, AnyRankedTensor:$x_zero_point,
                   AnyRankedTensor:$w_zero_point, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations, I64Attr:$group);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Onnx_ConvTransposeOp : Onnx_InferredOp<"ConvTranspose"> {
  let summary = "N-d transposed convolution; output_shape and auto_pad resolved into pads";
  let description = [{
    Y's spatial size is stride (D - 1) + output_padding + (K - 1) dilation + 1 - the pads.
  }];
  let arguments = (ins AnyRankedTensor:$X, AnyRankedTensor:$W, Optional<AnyRankedTensor>:$B,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, DenseI64ArrayAttr:$output_padding,
                   I64Attr:$group);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Pooling and normalisation
//===----------------------------------------------------------------------===//

def Onnx_MaxPoolOp : Onnx_InferredOp<"MaxPool"> {
  let summary = "N-d max pooling; auto_pad resolved, ceil_mode kept";
  let arguments = (ins AnyRankedTensor:$X, DenseI64ArrayAttr:$kernel_shape,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$ceil_mode);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

def Onnx_AveragePoolOp : Onnx_InferredOp<"AveragePool"> {
  let summary = "N-d average pooling; auto_pad resolved, ceil_mode kept";
  let arguments = (ins AnyRankedTensor:$X, DenseI64ArrayAttr:$kernel_shape,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$ceil_mode,
                   I64Attr:$count_include_pad);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

def Onnx_GlobalAveragePoolOp : Onnx_InferredOp<"GlobalAveragePool"> {
  let summary = "mean over all spatial axes";
  let arguments = (ins AnyRankedTensor:$X);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

def Onnx_BatchNormalizationOp : Onnx_InferredOp<"BatchNormalization"> {
  let summary = "inference-mode batch normalisation (training_mode = 0)";
  let arguments = (ins AnyRankedTensor:$X, AnyRankedTensor:$scale, AnyRankedTensor:$B,
                   AnyRankedTensor:$input_mean, AnyRankedTensor:$input_var, F32Attr:$epsilon);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

// The softmax family along one axis (opset 13 semantics; older opsets are rewritten).
class Onnx_SoftmaxLikeOp<string mnemonic, string what> : Onnx_InferredOp<mnemonic> {
  let summary = what # " along one axis (opset 13 semantics; older opsets are rewritten)";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> loc, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::cimlir::onnx::inferSoftmaxLike(loc, "}] # mnemonic # [{", adaptor.getInput(),
                                              adaptor.getAxis(), types);
    }
  }];
}
def Onnx_SoftmaxOp : Onnx_SoftmaxLikeOp<"Softmax", "softmax">;
def Onnx_LogSoftmaxOp : Onnx_SoftmaxLikeOp<"LogSoftmax", "log of the softmax">;
def Onnx_HardmaxOp : Onnx_SoftmaxLikeOp<"Hardmax", "1 at the first maximum, 0 elsewhere,">;

def Onnx_LayerNormalizationOp : Onnx_InferredOp<"LayerNormalization"> {
  let summary = "normalisation over the axes from `axis` (non-negative) on";
  let description = [{
    Its results are Y, Mean and InvStdDev (the statistics with the normalised axes as size 1);
    the importer maps the ones the node asks for.
  }];
  let arguments = (ins AnyRankedTensor:$X, AnyRankedTensor:$Scale, Optional<AnyRankedTensor>:$B,
                   I64Attr:$axis, F32Attr:$epsilon);
  let results = (outs AnyRankedTensor:$Y, AnyRankedTensor:$Mean, AnyRankedTensor:$InvStdDev);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Onnx_InstanceNormalizationOp : Onnx_InferredOp<"InstanceNormalization"> {
  let summary = "normalisation over the spatial axes per sample and channel";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale, AnyRankedTensor:$B,
                   F32Attr:$epsilon);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Onnx_LRNOp : Onnx_InferredOp<"LRN"> {
  let summary = "local response normalisation across channels";
  let arguments = (ins AnyRankedTensor:$X, I64Attr:$size, F32Attr:$alpha, F32Attr:$beta,
                   F32Attr:$bias);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Recurrent layers
//===----------------------------------------------------------------------===//

// RNN, GRU and LSTM with ONNX's operands (layout 0: the importer transposes layout 1) and
// their attributes normalised: `activations` one per direction and function, with
// `activation_alpha` and `activation_beta` resolved for each (cpu::resolveRecurrentActivations);
// `input_forget` is LSTM's and `linear_before_reset` GRU's (0 for the other cells).
class Onnx_RecurrentOp<string mnemonic, string cell, dag cellResults>
    : Onnx_InferredOp<mnemonic> {
  let summary = "the ONNX " # cell # " layer (layout 0)";
  let description = [{
    X [seq, batch, input], W [D, G·H, input], R [D, G·H, H] (G gates: RNN 1, GRU 3, LSTM 4;
    D = 2 when bidirectional), then the optional operands present, in ONNX's order, with
    `optional_operands` holding the ONNX input index of each: 3 B [D, 2·G·H], 4 sequence_lens
    [batch] (int32), 5 initial_h and 6 (LSTM) initial_c [D, batch, H], 7 (LSTM) P [D, 3·H].
    Results Y [seq, D, batch, H] and Y_h (and, LSTM, Y_c) [D, batch, H]; the importer maps
    those the node asks for.
  }];
  let arguments = (ins AnyRankedTensor:$X, AnyRankedTensor:$W, AnyRankedTensor:$R,
                   Variadic<AnyRankedTensor>:$optionals, DenseI64ArrayAttr:$optional_operands,
                   I64Attr:$hidden_size, StrAttr:$direction,
                   StrArrayAttr:$activations, DenseF32ArrayAttr:$activation_alpha,
                   DenseF32ArrayAttr:$activation_beta, OptionalAttr<F32Attr>:$clip,
                   I64Attr:$input_forget, I64Attr:$linear_before_reset);
  let results = cellResults;
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> loc, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::cimlir::onnx::inferRecurrent(loc, "}] # mnemonic # [{",
          {adaptor.getX(), adaptor.getW(), adaptor.getR(), adaptor.getOptionals(),
           adaptor.getOptionalOperands(), static_cast<int64_t>(adaptor.getHiddenSize()),
           adaptor.getDirection(), adaptor.getActivations().size(),
           static_cast<int64_t>(adaptor.getInputForget()),
           static_cast<int64_t>(adaptor.getLinearBeforeReset())}, types);
    }
  }];
}
def Onnx_RNNOp : Onnx_RecurrentOp<"RNN", "Elman RNN",
    (outs AnyRankedTensor:$Y, AnyRankedTensor:$Y_h)>;
def Onnx_GRUOp : Onnx_RecurrentOp<"GRU", "GRU", (outs AnyRankedTensor:$Y, AnyRankedTensor:$Y_h)>;
def Onnx_LSTMOp : Onnx_RecurrentOp<"LSTM", "LSTM",
    (outs AnyRankedTensor:$Y, AnyRankedTensor:$Y_h, AnyRankedTensor:$Y_c)>;

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Onnx_ReshapeOp : Onnx_InferredOp<"Reshape"> {
  let summary = "reshape to a constant shape (0 copies, -1 infers, allowzero)";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$shape, I64Attr:$allowzero);
  let results = (outs AnyRankedTensor:$reshaped);
  let assemblyFormat = "$data `,` $shape attr-dict `:` functional-type(operands, results)";
}

def Onnx_FlattenOp : Onnx_InferredOp<"Flatten"> {
  let summary = "flatten to 2-D at `axis`";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Onnx_TransposeOp : Onnx_InferredOp<"Transpose"> {
  let summary = "permute axes";
  let arguments = (ins AnyRankedTensor:$data, DenseI64ArrayAttr:$perm);
  let results = (outs AnyRankedTensor:$transposed);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Data movement (OnnxDataOps.cpp). Operands that ONNX lets be tensors but that fix the
// result's shape (Slice's starts, Unsqueeze's axes, Expand's shape, ...) are attributes:
// the importer needs them constant, and normalises the opsets' forms into these.
//===----------------------------------------------------------------------===//

def Onnx_CastOp : Onnx_InferredOp<"Cast"> {
  let summary = "elementwise conversion to the element type `to`";
  let arguments = (ins AnyRankedTensor:$input, TypeAttr:$to);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Onnx_ConcatOp : Onnx_InferredOp<"Concat"> {
  let summary = "inputs joined along `axis` (non-negative)";
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$concat_result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def Onnx_SliceOp : Onnx_InferredOp<"Slice"> {
  let summary = "a strided slice: starts, ends and steps along distinct non-negative axes";
  let arguments = (ins AnyRankedTensor:$data, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$axes, DenseI64ArrayAttr:$steps);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
}

def Onnx_SqueezeOp : Onnx_InferredOp<"Squeeze"> {
  let summary = "removes the size-1 `axes` (sorted, non-negative)";
  let arguments = (ins AnyRankedTensor:$data, DenseI64ArrayAttr:$axes);
  let results = (outs AnyRankedTensor:$squeezed);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
}

def Onnx_UnsqueezeOp : Onnx_InferredOp<"Unsqueeze"> {
  let summary = "inserts size-1 axes at `axes` (sorted, non-negative, of the result)";
  let arguments = (ins AnyRankedTensor:$data, DenseI64ArrayAttr:$axes);
  let results = (outs AnyRankedTensor:$expanded);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
}

def Onnx_GatherOp : Onnx_InferredOp<"Gather"> {
  let summary = "data taken at int32/int64 `indices` along `axis` (non-negative)";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Onnx_SplitOp : Onnx_InferredOp<"Split"> {
  let summary = "splits `input` along `axis` into parts of the sizes `split`";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis, DenseI64ArrayAttr:$split);
  let results = (outs Variadic<AnyRankedTensor>:$outputs);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Onnx_ExpandOp : Onnx_InferredOp<"Expand"> {
  let summary = "input broadcast with `shape` (NumPy rules)";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Onnx_TileOp : Onnx_InferredOp<"Tile"> {
  let summary = "input repeated `repeats` times along each axis";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Onnx_PadOp : Onnx_InferredOp<"Pad"> {
  let summary = "pads (negative: crops) every axis; mode constant (fill `value`), reflect, edge or wrap";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$value,
                   DenseI64ArrayAttr:$pads, StrAttr:$mode);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$data `,` $value attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Reductions and Clip (their shape rules in OnnxDataOps.cpp)
//===----------------------------------------------------------------------===//

// A Reduce op over `axes` (sorted, non-negative; the importer resolves ONNX's empty axes into
// all of them, or none for noop_with_empty_axes). The CPU kernels' list (reduceOpTypes in
// kernels/cpu/Reduce.h) is the importer's.
class Onnx_ReduceOp<string mnemonic, string what> : Onnx_InferredOp<mnemonic> {
  let summary = what # " over `axes`";
  let arguments = (ins AnyRankedTensor:$data, DenseI64ArrayAttr:$axes, I64Attr:$keepdims);
  let results = (outs AnyRankedTensor:$reduced);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> loc, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::cimlir::onnx::inferReduce(loc, "}] # mnemonic # [{", adaptor.getData(),
                                         adaptor.getAxes(), adaptor.getKeepdims() != 0,
                                         std::nullopt, types);
    }
  }];
}
def Onnx_ReduceL1Op : Onnx_ReduceOp<"ReduceL1", "sum |x|">;
def Onnx_ReduceL2Op : Onnx_ReduceOp<"ReduceL2", "sqrt(sum x^2)">;
def Onnx_ReduceLogSumOp : Onnx_ReduceOp<"ReduceLogSum", "log(sum x)">;
def Onnx_ReduceLogSumExpOp : Onnx_ReduceOp<"ReduceLogSumExp", "log(sum e^x)">;
def Onnx_ReduceMaxOp : Onnx_ReduceOp<"ReduceMax", "max">;
def Onnx_ReduceMeanOp : Onnx_ReduceOp<"ReduceMean", "mean">;
def Onnx_ReduceMinOp : Onnx_ReduceOp<"ReduceMin", "min">;
def Onnx_ReduceProdOp : Onnx_ReduceOp<"ReduceProd", "product">;
def Onnx_ReduceSumOp : Onnx_ReduceOp<"ReduceSum", "sum">;
def Onnx_ReduceSumSquareOp : Onnx_ReduceOp<"ReduceSumSquare", "sum x^2">;

class Onnx_ArgOp<string mnemonic, string what> : Onnx_InferredOp<mnemonic> {
  let summary = "int64 index of the " # what # " along `axis` (non-negative)";
  let arguments = (ins AnyRankedTensor:$data, I64Attr:$axis, I64Attr:$keepdims,
                   I64Attr:$select_last_index);
  let results = (outs AnyRankedTensor:$reduced);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *ctx,
        std::optional<::mlir::Location> loc, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::cimlir::onnx::inferReduce(loc, "}] # mnemonic # [{", adaptor.getData(),
                                         {static_cast<int64_t>(adaptor.getAxis())},
                                         adaptor.getKeepdims() != 0,
                                         ::mlir::IntegerType::get(ctx, 64), types);
    }
  }];
}
def Onnx_ArgMaxOp : Onnx_ArgOp<"ArgMax", "first (or last) maximum">;
def Onnx_ArgMinOp : Onnx_ArgOp<"ArgMin", "first (or last) minimum">;

def Onnx_ClipOp : Onnx_InferredOp<"Clip"> {
  let summary = "min(max(x, min), max); min and max one element each (the importer fills absent ones)";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$min, AnyRankedTensor:$max);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Indexing along an axis (OnnxIndexingOps.cpp)
//===----------------------------------------------------------------------===//

def Onnx_GatherElementsOp : Onnx_InferredOp<"GatherElements"> {
  let summary = "data at `indices` along `axis` (non-negative), element by element";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Onnx_ScatterElementsOp : Onnx_InferredOp<"ScatterElements"> {
  let summary = "data with `updates` written at `indices` along `axis` (reduction none, add, mul, max or min)";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices, AnyRankedTensor:$updates,
                   I64Attr:$axis, StrAttr:$reduction);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Onnx_GatherNDOp : Onnx_InferredOp<"GatherND"> {
  let summary = "slices of data at index tuples (the indices' last axis), after `batch_dims` shared axes";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices, I64Attr:$batch_dims);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Onnx_ScatterNDOp : Onnx_InferredOp<"ScatterND"> {
  let summary = "data with `updates` combined into the slices at index tuples (reduction none, add, mul, max or min)";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices, AnyRankedTensor:$updates,
                   StrAttr:$reduction);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Onnx_OneHotOp : Onnx_InferredOp<"OneHot"> {
  let summary = "one-hot rows of `depth` along a new `axis` (non-negative), values [off, on]";
  let arguments = (ins AnyRankedTensor:$indices, AnyRankedTensor:$values, I64Attr:$depth,
                   I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$indices `,` $values attr-dict `:` functional-type(operands, results)";
}

def Onnx_TopKOp : Onnx_InferredOp<"TopK"> {
  let summary = "the `k` largest or smallest elements along `axis` (non-negative), sorted, and their indices";
  let arguments = (ins AnyRankedTensor:$X, I64Attr:$k, I64Attr:$axis, I64Attr:$largest);
  let results = (outs AnyRankedTensor:$Values, AnyRankedTensor:$Indices);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

def Onnx_TriluOp : Onnx_InferredOp<"Trilu"> {
  let summary = "the upper or lower triangle (diagonal `k`) of the last two axes, the rest zero";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$upper, I64Attr:$k);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Onnx_CumSumOp : Onnx_InferredOp<"CumSum"> {
  let summary = "running sums along `axis` (non-negative), exclusive and reverse as asked";
  let arguments = (ins AnyRankedTensor:$x, I64Attr:$axis, I64Attr:$exclusive, I64Attr:$reverse);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
}

def Onnx_NegativeLogLikelihoodLossOp : Onnx_InferredOp<"NegativeLogLikelihoodLoss"> {
  let summary = "-input[n, target, ...] * weight[target], reduced none, sum or mean";
  let description = [{
    SoftmaxCrossEntropyLoss imports as LogSoftmax along axis 1 followed by this op.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$target,
                   Optional<AnyRankedTensor>:$weight, StrAttr:$reduction,
                   OptionalAttr<I64Attr>:$ignore_index);
  let results = (outs AnyRankedTensor:$loss);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Onnx_EinsumOp : Onnx_InferredOp<"Einsum"> {
  let summary = "Einstein summation by `equation` (any form: kernels/cpu/Einsum.h)";
  let arguments = (ins Variadic<AnyRankedTensor>:$Inputs, StrAttr:$equation);
  let results = (outs AnyRankedTensor:$Output);
  let assemblyFormat = "$Inputs attr-dict `:` functional-type(operands, results)";
}

def Onnx_QuantizeLinearOp : Onnx_InferredOp<"QuantizeLinear"> {
  let summary = "saturate(round(x / scale) + zero_point) to int8 or uint8, per tensor or per `axis`";
  let arguments = (ins AnyRankedTensor:$x, AnyRankedTensor:$y_scale,
                   Optional<AnyRankedTensor>:$y_zero_point, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Onnx_DequantizeLinearOp : Onnx_InferredOp<"DequantizeLinear"> {
  let summary = "(x - zero_point) * scale, per tensor or per `axis`";
  let arguments = (ins AnyRankedTensor:$x, AnyRankedTensor:$x_scale,
                   Optional<AnyRankedTensor>:$x_zero_point, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Onnx_ResizeOp : Onnx_InferredOp<"Resize"> {
  let summary = "resize to `sizes` (-1 keeps the batch) with the per-axis `scales` of the coordinate mapping";
  let description = [{
    The importer resolves every opset's form (scales or sizes as inputs, Upsample) into the
    output `sizes` and the `scales` the coordinate transformation uses (kernels/cpu/Resize.h).
  }];
  let arguments = (ins AnyRankedTensor:$X, DenseI64ArrayAttr:$sizes, DenseF64ArrayAttr:$scales,
                   DenseF64ArrayAttr:$roi, StrAttr:$mode, StrAttr:$coordinate_transformation_mode,
                   StrAttr:$nearest_mode, F64Attr:$cubic_coeff_a, I64Attr:$exclude_outside,
                   F64Attr:$extrapolation_value);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

#endif // CIMLIR_ONNX_OPS_TD
