// Executor + CPU backend on hand-built plans, against naive references in double on
// fresh random inputs: Gemm+Relu and Conv -> MaxPool -> Flatten -> Gemm at several batch
// sizes, rows independent of the batch they run in, and refusal of mismatched inputs
// with a message naming the input and what the plan expects.
#include "runtime/exec/Executor.h"
#include "core/Error.h"
#include "runtime/exec/Program.h"
#include "test/unit/runtime/RuntimeTestUtil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

namespace cimlir::runtimetest {
namespace {

double uniform(std::mt19937 &gen, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(gen);
}

Executor testExecutor(const std::string &path) {
  return Executor(Program::load(path), makeBackend());
}

// --- Gemm + Relu -------------------------------------------------------------------------

struct GemmReluCase {
  int64_t k, m;
  bool transB;
  float alpha, beta;
  Tensor w, bias; // w is [m, k] with transB, else [k, m]
};

GemmReluCase writeGemmRelu(std::mt19937 &gen, bool transB, const std::string &path,
                           bool alsoOutputPre = false) {
  GemmReluCase c;
  c.k = randInt(gen, 1, 70);
  c.m = randInt(gen, 1, 40);
  c.transB = transB;
  c.alpha = static_cast<float>(uniform(gen, 0.5, 2.0));
  c.beta = static_cast<float>(uniform(gen, 0.5, 2.0));
  c.w = randomF32(gen, transB ? Shape{c.m, c.k} : Shape{c.k, c.m});
  c.bias = randomF32(gen, {c.m});
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {-1, c.k});
  int64_t w = b.constant("fc.weight", c.w);
  int64_t bias = b.constant("fc.bias", c.bias);
  int64_t h = b.value("fc", DType::F32, {-1, c.m});
  b.step("Gemm", "fc", {x, w, bias}, {h}, gemmAttrs(c.alpha, c.beta, 0, transB ? 1 : 0));
  int64_t y = b.value("relu", DType::F32, {-1, c.m});
  b.step("Relu", "relu", {h}, {y});
  b.output("y", y);
  if (alsoOutputPre)
    b.output("pre", h);
  b.write(path);
  return c;
}

/// relu(alpha * x op(W) + beta * b) in double; `scale` gets the sum of |terms| per element.
std::vector<double> gemmReluReference(const GemmReluCase &c, const Tensor &x,
                                      std::vector<double> &scale, bool relu = true) {
  int64_t n = x.dim(0);
  std::vector<double> y(static_cast<size_t>(n * c.m));
  scale.assign(y.size(), 0.0);
  const float *xv = x.data<float>(), *wv = c.w.data<float>(), *bv = c.bias.data<float>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < c.m; ++o) {
      double acc = 0, abs = 0;
      for (int64_t j = 0; j < c.k; ++j) {
        double wj = c.transB ? wv[o * c.k + j] : wv[j * c.m + o];
        acc += double(xv[i * c.k + j]) * wj;
        abs += std::fabs(double(xv[i * c.k + j]) * wj);
      }
      double v = double(c.alpha) * acc + double(c.beta) * bv[o];
      size_t at = static_cast<size_t>(i * c.m + o);
      y[at] = relu ? std::max(v, 0.0) : v;
      scale[at] = std::fabs(c.alpha) * abs + std::fabs(double(c.beta) * bv[o]);
    }
  return y;
}

std::vector<double> rowsOf(const Tensor &t, int64_t begin, int64_t end) {
  if (t.rank() == 0 || !t.raw() || t.dim(0) < end) {
    ADD_FAILURE() << "no rows [" << begin << "," << end << ") in a tensor "
                  << shapeToString(t.shape());
    return {};
  }
  int64_t width = t.numel() / t.dim(0);
  return std::vector<double>(t.data<float>() + begin * width, t.data<float>() + end * width);
}

