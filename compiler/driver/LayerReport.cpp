//===- LayerReport.cpp - cim-opt --report: the per-layer cost table -------===//

#include "compiler/driver/LayerReport.h"

#include "kernels/cim/CrossbarMapping.h"

#include "dialects/cim/CimOps.h"
#include "dialects/onnx/OnnxOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

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

/// A linear layer kept digital: its weights per group and its multiply-accumulates per sample.
struct DigitalLayer {
  device::DigitalLayerShape shape;
  int64_t macsPerSample = 0;
};

/// A cim.digital_linear as cim::getLinearShape sees it; an onnx Gemm, MatMul or Conv kept in
/// fp32 from W's shape (a MatMul's W [..., K, N] holds a group per leading index, a 1-D W is
/// one column; a Conv's groups are its `group`) and y's elements per sample (the leading
/// dimension is the batch). Nothing where a dimension of these is dynamic.
std::optional<DigitalLayer> digitalLayer(Operation *op, StringRef kind,
                                         cim::DigitalPrecision precision) {
  DigitalLayer layer;
  layer.shape.precision = precision;
  device::DigitalLayerShape &s = layer.shape;
  if (isa<cim::DigitalLinearOp>(op)) {
    const cim::LinearShape linear = cim::getLinearShape(op);
    s.groups = linear.groups;
    s.k = linear.k;
    s.n = linear.n;
    layer.macsPerSample = linear.rowsPerSample * s.groups * s.k * s.n;
    return layer;
  }
  auto w = dyn_cast<RankedTensorType>(op->getOperand(1).getType());
  auto y = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!w || !y || !w.hasStaticShape() || w.getRank() < 1 || y.getRank() < 1 ||
      llvm::any_of(y.getShape().drop_front(), ShapedType::isDynamic))
    return std::nullopt;
  int64_t outputs = 1; // y's elements per sample
  for (int64_t d : y.getShape().drop_front())
    outputs *= d;
  ArrayRef<int64_t> ws = w.getShape();
  auto attr = [&](StringRef name, int64_t otherwise) {
    auto a = op->getAttrOfType<IntegerAttr>(name);
    return a ? a.getInt() : otherwise;
  };
  if (kind == "conv") { // W [M, C/g, k...]
    s.groups = attr("group", 1);
    s.n = ws[0] / s.groups;
    s.k = w.getNumElements() / ws[0];
  } else if (kind == "gemm") { // W [K, N], or [N, K] with transB
    const bool transB = attr("transB", 0) != 0;
    s.k = ws[transB ? 1 : 0];
    s.n = ws[transB ? 0 : 1];
  } else if (ws.size() == 1) { // a MatMul by one column
    s.k = ws[0];
    s.n = 1;
  } else {
    s.k = ws[ws.size() - 2];
    s.n = ws.back();
    s.groups = w.getNumElements() / (s.k * s.n);
  }
  if (s.k < 1 || s.n < 1 || s.groups < 1)
    return std::nullopt;
  layer.macsPerSample = outputs * s.k;
  return layer;
}

/// The cost columns (device::costFigures): energy per sample (total, then by part), latency
/// per sample, area; their header names, or their values.
std::string costColumns(const device::LayerCost &c, bool header = false) {
  std::string out;
  llvm::raw_string_ostream os(out);
  for (const auto &[name, value] : device::costFigures(c)) {
    if (!out.empty())
      os << ",";
    if (header)
      os << name;
    else
      os << value;
  }
  return out;
}

} // namespace

