#include "kernels/cpu/LayerNormPrologue.h"

#include <cmath>

namespace cimlir::cpu {

std::string layerNormPrologueError(const LayerNormPrologue &p, const std::string &kind,
                                   int64_t inputs) {
  const std::string field = LayerNormPrologue::kField;
  if (kind != "gemm" && kind != "matmul")
    return "has " + field + " on a layer of kind " + kind + "; only gemm and matmul rows are " +
           "normalised on their way to the crossbars";
  if (p.scale < 2 || p.scale > 3)
    return "has " + field + " scale " + std::to_string(p.scale) +
           ", which must be the input after the layer's own (2, or 3 after a Gemm's C or a " +
           "MatMul's bias)";
  if (p.bias != -1 && p.bias != p.scale + 1)
    return "has " + field + " bias " + std::to_string(p.bias) + ", which must be the input after " +
           "the scale (" + std::to_string(p.scale + 1) + ") or absent";
  if (inputs != p.inputs())
    return "has " + std::to_string(inputs) + " inputs, but its " + field + " says " +
           std::to_string(p.inputs()) + " (the layer's " + std::to_string(p.layerInputs()) +
           ", the scale" + (p.bias >= 0 ? " and the bias)" : ")");
  if (!std::isfinite(p.epsilon) || p.epsilon <= 0.0f)
    return "has " + field + " epsilon " + std::to_string(p.epsilon) +
           ", which must be finite and > 0";
  return "";
}

} // namespace cimlir::cpu