TEST(ExecutorGemmRelu, MatchesReferenceAtEveryBatchSize) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (bool transB : {true, false}) {
    SCOPED_TRACE(transB ? "transB" : "no transB");
    std::string path = dir.file(transB ? "t.bin" : "n.bin");
    GemmReluCase c = writeGemmRelu(gen, transB, path, /*alsoOutputPre=*/true);
    SCOPED_TRACE("K " + std::to_string(c.k) + ", M " + std::to_string(c.m));
    Executor ex = testExecutor(path);
    for (int64_t n : {1, 3, 64}) {
      SCOPED_TRACE("batch " + std::to_string(n));
      Tensor x = randomF32(gen, {n, c.k});
      Tensor before = x.clone();
      TensorMap out = ex.run({{"x", x}});
      ASSERT_EQ(out.size(), 2u);
      ASSERT_EQ(out.count("y"), 1u);
      ASSERT_EQ(out.count("pre"), 1u);
      const Tensor &y = out.at("y");
      ASSERT_EQ(y.shape(), (Shape{n, c.m}));
      std::vector<double> scale;
      std::vector<double> ref = gemmReluReference(c, x, scale);
      expectClose(y, ref, scale, 1e-5, 1e-6, "y");
      // The pre-activation too, so that a small case clamped to zeros still checks Gemm.
      expectClose(out.at("pre"), gemmReluReference(c, x, scale, /*relu=*/false), scale, 1e-5, 1e-6,
                  "pre");
      EXPECT_EQ(0, std::memcmp(x.raw(), before.raw(), x.byteSize())) << "the input is not modified";
    }
  }
}

TEST(ExecutorGemmRelu, RowsDoNotDependOnTheBatchTheyRunIn) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  std::string path = dir.file("plan.bin");
  GemmReluCase c = writeGemmRelu(gen, true, path);
  Executor ex = testExecutor(path);
  Tensor x64 = randomF32(gen, {64, c.k});
  Tensor y64 = ex.run({{"x", x64}}).at("y");
  std::vector<double> scale;
  gemmReluReference(c, x64, scale);
  for (int64_t r : {int64_t(0), randInt(gen, 1, 62), int64_t(63)}) {
    SCOPED_TRACE("row " + std::to_string(r));
    Tensor y1 = ex.run({{"x", x64.sliceRows(r, r + 1).clone()}}).at("y");
    std::vector<double> s(scale.begin() + r * c.m, scale.begin() + (r + 1) * c.m);
    // BLAS may block a 1-row product differently from a 64-row one: equal within rounding.
    expectClose(y1, rowsOf(y64, r, r + 1), s, 1e-5, 1e-6, "batch 1 vs batch 64");
  }
  int64_t r = randInt(gen, 0, 61);
  Tensor y3 = ex.run({{"x", x64.sliceRows(r, r + 3).clone()}}).at("y");
  std::vector<double> s(scale.begin() + r * c.m, scale.begin() + (r + 3) * c.m);
  expectClose(y3, rowsOf(y64, r, r + 3), s, 1e-5, 1e-6, "batch 3 vs batch 64");
}

TEST(ExecutorGemmRelu, IntermediateGraphOutputIsKept) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  std::string path = dir.file("plan.bin");
  GemmReluCase c = writeGemmRelu(gen, true, path, /*alsoOutputPre=*/true);
  Executor ex = testExecutor(path);
  Tensor x = randomF32(gen, {5, c.k});
  TensorMap out = ex.run({{"x", x}});
  ASSERT_EQ(out.size(), 2u);
  const Tensor &pre = out.at("pre"), &y = out.at("y");
  ASSERT_EQ(pre.shape(), (Shape{5, c.m}));
  std::vector<double> scale;
  expectClose(pre, gemmReluReference(c, x, scale, /*relu=*/false), scale, 1e-5, 1e-6, "pre");
  ASSERT_EQ(y.shape(), pre.shape());
  for (int64_t i = 0; i < y.numel(); ++i)
    EXPECT_EQ(y.data<float>()[i], std::max(pre.data<float>()[i], 0.0f)) << i;
}

TEST(ExecutorGemmRelu, KernelErrorsNameTheStep) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  std::string path = dir.file("plan.bin");
  GemmReluCase c = writeGemmRelu(gen, true, path);
  // A plan whose Gemm output shape disagrees with its operands (a buggy pass): the
  // metadata is consistent, the kernel refuses at run time.
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {-1, c.k});
  int64_t w = b.constant("fc.weight", c.w);
  int64_t h = b.value("fc", DType::F32, {-1, c.m + 1});
  b.step("Gemm", "fc", {x, w}, {h}, gemmAttrs(1, 0, 0, 1));
  b.output("y", h);
  b.write(path);
  Executor ex = testExecutor(path);
  std::string msg = errorOf([&] { ex.run({{"x", randomF32(gen, {2, c.k})}}); });
  EXPECT_TRUE(containsAll(msg, {"Gemm", "'fc'", "gemm", "[2," + std::to_string(c.m + 1) + "]"}));
}

