//===- FrozenInputs.cpp - graph inputs turned into constants --------------===//
//
// Uses the runtime's NPZ reader, which reports errors by throwing cimlir::Error; this
// file alone is compiled with exceptions (CMakeLists.txt) and turns them into
// diagnostics, so no exception crosses into the -fno-exceptions compiler.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/FrozenInputs.h"

#include "core/Error.h"
#include "dialects/onnx/ElementTypes.h"
#include "runtime/data/Npz.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace cimlir {

LogicalResult loadFrozenInputs(MLIRContext &context, const std::string &path, FrozenInputs &out) {
  Location loc = FileLineColLoc::get(&context, path, 0, 0);
  std::map<std::string, Tensor> arrays;
  try {
    arrays = readNpz(path);
  } catch (const Error &e) {
    return emitError(loc) << e.what();
  }
  for (const auto &[name, tensor] : arrays) {
    auto type = RankedTensorType::get(tensor.shape(), elementTypeOf(&context, tensor.dtype()));
    ArrayRef<char> raw(static_cast<const char *>(tensor.raw()), tensor.byteSize());
    if (tensor.dtype() == DType::Bool) {
      SmallVector<bool> bits;
      for (char c : raw)
        bits.push_back(c != 0);
      out[name] = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
    } else {
      out[name] = DenseElementsAttr::getFromRawBuffer(type, raw);
    }
  }
  return success();
}

} // namespace cimlir
