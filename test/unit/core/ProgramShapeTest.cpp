// Program::load refuses value shapes whose element count or byte size overflows int64:
// before, a constant of shape [2^62, 4] needed "0 bytes" (the product wrapped) and an empty
// section passed the size check.
#include "CoreTestUtil.h"

#include "runtime/exec/Program.h"
#include "runtime/plan/PlanWriter.h"

#include <nlohmann/json.hpp>

#include <cstdint>

using namespace cimlir;
using namespace cimlir::coretest;
using nlohmann::json;

namespace {

constexpr int64_t p(int bits) { return int64_t(1) << bits; }

/// A plan whose graph input X [N,4] float32 is also its output, plus one value `shape` of
/// `dtype`: a constant with a section of `sectionBytes` random bytes, or (constant =
/// false) a value that a step computes from X.
void writePlan(const std::string &path, const Shape &shape, const std::string &dtype, bool constant,
               const std::string &sectionBytes) {
  json values = json::array({{{"name", "X"}, {"dtype", "float32"}, {"shape", {-1, 4}}},
                             {{"name", "W"}, {"dtype", dtype}, {"shape", shape}}});
  json constants = json::array(), steps = json::array();
  if (constant)
    constants.push_back({{"value", 1}, {"section", 1}});
  else
    steps.push_back({{"op", "Relu"},
                     {"name", "r"},
                     {"inputs", {0}},
                     {"outputs", {1}},
                     {"attrs", json::object()}});
  json meta = {{"format", 1},
               {"producer", "core test"},
               {"source", "handmade.onnx"},
               {"inputs", {{{"name", "X"}, {"value", 0}}}},
               {"outputs", {{{"name", "X"}, {"value", 0}}}},
               {"values", values},
               {"constants", constants},
               {"steps", steps}};
  plan::PlanWriter w;
  w.setMetadata(meta.dump());
  w.setProducer("core test");
  w.addTensor("const:W", sectionBytes.data(), sectionBytes.size());
  ASSERT_EQ(w.write(path), "");
}

} // namespace

TEST(ProgramShapes, ConstantWhoseSizeWrapsToZeroIsRefused) {
  TempDir dir;
  std::string path = dir.file("wrap.plan");
  writePlan(path, {p(62), 4}, "float32", true, "");
  std::string msg = errorOf([&] { Program::load(path); });
  EXPECT_TRUE(contains(msg, path)) << msg;
  EXPECT_TRUE(contains(msg, "'W'")) << msg;
  EXPECT_TRUE(contains(msg, "[4611686018427387904,4]")) << msg;
  EXPECT_TRUE(contains(msg, "2^63 or more elements")) << msg;
}

TEST(ProgramShapes, OverflowingShapesAreRefusedForEveryValue) {
  TempDir dir;
  struct Case {
    Shape shape;
    const char *dtype;
    const char *what;
  };
  const Case cases[] = {
      {{p(32), p(32)}, "float32", "2^63 or more elements"},
      {{-1, p(62), 4}, "float32", "2^63 or more elements"}, // before the batch is even bound
      {{p(61)}, "float32", "more than the 2^48 bytes"}, // 2^61 elements fit int64, 2^63 bytes not
      {{p(60), 2}, "float64", "more than the 2^48 bytes"},
      {{p(23), p(23) + 1}, "float32", "more than the 2^48 bytes"}, // just over the limit
      {{3, p(62)}, "int8", "2^63 or more elements"}};
  for (bool constant : {true, false})
    for (const Case &c : cases) {
      if (constant && c.shape[0] < 0)
        continue; // constants with a batch dimension are refused for that already
      std::string path = dir.file("bad.plan");
      writePlan(path, c.shape, c.dtype, constant, randomBytes(16));
      std::string msg = errorOf([&] { Program::load(path); });
      EXPECT_TRUE(contains(msg, shapeToString(c.shape))) << msg;
      EXPECT_TRUE(contains(msg, c.what)) << msg;
    }
}

TEST(ProgramShapes, LargeShapesThatFitStillLoad) {
  TempDir dir;
  std::string path = dir.file("big.plan");
  // A computed value of 2^46 float32 (2^48 bytes, the most a tensor may hold:
  // core/ShapeMath.h) is legal metadata; nothing allocates it at load time.
  writePlan(path, {p(23), p(23)}, "float32", false, "");
  EXPECT_NO_THROW(Program::load(path));
  // A constant's section must still match its shape exactly.
  std::string bytes = randomBytes(24);
  writePlan(path, {2, 3}, "float32", true, bytes);
  auto program = Program::load(path);
  ASSERT_NE(program->constant(1), nullptr);
  EXPECT_EQ(std::string(static_cast<const char *>(program->constant(1)->raw()), 24), bytes);
  writePlan(path, {2, 3}, "float32", true, bytes.substr(0, 20));
  std::string msg = errorOf([&] { Program::load(path); });
  EXPECT_TRUE(contains(msg, "holds 20 bytes, its shape needs 24")) << msg;
}
