// The harness of the OpSteps suites (OpStepTest.cpp and its siblings): one-step plans on fresh
// random inputs, run on the tested backend and on the CPU backend, every output compared (the
// same bits, or within a tolerance) and, on the CUDA backend, no step left on the host.
#pragma once

#include "core/Error.h"
#include "runtime/exec/Executor.h"
#include "runtime/exec/Program.h"
#include "test/unit/runtime/RuntimeTestUtil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace cimlir::runtimetest {

/// One step's inputs: activations (graph inputs) or constants.
struct Operand {
  Tensor value;
  bool constant = false;
};

struct OpCase {
  std::string op;
  json attrs = json::object();
  std::vector<Operand> inputs = {};
  std::vector<std::pair<DType, Shape>> outputs = {};
  double rtol = 0, atol = 0; ///< 0, 0: the same bits
};

inline Tensor randomInt64(std::mt19937 &gen, const Shape &shape, int64_t lo, int64_t hi) {
  Tensor t = Tensor::allocate(DType::I64, shape);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<int64_t>()[i] = randInt(gen, lo, hi);
  return t;
}

inline Tensor scalarF32(float v, const Shape &shape = {}) {
  Tensor t = Tensor::allocate(DType::F32, shape);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<float>()[i] = v;
  return t;
}

/// A tensor of `t` with values uniform in [lo, hi] (integers rounded; no 0 where `nonZero`).
inline Tensor uniformOf(std::mt19937 &gen, DType t, const Shape &shape, double lo, double hi,
                        bool nonZero = false) {
  Tensor f = Tensor::allocate(DType::F64, shape);
  std::uniform_real_distribution<double> d(lo, hi);
  const bool integer = t != DType::F32 && t != DType::F64;
  for (int64_t i = 0; i < f.numel(); ++i) {
    double v = d(gen);
    if (integer)
      v = std::round(v);
    if (nonZero && v == 0)
      v = 1;
    f.data<double>()[i] = v;
  }
  Tensor out = Tensor::allocate(t, shape);
  for (int64_t i = 0; i < f.numel(); ++i) {
    const double v = f.data<double>()[i];
    switch (t) {
    case DType::F32:
      out.data<float>()[i] = static_cast<float>(v);
      break;
    case DType::F64:
      out.data<double>()[i] = v;
      break;
    case DType::I8:
      out.data<int8_t>()[i] = static_cast<int8_t>(v);
      break;
    case DType::U8:
      out.data<uint8_t>()[i] = static_cast<uint8_t>(v);
      break;
    case DType::I16:
      out.data<int16_t>()[i] = static_cast<int16_t>(v);
      break;
    case DType::U16:
      out.data<uint16_t>()[i] = static_cast<uint16_t>(v);
      break;
    case DType::I32:
      out.data<int32_t>()[i] = static_cast<int32_t>(v);
      break;
    default:
      out.data<int64_t>()[i] = static_cast<int64_t>(v);
      break;
    }
  }
  return out;
}

inline std::string writePlan(const OpCase &c, const std::string &path) {
  PlanBuilder b;
  std::vector<int64_t> ins, outs;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const Operand &o = c.inputs[i];
    const std::string name = "in" + std::to_string(i);
    ins.push_back(o.constant ? b.constant(name, o.value)
                             : b.input(name, o.value.dtype(), o.value.shape()));
  }
  for (size_t i = 0; i < c.outputs.size(); ++i) {
    outs.push_back(b.value("out" + std::to_string(i), c.outputs[i].first, c.outputs[i].second));
    b.output("out" + std::to_string(i), outs.back());
  }
  b.step(c.op, "the_step", ins, outs, c.attrs);
  b.write(path);
  return path;
}

inline TensorMap activations(const OpCase &c) {
  TensorMap in;
  for (size_t i = 0; i < c.inputs.size(); ++i)
    if (!c.inputs[i].constant)
      in.emplace("in" + std::to_string(i), c.inputs[i].value);
  return in;
}

