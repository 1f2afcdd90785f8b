// Program::load: what a valid plan exposes, and refusal of inconsistent metadata with a
// message naming the plan and the problem. Also Executor construction on steps the CPU
// backend cannot prepare (unknown op, missing or mistyped attribute, wrong arity).
#include "runtime/exec/Program.h"
#include "core/Error.h"
#include "core/Fnv1a.h"
#include "runtime/device/DeviceConfig.h"
#include "runtime/exec/Executor.h"
#include "runtime/plan/PlanMetadata.h"
#include "test/unit/runtime/RuntimeTestUtil.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <functional>
#include <ostream>

namespace cimlir::runtimetest {
namespace {

/// y = Relu(Gemm(x, W, b)) with transB, x [N, K], W [M, K], b [M]; values x=0 W=1 b=2 h=3 y=4.
struct GemmReluPlan {
  PlanBuilder b;
  Tensor w, bias;
  int64_t x, wId, bId, h, y;
  int64_t k, m;

  explicit GemmReluPlan(std::mt19937 &gen) {
    k = randInt(gen, 2, 20); // != 1, so W and b sections differ in size
    m = randInt(gen, 1, 20);
    w = randomF32(gen, {m, k});
    bias = randomF32(gen, {m});
    x = b.input("x", DType::F32, {-1, k});
    wId = b.constant("fc.weight", w);
    bId = b.constant("fc.bias", bias);
    h = b.value("fc", DType::F32, {-1, m});
    b.step("Gemm", "fc", {x, wId, bId}, {h}, gemmAttrs(1.0, 1.0, 0, 1));
    y = b.value("relu", DType::F32, {-1, m});
    b.step("Relu", "relu", {h}, {y});
    b.output("y", y);
  }
};

TEST(ProgramLoad, ExposesWhatTheCompilerWrote) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  GemmReluPlan g(gen);
  std::string path = dir.file("plan.bin");
  g.b.write(path);

  auto p = Program::load(path);
  EXPECT_EQ(p->path(), path);
  EXPECT_EQ(p->producer(), "cim-opt test");
  EXPECT_EQ(p->source(), "handmade.onnx");
  EXPECT_TRUE(p->hasBatchAxis());

  ASSERT_EQ(p->values().size(), 5u);
  EXPECT_EQ(p->values()[g.x].name, "x");
  EXPECT_EQ(p->values()[g.h].shape, (Shape{-1, g.m}));
  EXPECT_EQ(p->values()[g.wId].shape, (Shape{g.m, g.k}));

  ASSERT_EQ(p->inputs().size(), 1u);
  EXPECT_EQ(p->inputs()[0].name, "x");
  EXPECT_EQ(p->inputs()[0].dtype, DType::F32);
  EXPECT_EQ(p->inputs()[0].shape, (Shape{-1, g.k}));
  EXPECT_EQ(p->inputIds(), std::vector<int64_t>{g.x});
  ASSERT_EQ(p->outputs().size(), 1u);
  EXPECT_EQ(p->outputs()[0].name, "y");
  EXPECT_EQ(p->outputs()[0].shape, (Shape{-1, g.m}));
  EXPECT_EQ(p->outputIds(), std::vector<int64_t>{g.y});

  ASSERT_EQ(p->steps().size(), 2u);
  EXPECT_EQ(p->steps()[0].op, "Gemm");
  EXPECT_EQ(p->steps()[0].name, "fc");
  EXPECT_EQ(p->steps()[0].inputs, (std::vector<int64_t>{g.x, g.wId, g.bId}));
  EXPECT_EQ(p->steps()[0].outputs, std::vector<int64_t>{g.h});
  EXPECT_EQ(p->steps()[0].attrs["transB"], 1);
  EXPECT_EQ(p->steps()[1].op, "Relu");
  EXPECT_TRUE(p->steps()[1].attrs.is_object());