TEST(ExecutorGemmRelu, GraphInputsAndConstantsCanBeGraphOutputs) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  PlanBuilder b;
  Tensor w = randomF32(gen, {3, 4});
  int64_t x = b.input("x", DType::F32, {-1, 4});
  int64_t wId = b.constant("w", w);
  int64_t y = b.value("y", DType::F32, {-1, 4});
  b.step("Relu", "relu", {x}, {y});
  b.output("y", y);
  b.output("echo", x);
  b.output("weights", wId);
  std::string path = dir.file("plan.bin");
  b.write(path);
  Executor ex = testExecutor(path);
  Tensor in = randomF32(gen, {2, 4});
  TensorMap out = ex.run({{"x", in}});
  ASSERT_EQ(out.size(), 3u);
  ASSERT_EQ(out.at("echo").shape(), in.shape());
  EXPECT_EQ(0, std::memcmp(out.at("echo").raw(), in.raw(), in.byteSize()));
  ASSERT_EQ(out.at("weights").shape(), w.shape());
  EXPECT_EQ(0, std::memcmp(out.at("weights").raw(), w.raw(), w.byteSize()));
  ASSERT_EQ(out.at("y").shape(), in.shape());
  for (int64_t i = 0; i < in.numel(); ++i)
    EXPECT_EQ(out.at("y").data<float>()[i], std::max(in.data<float>()[i], 0.0f));
}

// --- Conv -> MaxPool -> Flatten -> Gemm ---------------------------------------------------

struct ConvNet {
  int64_t c, h, w, m, kh, kw, stride, dil, pt, pl, pb, pr, oh, ow, ph, pw, f, o;
  Tensor convW, convB, fcW, fcB;
};

ConvNet writeConvNet(std::mt19937 &gen, const std::string &path) {
  ConvNet n;
  n.c = randInt(gen, 1, 3);
  n.h = randInt(gen, 8, 12);
  n.w = randInt(gen, 8, 12);
  n.m = randInt(gen, 1, 4);
  n.kh = randInt(gen, 1, 3);
  n.kw = randInt(gen, 1, 3);
  n.stride = randInt(gen, 1, 2);
  n.dil = randInt(gen, 1, 2);
  n.pt = randInt(gen, 0, 1);
  n.pl = randInt(gen, 0, 1);
  n.pb = randInt(gen, 0, 1);
  n.pr = randInt(gen, 0, 1);
  n.oh = (n.h + n.pt + n.pb - n.dil * (n.kh - 1) - 1) / n.stride + 1;
  n.ow = (n.w + n.pl + n.pr - n.dil * (n.kw - 1) - 1) / n.stride + 1;
  n.ph = (n.oh - 2) / 2 + 1;
  n.pw = (n.ow - 2) / 2 + 1;
  n.f = n.m * n.ph * n.pw;
  n.o = randInt(gen, 1, 10);
  n.convW = randomF32(gen, {n.m, n.c, n.kh, n.kw});
  n.convB = randomF32(gen, {n.m});
  n.fcW = randomF32(gen, {n.o, n.f});
  n.fcB = randomF32(gen, {n.o});

  PlanBuilder b;
  int64_t x = b.input("image", DType::F32, {-1, n.c, n.h, n.w});
  int64_t cw = b.constant("conv.weight", n.convW);
  int64_t cb = b.constant("conv.bias", n.convB);
  int64_t conv = b.value("conv", DType::F32, {-1, n.m, n.oh, n.ow});
  b.step("Conv", "conv", {x, cw, cb}, {conv},
         {{"dilations", {n.dil, n.dil}},
          {"group", 1},
          {"kernel_shape", {n.kh, n.kw}},
          {"pads", {n.pt, n.pl, n.pb, n.pr}},
          {"strides", {n.stride, n.stride}}});
  int64_t pool = b.value("pool", DType::F32, {-1, n.m, n.ph, n.pw});
  b.step("MaxPool", "pool", {conv}, {pool},
         {{"kernel_shape", {2, 2}},
          {"strides", {2, 2}},
          {"pads", {0, 0, 0, 0}},
          {"dilations", {1, 1}}});
  int64_t flat = b.value("flatten", DType::F32, {-1, n.f});
  b.step("Flatten", "flatten", {pool}, {flat}, {{"axis", 1}});
  int64_t fw = b.constant("fc.weight", n.fcW);
  int64_t fb = b.constant("fc.bias", n.fcB);
  int64_t logits = b.value("fc", DType::F32, {-1, n.o});
  b.step("Gemm", "fc", {flat, fw, fb}, {logits}, gemmAttrs(1.0, 1.0, 0, 1));
  b.output("logits", logits);
  b.write(path);
  return n;
}

