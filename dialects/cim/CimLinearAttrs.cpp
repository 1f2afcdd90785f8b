//===- CimLinearAttrs.cpp - the decisions of a cim.linear together -------===//
//
// Each decision attribute (CimAttrs.td) checks its own fields; this checks what needs W or
// another decision: lengths that fit the weights and the groups, input slices that sum to
// the bits the DAC carries (h − 1 with a hybrid split), a mapping of W's matrices with the
// weights' slices, full scales per row block and slice pair, and §10's rules across
// sections once the layer's settings are all decided.
//
//===----------------------------------------------------------------------===//

#include "dialects/cim/CimOps.h"

#include "kernels/cim/LayerSettings.h"

using namespace mlir;
using namespace cimlir::cim;

namespace {

/// `name` has `expected` entries (`count` now), one per `what`.
LogicalResult checkCount(LinearOp op, StringRef name, size_t count, int64_t expected,
                         StringRef what) {
  if (static_cast<int64_t>(count) == expected)
    return success();
  return op.emitOpError() << name << " has " << count << " entries, expected " << expected << " ("
                          << what << ")";
}

int64_t sliceSum(const std::vector<int> &widths) {
  int64_t sum = 0;
  for (int w : widths)
    sum += w;
  return sum;
}

} // namespace

namespace cimlir::cim {

LogicalResult verifyLinearDecisions(LinearOp op) {
  const LinearShape shape = getLinearShape(op);
  WeightsAttr weights = op.getWeightsAttr();
  HybridAttr hybrid = op.getHybridAttr();
  InputsAttr inputs = op.getInputsAttr();
  MappingAttr mapping = op.getMappingAttr();
  AdcAttr adc = op.getAdcAttr();
  NoiseAttr noise = op.getNoiseAttr();

  if (weights) {
    const bool perTensor = weights.getSettings().granularity == WeightGranularity::PerTensor;
    if (failed(checkCount(op, "weights.scales", weights.getScales().size(),
                          perTensor ? shape.groups : shape.groups * shape.n,
                          perTensor ? "one per group" : "one per output channel")))
      return failure();
  }
  if (inputs) {
    const InputSettings &s = inputs.getSettings();
    const int64_t h = hybrid ? hybrid.getAnalogBits() : 0;
    if (h > s.bits)
      return op.emitOpError() << "inputs.bits is " << s.bits << ", below hybrid.analog_bits " << h;
    // The DAC carries the magnitude bits, or the analog part's with a hybrid split (§7).
    const int64_t carried = (h ? h : s.bits) - 1;
    if (sliceSum(s.slices) != carried)
      return op.emitOpError() << "inputs.slices sums to " << sliceSum(s.slices)
                              << " bits, expected " << carried
                              << (h ? " (hybrid.analog_bits - 1: the DAC carries the analog part)"
                                    : " (inputs.bits - 1)");
    if (auto scales = inputs.getStaticScales();
        scales && failed(checkCount(op, "inputs.static_scales", scales.size(), shape.groups,
                                    "one per group")))
      return failure();
  }
  if (mapping) {
    if (mapping.getK() != shape.k || mapping.getN() != shape.n ||
        mapping.getGroups() != shape.groups)
      return op.emitOpError() << "mapping is for " << mapping.getGroups() << " groups of "
                              << mapping.getK() << " x " << mapping.getN() << ", but W holds "
                              << shape.groups << " of " << shape.k << " x " << shape.n;
    if (weights && mapping.getSlices() != static_cast<int64_t>(weights.getSettings().slices.size()))
      return op.emitOpError() << "mapping.slices is " << mapping.getSlices()
                              << ", but weights.slices has " << weights.getSettings().slices.size();
  }
  if (adc) {
    if (!mapping || !inputs || !weights)
      return op.emitOpError() << "adc needs mapping, inputs and weights (its full scales are "
                                 "per row block, input slice and weight slice)";
    const int64_t pairs = static_cast<int64_t>(inputs.getSettings().slices.size() *
                                               weights.getSettings().slices.size());
    if (failed(checkCount(op, "adc.full_scales", adc.getFullScales().size(),
                          mapping.rowBlocks() * pairs,
                          "row blocks x input slices x weight slices")))
      return failure();
    if (auto calibrated = adc.getCalibratedFullScales();
        calibrated &&
        failed(checkCount(op, "adc.calibrated_full_scales", calibrated.size(), shape.groups * pairs,
                          "groups x input slices x weight slices")))
      return failure();
  }
  if (noise && failed(checkCount(op, "noise.layer_ids", noise.getLayerIds().size(), shape.groups,
                                 "one per group")))
    return failure();
  // §10's rules across sections (the int32 partial sums need the rows and both slicings).
  if (weights && inputs && mapping) {
    LayerSettings all;
    all.weights = weights.getSettings();
    all.inputs = inputs.getSettings();
    all.inputs.hybridAnalogBits = hybrid ? static_cast<int>(hybrid.getAnalogBits()) : 0;
    all.crossbar = mapping.getCrossbar();
    if (noise)
      all.noise = noise.getSettings();
    if (auto problem = checkAcrossFields(all))
      return op.emitOpError() << problem->field << ": " << problem->what;
  }
  return success();
}

} // namespace cimlir::cim