  const Tensor *w = p->constant(g.wId);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->dtype(), DType::F32);
  EXPECT_EQ(w->shape(), g.w.shape());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(w->raw()) % 64, 0u);
  EXPECT_EQ(0, std::memcmp(w->raw(), g.w.raw(), g.w.byteSize()));
  EXPECT_NE(w->raw(), g.w.raw()) << "a view of the mapped plan, not the builder's memory";
  const Tensor *b = p->constant(g.bId);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(0, std::memcmp(b->raw(), g.bias.raw(), g.bias.byteSize()));
  for (int64_t notConstant : {g.x, g.h, g.y, int64_t(-1), int64_t(5), int64_t(1000)})
    EXPECT_EQ(p->constant(notConstant), nullptr) << notConstant;
}

TEST(ProgramLoad, ConstantsOutliveTheProgramAndTheFile) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  GemmReluPlan g(gen);
  std::string path = dir.file("plan.bin");
  g.b.write(path);
  auto p = Program::load(path);
  Tensor w = *p->constant(g.wId);
  p.reset();
  std::filesystem::remove(path);
  ASSERT_EQ(w.byteSize(), g.w.byteSize());
  EXPECT_EQ(0, std::memcmp(w.raw(), g.w.raw(), w.byteSize()));
}

TEST(ProgramLoad, StaticPlanHasNoBatchAxis) {
  TempDir dir;
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, {2, 3});
  int64_t y = b.value("y", DType::F32, {2, 3});
  b.step("Relu", "r", {x}, {y});
  b.output("y", y);
  std::string path = dir.file("plan.bin");
  b.write(path);
  EXPECT_FALSE(Program::load(path)->hasBatchAxis());
}

TEST(ProgramLoad, DamagedFileIsRefusedThroughPlanFile) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  GemmReluPlan g(gen);
  std::string path = dir.file("plan.bin");
  g.b.write(path);
  auto bytes = plantest::readBytes(path);
  bytes.resize(bytes.size() / 2);
  plantest::writeBytes(path, bytes);
  EXPECT_TRUE(containsAll(errorOf([&] { Program::load(path); }), {path, "truncated"}));
}

TEST(ProgramLoad, DeviceIsTheOneTheHeaderNamesAndAValidDeviceFile) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  const device::DeviceConfig rram = device::loadDevice("rram-256");
  const std::string text = device::toJsonText(rram, -1);
  struct Case {
    std::string device;
    uint64_t fingerprint;
    std::vector<std::string> words; // empty: the plan loads
  };
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  const std::string badBits = "{\"adc\": {\"bits\": 99}}";
  const Case cases[] = {
      {text, device::fingerprint(rram), {}},
      {"", 0, {}},
      {text, device::fingerprint(rram) + 1, {"fingerprint"}},
      {"", 12345, {"fingerprint"}},
      {text, 0, {"fingerprint"}},
      {badBits, fnv1a64(badBits), {"not a valid device file", "adc.bits"}},
      {deep, fnv1a64(deep), {"not a valid device file", "nested deeper than 64 levels"}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE("device " + c.device.substr(0, 40) + ", fingerprint " +
                 std::to_string(c.fingerprint));
    GemmReluPlan g(gen);
    json meta = g.b.metadata();
    meta["device"] = c.device;
    g.b.setDeviceFingerprint(c.fingerprint);
    const std::string path = dir.file("plan.bin");
    g.b.write(path, meta);
    if (c.words.empty()) {
      EXPECT_EQ(Program::load(path)->device(), c.device);
      continue;
    }
    const std::string msg = errorOf([&] { Program::load(path); });
    EXPECT_TRUE(containsAll(msg, {path, "device"})) << msg;
    for (const std::string &w : c.words)
      EXPECT_TRUE(containsAll(msg, {w})) << msg;
  }
}

// --- metadata validation --------------------------------------------------------------

struct BadMetadata {
  std::string what;
  std::function<void(json &meta, const GemmReluPlan &g)> mutate;
  std::vector<std::string> words; // besides the plan path
};

void PrintTo(const BadMetadata &c, std::ostream *os) { *os << c.what; }