/// Naive loops in double; `scale` gets the sum of |terms| of the final Gemm per element.
std::vector<double> convNetReference(const ConvNet &n, const Tensor &x,
                                     std::vector<double> &scale) {
  int64_t batch = x.dim(0);
  const float *xv = x.data<float>();
  std::vector<double> conv(static_cast<size_t>(batch * n.m * n.oh * n.ow));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t m = 0; m < n.m; ++m)
      for (int64_t i = 0; i < n.oh; ++i)
        for (int64_t j = 0; j < n.ow; ++j) {
          double acc = n.convB.data<float>()[m];
          for (int64_t c = 0; c < n.c; ++c)
            for (int64_t u = 0; u < n.kh; ++u)
              for (int64_t v = 0; v < n.kw; ++v) {
                int64_t r = i * n.stride - n.pt + u * n.dil, s = j * n.stride - n.pl + v * n.dil;
                if (r < 0 || r >= n.h || s < 0 || s >= n.w)
                  continue;
                acc += double(xv[((b * n.c + c) * n.h + r) * n.w + s]) *
                       n.convW.data<float>()[((m * n.c + c) * n.kh + u) * n.kw + v];
              }
          conv[static_cast<size_t>(((b * n.m + m) * n.oh + i) * n.ow + j)] = acc;
        }
  std::vector<double> flat(static_cast<size_t>(batch * n.f));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t m = 0; m < n.m; ++m)
      for (int64_t i = 0; i < n.ph; ++i)
        for (int64_t j = 0; j < n.pw; ++j) {
          double best = -std::numeric_limits<double>::infinity();
          for (int64_t u = 0; u < 2; ++u)
            for (int64_t v = 0; v < 2; ++v)
              best = std::max(
                  best,
                  conv[static_cast<size_t>(((b * n.m + m) * n.oh + 2 * i + u) * n.ow + 2 * j + v)]);
          flat[static_cast<size_t>(b * n.f + (m * n.ph + i) * n.pw + j)] = best;
        }
  std::vector<double> out(static_cast<size_t>(batch * n.o));
  scale.assign(out.size(), 0.0);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t o = 0; o < n.o; ++o) {
      double acc = n.fcB.data<float>()[o], abs = std::fabs(acc);
      for (int64_t k = 0; k < n.f; ++k) {
        double t = flat[static_cast<size_t>(b * n.f + k)] * n.fcW.data<float>()[o * n.f + k];
        acc += t;
        abs += std::fabs(t);
      }
      out[static_cast<size_t>(b * n.o + o)] = acc;
      scale[static_cast<size_t>(b * n.o + o)] = abs;
    }
  return out;
}

TEST(ExecutorConvNet, ConvMaxPoolFlattenGemmMatchesNaiveLoops) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  for (int plan = 0; plan < 4; ++plan) {
    std::string path = dir.file("convnet" + std::to_string(plan) + ".bin");
    ConvNet n = writeConvNet(gen, path);
    SCOPED_TRACE("C " + std::to_string(n.c) + " H " + std::to_string(n.h) + " W " +
                 std::to_string(n.w) + " M " + std::to_string(n.m) + " kernel " +
                 std::to_string(n.kh) + "x" + std::to_string(n.kw) + " stride " +
                 std::to_string(n.stride) + " dilation " + std::to_string(n.dil) + " pads " +
                 std::to_string(n.pt) + std::to_string(n.pl) + std::to_string(n.pb) +
                 std::to_string(n.pr) + " O " + std::to_string(n.o));
    Executor ex = testExecutor(path);
    Tensor last;
    std::vector<double> lastRef;
    for (int64_t batch : {1, 2, 5}) {
      SCOPED_TRACE("batch " + std::to_string(batch));
      Tensor x = randomF32(gen, {batch, n.c, n.h, n.w});
      TensorMap out = ex.run({{"image", x}});
      ASSERT_EQ(out.size(), 1u);
      const Tensor &y = out.at("logits");
      ASSERT_EQ(y.shape(), (Shape{batch, n.o}));
      std::vector<double> scale;
      std::vector<double> ref = convNetReference(n, x, scale);
      expectClose(y, ref, scale, 1e-5, 1e-5, "logits");
      last = x;
      lastRef = ref;
    }
    // One row of the batch-5 input alone gives the same logits.
    int64_t r = randInt(gen, 0, 4);
    Tensor y1 = ex.run({{"image", last.sliceRows(r, r + 1).clone()}}).at("logits");
    std::vector<double> ref1(lastRef.begin() + r * n.o, lastRef.begin() + (r + 1) * n.o);
    expectClose(y1, ref1, {}, 1e-4, 1e-5, "row alone");
  }
}

