#include "runtime/backends/cpu/LinearStepLayout.h"

#include "core/Error.h"

#include <algorithm>

namespace cimlir {

namespace {

/// A convolution batch is lowered a chunk of images at a time so that its im2col rows stay
/// below this size; rows are independent (CIM noise is keyed by sample and row), so the
/// chunking changes no number.
constexpr int64_t kPatchBytes = int64_t(64) << 20;

std::string describe(const Tensor &t) {
  return std::string(dtypeName(t.dtype())) + " " + shapeToString(t.shape());
}

} // namespace

LinearStepLayout::LinearStepLayout(const StepAttrs &a, const std::string &constantWhy,
                                   DType weightType, const std::string &weightWhat) {
  const Step &step = a.step();
  std::string kind = a.s("kind");
  if (kind == "gemm")
    kind_ = LinearKind::Gemm;
  else if (kind == "matmul")
    kind_ = LinearKind::MatMul;
  else if (kind == "conv")
    kind_ = LinearKind::Conv;
  else
    a.fail("has kind '" + kind + "', expected gemm, matmul or conv");
  a.arity(2, kind_ == LinearKind::MatMul ? 2 : 3);

  const Tensor *w = a.program().constant(step.inputs[1]);
  if (!w)
    a.fail("input 1 (W) is not a constant: " + constantWhy);
  if (w->dtype() != weightType)
    a.fail("W is " + describe(*w) + ", expected " + weightWhat);

  if (kind_ != LinearKind::Conv) {
    if (w->rank() != 2)
      a.fail("W is " + describe(*w) + ", expected a matrix");
    if (kind_ == LinearKind::Gemm) {
      alpha_ = a.f("alpha");
      beta_ = a.f("beta");
      transB_ = a.i("transB") != 0;
      if (a.has("transA") && a.i("transA") != 0)
        a.fail("has transA = 1; the compiler transposes A digitally before a " + step.op + " step");
    }
    weights_ = cim::WeightLayout::matrix(w->shape(), transB_);
    k_ = weights_.K;
    n_ = weights_.N;
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
  weights_ = cim::WeightLayout::conv(w->shape(), conv_.groups);
  k_ = conv_.patchSize();
  n_ = conv_.outputsPerGroup();
}

const char *LinearStepLayout::kindName() const {
  switch (kind_) {
  case LinearKind::Gemm:
    return "gemm";
  case LinearKind::MatMul:
    return "matmul";
  case LinearKind::Conv:
    return "conv";
  }
  return "?";
}

Tensor LinearStepLayout::groupWeights(const StepAttrs &a, int64_t g) const {
  return cim::groupMatrix(*a.program().constant(a.step().inputs[1]), weights_, g);
}

int64_t LinearStepLayout::run(const std::vector<const Tensor *> &in, Tensor &y, int64_t firstSample,
                              const GroupProduct &product) const {
  const Tensor &x = *in[0];
  if (x.dtype() != DType::F32 || !x.defined())
    throw Error("x is " + describe(x) + ", expected float32");
  switch (kind_) {
  case LinearKind::Gemm:
    runGemm(in, y, firstSample, product);
    break;
  case LinearKind::MatMul:
    runMatMul(x, y, firstSample, product);
    break;
  case LinearKind::Conv:
    runConv(in, y, firstSample, product);
    break;
  }
  return x.rank() > 0 ? x.dim(0) : 0;
}

void LinearStepLayout::runGemm(const std::vector<const Tensor *> &in, Tensor &y,
                               int64_t firstSample, const GroupProduct &product) const {
  const Tensor &x = *in[0];
  if (x.rank() != 2 || x.dim(1) != k_)
    throw Error("x is " + describe(x) + ", expected [M," + std::to_string(k_) + "]");
  const int64_t M = x.dim(0);
  if (y.shape() != Shape{M, n_})
    throw Error("y is " + describe(y) + ", expected [" + std::to_string(M) + "," +
                std::to_string(n_) + "]");
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
    if ((cRows != 1 && cRows != M) || (cCols != 1 && cCols != n_))
      throw Error("C " + shapeToString(cs) + " does not broadcast to Y " +
                  shapeToString(y.shape()));
  }
  if (M > 0)
    product(0, x, y, Rows{firstSample, 1});
  // y = alpha·z + beta·C (§0); as in BLAS, beta = 0 does not read C.
  const bool useC = c && beta_ != 0.0f;
  if (alpha_ == 1.0f && !useC)
    return;
  float *yv = y.data<float>();
  const float *cv = useC ? c->data<float>() : nullptr;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < n_; ++n) {
      float v = alpha_ * yv[m * n_ + n];
      if (useC)
        v = v + beta_ * cv[(cRows == 1 ? 0 : m * cCols) + (cCols == 1 ? 0 : n)];
      yv[m * n_ + n] = v;
    }
}

void LinearStepLayout::runMatMul(const Tensor &x, Tensor &y, int64_t firstSample,
                                 const GroupProduct &product) const {
  if (x.rank() < 2 || x.dim(x.rank() - 1) != k_)
    throw Error("x is " + describe(x) + ", expected [..., " + std::to_string(k_) +
                "] of rank 2 or more");
  Shape yShape = x.shape();
  yShape.back() = n_;
  if (y.shape() != yShape)
    throw Error("y is " + describe(y) + ", expected " + shapeToString(yShape));
  // §9: 2-D, every row is a sample; N-D, the first axis is the sample and the flattened
  // middle axes are the row within it.
  int64_t rowsPerSample = 1;
  for (int64_t a = 1; a + 1 < x.rank(); ++a)
    rowsPerSample *= x.dim(a);
  const int64_t M = x.dim(0) * rowsPerSample;
  if (M == 0)
    return;
  Tensor y2 = y.reshaped({M, n_});
  product(0, x.reshaped({M, k_}), y2, Rows{firstSample, rowsPerSample});
}

void LinearStepLayout::runConv(const std::vector<const Tensor *> &in, Tensor &y,
                               int64_t firstSample, const GroupProduct &product) const {
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
      if (rows > 0)
        product(g, patches, z, Rows{firstSample + n0, P});
      // Scatter [image·P + p, j] to y[image, g·Ng + j, p], adding the bias after the product
      // as §6 does (fl32(s_x·s_w·Σ) + b).
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

} // namespace cimlir