class ProgramValidation : public ::testing::TestWithParam<BadMetadata> {};

TEST_P(ProgramValidation, IsRefusedWithAMessageNamingThePlanAndTheProblem) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  GemmReluPlan g(gen);
  json meta = g.b.metadata();
  GetParam().mutate(meta, g);
  std::string path = dir.file("plan.bin");
  g.b.write(path, meta);
  std::string msg = errorOf([&] { Program::load(path); });
  SCOPED_TRACE("message: " + msg);
  EXPECT_TRUE(containsAll(msg, {path}));
  for (const auto &w : GetParam().words)
    EXPECT_TRUE(containsAll(msg, {w}));
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line";
}

json &valueOf(json &meta, int64_t id) { return meta["values"][static_cast<size_t>(id)]; }

const BadMetadata kBadMetadata[] = {
    {"input value id out of range",
     [](json &m, const GemmReluPlan &) { m["inputs"][0]["value"] = 99; },
     {"inputs entry", "value 99", "does not exist"}},
    {"output value id negative",
     [](json &m, const GemmReluPlan &) { m["outputs"][0]["value"] = -1; },
     {"outputs entry", "value -1", "does not exist"}},
    {"constant value id out of range",
     [](json &m, const GemmReluPlan &) { m["constants"][0]["value"] = 5; },
     {"constant", "value 5", "does not exist"}},
    {"step input id out of range",
     [](json &m, const GemmReluPlan &) { m["steps"][0]["inputs"][1] = 1000; },
     {"step 0", "value 1000", "does not exist"}},
    {"step output id out of range",
     [](json &m, const GemmReluPlan &) { m["steps"][1]["outputs"][0] = 5; },
     {"step 1", "value 5", "does not exist"}},
    {"step reads a value before it is defined",
     [](json &m, const GemmReluPlan &) { std::swap(m["steps"][0], m["steps"][1]); },
     {"step 0", "Relu", "reads value 3", "before it is computed"}},
    {"step reads a value defined by no one",
     [](json &m, const GemmReluPlan &g) {
       m["steps"][0]["outputs"][0] = g.y; // Relu then reads h, which nothing defines
       m["steps"][1]["outputs"][0] = g.h;
     },
     {"step 1", "reads value 3", "before it is computed"}},
    {"value defined twice by two steps",
     [](json &m, const GemmReluPlan &g) { m["steps"][1]["outputs"][0] = g.h; },
     {"step 1", "defines value 3 twice"}},
    {"step writes a graph input",
     [](json &m, const GemmReluPlan &g) { m["steps"][0]["outputs"][0] = g.x; },
     {"step 0", "defines value 0 twice"}},
    {"constant defined twice",
     [](json &m, const GemmReluPlan &) { m["constants"].push_back(m["constants"][0]); },
     {"constant", "defines value 1 twice"}},
    {"graph input listed twice",
     [](json &m, const GemmReluPlan &) { m["inputs"].push_back(m["inputs"][0]); },
     {"graph inputs name", "appears twice"}},
    {"constant section larger than its shape",
     [](json &m, const GemmReluPlan &g) {
       valueOf(m, g.wId)["shape"] = {g.m, g.k + 1};
     },
     {"constant 'fc.weight'", "bytes", "needs"}},
    {"constant section smaller than its dtype needs",
     [](json &m, const GemmReluPlan &g) { valueOf(m, g.bId)["dtype"] = "float64"; },
     {"constant 'fc.bias'", "bytes", "needs"}},
    {"constant of the wrong section",
     [](json &m, const GemmReluPlan &) {
       std::swap(m["constants"][0]["section"], m["constants"][1]["section"]);
     },
     {"constant 'fc.", "bytes", "needs"}},
    {"constant refers to the metadata section",
     [](json &m, const GemmReluPlan &) { m["constants"][0]["section"] = 0; },
     {"constant 'fc.weight'", "missing section"}},
    {"constant refers to a section past the end",
     [](json &m, const GemmReluPlan &) { m["constants"][0]["section"] = 3; },
     {"constant 'fc.weight'", "missing section"}},
    {"constant with a batch dimension",
     [](json &m, const GemmReluPlan &g) {
       valueOf(m, g.wId)["shape"] = {-1, g.k};
     },
     {"constant 'fc.weight'", "batch dimension"}},
    {"unknown dtype",
     [](json &m, const GemmReluPlan &g) { valueOf(m, g.h)["dtype"] = "complex64"; },
     {"value 3", "unknown dtype"}},
    {"dtype spelled as ONNX does",
     [](json &m, const GemmReluPlan &g) { valueOf(m, g.x)["dtype"] = "FLOAT"; },
     {"value 0", "unknown dtype"}},
    {"dtype that is not a string",
     [](json &m, const GemmReluPlan &g) { valueOf(m, g.x)["dtype"] = 1; },
     {"value 0", "dtype", "not a string"}},
    {"more than one batch dimension",
     [](json &m, const GemmReluPlan &g) {
       valueOf(m, g.x)["shape"] = {-1, -1};
     },
     {"value 0", "more than one batch dimension"}},
    {"dimension below -1",
     [](json &m, const GemmReluPlan &g) {
       valueOf(m, g.y)["shape"] = {-2, g.m};
     },
     {"value 4", "invalid dimension"}},
    {"dimension that is not an integer",
     [](json &m, const GemmReluPlan &g) {
       valueOf(m, g.y)["shape"] = {-1, 2.5};
     },
     {"value 4", "invalid dimension"}},
    {"element count that overflows int64",
     [](json &m, const GemmReluPlan &g) {
       valueOf(m, g.y)["shape"] = {-1, int64_t(1) << 40, int64_t(1) << 40};
     },
     {"value 4", "2^63 or more elements"}},
    {"byte size that overflows int64",
     [](json &m, const GemmReluPlan &g) {
       valueOf(m, g.h)["shape"] = {-1, int64_t(1) << 62};
     },
     {"value 3", "more than the 2^48 bytes"}},
    {"constant whose byte size overflows int64",
     [](json &m, const GemmReluPlan &g) {
       valueOf(m, g.wId)["shape"] = {int64_t(1) << 31, int64_t(1) << 31};
     },
     {"fc.weight", "more than the 2^48 bytes"}},
    {"shape that is not a list",
     [](json &m, const GemmReluPlan &g) { valueOf(m, g.y)["shape"] = "[N,4]"; },
     {"value 4", "shape", "not an array"}},
    {"graph output never computed",
     [](json &m, const GemmReluPlan &) { m["steps"].erase(1); },
     {"graph output 'y'", "never computed"}},
    {"graph output listed twice",
     [](json &m, const GemmReluPlan &) { m["outputs"].push_back(m["outputs"][0]); },
     {"graph outputs name 'y'", "twice"}},

    {"unsupported metadata format",
     [](json &m, const GemmReluPlan &) { m["format"] = plan::kMetadataFormat + 1; },
     {"unsupported metadata format"}},
    {"no metadata format", [](json &m, const GemmReluPlan &) { m.erase("format"); }, {"'format'"}},
    {"no steps", [](json &m, const GemmReluPlan &) { m.erase("steps"); }, {"'steps'"}},
    {"values not a list",
     [](json &m, const GemmReluPlan &) { m["values"] = json::object(); },
     {"values", "not an array"}},
    {"step without an op",
     [](json &m, const GemmReluPlan &) { m["steps"][0].erase("op"); },
     {"step 0", "'op'"}},
    {"step input that is not an integer",
     [](json &m, const GemmReluPlan &) { m["steps"][0]["inputs"][0] = "x"; },
     {"step 0", "non-integer input"}},
    {"step output that is not an integer",
     [](json &m, const GemmReluPlan &) { m["steps"][1]["outputs"][0] = 4.0; },
     {"step 1", "non-integer output"}},
    {"step attributes that are not an object",
     [](json &m, const GemmReluPlan &) {
       m["steps"][0]["attrs"] = json::array({1, 2});
     },
     {"step 0", "attrs is not an object"}},
    {"input entry without a name",
     [](json &m, const GemmReluPlan &) { m["inputs"][0].erase("name"); },
     {"inputs entry", "'name'"}},
};

