#include "kernels/cpu/Recurrent.h"

#include "kernels/cpu/Check.h"
#include "kernels/cpu/Elementwise.h"
#include "kernels/cpu/Gemm.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace cimlir::cpu {

using detail::fail;
using detail::requireDType;
using detail::requireShape;

namespace {

constexpr const char *kn = "recurrent";

std::string lower(std::string s) {
  for (char &c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// The activation functions ONNX allows in a recurrent cell, beside Affine and ScaledTanh
/// (which only recurrent cells define): Relu (the relu kernel) and ops of unaryOpTypes().
const std::vector<std::string> kUnaryActivations = {
    "Relu",        "Tanh", "Sigmoid",  "LeakyRelu", "ThresholdedRelu",
    "HardSigmoid", "Elu",  "Softsign", "Softplus"};

/// Affine and ScaledTanh: both parameters, with the defaults that leave the plain function
/// (x; tanh x), since ONNX states none.
struct CellOnlyActivation {
  const char *name;
  float alpha, beta;
};
const CellOnlyActivation kCellOnly[] = {{"Affine", 1.0f, 0.0f}, {"ScaledTanh", 1.0f, 1.0f}};

void activate(const RecurrentActivation &a, float *v, int64_t n) {
  if (a.name == "Affine") {
    for (int64_t i = 0; i < n; ++i)
      v[i] = a.alpha * v[i] + a.beta;
    return;
  }
  if (a.name == "ScaledTanh") {
    for (int64_t i = 0; i < n; ++i)
      v[i] = a.alpha * std::tanh(a.beta * v[i]);
    return;
  }
  Tensor view = Tensor::view(DType::F32, {n}, v, nullptr);
  if (a.name == "Relu")
    return relu(view, view);
  const auto &types = unaryOpTypes();
  auto it = std::find_if(types.begin(), types.end(),
                         [&](const UnaryOpType &t) { return t.name == a.name; });
  if (it == types.end())
    fail(kn, "unknown activation '" + a.name + "'");
  unary(static_cast<UnaryOp>(it - types.begin()), view, view, a.alpha, a.beta);
}

} // namespace

int64_t recurrentGates(RecurrentCell cell) {
  switch (cell) {
  case RecurrentCell::Rnn:
    return 1;
  case RecurrentCell::Gru:
    return 3;
  case RecurrentCell::Lstm:
    return 4;
  }
  return 0;
}

const char *recurrentKind(RecurrentCell cell) {
  switch (cell) {
  case RecurrentCell::Rnn:
    return "rnn";
  case RecurrentCell::Gru:
    return "gru";
  case RecurrentCell::Lstm:
    return "lstm";
  }
  return "?";
}

std::optional<RecurrentCell> recurrentCellOfKind(std::string_view kind) {
  for (RecurrentCell cell : {RecurrentCell::Rnn, RecurrentCell::Gru, RecurrentCell::Lstm})
    if (kind == recurrentKind(cell))
      return cell;
  return std::nullopt;
}

std::vector<std::string> defaultRecurrentActivations(RecurrentCell cell) {
  switch (cell) {
  case RecurrentCell::Rnn:
    return {"Tanh"};
  case RecurrentCell::Gru:
    return {"Sigmoid", "Tanh"};
  case RecurrentCell::Lstm:
    return {"Sigmoid", "Tanh", "Tanh"};
  }
  return {};
}

std::string resolveRecurrentActivations(const std::vector<std::string> &names,
                                        const std::vector<float> &alphas,
                                        const std::vector<float> &betas,
                                        std::vector<RecurrentActivation> &out) {
  out.clear();
  size_t nextAlpha = 0, nextBeta = 0;
  auto take = [](const std::vector<float> &list, size_t &next, float fallback) {
    return next < list.size() ? list[next++] : fallback;
  };
  for (const std::string &name : names) {
    const std::string key = lower(name);
    RecurrentActivation a;
    if (auto cellOnly =
            std::find_if(std::begin(kCellOnly), std::end(kCellOnly),
                         [&](const CellOnlyActivation &c) { return lower(c.name) == key; });
        cellOnly != std::end(kCellOnly)) {
      a.name = cellOnly->name;
      a.alpha = take(alphas, nextAlpha, cellOnly->alpha);
      a.beta = take(betas, nextBeta, cellOnly->beta);
      out.push_back(a);
      continue;
    }
    auto allowed = std::find_if(kUnaryActivations.begin(), kUnaryActivations.end(),
                                [&](const std::string &n) { return lower(n) == key; });
    if (allowed == kUnaryActivations.end()) {
      std::string list;
      for (const auto &n : kUnaryActivations)
        list += n + ", ";
      return "unknown activation function '" + name + "' (recurrent cells take " + list +
             "Affine and ScaledTanh)";
    }
    a.name = *allowed;
    const auto &types = unaryOpTypes();
    auto type = std::find_if(types.begin(), types.end(),
                             [&](const UnaryOpType &t) { return t.name == *allowed; });
    if (type != types.end()) { // else Relu, which has no parameter
      a.alpha = type->alphaName.empty() ? 0.0f : take(alphas, nextAlpha, type->alpha);
      a.beta = type->betaName.empty() ? 0.0f : take(betas, nextBeta, type->beta);
    }
    out.push_back(a);
  }
  if (nextAlpha < alphas.size() || nextBeta < betas.size())
    return "activation_alpha has " + std::to_string(alphas.size()) + " and activation_beta " +
           std::to_string(betas.size()) + " entries, but the activations take " +
           std::to_string(nextAlpha) + " and " + std::to_string(nextBeta);
  return "";
}

void checkRecurrentSpec(const RecurrentSpec &spec, bool lstmOperands) {
  const int64_t H = spec.hidden, D = spec.directions();
  const size_t functions = defaultRecurrentActivations(spec.cell).size();
  if (H <= 0)
    fail(kn, "hidden_size must be positive, got " + std::to_string(H));
  if (spec.activations.size() != functions * static_cast<size_t>(D))
    fail(kn, "takes " + std::to_string(functions * D) + " activation functions, got " +
                 std::to_string(spec.activations.size()));
  if (spec.cell != RecurrentCell::Lstm && lstmOperands)
    fail(kn, "only an LSTM has initial_c, P and Y_c");
}

void recurrenceSteps(const RecurrentSpec &spec, const Tensor &inputGates,
                     const HiddenProduct &hidden, const RecurrentIo &io) {
  checkRecurrentSpec(spec, io.initialC || io.peepholes || io.yC);
  const int64_t H = spec.hidden, D = spec.directions(), GH = spec.gateWidth();
  const size_t functions = defaultRecurrentActivations(spec.cell).size();
  requireDType(kn, "input gates", inputGates, DType::F32);
  if (inputGates.rank() != 3 || inputGates.dim(2) != D * GH)
    fail(kn, "input gates have shape " + shapeToString(inputGates.shape()) + ", expected [seq, " +
                 "batch, " + std::to_string(D * GH) + "]");
  const int64_t seq = inputGates.dim(0), batch = inputGates.dim(1);
  auto optional = [&](const Tensor *t, const char *what, DType dtype, const Shape &shape) {
    if (!t)
      return static_cast<const float *>(nullptr);
    requireDType(kn, what, *t, dtype);
    requireShape(kn, what, *t, shape);
    return static_cast<const float *>(t->raw());
  };
  const float *bias = optional(io.bias, "B", DType::F32, {D, 2 * GH});
  const float *initialH = optional(io.initialH, "initial_h", DType::F32, {D, batch, H});
  const float *initialC = optional(io.initialC, "initial_c", DType::F32, {D, batch, H});
  const float *peep = optional(io.peepholes, "P", DType::F32, {D, 3 * H});
  const bool lstm = spec.cell == RecurrentCell::Lstm;
  std::vector<int64_t> lengths(batch, seq);
  if (io.sequenceLens) {
    requireDType(kn, "sequence_lens", *io.sequenceLens, DType::I32);
    requireShape(kn, "sequence_lens", *io.sequenceLens, {batch});
    for (int64_t b = 0; b < batch; ++b) {
      lengths[b] = io.sequenceLens->data<int32_t>()[b];
      if (lengths[b] < 0 || lengths[b] > seq)
        fail(kn, "sequence_lens[" + std::to_string(b) + "] = " + std::to_string(lengths[b]) +
                     " is outside [0, " + std::to_string(seq) + "]");
    }
  }
  float *y = nullptr, *yH = nullptr, *yC = nullptr;
  if (io.y) {
    requireDType(kn, "Y", *io.y, DType::F32);
    requireShape(kn, "Y", *io.y, {seq, D, batch, H});
    y = io.y->data<float>();
    std::fill(y, y + io.y->numel(), 0.0f);
  }
  if (io.yH) {
    requireDType(kn, "Y_h", *io.yH, DType::F32);
    requireShape(kn, "Y_h", *io.yH, {D, batch, H});
    yH = io.yH->data<float>();
  }
  if (io.yC) {
    requireDType(kn, "Y_c", *io.yC, DType::F32);
    requireShape(kn, "Y_c", *io.yC, {D, batch, H});
    yC = io.yC->data<float>();
  }
  const float *gatesX = inputGates.data<float>();
  const int64_t G = recurrentGates(spec.cell);

  std::vector<float> h(batch * H), c(batch * H), product(batch * GH), pre(G * batch * H),
      next(batch * H), resetH(batch * H);
  for (int64_t d = 0; d < D; ++d) {
    const bool reverse = spec.reverse || d == 1;
    const RecurrentActivation *fn = &spec.activations[d * functions];
    const float *rb = bias ? bias + d * 2 * GH + GH : nullptr;
    const float *pd = peep ? peep + d * 3 * H : nullptr;
    for (int64_t i = 0; i < batch * H; ++i) {
      h[i] = initialH ? initialH[(d * batch) * H + i] : 0.0f;
      c[i] = initialC ? initialC[(d * batch) * H + i] : 0.0f;
    }
    // Batch entry b's input projection of this direction at step s (a finished entry reads
    // a valid step; its results are not kept).
    auto inputGates = [&](int64_t s, int64_t b) {
      const int64_t t = reverse ? std::max<int64_t>(lengths[b] - 1 - s, 0) : s;
      return gatesX + (t * batch + b) * D * GH + d * GH;
    };
    // Gate g's pre-activation for every batch entry: input projection + hidden product + Rb.
    auto gather = [&](int64_t s, int64_t gate, float *out) {
      for (int64_t b = 0; b < batch; ++b) {
        const float *x = inputGates(s, b) + gate * H;
        const float *p = product.data() + b * GH + gate * H;
        for (int64_t j = 0; j < H; ++j)
          out[b * H + j] = x[j] + p[j] + (rb ? rb[gate * H + j] : 0.0f);
      }
    };
    auto finish = [&](const RecurrentActivation &a, float *v) {
      if (spec.clip)
        for (int64_t i = 0; i < batch * H; ++i)
          v[i] = std::clamp(v[i], -*spec.clip, *spec.clip);
      activate(a, v, batch * H);
    };
    for (int64_t s = 0; s < seq; ++s) {
      float *g0 = pre.data();
      switch (spec.cell) {
      case RecurrentCell::Rnn:
        hidden(d, s, h.data(), batch, 0, GH, product.data());
        gather(s, 0, g0);
        finish(fn[0], g0);
        std::copy(g0, g0 + batch * H, next.begin());
        break;
      case RecurrentCell::Gru: {
        float *z = g0, *r = g0 + batch * H, *cand = g0 + 2 * batch * H;
        hidden(d, s, h.data(), batch, 0, spec.linearBeforeReset ? GH : 2 * H, product.data());
        gather(s, 0, z);
        finish(fn[0], z);
        gather(s, 1, r);
        finish(fn[0], r);
        if (spec.linearBeforeReset) {
          for (int64_t b = 0; b < batch; ++b) {
            const float *x = inputGates(s, b) + 2 * H;
            const float *p = product.data() + b * GH + 2 * H;
            for (int64_t j = 0; j < H; ++j)
              cand[b * H + j] = x[j] + r[b * H + j] * (p[j] + (rb ? rb[2 * H + j] : 0.0f));
          }
        } else {
          for (int64_t i = 0; i < batch * H; ++i)
            resetH[i] = r[i] * h[i];
          hidden(d, seq + s, resetH.data(), batch, 2 * H, GH, product.data());
          gather(s, 2, cand);
        }
        finish(fn[1], cand);
        for (int64_t i = 0; i < batch * H; ++i)
          next[i] = (1.0f - z[i]) * cand[i] + z[i] * h[i];
        break;
      }
      case RecurrentCell::Lstm: {
        float *in = g0, *out = g0 + batch * H, *forget = g0 + 2 * batch * H,
              *cand = g0 + 3 * batch * H;
        hidden(d, s, h.data(), batch, 0, GH, product.data());
        gather(s, 0, in);
        gather(s, 2, forget);
        if (pd)
          for (int64_t i = 0; i < batch * H; ++i) {
            in[i] += pd[i % H] * c[i];
            forget[i] += pd[2 * H + i % H] * c[i];
          }
        finish(fn[0], in);
        if (spec.inputForget)
          for (int64_t i = 0; i < batch * H; ++i)
            forget[i] = 1.0f - in[i];
        else
          finish(fn[0], forget);
        gather(s, 3, cand);
        finish(fn[1], cand);
        // The new cell state goes into `cand`'s place once its value is used.
        for (int64_t i = 0; i < batch * H; ++i)
          cand[i] = forget[i] * c[i] + in[i] * cand[i];
        gather(s, 1, out);
        if (pd)
          for (int64_t i = 0; i < batch * H; ++i)
            out[i] += pd[H + i % H] * cand[i];
        finish(fn[0], out);
        // next = o ⊙ h(C_t); `forget` holds h(C_t) as scratch.
        std::copy(cand, cand + batch * H, forget);
        activate(fn[2], forget, batch * H);
        for (int64_t i = 0; i < batch * H; ++i)
          next[i] = out[i] * forget[i];
        break;
      }
      }
      for (int64_t b = 0; b < batch; ++b) {
        if (s >= lengths[b])
          continue;
        const int64_t t = reverse ? lengths[b] - 1 - s : s;
        std::copy(next.begin() + b * H, next.begin() + (b + 1) * H, h.begin() + b * H);
        if (lstm)
          std::copy(pre.begin() + 3 * batch * H + b * H, pre.begin() + 3 * batch * H + (b + 1) * H,
                    c.begin() + b * H);
        if (y)
          std::copy(next.begin() + b * H, next.begin() + (b + 1) * H,
                    y + ((t * D + d) * batch + b) * H);
      }
    }
    if (yH)
      std::copy(h.begin(), h.end(), yH + d * batch * H);
    if (yC)
      std::copy(c.begin(), c.end(), yC + d * batch * H);
  }
}

void recurrent(const RecurrentSpec &spec, const Tensor &x, const Tensor &w, const Tensor &r,
               const RecurrentIo &io) {
  const int64_t D = spec.directions(), GH = spec.gateWidth(), H = spec.hidden;
  requireDType(kn, "X", x, DType::F32);
  if (x.rank() != 3)
    fail(kn, "X has shape " + shapeToString(x.shape()) + ", expected [seq, batch, input]");
  const int64_t seq = x.dim(0), batch = x.dim(1), in = x.dim(2);
  requireDType(kn, "W", w, DType::F32);
  requireShape(kn, "W", w, {D, GH, in});
  requireDType(kn, "R", r, DType::F32);
  requireShape(kn, "R", r, {D, GH, H});
  if (io.bias) {
    requireDType(kn, "B", *io.bias, DType::F32);
    requireShape(kn, "B", *io.bias, {D, 2 * GH});
  }
  // Input projections of every step at once: X·W_d^T + Wb_d into columns [d·GH, (d+1)·GH).
  Tensor gates = Tensor::allocate(DType::F32, {seq, batch, D * GH});
  float *g = gates.data<float>();
  for (int64_t d = 0; d < D; ++d) {
    sgemm(kn, false, true, seq * batch, GH, in, 1.0f, x.data<float>(), in,
          w.data<float>() + d * GH * in, in, 0.0f, g + d * GH, D * GH);
    if (io.bias)
      for (int64_t row = 0; row < seq * batch; ++row)
        for (int64_t j = 0; j < GH; ++j)
          g[row * D * GH + d * GH + j] += io.bias->data<float>()[d * 2 * GH + j];
  }
  const float *rData = r.data<float>();
  HiddenProduct product = [&](int64_t d, int64_t, const float *h, int64_t rows, int64_t col0,
                              int64_t col1, float *out) {
    sgemm(kn, false, true, rows, col1 - col0, H, 1.0f, h, H, rData + (d * GH + col0) * H, H, 0.0f,
          out + col0, GH);
  };
  recurrenceSteps(spec, gates, product, io);
}

} // namespace cimlir::cpu
