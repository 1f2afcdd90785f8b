#include "runtime/backends/cuda/LinearLayout.h"

#include "core/Error.h"
#include "kernels/cuda/ConvLowering.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/Elementwise.h"
#include "kernels/cuda/Recurrent.h"
#include "runtime/backends/cuda/RecurrentStep.h"

#include <algorithm>

namespace cimlir::cuda {

namespace {

/// A convolution batch is lowered a chunk of images at a time so that its im2col rows stay
/// below this size in device memory; rows are independent, so the chunking changes no number.
constexpr int64_t kPatchBytes = int64_t(256) << 20;

} // namespace

bool LinearLayout::supports(const LinearStep &step) {
  return step.kind != LinearKind::ConvTranspose || step.conv.spatialRank() <= kMaxTransposedAxes;
}

LinearLayout::LinearLayout(const LinearStep &step, const StepAttrs &attrs,
                           std::shared_ptr<Context> context)
    : step_(step), context_(std::move(context)) {
  const Step &s = attrs.step();
  if (step_.kind == LinearKind::Recurrent) {
    // The optional operands that are constants (B, sequence_lens, initial_h, initial_c, P).
    recurrentConstants_.resize(s.inputs.size());
    for (const int at : step_.recurrentInputs)
      if (at >= 0)
        if (const Tensor *c = attrs.program().constant(s.inputs[static_cast<size_t>(at)]))
          recurrentConstants_[at] =
              context_->upload(c->raw(), c->byteSize(), "a recurrent operand");
    faultSite_ = recurrentFaultSite(attrs, *context_);
    return;
  }
  if (step_.layerNorm) // its scale and bias, where constants
    for (int64_t i = step_.layerNorm->scale; i < step_.layerNorm->inputs(); ++i)
      if (const Tensor *c = attrs.program().constant(s.inputs[static_cast<size_t>(i)]);
          c && c->dtype() == DType::F32)
        layerNormConstants_[i - step_.layerNorm->scale] =
            context_->upload(c->raw(), c->byteSize(), "a fused normalisation's scale or bias");
  if (step_.layerInputs(s.inputs.size()) > 2)
    if (const Tensor *c = attrs.program().constant(s.inputs[2]); c && c->dtype() == DType::F32)
      constantThird_ = context_->upload(c->raw(), c->byteSize(),
                                        step_.kind == LinearKind::Gemm ? "a Gemm's C" : "a bias");
}

const float *LinearLayout::third(const std::vector<const Tensor *> &in) const {
  if (in.size() <= 2)
    return nullptr;
  return constantThird_ ? static_cast<const float *>(constantThird_.get()) : in[2]->data<float>();
}

LinearLayout::LayerNormOperands
LinearLayout::layerNormOperands(const std::vector<const Tensor *> &in) const {
  if (!step_.layerNorm)
    return {};
  step_.checkLayerNorm(in);
  auto device = [&](int64_t i) -> const float * {
    if (i < 0)
      return nullptr;
    const auto &constant = layerNormConstants_[i - step_.layerNorm->scale];
    return constant ? static_cast<const float *>(constant.get())
                    : in[static_cast<size_t>(i)]->data<float>();
  };
  return {device(step_.layerNorm->scale), device(step_.layerNorm->bias)};
}

int64_t LinearLayout::run(const std::vector<const Tensor *> &stepIn,
                          const std::vector<Tensor *> &out, int64_t firstSample,
                          const GroupProduct &product) {
  // A fused normalisation's operands are the product's (layerNormOperands).
  const std::vector<const Tensor *> in(
      stepIn.begin(),
      stepIn.begin() + static_cast<std::ptrdiff_t>(step_.layerInputs(stepIn.size())));
  const Tensor &x = *in[0];
  Tensor &y = *out[0];
  if (x.dtype() != DType::F32 || !x.defined())
    throw Error("x is " + describeTensor(x) + ", expected float32");
  switch (step_.kind) {
  case LinearKind::Gemm:
    runGemm(in, y, firstSample, product);
    break;
  case LinearKind::MatMul: {
    const Tensor *bias = in.size() > 2 ? in[2] : nullptr;
    const auto shape = step_.bindMatMul(x, y, bias);
    if (shape.M == 0)
      break;
    product(0, x.data<float>(), shape.M, y.data<float>(), Rows{firstSample, shape.rowsPerSample});
    if (bias) // y + B per row: 1·y + 1·B rounds once, as the Add step after the layer did
      gemmEpilogue(y.data<float>(), shape.M, step_.n, 1.0f, third(in), 1, step_.n, 1.0f,
                   context_->stream());
    break;
  }
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
  if (step_.relu && y.numel() > 0) // the fused activation, last (as the CPU applies it)
    cuda::relu(y.data<float>(), y.data<float>(), DType::F32, y.numel(), context_->stream());
  return x.rank() > 0 ? x.dim(0) : 0;
}

void LinearLayout::runConvTranspose(const std::vector<const Tensor *> &in, Tensor &y,
                                    int64_t firstSample, const GroupProduct &product) {
  // The CPU layout's checks and steps (backends/cpu/LinearStepLayout.cpp): each input pixel's
  // group channels as a row, its product [Mg·taps] per row, the col2im in the CPU's order.
  const Tensor &x = *in[0];
  const Tensor *bias = in.size() > 2 ? in[2] : nullptr;
  step_.checkConvTranspose(x, y, bias);
  const ConvGeometry &geo = step_.conv;
  const int64_t N = x.dim(0);
  const TransposedConv t =
      transposedConv(x.shape(), y.shape(), geo.kernel, geo.strides, geo.pads, geo.dilations);
  if (N == 0 || t.inSize == 0) { // no product: zeros, no bias (as the CPU)
    check(cudaMemsetAsync(y.data<float>(), 0, y.byteSize(), context_->stream()),
          "clearing a transposed convolution");
    return;
  }
  const int64_t Cg = geo.channelsPerGroup(), Mg = geo.outputsPerGroup();
  const int64_t chunk = std::max<int64_t>(1, kPatchBytes / std::max<int64_t>(1, t.inSize) /
                                                 std::max<int64_t>(1, Mg * t.taps * 4));
  // The pixel rows are im2col's with one tap at offset p for position p.
  std::shared_ptr<void> &offsets = tapOffsets_[x.shape()];
  if (!offsets) {
    std::vector<int64_t> host(static_cast<size_t>(t.inSize));
    for (int64_t p = 0; p < t.inSize; ++p)
      host[static_cast<size_t>(p)] = p;
    offsets = context_->upload(host.data(), host.size() * sizeof(int64_t), "pixel offsets");
  }
  ConvPatches pixels;
  pixels.channels = geo.channels;
  pixels.plane = t.inSize;
  pixels.groupChannels = Cg;
  pixels.positions = t.inSize;
  pixels.taps = 1;
  pixels.offsets = static_cast<const int64_t *>(offsets.get());
  const int64_t images = std::min(N, chunk);
  std::shared_ptr<void> rows = context_->allocate(
      static_cast<size_t>(images * t.inSize * Cg) * sizeof(float), "transposed conv rows");
  std::shared_ptr<void> z =
      context_->allocate(static_cast<size_t>(images * t.inSize * Mg * t.taps) * sizeof(float),
                         "transposed conv products");
  const float *b = bias ? third(in) : nullptr;
  for (int64_t n0 = 0; n0 < N; n0 += chunk) {
    const int64_t n1 = std::min(N, n0 + chunk);
    for (int64_t g = 0; g < geo.groups; ++g) {
      im2col(x.data<float>(), pixels, g, n0, n1, static_cast<float *>(rows.get()),
             context_->stream());
      // §9: the image is the sample, the input position the row.
      product(g, static_cast<const float *>(rows.get()), (n1 - n0) * t.inSize,
              static_cast<float *>(z.get()), Rows{firstSample + n0, t.inSize});
      transposedConvOutput(static_cast<const float *>(z.get()), t, n0, n1, Mg, g, geo.outChannels,
                           b, y.data<float>(), context_->stream());
    }
  }
}

void LinearLayout::runRecurrent(const std::vector<const Tensor *> &in,
                                const std::vector<Tensor *> &out, int64_t firstSample,
                                const GroupProduct &product) {
  const Tensor &gates = *in[0];
  const cpu::RecurrentSpec &cell = step_.cell;
  const int64_t D = cell.directions(), GH = cell.gateWidth();
  if (gates.rank() != 3 || gates.dim(2) != D * GH)
    throw Error("x (the input gates) is " + describeTensor(gates) + ", expected [seq, batch, " +
                std::to_string(D * GH) + "]");
  const int64_t seq = gates.dim(0), batch = gates.dim(1);
  const DeviceRecurrentIo io = recurrentDeviceIo(
      cell, step_.recurrentInputs, in, out, seq, batch,
      [&](size_t i) {
        return recurrentConstants_[i] ? recurrentConstants_[i].get() : in[i]->raw();
      },
      *context_, faultSite_);
  // One read of the crossbars per step: the batch's hidden states are the rows, each the
  // read-th row of its sample (the batch index is the sample, §9); the product writes every
  // gate column of `out`.
  const DeviceHiddenProduct hidden = [&](int64_t d, int64_t read, const float *state, int64_t rows,
                                         int64_t, int64_t, float *z) {
    product(d, state, rows, z, Rows{firstSample, 1, read});
  };
  recurrenceSteps(
      cell, gates.data<float>(), seq, batch, hidden, io,
      [&](size_t bytes, const std::string &what) { return context_->allocate(bytes, what); },
      context_->stream());
}

void LinearLayout::runGemm(const std::vector<const Tensor *> &in, Tensor &y, int64_t firstSample,
                           const GroupProduct &product) {
  const Tensor &x = *in[0];
  const Tensor *c = in.size() > 2 ? in[2] : nullptr;
  const LinearStep::GemmShape shape = step_.bindGemm(x, y, c);
  if (shape.M > 0)
    product(0, x.data<float>(), shape.M, y.data<float>(), Rows{firstSample, 1});
  // y = alpha·z + beta·C (§0); as in BLAS, beta = 0 does not read C.
  const bool useC = c && step_.beta != 0.0f;
  if (step_.alpha == 1.0f && !useC)
    return;
  gemmEpilogue(y.data<float>(), shape.M, step_.n, step_.alpha, useC ? third(in) : nullptr,
               shape.cRows, shape.cCols, step_.beta, context_->stream());
}

void LinearLayout::runConv(const std::vector<const Tensor *> &in, Tensor &y, int64_t firstSample,
                           const GroupProduct &product) {
  const Tensor &x = *in[0];
  const Tensor *bias = in.size() > 2 ? in[2] : nullptr;
  const ConvGeometry geo = step_.bindConv(x, y, bias);
  const int64_t N = x.dim(0);
  if (N == 0)
    return;
  const int64_t P = geo.positions(), Kg = geo.patchSize(), Ng = geo.outputsPerGroup();
  int64_t plane = 1, taps = 1;
  for (int64_t a = 0; a < geo.spatialRank(); ++a) {
    plane *= geo.in[a];
    taps *= geo.kernel[a];
  }
  std::shared_ptr<void> &offsets = tapOffsets_[x.shape()];
  if (!offsets) {
    const std::vector<int64_t> host = geo.tapOffsets();
    offsets = context_->upload(host.data(), host.size() * sizeof(int64_t), "convolution taps");
  }
  ConvPatches patches;
  patches.channels = geo.channels;
  patches.plane = plane;
  patches.groupChannels = geo.channelsPerGroup();
  patches.positions = P;
  patches.taps = taps;
  patches.offsets = static_cast<const int64_t *>(offsets.get());
  const int64_t chunk = std::max<int64_t>(1, kPatchBytes / std::max<int64_t>(1, P) /
                                                 std::max<int64_t>(1, std::max(Kg, Ng) * 4));
  const int64_t images = std::min(N, chunk);
  std::shared_ptr<void> rows =
      context_->allocate(static_cast<size_t>(images * P * Kg) * sizeof(float), "im2col rows");
  std::shared_ptr<void> z =
      context_->allocate(static_cast<size_t>(images * P * Ng) * sizeof(float), "conv products");
  const float *b = bias ? third(in) : nullptr;
  for (int64_t n0 = 0; n0 < N; n0 += chunk) {
    const int64_t n1 = std::min(N, n0 + chunk);
    for (int64_t g = 0; g < geo.groups; ++g) {
      im2col(x.data<float>(), patches, g, n0, n1, static_cast<float *>(rows.get()),
             context_->stream());
      // §9: the image is the sample, oy·OW + ox (the im2col row within it) the row.
      if (P > 0)
        product(g, static_cast<const float *>(rows.get()), (n1 - n0) * P,
                static_cast<float *>(z.get()), Rows{firstSample + n0, P});
      // The bias after the product, as §6 orders it (fl32(s_x·s_w·Σ) + b).
      scatterConvOutput(static_cast<const float *>(z.get()), n0, n1, P, Ng, g, geo.outChannels, b,
                        y.data<float>(), context_->stream());
    }
  }
}

} // namespace cimlir::cuda