// --- input checks ---------------------------------------------------------------------

/// y = Relu(x), x [N, 4].
std::string writeReluPlan(const std::string &path) {
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {-1, 4});
  int64_t y = b.value("y", DType::F32, {-1, 4});
  b.step("Relu", "relu", {x}, {y});
  b.output("y", y);
  b.write(path);
  return path;
}

TEST(ExecutorInputs, MismatchesNameTheInputAndTheExpectedSpec) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  Executor ex = testExecutor(writeReluPlan(dir.file("plan.bin")));
  Tensor good = randomF32(gen, {3, 4});
  ASSERT_NO_THROW(ex.run({{"x", good}}));

  auto expectRefused = [&](const TensorMap &in, std::initializer_list<std::string> words,
                           const std::string &what) {
    SCOPED_TRACE(what);
    std::string msg = errorOf([&] { ex.run(in); });
    EXPECT_TRUE(containsAll(msg, words));
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  };
  expectRefused({}, {"'x'", "missing", "float32 [N,4]"}, "missing input");
  expectRefused({{"x", good}, {"z", good}}, {"'z'", "not an input", "'x'"}, "unknown input");
  expectRefused({{"X", good}}, {"'X'", "not an input", "'x'"}, "input name in another case");
  expectRefused({{"x", Tensor::allocate(DType::F64, {3, 4})}},
                {"'x'", "float64 [3,4]", "float32 [N,4]"}, "wrong dtype");
  expectRefused({{"x", Tensor::allocate(DType::I32, {3, 4})}}, {"'x'", "int32", "float32 [N,4]"},
                "integer input");
  expectRefused({{"x", randomF32(gen, {3, 4, 1})}}, {"'x'", "[3,4,1]", "float32 [N,4]"},
                "rank too high");
  expectRefused({{"x", randomF32(gen, {12})}}, {"'x'", "[12]", "float32 [N,4]"}, "rank too low");
  expectRefused({{"x", randomF32(gen, {3, 5})}}, {"'x'", "[3,5]", "float32 [N,4]"},
                "wrong static dim");
  expectRefused({{"x", Tensor::allocate(DType::F32, {0, 4})}}, {"'x'", "[0,4]", "float32 [N,4]"},
                "empty batch");
}

TEST(ExecutorInputs, StaticShapesMustMatchExactly) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {2, 3});
  int64_t y = b.value("y", DType::F32, {2, 3});
  b.step("Relu", "relu", {x}, {y});
  b.output("y", y);
  std::string path = dir.file("plan.bin");
  b.write(path);
  Executor ex = testExecutor(path);
  Tensor in = randomF32(gen, {2, 3});
  Tensor out = ex.run({{"x", in}}).at("y");
  ASSERT_EQ(out.shape(), (Shape{2, 3}));
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(out.data<float>()[i], std::max(in.data<float>()[i], 0.0f));
  std::string msg = errorOf([&] { ex.run({{"x", randomF32(gen, {3, 3})}}); });
  EXPECT_TRUE(containsAll(msg, {"'x'", "float32 [3,3]", "float32 [2,3]"}));
}

/// y = a + b with a, b [N, 4].
std::string writeAddPlan(const std::string &path) {
  PlanBuilder b;
  int64_t a = b.input("a", DType::F32, {-1, 4});
  int64_t c = b.input("b", DType::F32, {-1, 4});
  int64_t y = b.value("sum", DType::F32, {-1, 4});
  b.step("Add", "add", {a, c}, {y});
  b.output("y", y);
  b.write(path);
  return path;
}

