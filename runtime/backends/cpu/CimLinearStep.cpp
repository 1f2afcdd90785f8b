#include "runtime/backends/cpu/CimLinearStep.h"

#include "kernels/cpu/cim/CimLinear.h"
#include "kernels/cpu/cim/WeightLayout.h"
#include "kernels/cpu/cim/WeightProgramming.h"
#include "runtime/backends/cpu/CimLowering.h"
#include "runtime/core/Error.h"

#include <algorithm>

namespace cimlir {

namespace {

namespace cim = cpu::cim;
using In = std::vector<const Tensor *>;
using Out = std::vector<Tensor *>;

enum class Kind { Gemm, MatMul, Conv };

const char *kindName(Kind kind) {
  switch (kind) {
  case Kind::Gemm:
    return "gemm";
  case Kind::MatMul:
    return "matmul";
  case Kind::Conv:
    return "conv";
  }
  return "?";
}

/// A convolution batch is lowered a chunk of images at a time so that its im2col rows stay
/// below this size; rows are independent (noise is keyed by sample and row), so the chunking
/// changes no number.
constexpr int64_t kPatchBytes = int64_t(64) << 20;

std::string describe(const Tensor &t) {
  return std::string(dtypeName(t.dtype())) + " " + shapeToString(t.shape());
}

class CimLinearKernel : public StepKernel {
public:
  CimLinearKernel(const StepAttrs &a, const CimOverrides &overrides);
  void run(const In &in, const Out &out, const RunContext &context) override;
  nlohmann::json report() const override;

private:
  void programChips(const StepAttrs &a, const Tensor &levels, const cim::WeightLayout &layout,
                    const CimStepParams &decided);
  /// The parameters of one call on group g: those the chip was programmed with, and the
  /// repeat index that keys the fresh noise with the seed (§9).
  cim::CimParams callParams(int64_t g, const RunContext &context) const {
    cim::CimParams p = chips_[g].params();
    p.noise.repeat = static_cast<uint64_t>(context.repeat);
    return p;
  }
  void runGemm(const In &in, Tensor &y, const RunContext &context);
  void runMatMul(const In &in, Tensor &y, const RunContext &context);
  void runConv(const In &in, Tensor &y, const RunContext &context);

