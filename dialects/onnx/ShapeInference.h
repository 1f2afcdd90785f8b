//===- ShapeInference.h - shape rules shared by onnx ops --------*- C++ -*-===//
//
// A dimension is either static or dynamic; every dynamic dimension stands for the one
// batch size N bound at run time. Products of dimensions stay representable only as
// a static number or N itself: helpers here refuse anything else (N*3, N*N).
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_DIALECTS_ONNX_SHAPEINFERENCE_H
#define CIMLIR_DIALECTS_ONNX_SHAPEINFERENCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/ValueRange.h"

#include <optional>

namespace cimlir::onnx {

/// Ends every refusal that only a symbolic batch dimension causes: fixing the batch size
/// (cim-opt --input-shape) lifts it.
inline constexpr const char *kFixedBatchHint = "; give the batch a fixed size with --input-shape";

/// Product of dims in the batch-aware sense: a static number, or N (returned as
/// ShapedType::kDynamic) when exactly one factor is N and the others multiply to 1.
/// Returns std::nullopt when the product is not representable.
std::optional<int64_t> batchAwareProduct(llvm::ArrayRef<int64_t> dims);

/// The ranked tensor type of `v`, or an error at `loc` naming `what`.
mlir::FailureOr<mlir::RankedTensorType> rankedOperand(std::optional<mlir::Location> loc,
                                                      mlir::Value v, llvm::StringRef what);

/// Fails with an error at `loc` unless `t` has element type f32.
mlir::LogicalResult requireF32(std::optional<mlir::Location> loc, mlir::RankedTensorType t,
                               llvm::StringRef op, llvm::StringRef operand);

/// Output extent of a sliding window (conv or pool) along one axis; fails if the
/// window does not fit even once.
mlir::FailureOr<int64_t> windowOutputSize(std::optional<mlir::Location> loc, int64_t in,
                                          int64_t kernel, int64_t stride, int64_t padBegin,
                                          int64_t padEnd, int64_t dilation, bool ceilMode);

/// An elementwise function's result: X's type, X float32 or float64 (or a signed integer for
/// the functions cpu::unaryOpTypes says take them).
mlir::LogicalResult inferUnaryFloat(std::optional<mlir::Location> loc, mlir::Value x,
                                    llvm::StringRef opName,
                                    llvm::SmallVectorImpl<mlir::Type> &types);

/// An arithmetic op's result (Add, Mod, Pow, ...): the NumPy broadcast of A and B, which
/// share one element type other than bool.
mlir::LogicalResult inferBroadcast(std::optional<mlir::Location> loc, llvm::StringRef opName,
                                   mlir::Value a, mlir::Value b,
                                   llvm::SmallVectorImpl<mlir::Type> &types);

/// A comparison's (or, `logical`, And/Or/Xor's) result: the broadcast shape of A and B,
/// which share one element type (bool when logical), as i1.
mlir::LogicalResult inferCompare(std::optional<mlir::Location> loc, llvm::StringRef opName,
                                 mlir::Value a, mlir::Value b, bool logical,
                                 llvm::SmallVectorImpl<mlir::Type> &types);

/// A reduction's result: `data` without `axes` (sorted or not, distinct, in [0, rank)), or
/// with them as size 1 when `keepDims`; of `resultElement` when given (ArgMax: i64), else
/// the data's element type.
mlir::LogicalResult inferReduce(std::optional<mlir::Location> loc, llvm::StringRef opName,
                                mlir::Value data, llvm::ArrayRef<int64_t> axes, bool keepDims,
                                std::optional<mlir::Type> resultElement,
                                llvm::SmallVectorImpl<mlir::Type> &types);

/// Softmax, LogSoftmax and Hardmax: a float32 input and `axis` in [-rank, rank).
mlir::LogicalResult inferSoftmaxLike(std::optional<mlir::Location> loc, llvm::StringRef opName,
                                     mlir::Value input, int64_t axis,
                                     llvm::SmallVectorImpl<mlir::Type> &types);

/// What the shape rule of RNN, GRU and LSTM reads (their ops share it; absent operands null).
struct RecurrentOperands {
  mlir::Value x, w, r;
  mlir::ValueRange optionals;
  llvm::ArrayRef<int64_t> optionalOperands; ///< the ONNX input index (3..7) of each optional

  int64_t hiddenSize;
  llvm::StringRef direction;
  size_t activations;
  int64_t inputForget, linearBeforeReset;
};

/// RNN, GRU or LSTM (opName): the operand shapes of the op's description, Y [seq, D, batch,
/// H], Y_h (and LSTM's Y_c) [D, batch, H].
mlir::LogicalResult inferRecurrent(std::optional<mlir::Location> loc, llvm::StringRef opName,
                                   const RecurrentOperands &operands,
                                   llvm::SmallVectorImpl<mlir::Type> &types);

} // namespace cimlir::onnx

#endif