INSTANTIATE_TEST_SUITE_P(Metadata, ProgramValidation, ::testing::ValuesIn(kBadMetadata),
                         [](const ::testing::TestParamInfo<BadMetadata> &info) {
                           std::string n;
                           for (char c : info.param.what)
                             n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return n;
                         });

// --- Executor construction: steps the CPU backend cannot prepare -----------------------

struct BadStep {
  std::string what;
  std::function<void(json &step)> mutate; // applied to the Gemm step "fc"
  std::vector<std::string> words;         // besides the plan path
};

void PrintTo(const BadStep &c, std::ostream *os) { *os << c.what; }

class ExecutorPrepare : public ::testing::TestWithParam<BadStep> {};

TEST_P(ExecutorPrepare, IsRefusedNamingTheStep) {
  CIMLIR_SEEDED_RNG();
  TempDir dir;
  GemmReluPlan g(gen);
  json meta = g.b.metadata();
  GetParam().mutate(meta["steps"][0]);
  std::string path = dir.file("plan.bin");
  g.b.write(path, meta);
  auto program = Program::load(path); // the metadata itself is consistent
  std::string msg = errorOf([&] { Executor e(program, makeBackend()); });
  SCOPED_TRACE("message: " + msg);
  EXPECT_TRUE(containsAll(msg, {path, "'fc'"}));
  for (const auto &w : GetParam().words)
    EXPECT_TRUE(containsAll(msg, {w}));
}

