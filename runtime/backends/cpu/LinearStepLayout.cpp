#include "runtime/backends/cpu/LinearStepLayout.h"

#include "core/Error.h"

#include "kernels/cpu/Elementwise.h"
#include "kernels/cpu/Normalization.h"
#include "kernels/cpu/Recurrent.h"

#include <algorithm>

namespace cimlir {

namespace {

/// A convolution batch is lowered a chunk of images at a time so that its im2col rows stay
/// below this size; rows are independent (CIM noise is keyed by sample and row), so the
/// chunking changes no number.
constexpr int64_t kPatchBytes = int64_t(64) << 20;

} // namespace

LinearStepLayout::LinearStepLayout(const StepAttrs &a, const std::string &constantWhy,
                                   DType weightType, const std::string &weightWhat)
    : step_(LinearStep::decode(a, constantWhy, weightType, weightWhat)) {}

int64_t LinearStepLayout::run(const std::vector<const Tensor *> &stepIn,
                              const std::vector<Tensor *> &out, int64_t firstSample,
                              const GroupProduct &product) const {
  if (stepIn[0]->dtype() != DType::F32 || !stepIn[0]->defined())
    throw Error("x is " + describeTensor(*stepIn[0]) + ", expected float32");
  // A fused normalisation first: the layer then reads what the LayerNormalization step gave.
  std::vector<const Tensor *> in(stepIn.begin(),
                                 stepIn.begin() +
                                     static_cast<std::ptrdiff_t>(step_.layerInputs(stepIn.size())));
  Tensor normalised;
  if (const auto &norm = step_.layerNorm) {
    step_.checkLayerNorm(stepIn);
    const Tensor &x = *stepIn[0];
    if (x.rank() < 1 || x.dim(x.rank() - 1) != step_.k)
      throw Error("x is " + describeTensor(x) + ", expected [..., " + std::to_string(step_.k) +
                  "]");
    normalised = Tensor::allocate(DType::F32, x.shape());
    cpu::layerNorm(x, *stepIn[static_cast<size_t>(norm->scale)],
                   norm->bias >= 0 ? stepIn[static_cast<size_t>(norm->bias)] : nullptr,
                   x.rank() - 1, norm->epsilon, normalised, nullptr, nullptr);
    in[0] = &normalised;
  }
  const Tensor &x = *in[0];
  Tensor &y = *out[0];
  switch (step_.kind) {
  case LinearKind::Gemm:
    runGemm(in, y, firstSample, product);
    break;
  case LinearKind::MatMul:
    runMatMul(in, y, firstSample, product);
    break;
  case LinearKind::Conv:
    runConv(in, y, firstSample, product);
    break;
  case LinearKind::ConvTranspose:
    runConvTranspose(in, y, firstSample, product);
    break;
  case LinearKind::Recurrent:
    runRecurrent(in, out, firstSample, product);
    return x.rank() > 1 ? x.dim(1) : 0; // x is [seq, batch, ...]
  }
  if (step_.relu) // the fused activation, last: what the Relu step after the layer computed
    cpu::relu(y, y);
  return x.rank() > 0 ? x.dim(0) : 0;
}

void LinearStepLayout::runGemm(const std::vector<const Tensor *> &in, Tensor &y,
                               int64_t firstSample, const GroupProduct &product) const {
  const Tensor &x = *in[0];
  const Tensor *c = in.size() > 2 ? in[2] : nullptr;
  const auto [M, cRows, cCols] = step_.bindGemm(x, y, c);
  if (M > 0)
    product(0, x, y, Rows{firstSample, 1});
  // y = alpha·z + beta·C (§0); as in BLAS, beta = 0 does not read C.
  const bool useC = c && step_.beta != 0.0f;
  if (step_.alpha == 1.0f && !useC)
    return;
  float *yv = y.data<float>();
  const float *cv = useC ? c->data<float>() : nullptr;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < step_.n; ++n) {
      float v = step_.alpha * yv[m * step_.n + n];
      if (useC)
        v = v + step_.beta * cv[(cRows == 1 ? 0 : m * cCols) + (cCols == 1 ? 0 : n)];
      yv[m * step_.n + n] = v;
    }
}