TEST(ExecutorInputs, AllBatchedInputsShareOneBatchSize) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  Executor ex = testExecutor(writeAddPlan(dir.file("plan.bin")));
  Tensor a = randomF32(gen, {3, 4}), b = randomF32(gen, {3, 4});
  Tensor y = ex.run({{"a", a}, {"b", b}}).at("y");
  ASSERT_EQ(y.shape(), (Shape{3, 4}));
  for (int64_t i = 0; i < 12; ++i)
    EXPECT_EQ(y.data<float>()[i], a.data<float>()[i] + b.data<float>()[i]);

  std::string msg = errorOf([&] { ex.run({{"a", a}, {"b", randomF32(gen, {5, 4})}}); });
  EXPECT_TRUE(containsAll(msg, {"'b'", "[5,4]", "float32 [N,4]"}));
  msg = errorOf([&] { ex.run({{"a", randomF32(gen, {1, 4})}, {"b", b}}); });
  EXPECT_TRUE(containsAll(msg, {"'b'", "[3,4]", "float32 [N,4]"}));
}

// The message names the batch size the earlier input bound, not the offending extent.
TEST(ExecutorInputs, BatchMismatchMessageGivesTheBoundBatch) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  Executor ex = testExecutor(writeAddPlan(dir.file("plan.bin")));
  std::string msg = errorOf([&] {
    ex.run({{"a", randomF32(gen, {3, 4})}, {"b", randomF32(gen, {5, 4})}});
  });
  EXPECT_TRUE(containsAll(msg, {"'b'", "N = 3"}));
  EXPECT_FALSE(containsAll(msg, {"N = 5"}));
}

// An input tensor without storage (a view of null) is refused, not read.
TEST(ExecutorInputs, InputWithoutStorageIsRefused) {
  TempDir dir;
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {-1, 4});
  int64_t y = b.value("y", DType::F32, {-1, 4});
  b.step("Identity", "id", {x}, {y});
  b.output("y", y);
  std::string path = dir.file("plan.bin");
  b.write(path);
  Executor ex = testExecutor(path);
  std::string msg = errorOf([&] {
    ex.run({{"x", Tensor::view(DType::F32, {2, 4}, nullptr, nullptr)}});
  });
  EXPECT_TRUE(containsAll(msg, {"'x'"}));
}

TEST(ExecutorInputs, ExecutorIsReusableAfterARefusedRun) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  Executor ex = testExecutor(writeReluPlan(dir.file("plan.bin")));
  errorOf([&] { ex.run({{"x", randomF32(gen, {2, 5})}}); });
  Tensor in = randomF32(gen, {2, 4});
  Tensor out = ex.run({{"x", in}}).at("y");
  ASSERT_EQ(out.shape(), in.shape());
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_EQ(out.data<float>()[i], std::max(in.data<float>()[i], 0.0f));
}

// --- Activation arena ----------------------------------------------------------------------

/// x -> Relu -> Add(·, x) -> Relu -> ... : `steps` steps, each intermediate [N, width] float32.
void writeChain(const std::string &path, int64_t width, int steps) {
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {-1, width});
  int64_t v = x;
  for (int i = 0; i < steps; ++i) {
    int64_t next = b.value("v" + std::to_string(i), DType::F32, {-1, width});
    if (i % 2 == 0)
      b.step("Relu", "relu" + std::to_string(i), {v}, {next});
    else
      b.step("Add", "add" + std::to_string(i), {v, x}, {next});
    v = next;
  }
  b.output("y", v);
  b.write(path);
}

/// The chain's result by hand: relu and +x alternately, in float32 as the kernels do.
std::vector<float> chainReference(const Tensor &x, int steps) {
  std::vector<float> v(x.data<float>(), x.data<float>() + x.numel());
  for (int i = 0; i < steps; ++i)
    for (size_t e = 0; e < v.size(); ++e)
      v[e] = i % 2 == 0 ? std::max(v[e], 0.0f) : v[e] + x.data<float>()[e];
  return v;
}

TEST(ExecutorArena, IntermediatesWhoseLifetimesDoNotOverlapShareMemory) {
  TempDir dir;
  const std::string path = dir.file("chain.plan");
  const int64_t width = 37; // 148 bytes a row: not a multiple of 64
  writeChain(path, width, 9);
  Executor e = testExecutor(path);
  // A chain needs two intermediates at a time (a step's input and its output): 8 of them
  // live in two 64-byte aligned blocks; the graph output is the caller's, outside.
  for (int64_t batch : {1, 5, 64}) {
    const size_t block = (static_cast<size_t>(batch * width * 4) + 63) / 64 * 64;
    EXPECT_EQ(e.arenaBytes(batch), 2 * block) << "batch " << batch;
  }
}

