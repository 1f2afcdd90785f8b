#include "kernels/cpu/Recurrent.h"

#include "KernelTestUtil.h"

#include <cmath>

namespace cimlir::cpu {
namespace {

using test::expectClose;

/// The ONNX operator text's equations, one batch entry and one scalar at a time, in double.
double act(const RecurrentActivation &a, double x) {
  if (a.name == "Sigmoid")
    return 1.0 / (1.0 + std::exp(-x));
  if (a.name == "Tanh")
    return std::tanh(x);
  if (a.name == "Relu")
    return x > 0 ? x : 0;
  if (a.name == "LeakyRelu")
    return x >= 0 ? x : a.alpha * x;
  if (a.name == "HardSigmoid")
    return std::max(0.0, std::min(1.0, a.alpha * x + a.beta));
  if (a.name == "Affine")
    return a.alpha * x + a.beta;
  if (a.name == "ScaledTanh")
    return a.alpha * std::tanh(a.beta * x);
  ADD_FAILURE() << "no reference for " << a.name;
  return 0;
}

struct Case {
  RecurrentSpec spec;
  int64_t seq, batch, input;
  Tensor x, w, r, b, lens, h0, c0, p;
  bool hasB, hasLens, hasH0, hasC0, hasP;
};

/// Y [seq, D, batch, H], Y_h and Y_c [D, batch, H] by the operator text's formulas.
void reference(const Case &k, std::vector<double> &y, std::vector<double> &yh,
               std::vector<double> &yc) {
  const auto &s = k.spec;
  const int64_t H = s.hidden, D = s.directions(), G = recurrentGates(s.cell), GH = G * H;
  const int64_t F = static_cast<int64_t>(defaultRecurrentActivations(s.cell).size());
  y.assign(k.seq * D * k.batch * H, 0.0);
  yh.assign(D * k.batch * H, 0.0);
  yc.assign(D * k.batch * H, 0.0);
  auto X = [&](int64_t t, int64_t b, int64_t i) {
    return double(k.x.data<float>()[(t * k.batch + b) * k.input + i]);
  };
  auto W = [&](int64_t d, int64_t row, int64_t i) {
    return double(k.w.data<float>()[(d * GH + row) * k.input + i]);
  };
  auto R = [&](int64_t d, int64_t row, int64_t i) {
    return double(k.r.data<float>()[(d * GH + row) * H + i]);
  };
  auto Wb = [&](int64_t d, int64_t row) {
    return k.hasB ? double(k.b.data<float>()[d * 2 * GH + row]) : 0.0;
  };
  auto Rb = [&](int64_t d, int64_t row) {
    return k.hasB ? double(k.b.data<float>()[d * 2 * GH + GH + row]) : 0.0;
  };
  auto clip = [&](double v) {
    return s.clip ? std::max(-double(*s.clip), std::min(double(*s.clip), v)) : v;
  };
  for (int64_t d = 0; d < D; ++d) {
    const RecurrentActivation *fn = &s.activations[d * F];
    for (int64_t b = 0; b < k.batch; ++b) {
      const int64_t len = k.hasLens ? k.lens.data<int32_t>()[b] : k.seq;
      std::vector<double> h(H), c(H);
      for (int64_t j = 0; j < H; ++j) {
        h[j] = k.hasH0 ? k.h0.data<float>()[(d * k.batch + b) * H + j] : 0.0;
        c[j] = k.hasC0 ? k.c0.data<float>()[(d * k.batch + b) * H + j] : 0.0;
      }
      for (int64_t step = 0; step < len; ++step) {
        const int64_t t = (s.reverse || d == 1) ? len - 1 - step : step;
        // x·W_g^T + Wb_g and v·R_g^T + Rb_g for gate g, unit j.
        auto xw = [&](int64_t g, int64_t j) {
          double a = Wb(d, g * H + j);
          for (int64_t i = 0; i < k.input; ++i)
            a += X(t, b, i) * W(d, g * H + j, i);
          return a;
        };
        auto hr = [&](const std::vector<double> &v, int64_t g, int64_t j) {
          double a = Rb(d, g * H + j);
          for (int64_t i = 0; i < H; ++i)
            a += v[i] * R(d, g * H + j, i);
          return a;
        };
        std::vector<double> nh(H), nc(H);
        if (s.cell == RecurrentCell::Rnn) {
          for (int64_t j = 0; j < H; ++j)
            nh[j] = act(fn[0], clip(xw(0, j) + hr(h, 0, j)));
        } else if (s.cell == RecurrentCell::Gru) {
          std::vector<double> z(H), rr(H), rh(H);
          for (int64_t j = 0; j < H; ++j) {
            z[j] = act(fn[0], clip(xw(0, j) + hr(h, 0, j)));
            rr[j] = act(fn[0], clip(xw(1, j) + hr(h, 1, j)));
            rh[j] = rr[j] * h[j];
          }
          for (int64_t j = 0; j < H; ++j) {
            double cand =
                s.linearBeforeReset ? xw(2, j) + rr[j] * hr(h, 2, j) : xw(2, j) + hr(rh, 2, j);
            cand = act(fn[1], clip(cand));
            nh[j] = (1 - z[j]) * cand + z[j] * h[j];
          }
        } else {
          auto P = [&](int64_t g, int64_t j) {
            return k.hasP ? double(k.p.data<float>()[d * 3 * H + g * H + j]) : 0.0;
          };
          for (int64_t j = 0; j < H; ++j) {
            double i = act(fn[0], clip(xw(0, j) + hr(h, 0, j) + P(0, j) * c[j]));
            double f =
                s.inputForget ? 1 - i : act(fn[0], clip(xw(2, j) + hr(h, 2, j) + P(2, j) * c[j]));
            double g = act(fn[1], clip(xw(3, j) + hr(h, 3, j)));
            nc[j] = f * c[j] + i * g;
            double o = act(fn[0], clip(xw(1, j) + hr(h, 1, j) + P(1, j) * nc[j]));
            nh[j] = o * act(fn[2], nc[j]);
          }
          c = nc;
        }
        h = nh;
        for (int64_t j = 0; j < H; ++j)
          y[((t * D + d) * k.batch + b) * H + j] = h[j];
      }
      for (int64_t j = 0; j < H; ++j) {
        yh[(d * k.batch + b) * H + j] = h[j];
        yc[(d * k.batch + b) * H + j] = c[j];
      }
    }
  }
}

RecurrentActivation randomActivation(test::Rng &rng, bool gate) {
  // Gates take squashing functions; the candidate and output may take any.
  if (gate)
    return rng.coin() ? RecurrentActivation{"Sigmoid"}
                      : RecurrentActivation{"HardSigmoid", 0.3f, 0.4f};
  switch (rng.range(0, 4)) {
  case 0:
    return {"Tanh"};
  case 1:
    return {"Relu"};
  case 2:
    return {"LeakyRelu", 0.05f};
  case 3:
    return {"Affine", 0.7f, 0.1f};
  default:
    return {"ScaledTanh", 1.5f, 0.5f};
  }
}

TEST(Recurrent, EveryCellAndOptionAgainstTheOperatorText) {
  CIMLIR_RANDOM_TEST();
  for (RecurrentCell cell : {RecurrentCell::Rnn, RecurrentCell::Gru, RecurrentCell::Lstm}) {
    for (int trial = 0; trial < 12; ++trial) {
      Case k;
      auto &s = k.spec;
      s.cell = cell;
      s.hidden = rng.range(1, 6);
      s.bidirectional = rng.coin();
      s.reverse = !s.bidirectional && rng.coin();
      s.linearBeforeReset = cell == RecurrentCell::Gru && rng.coin();
      s.inputForget = cell == RecurrentCell::Lstm && trial % 5 == 4;
      if (rng.range(0, 3) == 0)
        s.clip = static_cast<float>(rng.uniform(0.2, 2.0));
      const bool defaults = trial % 2 == 0;
      for (int64_t d = 0; d < s.directions(); ++d) {
        const auto names = defaultRecurrentActivations(cell);
        for (size_t f = 0; f < names.size(); ++f)
          s.activations.push_back(
              defaults ? RecurrentActivation{names[f]}
                       : randomActivation(rng, cell != RecurrentCell::Rnn && f == 0));
      }
      k.seq = rng.range(1, 6);
      k.batch = rng.range(1, 4);
      k.input = rng.range(1, 5);
      const int64_t D = s.directions(), GH = s.gateWidth(), H = s.hidden;
      k.x = rng.f32({k.seq, k.batch, k.input}, -2, 2);
      k.w = rng.f32({D, GH, k.input});
      k.r = rng.f32({D, GH, H});
      k.hasB = rng.coin();
      k.b = rng.f32({D, 2 * GH});
      k.hasLens = rng.coin();
      k.lens = Tensor::allocate(DType::I32, {k.batch});
      for (int64_t b = 0; b < k.batch; ++b)
        k.lens.data<int32_t>()[b] = static_cast<int32_t>(rng.range(0, k.seq));
      k.hasH0 = rng.coin();
      k.h0 = rng.f32({D, k.batch, H});
      const bool lstm = cell == RecurrentCell::Lstm;
      k.hasC0 = lstm && rng.coin();
      k.c0 = rng.f32({D, k.batch, H});
      k.hasP = lstm && rng.coin();
      k.p = rng.f32({D, 3 * H});
      SCOPED_TRACE("cell " + std::to_string(int(cell)) + " trial " + std::to_string(trial) + " H " +
                   std::to_string(H) + " D " + std::to_string(D) + " seq " + std::to_string(k.seq) +
                   " batch " + std::to_string(k.batch));

      Tensor y = rng.f32({k.seq, D, k.batch, H}), yh = rng.f32({D, k.batch, H}),
             yc = rng.f32({D, k.batch, H});
      RecurrentIo io;
      io.bias = k.hasB ? &k.b : nullptr;
      io.sequenceLens = k.hasLens ? &k.lens : nullptr;
      io.initialH = k.hasH0 ? &k.h0 : nullptr;
      io.initialC = k.hasC0 ? &k.c0 : nullptr;
      io.peepholes = k.hasP ? &k.p : nullptr;
      io.y = &y;
      io.yH = &yh;
      io.yC = lstm ? &yc : nullptr;
      recurrent(s, k.x, k.w, k.r, io);

      std::vector<double> wy, wyh, wyc;
      reference(k, wy, wyh, wyc);
      expectClose(y, wy, 1e-4, 1e-5);
      expectClose(yh, wyh, 1e-4, 1e-5);
      if (lstm)
        expectClose(yc, wyc, 1e-4, 1e-5);
    }
  }
}

TEST(Recurrent, ActivationParametersAsOnnxruntimeReadsThem) {
  std::vector<RecurrentActivation> a;
  EXPECT_EQ(resolveRecurrentActivations({"leakyrelu", "Tanh", "HARDSIGMOID", "Affine"},
                                        {0.1f, 0.2f}, {0.3f}, a),
            "");
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0].name, "LeakyRelu");
  EXPECT_FLOAT_EQ(a[0].alpha, 0.1f);
  EXPECT_EQ(a[1].name, "Tanh");
  EXPECT_EQ(a[2].name, "HardSigmoid");
  EXPECT_FLOAT_EQ(a[2].alpha, 0.2f);
  EXPECT_FLOAT_EQ(a[2].beta, 0.3f);
  // Lists used up: the defaults (Affine's leave x unchanged).
  EXPECT_FLOAT_EQ(a[3].alpha, 1.0f);
  EXPECT_FLOAT_EQ(a[3].beta, 0.0f);
  EXPECT_NE(
      resolveRecurrentActivations({"Exp"}, {}, {}, a).find("unknown activation function 'Exp'"),
      std::string::npos);
  EXPECT_NE(resolveRecurrentActivations({"Tanh"}, {0.5f}, {}, a), "");
}

TEST(Recurrent, RefusesBadOperands) {
  RecurrentSpec s;
  s.cell = RecurrentCell::Lstm;
  s.hidden = 2;
  ASSERT_EQ(resolveRecurrentActivations(defaultRecurrentActivations(s.cell), {}, {}, s.activations),
            "");
  Tensor x = Tensor::allocate(DType::F32, {3, 1, 2}), w = Tensor::allocate(DType::F32, {1, 8, 2}),
         r = Tensor::allocate(DType::F32, {1, 8, 2}),
         y = Tensor::allocate(DType::F32, {3, 1, 1, 2});
  Tensor lens = Tensor::allocate(DType::I32, {1});
  lens.data<int32_t>()[0] = 4; // longer than the sequence
  RecurrentIo io;
  io.y = &y;
  io.sequenceLens = &lens;
  EXPECT_THROW(recurrent(s, x, w, r, io), Error);
  io.sequenceLens = nullptr;
  Tensor badR = Tensor::allocate(DType::F32, {1, 8, 3});
  EXPECT_THROW(recurrent(s, x, w, badR, io), Error);
  s.activations.pop_back();
  EXPECT_THROW(recurrent(s, x, w, r, io), Error);
}

} // namespace
} // namespace cimlir::cpu
