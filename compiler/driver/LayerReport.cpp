//===- LayerReport.cpp - cim-opt --report: the per-layer cost table -------===//

#include "compiler/driver/LayerReport.h"

#include "kernels/cim/LayerSettings.h"

#include "dialects/cim/CimOps.h"
#include "dialects/onnx/OnnxOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace cimlir {

namespace {

int64_t intAt(DictionaryAttr d, StringRef section, StringRef field) {
  auto s = section.empty() ? d : d.getAs<DictionaryAttr>(section);
  auto v = s ? s.getAs<IntegerAttr>(field) : IntegerAttr();
  return v ? v.getInt() : 0;
}

std::string nameOf(Operation *op) {
  if (auto n = dyn_cast<NameLoc>(op->getLoc()))
    return n.getName().str();
  return "";
}

/// CSV quoting for names that may hold commas or quotes.
std::string csv(StringRef s) {
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

} // namespace

LogicalResult writeLayerReport(ModuleOp module, const std::string &path, const std::string &name) {
  Location loc = FileLineColLoc::get(module.getContext(), name, 0, 0);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return emitError(loc) << "cannot write: " << ec.message();
  os << "layer,kind,placement,groups,k,n,rows_per_sample,row_blocks,col_blocks,weight_slices,"
        "input_slices,arrays,utilisation,dac_input_slices_per_sample,adc_conversions_per_sample\n";
  module.walk([&](Operation *op) {
    if (auto linear = dyn_cast<cim::LinearOp>(op)) {
      DictionaryAttr m = linear.getMappingAttr();
      if (!m)
        return;
      auto inputs = linear.getInputsAttr();
      auto inSlices = inputs ? inputs.getAs<DenseI64ArrayAttr>("slices") : DenseI64ArrayAttr();
      int64_t t = inSlices ? static_cast<int64_t>(inSlices.size()) : 0;
      auto adc = linear.getAdcAttr();
      auto mode = adc ? adc.getAs<StringAttr>("mode") : StringAttr();
      bool converts = !mode || mode.getValue() != cim::toString(cim::AdcMode::Ideal);
      int64_t rows = intAt(m, "", "rows_per_sample"), rb = intAt(m, "", "row_blocks");
      int64_t groups = intAt(m, "", "groups"), slices = intAt(m, "", "slices"),
              n = intAt(m, "", "n");
      int64_t dac = rows * rb * t * groups;
      int64_t conversions = converts ? dac * slices * n : 0;
      auto util = m.getAs<FloatAttr>("utilisation");
      os << csv(linear.getLayer()) << "," << linear.getKind() << ",cim," << groups << ","
         << intAt(m, "", "k") << "," << n << "," << rows << "," << rb << ","
         << intAt(m, "", "col_blocks") << "," << slices << "," << t << "," << intAt(m, "", "arrays")
         << "," << (util ? util.getValueAsDouble() : 0.0) << "," << dac << "," << conversions
         << "\n";
      return;
    }
    // Left digital (§8): no crossbars, no conversions; the 12 mapping columns stay empty.
    if (auto digital = dyn_cast<cim::DigitalLinearOp>(op))
      os << csv(digital.getLayer()) << "," << digital.getKind() << ",digital"
         << std::string(12, ',') << "\n";
    else if (isa<onnx::GemmOp, onnx::MatMulOp, onnx::ConvOp>(op) &&
             matchPattern(op->getOperand(1), m_Constant()))
      os << csv(nameOf(op)) << "," << op->getName().stripDialect().lower() << ",digital"
         << std::string(12, ',') << "\n";
  });
  os.close();
  if (std::error_code err = os.error()) {
    os.clear_error(); // else raw_fd_ostream's destructor is a fatal error
    return emitError(loc) << "write error: " << err.message();
  }
  return success();
}

} // namespace cimlir