LogicalResult writeLayerReport(ModuleOp module, const device::CostSettings &cost,
                               const std::string &path, const std::string &name) {
  Location loc = FileLineColLoc::get(module.getContext(), name, 0, 0);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return emitError(loc) << "cannot write: " << ec.message();
  os << "layer,kind,placement,groups,k,n,rows_per_sample,row_blocks,col_blocks,weight_slices,"
        "input_slices,arrays,utilisation,dac_input_slices_per_sample,adc_conversions_per_sample,"
     << costColumns({}, /*header=*/true) << ",fused\n";
  device::LayerCost chip;
  int64_t chipArrays = 0;
  // A digital layer's row: the 12 mapping columns empty, its cost, its folded nodes.
  auto digitalRow = [&](Operation *op, const std::string &layer, StringRef kind,
                        cim::DigitalPrecision precision) {
    const std::optional<DigitalLayer> digital = digitalLayer(op, kind, precision);
    os << csv(layer) << "," << kind << ",digital" << std::string(12, ',') << ",";
    if (digital) {
      device::LayerCost c =
          device::digitalLayerCost(cost, digital->shape, digital->macsPerSample, /*samples=*/1);
      chip += c;
      os << costColumns(c);
    } else { // not priced: its shapes are not static (docs/cost-model.md)
      os << std::string(device::costFigures({}).size() - 1, ',');
    }
    os << "," << fusedColumn(op) << "\n";
  };
  module.walk([&](Operation *op) {
    if (auto linear = dyn_cast<cim::LinearOp>(op)) {
      cim::MappingAttr m = linear.getMappingAttr();
      if (!m)
        return;
      auto inputs = linear.getInputsAttr();
      int64_t t = inputs ? static_cast<int64_t>(inputs.getSettings().slices.size()) : 0;
      auto adc = linear.getAdcAttr();
      int64_t rows = m.getRowsPerSample(), rb = m.rowBlocks();
      // The cost model sees the layer as the mapping and its decisions built it, and counts
      // its conversions (the conversions column) as it prices them.
      device::CimLayerShape shape;
      shape.groups = m.getGroups();
      shape.k = m.getK();
      shape.n = m.getN();
      shape.rowsPerSample = rows;
      shape.settings.crossbar = m.getCrossbar();
      if (auto weights = linear.getWeightsAttr())
        shape.settings.weights.slices = weights.getSettings().slices;
      if (inputs)
        shape.settings.inputs.slices = inputs.getSettings().slices;
      if (adc)
        shape.settings.adc = adc.getSettings();
      const device::CimLayerCounts counts =
          device::cimLayerCounts(shape, device::fullActivity(shape));
      device::LayerCost c = device::cimLayerCost(cost, shape, counts);
      const int64_t dac =
          cim::CrossbarMapping::of(shape.k, shape.n, shape.settings).dacInputSlices(rows) *
          shape.groups;
      chip += c;
      chipArrays += m.arrays();
      os << csv(linear.getLayer()) << "," << linear.getKind() << ",cim," << m.getGroups() << ","
         << m.getK() << "," << m.getN() << "," << rows << "," << rb << "," << m.colBlocks() << ","
         << m.getSlices() << "," << t << "," << m.arrays() << "," << m.utilisation() << "," << dac
         << "," << counts.adcConversions << "," << costColumns(c) << "," << fusedColumn(op) << "\n";
      return;
    }
    // Left digital (§8): no crossbars, no conversions; the 12 mapping columns stay empty.
    if (auto digital = dyn_cast<cim::DigitalLinearOp>(op)) {
      auto precision = cim::enumFromString<cim::DigitalPrecision>(digital.getPrecision());
      digitalRow(op, digital.getLayer().str(), digital.getKind(),
                 precision.value_or(cim::DigitalPrecision::Fp32));
    }
    // A fused chain of elementwise ops (cim-fuse-elementwise): digital, its ops in `fused`;
    // the cost model prices linear layers only (docs/cost-model.md).
    else if (isa<cim::ElementwiseChainOp>(op))
      os << csv(nameOf(op)) << ",elementwise_chain,digital" << std::string(12, ',')
         << std::string(device::costFigures({}).size(), ',') << "," << fusedColumn(op) << "\n";
    else if (isa<onnx::GemmOp, onnx::MatMulOp, onnx::ConvOp>(op) &&
             matchPattern(op->getOperand(1), m_Constant()))
      digitalRow(op, nameOf(op), op->getName().stripDialect().lower(), cim::DigitalPrecision::Fp32);
  });
  // The chip: every layer's arrays, energy and area, and the layers' latencies in sequence.
  os << "\"total\",,chip" << std::string(8, ',') << "," << chipArrays << ",,,," << costColumns(chip)
     << ",\n";
  os.close();
  if (std::error_code err = os.error()) {
    os.clear_error(); // else raw_fd_ostream's destructor is a fatal error
    return emitError(loc) << "write error: " << err.message();
  }
  return success();
}

} // namespace cimlir