TEST(ExecutorArena, ResultsOfEveryBatchSizeSurviveLaterRuns) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  const std::string path = dir.file("chain.plan");
  const int64_t width = static_cast<int64_t>(randInt(gen, 1, 50));
  const int steps = static_cast<int>(randInt(gen, 1, 12));
  writeChain(path, width, steps);
  Executor e = testExecutor(path);
  std::vector<std::pair<Tensor, TensorMap>> runs;
  for (int r = 0; r < 8; ++r) {
    Tensor x = randomF32(gen, {randInt(gen, 1, 9), width});
    runs.emplace_back(x, e.run({{"x", x}}));
  }
  // Every earlier result is still its own, after runs of other sizes reused the arenas.
  for (const auto &[x, out] : runs) {
    const std::vector<float> want = chainReference(x, steps);
    const Tensor &y = out.at("y");
    ASSERT_EQ(y.numel(), static_cast<int64_t>(want.size()));
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_EQ(y.data<float>()[i], want[i]) << "element " << i;
  }
}

TEST(ExecutorArena, EmptyValuesKeepTheirOwnPlace) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  const std::string path = dir.file("empty.plan");
  // An empty intermediate (e: [N,0]) lives beside full ones and dies first; nothing it does
  // may free or overlap the others.
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {-1, 16}), e = b.input("e", DType::F32, {-1, 0});
  int64_t a = b.value("a", DType::F32, {-1, 16}), z = b.value("z", DType::F32, {-1, 0});
  int64_t s = b.value("s", DType::F32, {-1, 16}), z2 = b.value("z2", DType::F32, {-1, 0});
  int64_t y = b.value("y", DType::F32, {-1, 16});
  b.step("Relu", "a", {x}, {a});
  b.step("Relu", "z", {e}, {z});
  b.step("Add", "s", {a, x}, {s});
  b.step("Relu", "z2", {z}, {z2});
  b.step("Relu", "y", {s}, {y});
  b.output("y", y);
  b.output("z2", z2);
  b.write(path);
  Executor ex = testExecutor(path);
  Tensor xv = randomF32(gen, {3, 16});
  TensorMap out = ex.run({{"x", xv}, {"e", Tensor::allocate(DType::F32, {3, 0})}});
  EXPECT_EQ(out.at("z2").numel(), 0);
  for (int64_t i = 0; i < 48; ++i) {
    const float v = xv.data<float>()[i];
    ASSERT_EQ(out.at("y").data<float>()[i], std::max(std::max(v, 0.0f) + v, 0.0f)) << i;
  }
}

TEST(ExecutorArena, ProfilingKeepsItsTimesWhenTurnedOff) {
  TempDir dir;
  const std::string path = dir.file("chain.plan");
  writeChain(path, 8, 2);
  Executor e = testExecutor(path);
  e.enableProfiling(true);
  Tensor x = Tensor::allocate(DType::F32, {3, 8});
  e.run({{"x", x}});
  const std::vector<double> measured = e.stepSeconds();
  e.enableProfiling(false);
  e.run({{"x", x}});
  EXPECT_EQ(e.stepSeconds(), measured);
}

TEST(ExecutorArena, ProfilingTimesEveryStepThroughTheBackend) {
  TempDir dir;
  const std::string path = dir.file("chain.plan");
  writeChain(path, 8, 4);
  Executor e = testExecutor(path);
  EXPECT_EQ(e.stepSeconds(), std::vector<double>(4, 0.0)) << "off by default";
  e.enableProfiling(true);
  Tensor x = Tensor::allocate(DType::F32, {3, 8});
  for (int r = 0; r < 3; ++r)
    e.run({{"x", x}});
  const std::vector<double> seconds = e.stepSeconds();
  ASSERT_EQ(seconds.size(), 4u);
  for (double s : seconds)
    EXPECT_GE(s, 0.0);
}

// --- A backend whose memory is its own ----------------------------------------------------