const BadStep kBadSteps[] = {
    {"unknown op",
     [](json &s) { s["op"] = "FancyAttention"; },
     {"FancyAttention", "does not implement"}},
    {"op in another case", [](json &s) { s["op"] = "gemm"; }, {"gemm", "does not implement"}},
    {"Gemm without alpha", [](json &s) { s["attrs"].erase("alpha"); }, {"Gemm", "alpha"}},
    {"Gemm without transB", [](json &s) { s["attrs"].erase("transB"); }, {"Gemm", "transB"}},
    {"Gemm without attributes", [](json &s) { s.erase("attrs"); }, {"Gemm", "attribute"}},
    {"Gemm alpha as a string",
     [](json &s) { s["attrs"]["alpha"] = "1.0"; },
     {"alpha", "not a number"}},
    {"Gemm transA as a float",
     [](json &s) { s["attrs"]["transA"] = 0.5; },
     {"transA", "not an integer"}},
    {"Gemm with one input",
     [](json &s) {
       s["inputs"].erase(1);
       s["inputs"].erase(1);
     },
     {"Gemm", "1 inputs"}},
    {"Conv without group",
     [](json &s) {
       s["op"] = "Conv";
       s["attrs"] = {{"strides", {1}}, {"pads", {0, 0}}, {"dilations", {1}}};
     },
     {"Conv", "group"}},
    {"MaxPool with three inputs",
     [](json &s) {
       s["op"] = "MaxPool";
       s["attrs"] = {{"kernel_shape", {2}}, {"strides", {1}}, {"pads", {0, 0}}, {"dilations", {1}}};
     },
     {"MaxPool", "3 inputs"}},
    {"Transpose with a non-integer perm",
     [](json &s) {
       s["op"] = "Transpose";
       s["inputs"] = {0};
       s["attrs"] = {{"perm", {1, "0"}}};
     },
     {"Transpose", "perm"}},
};

INSTANTIATE_TEST_SUITE_P(Steps, ExecutorPrepare, ::testing::ValuesIn(kBadSteps),
                         [](const ::testing::TestParamInfo<BadStep> &info) {
                           std::string n;
                           for (char c : info.param.what)
                             n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return n;
                         });

} // namespace
} // namespace cimlir::runtimetest
