#include "runtime/exec/LinearStep.h"

#include "core/ShapeMath.h"
#include "runtime/exec/RecurrentAttrs.h"

#include "core/Error.h"

namespace cimlir {

int64_t ConvGeometry::patchSize() const {
  int64_t k = channelsPerGroup();
  for (int64_t e : kernel)
    k *= e;
  return k;
}

int64_t ConvGeometry::positions() const {
  int64_t p = 1;
  for (int64_t o : out)
    p *= o;
  return p;
}

std::string ConvGeometry::bind(const Shape &xShape) {
  const int64_t d = spatialRank();
  in.assign(xShape.end() - d, xShape.end());
  out.assign(static_cast<size_t>(d), 0);
  for (int64_t a = 0; a < d; ++a) {
    WindowFit fit;
    if (std::string problem =
            fitWindow({in[a], kernel[a], strides[a], dilations[a], pads[a], pads[a + d]}, fit);
        !problem.empty())
      return "the window on spatial axis " + std::to_string(a) + " " + problem;
    out[a] = fit.floorOut;
  }
  return "";
}

std::vector<int64_t> ConvGeometry::tapOffsets() const {
  const int64_t d = spatialRank(), P = positions();
  int64_t taps = 1;
  for (int64_t a = 0; a < d; ++a)
    taps *= kernel[a];
  // coord[a][o·k_a + t]: the input coordinate that tap t of output o reads on axis a, or -1
  // in the padding.
  std::vector<std::vector<int64_t>> coord(static_cast<size_t>(d));
  for (int64_t a = 0; a < d; ++a) {
    coord[a].resize(static_cast<size_t>(out[a] * kernel[a]));
    for (int64_t o = 0; o < out[a]; ++o)
      for (int64_t t = 0; t < kernel[a]; ++t) {
        int64_t c = o * strides[a] - pads[a] + t * dilations[a];
        coord[a][o * kernel[a] + t] = c >= 0 && c < in[a] ? c : -1;
      }
  }
  std::vector<int64_t> offsets(static_cast<size_t>(P * taps));
  std::vector<int64_t> o(static_cast<size_t>(d)), t(static_cast<size_t>(d));
  for (int64_t p = 0; p < P; ++p) {
    for (int64_t a = d - 1, rest = p; a >= 0; --a) {
      o[a] = rest % out[a];
      rest /= out[a];
    }
    for (int64_t q = 0; q < taps; ++q) {
      for (int64_t a = d - 1, rest = q; a >= 0; --a) {
        t[a] = rest % kernel[a];
        rest /= kernel[a];
      }
      int64_t off = 0;
      for (int64_t a = 0; a < d && off >= 0; ++a) {
        int64_t c = coord[a][o[a] * kernel[a] + t[a]];
        off = c < 0 ? -1 : off * in[a] + c;
      }
      offsets[static_cast<size_t>(p * taps + q)] = off;
    }
  }
  return offsets;
}

namespace {

/// The convolution part of decode (s.kind Conv or ConvTranspose): the window attributes, the
/// geometry from W and the weight layout.
void decodeConvolution(const StepAttrs &a, const Tensor &w, LinearStep &s) {
  s.conv.strides = a.ints("strides");
  s.conv.pads = a.ints("pads");
  s.conv.dilations = a.ints("dilations");
  s.conv.groups = a.i("group");
  const size_t d = s.conv.strides.size();
  if (d < 1 || s.conv.pads.size() != 2 * d || s.conv.dilations.size() != d ||
      w.rank() != static_cast<int64_t>(d) + 2)
    a.fail("has W " + describeTensor(w) + " with " + std::to_string(d) + " strides, " +
           std::to_string(s.conv.pads.size()) + " pads and " +
           std::to_string(s.conv.dilations.size()) +
           " dilations (one per spatial axis, pads twice)");
  for (size_t i = 0; i < d; ++i)
    // A transposed convolution may crop more than it pads (negative pads widen it).
    if (s.conv.strides[i] < 1 || s.conv.dilations[i] < 1 ||
        (s.kind == LinearKind::Conv && (s.conv.pads[i] < 0 || s.conv.pads[i + d] < 0)) ||
        w.dim(static_cast<int64_t>(i) + 2) < 1)
      a.fail("has a stride, dilation or kernel extent below 1 or a negative pad");
  const bool transposed = s.kind == LinearKind::ConvTranspose;
  if (s.conv.groups < 1 || w.dim(0) % s.conv.groups != 0 || w.dim(0) == 0)
    a.fail("has group " + std::to_string(s.conv.groups) + ", which must divide the " +
           std::to_string(w.dim(0)) + (transposed ? " input" : " output") + " channels of W");
  if (transposed) { // W [C, M/g, k...]
    s.conv.channels = w.dim(0);
    s.conv.outChannels = w.dim(1) * s.conv.groups;
    s.conv.kernel.assign(w.shape().begin() + 2, w.shape().end());
    s.weights = cim::WeightLayout::convTranspose(w.shape(), s.conv.groups);
    s.k = s.weights.K;
    s.n = s.weights.N;
    return;
  }
  s.conv.outChannels = w.dim(0);
  s.conv.channels = w.dim(1) * s.conv.groups;
  s.conv.kernel.assign(w.shape().begin() + 2, w.shape().end());
  s.weights = cim::WeightLayout::conv(w.shape(), s.conv.groups);
  s.k = s.conv.patchSize();
  s.n = s.conv.outputsPerGroup();
}

/// The step's `layer_norm` (kernels/cpu/LayerNormPrologue.h has its rules).
cpu::LayerNormPrologue layerNormPrologue(const StepAttrs &a, const std::string &kind) {
  using Prologue = cpu::LayerNormPrologue;
  const std::string field = Prologue::kField;
  const nlohmann::json &fields = a.raw(Prologue::kField);
  if (!fields.is_object())
    a.fail("has a " + field + " that is not an object");
  for (const auto &entry : fields.items())
    if (entry.key() != Prologue::kEpsilon && entry.key() != Prologue::kScale &&
        entry.key() != Prologue::kBias)
      a.fail("has an unknown " + field + " field '" + entry.key() + "' (epsilon, scale, bias)");
  Prologue p;
  p.epsilon = a.f((field + "." + Prologue::kEpsilon).c_str());
  p.scale = a.i((field + "." + Prologue::kScale).c_str());
  if (fields.contains(Prologue::kBias))
    p.bias = a.i((field + "." + Prologue::kBias).c_str());
  const std::string why =
      cpu::layerNormPrologueError(p, kind, static_cast<int64_t>(a.step().inputs.size()));
  if (!why.empty())
    a.fail(why);
  if (a.step().outputs.size() != 1)
    a.fail("has " + std::to_string(a.step().outputs.size()) + " outputs");
  return p;
}

} // namespace

void LinearStep::checkLayerNorm(const std::vector<const Tensor *> &in) const {
  if (!layerNorm)
    return;
  for (int64_t i = layerNorm->scale; i < layerNorm->inputs(); ++i) {
    const Tensor &t = *in[static_cast<size_t>(i)];
    if (t.dtype() != DType::F32 || t.shape() != Shape{k})
      throw Error(std::string("the ") + cpu::LayerNormPrologue::kField + " " +
                  (i == layerNorm->scale ? "scale" : "bias") + " is " + describeTensor(t) +
                  ", expected float32 [" + std::to_string(k) + "]");
  }
}

LinearStep LinearStep::decode(const StepAttrs &a, const std::string &constantWhy, DType weightType,
                              const std::string &weightWhat) {
  LinearStep s;
  const Step &step = a.step();
  std::string kind = a.s("kind");
  if (kind == "gemm")
    s.kind = LinearKind::Gemm;
  else if (kind == "matmul")
    s.kind = LinearKind::MatMul;
  else if (kind == "conv")
    s.kind = LinearKind::Conv;
  else if (kind == "conv_transpose")
    s.kind = LinearKind::ConvTranspose;
  else if (auto cell = cpu::recurrentCellOfKind(kind)) {
    s.kind = LinearKind::Recurrent;
    s.cell = recurrentSpec(a, *cell);
    s.recurrentInputs = cimlir::recurrentInputs(a, *cell, 2);
  } else
    a.fail("has kind '" + kind +
           "', expected gemm, matmul, conv, conv_transpose, rnn, gru or lstm");
  if (a.has(cpu::LayerNormPrologue::kField)) {
    if (step.op != "CimLinear")
      a.fail(std::string("has a ") + cpu::LayerNormPrologue::kField +
             "; only a CimLinear step normalises its rows");
    s.layerNorm = layerNormPrologue(a, kind);
  }
  if (s.kind != LinearKind::Recurrent && !s.layerNorm)
    a.arity(2, 3);
  if (a.has("activation")) {
    const std::string activation = a.s("activation");
    if (activation != "relu" || s.kind == LinearKind::Recurrent)
      a.fail("has activation '" + activation + "'" +
             (s.kind == LinearKind::Recurrent ? " on a recurrent kind" : "") +
             "; this runtime fuses relu into a gemm, matmul, conv or conv_transpose");
    s.relu = true;
  }

  const Tensor *w = a.program().constant(step.inputs[1]);
  if (!w)
    a.fail("input 1 (W) is not a constant: " + constantWhy);
  if (w->dtype() != weightType)
    a.fail("W is " + describeTensor(*w) + ", expected " + weightWhat);

  if (s.kind == LinearKind::Recurrent) {
    const cpu::RecurrentSpec &c = s.cell;
    const Shape want = {c.directions(), c.gateWidth(), c.hidden};
    if (c.hidden < 1 || w->shape() != want)
      a.fail("W (R) is " + describeTensor(*w) + ", expected " + shapeToString(want) +
             " for hidden_size " + std::to_string(c.hidden));
    s.weights = cim::WeightLayout::recurrent(w->shape());
    s.k = s.weights.K;
    s.n = s.weights.N;
    return s;
  }
  if (s.kind != LinearKind::Conv && s.kind != LinearKind::ConvTranspose) {
    if (w->rank() != 2)
      a.fail("W is " + describeTensor(*w) + ", expected a matrix");
    if (s.kind == LinearKind::Gemm) {
      s.alpha = a.f("alpha");
      s.beta = a.f("beta");
      s.transB = a.i("transB") != 0;
      if (a.has("transA") && a.i("transA") != 0)
        a.fail("has transA = 1; the compiler transposes A digitally before a " + step.op + " step");
    }
    s.weights = cim::WeightLayout::matrix(w->shape(), s.transB);
    s.k = s.weights.K;
    s.n = s.weights.N;
    return s;
  }

  decodeConvolution(a, *w, s);
  return s;
}

LinearStep LinearStep::convolution(const StepAttrs &a) {
  LinearStep s;
  s.kind = LinearKind::Conv;
  a.arity(2, 3);
  const Tensor *w = a.program().constant(a.step().inputs[1]);
  if (!w || w->dtype() != DType::F32)
    a.fail("input 1 (W) is not a float32 constant");
  decodeConvolution(a, *w, s);
  return s;
}

const char *LinearStep::kindName() const {
  switch (kind) {
  case LinearKind::Gemm:
    return "gemm";
  case LinearKind::MatMul:
    return "matmul";
  case LinearKind::Conv:
    return "conv";
  case LinearKind::ConvTranspose:
    return "conv_transpose";
  case LinearKind::Recurrent:
    return cpu::recurrentKind(cell.cell);
  }
  return "?";
}

Tensor LinearStep::groupWeights(const StepAttrs &a, int64_t g) const {
  return cim::groupMatrix(*a.program().constant(a.step().inputs[1]), weights, g);
}

LinearStep::GemmShape LinearStep::bindGemm(const Tensor &x, const Tensor &y,
                                           const Tensor *c) const {
  if (x.rank() != 2 || x.dim(1) != k)
    throw Error("x is " + describeTensor(x) + ", expected [M," + std::to_string(k) + "]");
  GemmShape shape;
  shape.M = x.dim(0);
  if (y.shape() != Shape{shape.M, n})
    throw Error("y is " + describeTensor(y) + ", expected [" + std::to_string(shape.M) + "," +
                std::to_string(n) + "]");
  // C broadcasts as ONNX Gemm allows (rank <= 2, each extent 1 or Y's); checked even when
  // beta is 0 so that a malformed plan fails either way.
  if (c) {
    const Shape &cs = c->shape();
    if (c->dtype() != DType::F32 || cs.size() > 2)
      throw Error("C is " + describeTensor(*c) + ", expected float32 of rank <= 2");
    shape.cCols = cs.empty() ? 1 : cs.back();
    shape.cRows = cs.size() == 2 ? cs[0] : 1;
    if ((shape.cRows != 1 && shape.cRows != shape.M) || (shape.cCols != 1 && shape.cCols != n))
      throw Error("C " + shapeToString(cs) + " does not broadcast to Y " +
                  shapeToString(y.shape()));
  }
  return shape;
}

LinearStep::MatMulShape LinearStep::bindMatMul(const Tensor &x, const Tensor &y,
                                               const Tensor *bias) const {
  if (x.rank() < 2 || x.dim(x.rank() - 1) != k)
    throw Error("x is " + describeTensor(x) + ", expected [..., " + std::to_string(k) +
                "] of rank 2 or more");
  if (bias && (bias->dtype() != DType::F32 || bias->shape() != Shape{n}))
    throw Error("B is " + describeTensor(*bias) + ", expected float32 [" + std::to_string(n) + "]");
  Shape yShape = x.shape();
  yShape.back() = n;
  if (y.shape() != yShape)
    throw Error("y is " + describeTensor(y) + ", expected " + shapeToString(yShape));
  // §9: 2-D, every row is a sample; N-D, the first axis is the sample and the flattened
  // middle axes are the row within it.
  MatMulShape shape;
  for (int64_t a = 1; a + 1 < x.rank(); ++a)
    shape.rowsPerSample *= x.dim(a);
  shape.M = x.dim(0) * shape.rowsPerSample;
  return shape;
}

void LinearStep::checkConvTranspose(const Tensor &x, const Tensor &y, const Tensor *bias) const {
  const int64_t d = conv.spatialRank();
  if (x.rank() != d + 2 || x.dim(1) != conv.channels)
    throw Error("x is " + describeTensor(x) + ", expected [N," + std::to_string(conv.channels) +
                ", ...] with " + std::to_string(d) + " spatial axes");
  const int64_t N = x.dim(0);
  if (y.rank() != d + 2 || y.dim(0) != N || y.dim(1) != conv.outChannels)
    throw Error("y is " + describeTensor(y) + ", expected [" + std::to_string(N) + "," +
                std::to_string(conv.outChannels) + ", ...] with " + std::to_string(d) +
                " spatial axes");
  if (bias && (bias->dtype() != DType::F32 || bias->shape() != Shape{conv.outChannels}))
    throw Error("B is " + describeTensor(*bias) + ", expected float32 [" +
                std::to_string(conv.outChannels) + "]");
}

ConvGeometry LinearStep::bindConv(const Tensor &x, const Tensor &y, const Tensor *bias) const {
  ConvGeometry geo = conv;
  if (x.rank() != geo.spatialRank() + 2 || x.dim(1) != geo.channels)
    throw Error("x is " + describeTensor(x) + ", expected [N," + std::to_string(geo.channels) +
                ", ...] with " + std::to_string(geo.spatialRank()) + " spatial axes");
  if (std::string problem = geo.bind(x.shape()); !problem.empty())
    throw Error("x " + shapeToString(x.shape()) + ": " + problem);
  Shape yShape{x.dim(0), geo.outChannels};
  yShape.insert(yShape.end(), geo.out.begin(), geo.out.end());
  if (y.shape() != yShape)
    throw Error("y is " + describeTensor(y) + ", expected " + shapeToString(yShape));
  if (bias && (bias->dtype() != DType::F32 || bias->shape() != Shape{geo.outChannels}))
    throw Error("B is " + describeTensor(*bias) + ", expected float32 [" +
                std::to_string(geo.outChannels) + "]");
  return geo;
}

} // namespace cimlir