/// The test backend's kernels behind memory the executor must copy in and out, as an
/// accelerator's: allocate hands out blocks it keeps track of, every kernel checks that
/// each activation it gets lies in a live block (constants stay in host memory), and the
/// copies are counted.
class StagingBackend : public Backend {
public:
  explicit StagingBackend(std::unique_ptr<Backend> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return "staging"; }
  MemorySpace memorySpace() const override { return MemorySpace::Device; }
  std::unique_ptr<StepKernel> prepare(const Program &program, const Step &step) override {
    return std::make_unique<Checked>(*this, program, step, inner_->prepare(program, step));
  }
  std::shared_ptr<void> allocate(size_t bytes) override {
    std::shared_ptr<void> block = inner_->allocate(bytes);
    auto *start = static_cast<const char *>(block.get());
    (*live_)[start] = bytes;
    auto live = live_;
    return std::shared_ptr<void>(block.get(), [block, live, start](void *) mutable {
      live->erase(start);
      block.reset();
    });
  }
  void zero(void *data, size_t bytes) override { inner_->zero(data, bytes); }
  void copyFromHost(void *data, const void *host, size_t bytes) override {
    EXPECT_TRUE(isMine(data, bytes));
    EXPECT_FALSE(isMine(host, bytes));
    ++copiesIn;
    std::memcpy(data, host, bytes);
  }
  void copyToHost(void *host, const void *data, size_t bytes) override {
    EXPECT_TRUE(isMine(data, bytes));
    EXPECT_FALSE(isMine(host, bytes));
    ++copiesOut;
    std::memcpy(host, data, bytes);
  }
  void synchronize() override { inner_->synchronize(); }
  std::unique_ptr<StepTimer> createTimer(size_t steps) override {
    return inner_->createTimer(steps);
  }

  /// Whether [p, p + bytes) lies in a block allocate handed out that is still alive.
  bool isMine(const void *p, size_t bytes) const {
    auto *at = static_cast<const char *>(p);
    auto block = live_->upper_bound(at);
    if (block == live_->begin())
      return false;
    --block;
    return at >= block->first && at + bytes <= block->first + block->second;
  }

  int copiesIn = 0, copiesOut = 0;

private:
  class Checked : public StepKernel {
  public:
    Checked(const StagingBackend &owner, const Program &program, const Step &step,
            std::unique_ptr<StepKernel> inner)
        : owner_(owner), program_(program), step_(step), inner_(std::move(inner)) {}
    void run(const std::vector<const Tensor *> &inputs, const std::vector<Tensor *> &outputs,
             const RunContext &context) override {
      for (size_t i = 0; i < inputs.size(); ++i) {
        const bool constant = program_.constant(step_.inputs[i]) != nullptr;
        EXPECT_EQ(owner_.isMine(inputs[i]->raw(), inputs[i]->byteSize()), !constant)
            << step_.name << " input " << i << (constant ? " (a constant)" : "");
      }
      for (Tensor *t : outputs)
        EXPECT_TRUE(owner_.isMine(t->raw(), t->byteSize())) << step_.name << " output";
      inner_->run(inputs, outputs, context);
    }

  private:
    const StagingBackend &owner_;
    const Program &program_;
    Step step_;
    std::unique_ptr<StepKernel> inner_;
  };

  std::unique_ptr<Backend> inner_;
  std::shared_ptr<std::map<const char *, size_t>> live_ =
      std::make_shared<std::map<const char *, size_t>>();
};

TEST(ExecutorMemorySpace, DeviceMemoryIsCopiedInAndOutAndKernelsSeeOnlyIt) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  const std::string path = dir.file("gemm_relu.plan");
  // Two outputs (y and the Gemm's own result): each comes back once per run.
  GemmReluCase c = writeGemmRelu(gen, /*transB=*/true, path, /*alsoOutputPre=*/true);
  // A stand-in device over the CPU backend's host memory (the staging backend copies with
  // memcpy), whatever backend the suite runs on.
  auto owned = std::make_unique<StagingBackend>(createBackend("cpu", {}));
  StagingBackend &staging = *owned;
  Executor staged(Program::load(path), std::move(owned));
  Executor plain(Program::load(path), createBackend("cpu", {}));
  for (int run = 1; run <= 3; ++run) {
    Tensor x = randomF32(gen, {randInt(gen, 1, 9), c.k});
    TensorMap got = staged.run({{"x", x}}), want = plain.run({{"x", x}});
    EXPECT_EQ(staging.copiesIn, run);
    EXPECT_EQ(staging.copiesOut, 2 * run);
    for (const char *name : {"y", "pre"}) {
      const Tensor &g = got.at(name), &w = want.at(name);
      ASSERT_EQ(g.shape(), w.shape()) << name;
      EXPECT_FALSE(staging.isMine(g.raw(), g.byteSize()))
          << name << " is handed back in host memory";
      EXPECT_EQ(std::memcmp(g.raw(), w.raw(), g.byteSize()), 0) << name;
    }
  }
}

} // namespace
} // namespace cimlir::runtimetest
