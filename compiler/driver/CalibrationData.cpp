//===- CalibrationData.cpp - cim-opt --calibration ------------------------===//

#include "compiler/driver/CalibrationData.h"
#include "kernels/cim/LayerSettings.h"

#include "compiler/emitter/PlanEmitter.h"
#include "core/Error.h"
#include "core/OutputFile.h"
#include "dialects/cim/CimOps.h"
#include "passes/LinearLayers.h"
#include "runtime/plan/PlanReader.h"
#include "runtime/tooling/CalibrationRun.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;

namespace cimlir {

namespace {

/// A string field of one section of a cim.linear's settings ("" when absent).
StringRef setting(cim::LinearOp op, StringRef section, StringRef field) {
  DictionaryAttr settings = op.getSettingsAttr();
  auto dict = settings ? settings.getAs<DictionaryAttr>(section) : nullptr;
  auto value = dict ? dict.getAs<StringAttr>(field) : nullptr;
  return value ? value.getValue() : StringRef();
}

/// The calibration plan's IR: every cim.linear a cim.digital_linear in fp32 on its float W
/// with its settings as `calibrate`; every cim.digital_linear in fp32.
LogicalResult toCalibrationModule(ModuleOp module) {
  SmallVector<cim::LinearOp> linears;
  module.walk([&](cim::LinearOp op) { linears.push_back(op); });
  for (cim::LinearOp op : linears) {
    if (!op.getSettingsAttr() ||
        !cast<RankedTensorType>(op.getWeight().getType()).getElementType().isF32())
      return op.emitError() << "layer '" << op.getLayer()
                            << "': calibration needs the layer's settings and float W (run "
                               "it right after placement)";
    cim::DigitalLinearOp digital = createFp32Twin(op);
    // Not an attribute of the op: the calibration plan's extra, which the runner reads.
    digital->setAttr("calibrate", op.getSettingsAttr());
    op->replaceAllUsesWith(digital);
    op->erase();
  }
  module.walk([&](cim::DigitalLinearOp op) {
    op.setPrecision(cim::toString(cim::DigitalPrecision::Fp32));
  });
  return success();
}

} // namespace

std::optional<CalibrationNeed> findCalibrationNeed(ModuleOp module, bool scalesOnly) {
  std::optional<CalibrationNeed> need;
  module.walk([&](cim::LinearOp op) {
    if (setting(op, "inputs", "scale") == cim::toString(cim::InputScale::Static))
      need = CalibrationNeed{op.getLayer().str(), "inputs.scale 'static'"};
    else if (setting(op, "adc", "mode") == cim::toString(cim::AdcMode::Calibrated))
      need = CalibrationNeed{op.getLayer().str(), "adc.mode 'calibrated'"};
    else if (!scalesOnly && smoothAlpha(op) > 0)
      need = CalibrationNeed{op.getLayer().str(), "inputs.smooth_alpha"};
    return need ? WalkResult::interrupt() : WalkResult::advance();
  });
  return need;
}

bool needsSmoothing(ModuleOp module) {
  bool any = false;
  module.walk([&](cim::LinearOp op) {
    any |= smoothAlpha(op) > 0;
    return any ? WalkResult::interrupt() : WalkResult::advance();
  });
  return any;
}

FailureOr<calibration::Table> calibrateModule(ModuleOp module,
                                              const CalibrationDataOptions &options) {
  MLIRContext &context = *module.getContext();
  Location loc = FileLineColLoc::get(&context, options.dataset, 0, 0);
  OwningOpRef<ModuleOp> clone(module.clone());
  if (failed(toCalibrationModule(*clone)))
    return failure();
  // The calibration plan stays in memory: no file the user did not name.
  std::vector<unsigned char> bytes;
  if (failed(emitPlanToMemory(*clone, options.sourceName, bytes)))
    return failure();
  try {
    CalibrationOptions run;
    run.plan = Program::fromPlan(plan::PlanFile::fromMemory(bytes, "the calibration plan"));
    std::vector<unsigned char>().swap(bytes); // the plan holds its own copy
    run.dataset = options.dataset;
    run.split = options.split;
    run.splitGiven = options.splitGiven;
    run.limit = options.limit;
    run.batch = options.batch;
    run.channelMaximaOnly = options.channelMaximaOnly;
    return runCalibration(run);
  } catch (const Error &e) {
    // The runner's messages mostly say "calibration: " already: one prefix.
    std::string what = e.what();
    return emitError(loc) << (what.rfind("calibration: ", 0) == 0 ? "" : "calibration: ") << what;
  } catch (const std::bad_alloc &) {
    return emitError(loc) << "calibration ran out of host memory (try a smaller "
                             "--calibration-limit)";
  } catch (const std::exception &e) {
    return emitError(loc) << e.what();
  }
}

LogicalResult writeTextFile(MLIRContext &context, const std::string &stagedTemp,
                            const std::string &path, const std::string &text) {
  try {
    writeStagedFile(stagedTemp, text, path);
  } catch (const std::exception &e) {
    return emitError(FileLineColLoc::get(&context, path, 0, 0)) << e.what();
  }
  return success();
}

} // namespace cimlir