  Kind kind_ = Kind::Gemm;
  std::string layerName_;
  float alpha_ = 1.0f, beta_ = 1.0f;
  ConvGeometry conv_;
  device::LayerSettings settings_;
  std::vector<cim::ProgrammedWeights> chips_; // one per group
  int64_t K_ = 0, N_ = 0;                     // of each group's matrix
  int64_t arrays_ = 0;                        // crossbar arrays of all groups (§2)
  cim::CimCounters counters_;
  int64_t samples_ = 0;
};

CimLinearKernel::CimLinearKernel(const StepAttrs &a, const CimOverrides &overrides) {
  const Program &program = a.program();
  const Step &step = a.step();
  std::string kind = a.s("kind");
  if (kind == "gemm")
    kind_ = Kind::Gemm;
  else if (kind == "matmul")
    kind_ = Kind::MatMul;
  else if (kind == "conv")
    kind_ = Kind::Conv;
  else
    a.fail("has kind '" + kind + "', expected gemm, matmul or conv");
  a.arity(2, kind_ == Kind::MatMul ? 2 : 3);
  layerName_ = step.name.empty() ? program.values()[step.outputs[0]].name : step.name;

  // Everything the compiler decided (weights, inputs, hybrid, mapping, adc, noise), with the
  // run-time overrides; nothing is derived again from device settings.
  CimStepParams decided = readCimStep(a, overrides);
  settings_ = decided.settings;

  // W is Wq, the integers cim-quantize-weights wrote, in the layer's own layout.
  const Tensor *w = program.constant(step.inputs[1]);
  if (!w)
    a.fail("input 1 (W) is not a constant: CIM weights are programmed when the plan is loaded");
  const DType levels = settings_.weights.bits <= 8 ? DType::I8 : DType::I16;
  if (w->dtype() != levels)
    a.fail("W is " + describe(*w) + ", expected the " + dtypeName(levels) + " levels of " +
           std::to_string(settings_.weights.bits) + "-bit weights");

  if (kind_ != Kind::Conv) {
    if (w->rank() != 2)
      a.fail("W is " + describe(*w) + ", expected a matrix");
    bool transposed = false;
    if (kind_ == Kind::Gemm) {
      alpha_ = a.f("alpha");
      beta_ = a.f("beta");
      transposed = a.i("transB") != 0;
      if (a.has("transA") && a.i("transA") != 0)
        a.fail("has transA = 1; the compiler transposes A digitally before a CimLinear step");
    }
    programChips(a, *w, cim::WeightLayout::matrix(w->shape(), transposed), decided);
    return;
  }

  conv_.strides = a.ints("strides");
  conv_.pads = a.ints("pads");
  conv_.dilations = a.ints("dilations");
  conv_.groups = a.i("group");
  const size_t d = conv_.strides.size();
  if (d < 1 || conv_.pads.size() != 2 * d || conv_.dilations.size() != d ||
      w->rank() != static_cast<int64_t>(d) + 2)
    a.fail("has W " + describe(*w) + " with " + std::to_string(d) + " strides, " +
           std::to_string(conv_.pads.size()) + " pads and " +
           std::to_string(conv_.dilations.size()) +
           " dilations (one per spatial axis, pads twice)");
  for (size_t i = 0; i < d; ++i)
    if (conv_.strides[i] < 1 || conv_.dilations[i] < 1 || conv_.pads[i] < 0 ||
        conv_.pads[i + d] < 0 || w->dim(static_cast<int64_t>(i) + 2) < 1)
      a.fail("has a stride, dilation or kernel extent below 1 or a negative pad");
  if (conv_.groups < 1 || w->dim(0) % conv_.groups != 0 || w->dim(0) == 0)
    a.fail("has group " + std::to_string(conv_.groups) + ", which must divide the " +
           std::to_string(w->dim(0)) + " output channels of W");
  conv_.outChannels = w->dim(0);
  conv_.channels = w->dim(1) * conv_.groups;
  conv_.kernel.assign(w->shape().begin() + 2, w->shape().end());
  programChips(a, *w, cim::WeightLayout::conv(w->shape(), conv_.groups), decided);
}

void CimLinearKernel::programChips(const StepAttrs &a, const Tensor &levels,
                                   const cim::WeightLayout &layout, const CimStepParams &decided) {
  K_ = layout.K;
  N_ = layout.N;
  if (static_cast<int64_t>(decided.layerIds.size()) != layout.groups)
    a.fail("has " + std::to_string(decided.layerIds.size()) + " noise.layer_ids for " +
           std::to_string(layout.groups) + " groups");
  cim::CimParams base;
  try {
    base = toCimParams(settings_, "settings");
  } catch (const Error &e) {
    a.fail(e.what());
  }
  // The plan's full scales, as cim-configure-adc wrote them: the kernel converts with these
  // (programming checks that they fit the layer).
  base.adc.fullScales = decided.fullScales;
  const cim::WeightGranularity granularity = base.weights.granularity;
  for (int64_t g = 0; g < layout.groups; ++g) {
    cim::CimParams p = base;
    p.layerId = decided.layerIds[g];
    try {
      chips_.push_back(cim::ProgrammedWeights::program(
          cim::groupQuantizedWeights(levels, decided.weightScales, layout, g, p.weights.bits,
                                     granularity),
          p));
    } catch (const Error &e) {
      a.fail(std::string("group ") + std::to_string(g) + ": " + e.what());
    }
    const int64_t perArray = p.crossbar.cols / 2;
    arrays_ += cim::rowBlockCount(K_, p.crossbar.rows) * ((N_ + perArray - 1) / perArray) *
               chips_.back().sliceCount();
  }
}

void CimLinearKernel::run(const In &in, const Out &out, const RunContext &context) {
  const Tensor &x = *in[0];
  if (x.dtype() != DType::F32 || !x.defined())
    throw Error("x is " + describe(x) + ", expected float32");
  switch (kind_) {
  case Kind::Gemm:
    return runGemm(in, *out[0], context);
  case Kind::MatMul:
    return runMatMul(in, *out[0], context);
  case Kind::Conv:
    return runConv(in, *out[0], context);
  }
}

void CimLinearKernel::runGemm(const In &in, Tensor &y, const RunContext &context) {
  const Tensor &x = *in[0];
  if (x.rank() != 2 || x.dim(1) != K_)
    throw Error("x is " + describe(x) + ", expected [M," + std::to_string(K_) + "]");
  const int64_t M = x.dim(0);
  if (y.shape() != Shape{M, N_})
    throw Error("y is " + describe(y) + ", expected [" + std::to_string(M) + "," +
                std::to_string(N_) + "]");
  // C broadcasts as ONNX Gemm allows (rank <= 2, each extent 1 or Y's); checked even when
  // beta is 0 so that a malformed plan fails either way.
  const Tensor *c = in.size() > 2 ? in[2] : nullptr;
  int64_t cRows = 1, cCols = 1;
  if (c) {
    const Shape &cs = c->shape();
    if (c->dtype() != DType::F32 || cs.size() > 2)
      throw Error("C is " + describe(*c) + ", expected float32 of rank <= 2");
    cCols = cs.empty() ? 1 : cs.back();
    cRows = cs.size() == 2 ? cs[0] : 1;
    if ((cRows != 1 && cRows != M) || (cCols != 1 && cCols != N_))
      throw Error("C " + shapeToString(cs) + " does not broadcast to Y " +
                  shapeToString(y.shape()));
  }
  if (M > 0)
    counters_ += cim::cimLinear(x, chips_[0], callParams(0, context), nullptr,
                                cim::RowMapping{context.firstSample, 1}, y);
  samples_ += M;
  // y = alpha·CIM(x·W) + beta·C (§0); as in BLAS, beta = 0 does not read C.
  const bool useC = c && beta_ != 0.0f;
  if (alpha_ == 1.0f && !useC)
    return;
  float *yv = y.data<float>();
  const float *cv = useC ? c->data<float>() : nullptr;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N_; ++n) {
      float v = alpha_ * yv[m * N_ + n];
      if (useC)
        v = v + beta_ * cv[(cRows == 1 ? 0 : m * cCols) + (cCols == 1 ? 0 : n)];
      yv[m * N_ + n] = v;
    }
}

void CimLinearKernel::runMatMul(const In &in, Tensor &y, const RunContext &context) {
  const Tensor &x = *in[0];
  if (x.rank() < 2 || x.dim(x.rank() - 1) != K_)
    throw Error("x is " + describe(x) + ", expected [..., " + std::to_string(K_) +
                "] of rank 2 or more");
  Shape yShape = x.shape();
  yShape.back() = N_;
  if (y.shape() != yShape)
    throw Error("y is " + describe(y) + ", expected " + shapeToString(yShape));
  // §9: 2-D, every row is a sample; N-D, the first axis is the sample and the flattened
  // middle axes are the row within it.
  int64_t rowsPerSample = 1;
  for (int64_t a = 1; a + 1 < x.rank(); ++a)
    rowsPerSample *= x.dim(a);
  const int64_t M = x.dim(0) * rowsPerSample;
  samples_ += x.dim(0);
  if (M == 0)
    return;
  Tensor x2 = x.reshaped({M, K_});
  Tensor y2 = y.reshaped({M, N_});
  counters_ += cim::cimLinear(x2, chips_[0], callParams(0, context), nullptr,
                              cim::RowMapping{context.firstSample, rowsPerSample}, y2);
}

void CimLinearKernel::runConv(const In &in, Tensor &y, const RunContext &context) {
  const Tensor &x = *in[0];
  ConvGeometry geo = conv_;
  if (x.rank() != geo.spatialRank() + 2 || x.dim(1) != geo.channels)
    throw Error("x is " + describe(x) + ", expected [N," + std::to_string(geo.channels) +
                ", ...] with " + std::to_string(geo.spatialRank()) + " spatial axes");
  if (!geo.bind(x.shape()))
    throw Error("x " + shapeToString(x.shape()) + " is smaller than the dilated kernel");
  const int64_t N = x.dim(0), P = geo.positions(), Kg = geo.patchSize();
  const int64_t Ng = geo.outputsPerGroup();
  Shape yShape{N, geo.outChannels};
  yShape.insert(yShape.end(), geo.out.begin(), geo.out.end());
  if (y.shape() != yShape)
    throw Error("y is " + describe(y) + ", expected " + shapeToString(yShape));
  const Tensor *bias = in.size() > 2 ? in[2] : nullptr;
  if (bias && (bias->dtype() != DType::F32 || bias->shape() != Shape{geo.outChannels}))
    throw Error("B is " + describe(*bias) + ", expected float32 [" +
                std::to_string(geo.outChannels) + "]");
  samples_ += N;
  if (N == 0)
    return;

  const float *b = bias ? bias->data<float>() : nullptr;
  float *yv = y.data<float>();
  const int64_t chunk = std::max<int64_t>(1, kPatchBytes / std::max<int64_t>(1, P * Kg * 4));
  for (int64_t n0 = 0; n0 < N; n0 += chunk) {
    const int64_t n1 = std::min(N, n0 + chunk), rows = (n1 - n0) * P;
    Tensor patches = Tensor::allocate(DType::F32, {rows, Kg});
    Tensor z = Tensor::allocate(DType::F32, {rows, Ng});
    for (int64_t g = 0; g < geo.groups; ++g) {
      im2col(x.data<float>(), geo, g, n0, n1, patches.data<float>());
      // §9: the image is the sample, oy·OW + ox (the im2col row within it) the row.
      counters_ += cim::cimLinear(patches, chips_[g], callParams(g, context), nullptr,
                                  cim::RowMapping{context.firstSample + n0, P}, z);
      // Scatter [image·P + p, j] to y[image, g·Ng + j, p], adding the bias as §6 does
      // (fl32(s_x·s_w·Σ) + b).
      const float *zv = z.data<float>();
      for (int64_t n = n0; n < n1; ++n)
        for (int64_t j = 0; j < Ng; ++j) {
          const int64_t channel = g * Ng + j;
          float *dst = yv + (n * geo.outChannels + channel) * P;
          const float *src = zv + (n - n0) * P * Ng + j;
          for (int64_t p = 0; p < P; ++p)
            dst[p] = b ? src[p * Ng] + b[channel] : src[p * Ng];
        }
    }
  }
}

nlohmann::json CimLinearKernel::report() const {
  nlohmann::json counters = {{"dac_input_slices", counters_.dacInputSlices},
                             {"array_reads", counters_.arrayReads},
                             {"adc_conversions", counters_.adcConversions},
                             {"digital_nonzero", counters_.digitalNonzero},
                             {"digital_elements", counters_.digitalElements}};
  return {{"name", layerName_},
          {"op", "CimLinear"},
          {"kind", kindName(kind_)},
          {"groups", static_cast<int64_t>(chips_.size())},
          {"k", K_},
          {"n", N_},
          {"arrays", arrays_},
          {"adc_mode", device::toString(settings_.adc.mode)},
          {"adc_bits", settings_.adc.bits},
          // Everything the layer ran with, --set included (its chip seed is "chip_seed").
          {"settings", nlohmann::json::parse(device::toJsonText(settings_, -1))},
          {"seed", settings_.noise.seed},
          {"chip_seed", settings_.noise.chipSeed},
          {"samples", samples_},
          {"counters", counters}};
}

} // namespace

std::unique_ptr<StepKernel> prepareCimLinear(const StepAttrs &attrs,
                                             const CimOverrides &overrides) {
  return std::make_unique<CimLinearKernel>(attrs, overrides);
}

} // namespace cimlir
