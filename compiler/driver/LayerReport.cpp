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

std::string nameOf(Operation *op) {
  if (auto n = dyn_cast<NameLoc>(op->getLoc()))
    return n.getName().str();
  return "";
}

/// The nodes folded into a layer, separated by ';': cim-fold-batch-norm lists their names in
/// the metadata of a FusedLoc under the layer's NameLoc.
std::string fusedNodes(Operation *op) {
  auto name = dyn_cast<NameLoc>(op->getLoc());
  auto fused = name ? dyn_cast<FusedLoc>(name.getChildLoc()) : FusedLoc();
  auto names = fused ? dyn_cast_or_null<ArrayAttr>(fused.getMetadata()) : ArrayAttr();
  std::string out;
  if (names)
    for (Attribute a : names)
      if (auto s = dyn_cast<StringAttr>(a))
        out += (out.empty() ? "" : ";") + s.str();
  return out;
}

/// CSV quoting for names that may hold commas or quotes.
std::string csv(StringRef s) {
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

/// The `fused` column: the folded nodes, quoted, or nothing.
std::string fusedColumn(Operation *op) {
  const std::string fused = fusedNodes(op);
  return fused.empty() ? "" : csv(fused);
}

} // namespace

LogicalResult writeLayerReport(ModuleOp module, const std::string &path, const std::string &name) {
  Location loc = FileLineColLoc::get(module.getContext(), name, 0, 0);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return emitError(loc) << "cannot write: " << ec.message();
  os << "layer,kind,placement,groups,k,n,rows_per_sample,row_blocks,col_blocks,weight_slices,"
        "input_slices,arrays,utilisation,dac_input_slices_per_sample,adc_conversions_per_sample,"
        "fused\n";
  module.walk([&](Operation *op) {
    if (auto linear = dyn_cast<cim::LinearOp>(op)) {
      cim::MappingAttr m = linear.getMappingAttr();
      if (!m)
        return;
      auto inputs = linear.getInputsAttr();
      int64_t t = inputs ? static_cast<int64_t>(inputs.getSettings().slices.size()) : 0;
      auto adc = linear.getAdcAttr();
      bool converts = !adc || adc.getSettings().mode != cim::AdcMode::Ideal;
      int64_t rows = m.getRowsPerSample(), rb = m.rowBlocks();
      int64_t dac = rows * rb * t * m.getGroups();
      int64_t conversions = converts ? dac * m.getSlices() * m.getN() : 0;
      os << csv(linear.getLayer()) << "," << linear.getKind() << ",cim," << m.getGroups() << ","
         << m.getK() << "," << m.getN() << "," << rows << "," << rb << "," << m.colBlocks() << ","
         << m.getSlices() << "," << t << "," << m.arrays() << "," << m.utilisation() << "," << dac
         << "," << conversions << "," << fusedColumn(op) << "\n";
      return;
    }
    // Left digital (§8): no crossbars, no conversions; the 12 mapping columns stay empty.
    if (auto digital = dyn_cast<cim::DigitalLinearOp>(op))
      os << csv(digital.getLayer()) << "," << digital.getKind() << ",digital"
         << std::string(12, ',') << "," << fusedColumn(op) << "\n";
    // A fused chain of elementwise ops (cim-fuse-elementwise): digital, its ops in `fused`.
    else if (isa<cim::ElementwiseChainOp>(op))
      os << csv(nameOf(op)) << ",elementwise_chain,digital" << std::string(12, ',') << ","
         << fusedColumn(op) << "\n";
    else if (isa<onnx::GemmOp, onnx::MatMulOp, onnx::ConvOp>(op) &&
             matchPattern(op->getOperand(1), m_Constant()))
      os << csv(nameOf(op)) << "," << op->getName().stripDialect().lower() << ",digital"
         << std::string(12, ',') << "," << fusedColumn(op) << "\n";
  });
  os.close();
  if (std::error_code err = os.error()) {
    os.clear_error(); // else raw_fd_ostream's destructor is a fatal error
    return emitError(loc) << "write error: " << err.message();
  }
  return success();
}

} // namespace cimlir