/// Runs `c` on the test backend and on the CPU backend and compares every output.
inline void expectAgreement(const OpCase &c, const std::string &what) {
  SCOPED_TRACE(what);
  TempDir dir;
  const std::string path = writePlan(c, dir.file("plan.bin"));
  Executor tested(Program::load(path), makeBackend());
  Executor reference(Program::load(path), createBackend("cpu", {}));
  const TensorMap got = tested.run(activations(c)), want = reference.run(activations(c));
  const json details = tested.backend().report();
  if (details.contains("host_steps")) {
    EXPECT_TRUE(details["host_steps"].empty())
        << c.op << " ran on the host: " << details["host_steps"].dump();
  }
  for (const auto &[name, w] : want) {
    const Tensor &g = got.at(name);
    ASSERT_EQ(g.dtype(), w.dtype()) << name;
    ASSERT_EQ(g.shape(), w.shape()) << name;
    if (c.rtol == 0 && c.atol == 0) {
      // The same bits, but any NaN for a NaN (a GPU's conversions give the canonical one).
      const size_t size = dtypeSize(w.dtype());
      for (int64_t i = 0; i < w.numel(); ++i) {
        const auto *gb = static_cast<const unsigned char *>(g.raw()) + i * size;
        const auto *wb = static_cast<const unsigned char *>(w.raw()) + i * size;
        const bool nans = (w.dtype() == DType::F32 && std::isnan(g.data<float>()[i]) &&
                           std::isnan(w.data<float>()[i])) ||
                          (w.dtype() == DType::F64 && std::isnan(g.data<double>()[i]) &&
                           std::isnan(w.data<double>()[i]));
        if (!nans && std::memcmp(gb, wb, size) != 0) {
          ADD_FAILURE() << name << " differs at element " << i;
          break;
        }
      }
      continue;
    }
    if (w.dtype() == DType::F64) { // expectClose reads float32
      for (int64_t i = 0; i < w.numel(); ++i) {
        const double gv = g.data<double>()[i], wv = w.data<double>()[i];
        if (!(std::fabs(gv - wv) <= c.atol + c.rtol * std::fabs(wv))) {
          ADD_FAILURE() << name << ": element " << i << " is " << gv << ", expected " << wv;
          break;
        }
      }
      continue;
    }
    std::vector<double> ref(w.data<float>(), w.data<float>() + w.numel());
    expectClose(g, ref, {}, c.rtol, c.atol, name);
  }
}

/// A random convolution over `spatial` axes: X [N, C, D...], W [M, C/group, K...] and Y, with
/// its attributes (strides, dilations, pads, group), every window fitting its axis.
struct ConvCase {
  Shape x, w, y;
  json attrs;
};
inline ConvCase randomConv(std::mt19937 &gen, int spatial) {
  const int64_t groups = randInt(gen, 1, 2), C = groups * randInt(gen, 1, 3),
                M = groups * randInt(gen, 1, 3);
  ConvCase k{{randInt(gen, 1, 3), C}, {M, C / groups}, {}, json::object()};
  k.y = {k.x[0], M};
  std::vector<int64_t> strides, dilations, pads(2 * static_cast<size_t>(spatial));
  for (int d = 0; d < spatial; ++d) {
    const int64_t kernel = randInt(gen, 1, 3), stride = randInt(gen, 1, 2),
                  dilation = randInt(gen, 1, 2), begin = randInt(gen, 0, 1),
                  end = randInt(gen, 0, 1);
    const int64_t span = (kernel - 1) * dilation + 1;
    const int64_t in = std::max(randInt(gen, 3, 9), span); // the window fits
    strides.push_back(stride);
    dilations.push_back(dilation);
    pads[static_cast<size_t>(d)] = begin;
    pads[static_cast<size_t>(spatial + d)] = end;
    k.x.push_back(in);
    k.w.push_back(kernel);
    k.y.push_back((in + begin + end - span) / stride + 1);
  }
  k.attrs = {{"strides", strides}, {"dilations", dilations}, {"pads", pads}, {"group", groups}};
  return k;
}

/// Runs `c` on the tested backend and on the CPU backend and expects both to fail with `error`.
inline void expectSameError(const OpCase &c, const std::string &error) {
  TempDir dir;
  const std::string path = writePlan(c, dir.file("bad.bin"));
  for (const std::string &backend : {testBackend(), std::string("cpu")}) {
    Executor ex(Program::load(path), createBackend(backend, {}));
    EXPECT_EQ(errorOf([&] { ex.run(activations(c)); }), error) << backend;
  }
}

/// The fixture of every OpSteps suite: nothing to compare on the CPU backend.
class OpSteps : public ::testing::Test {
protected:
  void SetUp() override {
    if (testBackend() == "cpu")
      GTEST_SKIP() << "the CPU backend is the reference here (its kernels: test/unit/kernels)";
  }
};

} // namespace cimlir::runtimetest