void LinearStepLayout::runMatMul(const std::vector<const Tensor *> &in, Tensor &y,
                                 int64_t firstSample, const GroupProduct &product) const {
  const Tensor &x = *in[0];
  const Tensor *bias = in.size() > 2 ? in[2] : nullptr;
  const auto [M, rowsPerSample] = step_.bindMatMul(x, y, bias);
  if (M == 0)
    return;
  Tensor y2 = y.reshaped({M, step_.n});
  product(0, x.reshaped({M, step_.k}), y2, Rows{firstSample, rowsPerSample});
  if (!bias) // the bias after the product, as the Add step after an unfused layer computed it
    return;
  float *yv = y.data<float>();
  const float *b = bias->data<float>();
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < step_.n; ++n)
      yv[m * step_.n + n] = yv[m * step_.n + n] + b[n];
}

void LinearStepLayout::runConv(const std::vector<const Tensor *> &in, Tensor &y,
                               int64_t firstSample, const GroupProduct &product) const {
  const Tensor &x = *in[0];
  const Tensor *bias = in.size() > 2 ? in[2] : nullptr;
  const ConvGeometry geo = step_.bindConv(x, y, bias);
  const int64_t N = x.dim(0);
  // y's shape is a tensor's (its size checked): the positions do not overflow.
  const int64_t P = geo.positions(), Kg = geo.patchSize();
  const int64_t Ng = geo.outputsPerGroup();
  if (N == 0)
    return;

  const float *b = bias ? bias->data<float>() : nullptr;
  float *yv = y.data<float>();
  const int64_t chunk =
      std::max<int64_t>(1, kPatchBytes / std::max<int64_t>(1, P) / std::max<int64_t>(1, Kg * 4));
  const std::vector<int64_t> offsets = geo.tapOffsets();
  for (int64_t n0 = 0; n0 < N; n0 += chunk) {
    const int64_t n1 = std::min(N, n0 + chunk), rows = (n1 - n0) * P;
    Tensor patches = Tensor::allocate(DType::F32, {rows, Kg});
    Tensor z = Tensor::allocate(DType::F32, {rows, Ng});
    for (int64_t g = 0; g < geo.groups; ++g) {
      im2col(x.data<float>(), geo, offsets, g, n0, n1, patches.data<float>());
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

void LinearStepLayout::runConvTranspose(const std::vector<const Tensor *> &in, Tensor &y,
                                        int64_t firstSample, const GroupProduct &product) const {
  const Tensor &x = *in[0];
  const Tensor *bias = in.size() > 2 ? in[2] : nullptr;
  step_.checkConvTranspose(x, y, bias);
  const ConvGeometry &geo = step_.conv;
  const int64_t d = geo.spatialRank(), N = x.dim(0);
  int64_t inSize = 1, outSize = 1, taps = 1;
  for (int64_t a = 0; a < d; ++a) {
    inSize *= x.dim(2 + a);
    outSize *= y.dim(2 + a);
    taps *= geo.kernel[a];
  }
  float *yv = y.data<float>();
  std::fill(yv, yv + y.numel(), 0.0f);
  if (N == 0 || inSize == 0)
    return;
  const int64_t Cg = geo.channelsPerGroup(), Mg = geo.outputsPerGroup();
  const int64_t chunk = std::max<int64_t>(1, kPatchBytes / std::max<int64_t>(1, inSize) /
                                                 std::max<int64_t>(1, Mg * taps * 4));
  std::vector<int64_t> at(static_cast<size_t>(d)), tap(static_cast<size_t>(d));
  for (int64_t n0 = 0; n0 < N; n0 += chunk) {
    const int64_t n1 = std::min(N, n0 + chunk), rows = (n1 - n0) * inSize;
    Tensor pixels = Tensor::allocate(DType::F32, {rows, Cg});
    Tensor z = Tensor::allocate(DType::F32, {rows, Mg * taps});
    for (int64_t g = 0; g < geo.groups; ++g) {
      // Row (image, input position) holds the group's channels of that pixel.
      for (int64_t n = n0; n < n1; ++n)
        for (int64_t c = 0; c < Cg; ++c) {
          const float *src = x.data<float>() + (n * geo.channels + g * Cg + c) * inSize;
          for (int64_t p = 0; p < inSize; ++p)
            pixels.data<float>()[((n - n0) * inSize + p) * Cg + c] = src[p];
        }
      // §9: the image is the sample, the input position the row.
      product(g, pixels, z, Rows{firstSample + n0, inSize});
      const float *zv = z.data<float>();
      for (int64_t row = 0; row < rows; ++row) {
        const int64_t n = n0 + row / inSize;
        for (int64_t a = d - 1, r = row % inSize; a >= 0; --a) {
          at[a] = r % x.dim(2 + a);
          r /= x.dim(2 + a);
        }
        for (int64_t t = 0; t < taps; ++t) {
          int64_t o = 0;
          bool inside = true;
          for (int64_t a = d - 1, r = t, stride = 1; a >= 0; --a) {
            tap[a] = r % geo.kernel[a];
            r /= geo.kernel[a];
            const int64_t pos = at[a] * geo.strides[a] - geo.pads[a] + tap[a] * geo.dilations[a];
            inside = inside && pos >= 0 && pos < y.dim(2 + a);
            o += pos * stride;
            stride *= y.dim(2 + a);
          }
          if (!inside)
            continue;
          for (int64_t m = 0; m < Mg; ++m)
            yv[(n * geo.outChannels + g * Mg + m) * outSize + o] +=
                zv[row * Mg * taps + m * taps + t];
        }
      }
    }
  }
  if (bias) // after the products, as §6 adds a bias
    for (int64_t n = 0; n < N; ++n)
      for (int64_t m = 0; m < geo.outChannels; ++m)
        for (int64_t o = 0; o < outSize; ++o)
          yv[(n * geo.outChannels + m) * outSize + o] += bias->data<float>()[m];
}

void LinearStepLayout::runRecurrent(const std::vector<const Tensor *> &in,
                                    const std::vector<Tensor *> &out, int64_t firstSample,
                                    const GroupProduct &product) const {
  const Tensor &gates = *in[0];
  const Tensor &y = *out[0];
  const cpu::RecurrentSpec &cell = step_.cell;
  const int64_t D = cell.directions(), GH = cell.gateWidth(), H = cell.hidden;
  if (gates.rank() != 3 || gates.dim(2) != D * GH)
    throw Error("x (the input gates) is " + describeTensor(gates) + ", expected [seq, batch, " +
                std::to_string(D * GH) + "]");
  const int64_t seq = gates.dim(0), batch = gates.dim(1);
  if (y.shape() != Shape{seq, D, batch, H})
    throw Error("y is " + describeTensor(y) + ", expected " + shapeToString({seq, D, batch, H}));
  // One read of the crossbars per step: the batch's hidden states are the rows, each the
  // read-th row of its sample (the batch index is the sample, §9).
  Tensor h = Tensor::allocate(DType::F32, {batch, H});
  Tensor z = Tensor::allocate(DType::F32, {batch, GH});
  cpu::HiddenProduct hidden = [&](int64_t d, int64_t read, const float *state, int64_t rows,
                                  int64_t col0, int64_t col1, float *out) {
    std::copy(state, state + rows * H, h.data<float>());
    product(d, h, z, Rows{firstSample, 1, read});
    for (int64_t b = 0; b < rows; ++b)
      std::copy(z.data<float>() + b * GH + col0, z.data<float>() + b * GH + col1,
                out + b * GH + col0);
  };
  cpu::recurrenceSteps(cell, gates, hidden, recurrentIo(step_.recurrentInputs, in, out));
}

} // namespace cimlir
