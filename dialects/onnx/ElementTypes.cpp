#include "dialects/onnx/ElementTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace cimlir {

mlir::Type elementTypeOf(mlir::MLIRContext *ctx, DType t) {
  mlir::Builder b(ctx);
  switch (t) {
  case DType::F32:
    return b.getF32Type();
  case DType::F64:
    return b.getF64Type();
  case DType::F16:
    return b.getF16Type();
  case DType::BF16:
    return b.getBF16Type();
  case DType::I8:
    return b.getIntegerType(8);
  case DType::U8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case DType::I16:
    return b.getIntegerType(16);
  case DType::U16:
    return b.getIntegerType(16, /*isSigned=*/false);
  case DType::I32:
    return b.getI32Type();
  case DType::I64:
    return b.getI64Type();
  case DType::Bool:
    return b.getI1Type();
  }
  return nullptr;
}

std::optional<DType> dtypeOf(mlir::Type t) {
  for (DType d : allDTypes())
    if (elementTypeOf(t.getContext(), d) == t)
      return d;
  return std::nullopt;
}

} // namespace cimlir
