//===- ElementwiseChainOp.cpp - cim.elementwise_chain's verifier ----------===//

#include "dialects/cim/CimOps.h"

#include "kernels/cpu/ElementwiseChain.h"

using namespace mlir;
using namespace cimlir::cim;

bool cimlir::cim::chainInputBroadcasts(RankedTensorType input, RankedTensorType out) {
  if (input.getRank() > out.getRank())
    return false;
  for (int64_t k = 0; k < input.getRank(); ++k) {
    const int64_t d = input.getDimSize(input.getRank() - 1 - k);
    if (d != 1 && d != out.getDimSize(out.getRank() - 1 - k))
      return false;
  }
  return true;
}

LogicalResult ElementwiseChainOp::verify() {
  const int64_t count = static_cast<int64_t>(getInputs().size());
  if (count < 1 || count > cimlir::cpu::kMaxChainInputs)
    return emitOpError("takes 1 to ") << cimlir::cpu::kMaxChainInputs << " inputs, not " << count;
  auto out = cast<RankedTensorType>(getY().getType());
  if (getInputs().front().getType() != out)
    return emitOpError("gives y of its first input's type, not ") << out;
  if (!out.getElementType().isF32() && !out.getElementType().isF64())
    return emitOpError("computes float32 or float64, not ") << out.getElementType();
  for (auto [j, input] : llvm::enumerate(getInputs())) {
    auto type = cast<RankedTensorType>(input.getType());
    if (type.getElementType() != out.getElementType() || !chainInputBroadcasts(type, out))
      return emitOpError("input ") << j << " (" << type << ") does not broadcast to " << out;
  }
  const int64_t length = static_cast<int64_t>(getProgram().size());
  if (length < 1 || length > cimlir::cpu::kMaxChainInstructions)
    return emitOpError("holds 1 to ")
           << cimlir::cpu::kMaxChainInstructions << " instructions, not " << length;
  for (auto [k, entry] : llvm::enumerate(getProgram())) {
    auto dict = dyn_cast<DictionaryAttr>(entry);
    auto op = dict ? dict.getAs<StringAttr>("op") : StringAttr();
    if (!op)
      return emitOpError("program entry ") << k << " is not a dictionary with a string 'op'";
    cimlir::cpu::ChainInstructionFields fields;
    fields.op = op.str();
    for (NamedAttribute field : dict) {
      StringRef key = field.getName().getValue();
      Attribute value = field.getValue();
      auto wrong = [&](const char *what) {
        return emitOpError("program entry ") << k << ": '" << key << "' is not " << what;
      };
      if (key == "op")
        continue;
      if (key == "input") {
        auto i = dyn_cast<IntegerAttr>(value);
        if (!i || isa<BoolAttr>(value))
          return wrong("an integer");
        fields.input = i.getInt();
      } else if (key == "swapped") {
        auto b = dyn_cast<BoolAttr>(value);
        if (!b)
          return wrong("a boolean");
        fields.swapped = b.getValue();
      } else if (key == "alpha" || key == "beta") {
        auto f = dyn_cast<FloatAttr>(value);
        if (!f)
          return wrong("a float");
        (key == "alpha" ? fields.alpha : fields.beta) = f.getValueAsDouble();
      } else if (key == "approximate") {
        auto s = dyn_cast<StringAttr>(value);
        if (!s)
          return wrong("a string");
        fields.approximate = s.str();
      } else {
        fields.otherKeys.push_back(key.str());
      }
    }
    std::string error;
    const bool last = k + 1 == getProgram().size();
    const cimlir::DType type =
        out.getElementType().isF32() ? cimlir::DType::F32 : cimlir::DType::F64;
    if (!cimlir::cpu::chainInstructionFrom(fields, count, last, type, out.getRank(), error))
      return emitOpError("program entry ") << k << ": " << error;
  }
  return success();
}
