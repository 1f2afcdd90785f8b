// ONNX TensorProto files and the ONNX test-data layout: the real test_relu from Debian's
// libonnx-testdata, hand-serialized TensorProtos for every data field, the batch and
// static ways of running the sets, and the errors that name the offending file.
#include "DataTestUtil.h"

#include "runtime/data/Dataset.h"
#include "runtime/data/OnnxTensorFile.h"

#include <algorithm>

using namespace cimlir;
using namespace cimlir::testing;

namespace {

const std::string kRelu = "/usr/include/onnx/backend/test/data/node/test_relu";

// ONNX TensorProto.DataType codes.
enum : int {
  FLOAT = 1,
  UINT8 = 2,
  INT8 = 3,
  UINT16 = 4,
  INT16 = 5,
  INT32 = 6,
  INT64 = 7,
  BOOL = 9,
  FLOAT16 = 10,
  DOUBLE = 11,
  COMPLEX64 = 14
};

TensorSpec spec(const std::string &name, DType d, Shape s) {
  return TensorSpec{name, d, std::move(s)};
}

#define REQUIRE_PROTOBUF()                                                                         \
  if (!onnxTensorFilesSupported())                                                                 \
  GTEST_SKIP() << "built without protobuf"

void writeRaw(const std::string &path, const std::string &name, int code, const Tensor &t) {
  TensorProtoWriter().dims(t.shape()).dataType(code).name(name).rawData(t).writeTo(path);
}

// A model test directory with sets of input a (f32 [rows,3], raw_data) and b (i64 [rows],
// int64_data), output y (f32 [rows], float_data = sum of a's row). Files are named so
// that input_0.pb holds b and input_1.pb holds a: they map by TensorProto.name.
struct TestDataDir {
  TempDir dir;
  std::vector<Tensor> a, b, y;
  explicit TestDataDir(const std::vector<int64_t> &rows) {
    for (size_t s = 0; s < rows.size(); ++s) {
      fs::path set = dir.path() / ("test_data_set_" + std::to_string(s));
      fs::create_directory(set);
      Tensor ta = randomTensor(DType::F32, {rows[s], 3});
      Tensor tb = randomTensor(DType::I64, {rows[s]});
      std::vector<float> sums;
      for (int64_t r = 0; r < rows[s]; ++r)
        sums.push_back(ta.data<float>()[3 * r] + ta.data<float>()[3 * r + 1] +
                       ta.data<float>()[3 * r + 2]);
      writeRaw((set / "input_1.pb").string(), "a", FLOAT, ta);
      TensorProtoWriter()
          .dims(tb.shape())
          .dataType(INT64)
          .name("b")
          .int64Data(std::vector<int64_t>(tb.data<int64_t>(), tb.data<int64_t>() + rows[s]))
          .writeTo((set / "input_0.pb").string());
      TensorProtoWriter().dims({rows[s]}).dataType(FLOAT).floatData(sums).writeTo(
          (set / "output_0.pb").string());
      Tensor ty = Tensor::allocate(DType::F32, {rows[s]});
      std::copy(sums.begin(), sums.end(), ty.data<float>());
      a.push_back(ta);
      b.push_back(tb);
      y.push_back(ty);
    }
  }
  std::string path() const { return dir.path().string(); }
  std::string set(int s) const { return dir.file("test_data_set_" + std::to_string(s)); }
};

} // namespace

// Built with protobuf, a TensorProto file reads; built without, the error says why.
TEST(OnnxTensorFile, SupportFollowsTheBuild) {
  std::string path = kRelu + "/test_data_set_0/input_0.pb";
  if (onnxTensorFilesSupported()) {
    EXPECT_GT(readOnnxTensorFile(path).tensor.numel(), 0);
    return;
  }
  std::string msg = errorOf([&] { readOnnxTensorFile(path); });
  EXPECT_NE(msg.find("built without protobuf"), std::string::npos) << msg;
}

TEST(OnnxTensorFile, ReadsEveryTypedField) {
  REQUIRE_PROTOBUF();
  TempDir dir;
  std::string path = dir.file("t.pb");
  auto read = [&](const TensorProtoWriter &w) {
    w.writeTo(path);
    return readOnnxTensorFile(path);
  };

  NamedTensor f =
      read(TensorProtoWriter().dims({2}).dataType(FLOAT).name("f").floatData({1.5f, -2.f}));
  EXPECT_EQ(f.name, "f");
  ASSERT_EQ(f.tensor.dtype(), DType::F32);
  EXPECT_EQ(f.tensor.data<float>()[1], -2.f);

  NamedTensor d = read(TensorProtoWriter().dims({1, 2}).dataType(DOUBLE).doubleData({0.25, 1e300}));
  EXPECT_EQ(d.name, "");
  ASSERT_EQ(d.tensor.shape(), (Shape{1, 2}));
  EXPECT_EQ(d.tensor.data<double>()[1], 1e300);

  NamedTensor l =
      read(TensorProtoWriter().dims({2}).dataType(INT64).int64Data({-5, int64_t(1) << 50}));
  EXPECT_EQ(l.tensor.data<int64_t>()[0], -5);
  EXPECT_EQ(l.tensor.data<int64_t>()[1], int64_t(1) << 50);

  // int32_data carries int8/uint8/int16/uint16/int32/bool, one value each.
  struct Narrow {
    int code;
    DType dtype;
    std::vector<int32_t> values;
  } narrow[] = {{INT8, DType::I8, {-128, 127}},      {UINT8, DType::U8, {0, 255}},
                {INT16, DType::I16, {-32768, 7}},    {UINT16, DType::U16, {65535, 1}},
                {INT32, DType::I32, {INT32_MIN, 9}}, {BOOL, DType::Bool, {1, 0}}};
  for (const Narrow &c : narrow) {
    SCOPED_TRACE(dtypeName(c.dtype));
    NamedTensor t = read(TensorProtoWriter().dims({2}).dataType(c.code).int32Data(c.values));
    ASSERT_EQ(t.tensor.dtype(), c.dtype);
    Tensor wide = Tensor::allocate(DType::I32, {2});
    for (int i = 0; i < 2; ++i) {
      int64_t v = 0;
      switch (c.dtype) {
      case DType::I8:
        v = t.tensor.data<int8_t>()[i];
        break;
      case DType::U8:
        v = t.tensor.data<uint8_t>()[i];
        break;
      case DType::I16:
        v = t.tensor.data<int16_t>()[i];
        break;
      case DType::U16:
        v = t.tensor.data<uint16_t>()[i];
        break;
      case DType::I32:
        v = t.tensor.data<int32_t>()[i];
        break;
      default:
        v = t.tensor.data<uint8_t>()[i];
        break;
      }
      EXPECT_EQ(v, c.values[i]);
    }
  }

  // raw_data of every supported type round-trips bit for bit.
  for (DType dt : {DType::F32, DType::F64, DType::I8, DType::U8, DType::I16, DType::U16, DType::I32,
                   DType::I64, DType::Bool}) {
    Tensor t = randomTensor(dt, {3, 2});
    NamedTensor r = read(TensorProtoWriter().dims({3, 2}).dataType(dtypeToOnnx(dt)).rawData(t));
    EXPECT_TRUE(sameTensor(r.tensor, t)) << dtypeName(dt);
  }
}

TEST(OnnxTensorFile, BadFilesAreErrorsNamingThem) {
  REQUIRE_PROTOBUF();
  TempDir dir;
  std::string path = dir.file("bad.pb");
  TensorProtoWriter()
      .dims({2})
      .dataType(COMPLEX64)
      .rawData(randomTensor(DType::U8, {16}))
      .writeTo(path);
  std::string msg = errorOf([&] { readOnnxTensorFile(path); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("COMPLEX64"), std::string::npos) << msg;

  TensorProtoWriter()
      .dims({2, 3})
      .dataType(FLOAT)
      .rawData(randomTensor(DType::F32, {5}))
      .writeTo(path);
  msg = errorOf([&] { readOnnxTensorFile(path); });
  EXPECT_NE(msg.find("raw_data has 20 bytes"), std::string::npos) << msg;

  TensorProtoWriter().dims({3}).dataType(INT32).int32Data({1, 2}).writeTo(path);
  msg = errorOf([&] { readOnnxTensorFile(path); });
  EXPECT_NE(msg.find("holds 2 values"), std::string::npos) << msg;

  writeBytes(path, std::string("\xff\xff\xff\xff\xff\xff garbage", 14));
  msg = errorOf([&] { readOnnxTensorFile(path); });
  EXPECT_NE(msg.find("not a valid serialized onnx.TensorProto"), std::string::npos) << msg;
  errorOf([&] { readOnnxTensorFile(dir.file("missing.pb")); });
}

TEST(OnnxTestData, ReluFromLibonnxTestdataStatic) {
  REQUIRE_PROTOBUF();
  if (!fs::exists(kRelu))
    GTEST_SKIP() << "libonnx-testdata is not installed";
  for (const std::string &path : {kRelu, kRelu + "/test_data_set_0", kRelu + "/"}) {
    SCOPED_TRACE(path);
    auto ds = openDataset(path, "test", {spec("x", DType::F32, {3, 4, 5})},
                          {spec("y", DType::F32, {3, 4, 5})});
    ASSERT_EQ(ds->size(), 1);
    Tensor x = ds->inputs(0, 1).at("x");
    ASSERT_EQ(x.shape(), (Shape{3, 4, 5}));
    TensorMap refs = ds->referenceOutputs();
    ASSERT_EQ(refs.count("y"), 1u);
    ASSERT_EQ(refs.at("y").shape(), (Shape{1, 3, 4, 5}));
    Tensor y = refs.at("y").sliceRows(0, 1).reshaped({3, 4, 5});
    int negatives = 0;
    for (int64_t i = 0; i < x.numel(); ++i) {
      negatives += x.data<float>()[i] < 0;
      ASSERT_EQ(y.data<float>()[i], std::max(x.data<float>()[i], 0.f)) << i;
    }
    EXPECT_GT(negatives, 0); // the check above would be vacuous otherwise
  }
}

TEST(OnnxTestData, ReluWithABatchAxis) {
  REQUIRE_PROTOBUF();
  if (!fs::exists(kRelu))
    GTEST_SKIP() << "libonnx-testdata is not installed";
  auto ds = openDataset(kRelu, "test", {spec("x", DType::F32, {-1, 4, 5})},
                        {spec("y", DType::F32, {-1, 4, 5})});
  ASSERT_EQ(ds->size(), 3);
  EXPECT_EQ(ds->inputs(1, 2).at("x").shape(), (Shape{2, 4, 5}));
  EXPECT_EQ(ds->referenceOutputs().at("y").shape(), (Shape{3, 4, 5}));
}

TEST(OnnxTestData, BatchedSetsAreConcatenatedByName) {
  REQUIRE_PROTOBUF();
  TestDataDir d({2, 3, 1});
  auto ds =
      openDataset(d.path(), "test", {spec("a", DType::F32, {-1, 3}), spec("b", DType::I64, {-1})},
                  {spec("y", DType::F32, {-1})});
  ASSERT_EQ(ds->size(), 6);
  EXPECT_EQ(ds->describe(), "onnx-test-data:" + d.path());
  TensorMap in = ds->inputs(1, 4); // rows 1..4: set 0 row 1, set 1 rows 0..2
  EXPECT_TRUE(sameTensor(in.at("a").sliceRows(0, 1), d.a[0].sliceRows(1, 2)));
  EXPECT_TRUE(sameTensor(in.at("a").sliceRows(1, 4), d.a[1]));
  EXPECT_TRUE(sameTensor(in.at("b").sliceRows(1, 4), d.b[1]));
  Tensor y = ds->referenceOutputs().at("y");
  ASSERT_EQ(y.shape(), (Shape{6}));
  EXPECT_TRUE(sameTensor(y.sliceRows(5, 6), d.y[2]));
  EXPECT_FALSE(ds->labels().has_value());
}

TEST(OnnxTestData, StaticPlanRunsOneSetAtATime) {
  REQUIRE_PROTOBUF();
  TestDataDir d({2, 2, 2});
  auto ds =
      openDataset(d.path(), "test", {spec("a", DType::F32, {2, 3}), spec("b", DType::I64, {2})},
                  {spec("y", DType::F32, {2})});
  ASSERT_EQ(ds->size(), 3);
  TensorMap in = ds->inputs(1, 1);
  EXPECT_TRUE(sameTensor(in.at("a"), d.a[1]));
  EXPECT_TRUE(sameTensor(in.at("b"), d.b[1]));
  Tensor y = ds->referenceOutputs().at("y");
  ASSERT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_TRUE(sameTensor(y.sliceRows(2, 3).reshaped({2}), d.y[2]));
  std::string msg = errorOf([&] { ds->inputs(0, 2); });
  EXPECT_NE(msg.find("this dataset runs one test set at a time; use --batch 1"), std::string::npos)
      << msg;
}

TEST(OnnxTestData, MismatchesNameTheFile) {
  REQUIRE_PROTOBUF();
  TestDataDir d({2, 3});
  std::string a1 = d.set(1) + "/input_1.pb";
  std::string msg = errorOf([&] {
    openDataset(d.path(), "test", {spec("a", DType::F64, {-1, 3}), spec("b", DType::I64, {-1})},
                {});
  });
  EXPECT_NE(msg.find(d.set(0) + "/input_1.pb: tensor is float32 but plan input 'a' expects "
                                "float64"),
            std::string::npos)
      << msg;

  msg = errorOf([&] {
    openDataset(d.path(), "test", {spec("a", DType::F32, {-1, 4}), spec("b", DType::I64, {-1})},
                {});
  });
  EXPECT_NE(msg.find("input_1.pb: tensor has shape [2,3] but plan input 'a' expects [N,4]"),
            std::string::npos)
      << msg;

  // Static plan, but set 1 has 3 rows.
  msg = errorOf([&] {
    openDataset(d.path(), "test", {spec("a", DType::F32, {2, 3}), spec("b", DType::I64, {2})},
                {spec("y", DType::F32, {2})});
  });
  EXPECT_NE(msg.find(d.set(1)), std::string::npos) << msg;

  // Reference outputs the plan has no output for.
  msg = errorOf([&] {
    openDataset(d.path(), "test", {spec("a", DType::F32, {-1, 3}), spec("b", DType::I64, {-1})},
                {});
  });
  EXPECT_NE(msg.find("output_0.pb"), std::string::npos) << msg;

  // The plan has one input; the files feed two. The named tensor 'b' that names no plan
  // input was frozen into the plan (cim-opt --freeze-inputs) and feeds nothing.
  {
    auto ds = openDataset(d.path(), "test", {spec("a", DType::F32, {-1, 3})},
                          {spec("y", DType::F32, {-1})});
    TensorMap in = ds->inputs(0, 1);
    EXPECT_EQ(in.size(), 1u);
    EXPECT_EQ(in.count("a"), 1u);
  }
  // But a plan input no file feeds is an error naming it.
  msg = errorOf([&] {
    openDataset(d.path(), "test", {spec("a", DType::F32, {-1, 3}), spec("c", DType::I64, {-1})},
                {spec("y", DType::F32, {-1})});
  });
  EXPECT_NE(msg.find("no input_K.pb feeds plan input 'c'"), std::string::npos) << msg;

  // Per-sample dims unbound in the plan and different across sets: no concatenation.
  writeRaw(a1, "a", FLOAT, randomTensor(DType::F32, {3, 5}));
  msg = errorOf([&] {
    openDataset(d.path(), "test", {spec("a", DType::F32, {-1, -1}), spec("b", DType::I64, {-1})},
                {spec("y", DType::F32, {-1})});
  });
  EXPECT_NE(msg.find(a1), std::string::npos) << msg;
  EXPECT_NE(msg.find("per-sample shapes match"), std::string::npos) << msg;
}

TEST(OnnxTestData, DirectoryWithoutTestSetsIsAnError) {
  TempDir dir;
  fs::create_directory(dir.file("test_data_set_x")); // not numbered: ignored
  writeBytes(dir.file("model.onnx"), "not really");
  std::string msg =
      errorOf([&] { openDataset(dir.path().string(), "test", {spec("x", DType::F32, {-1})}, {}); });
  EXPECT_NE(msg.find("no test_data_set_*"), std::string::npos) << msg;
  EXPECT_NE(msg.find(dir.path().string()), std::string::npos) << msg;

  // A set without input_0.pb.
  fs::create_directory(dir.file("test_data_set_0"));
  msg =
      errorOf([&] { openDataset(dir.path().string(), "test", {spec("x", DType::F32, {-1})}, {}); });
  EXPECT_NE(msg.find("input_0.pb"), std::string::npos) << msg;
}

TEST(OnnxTensorFile, RandomCorruptionIsAnErrorOrAValidReadNeverACrash) {
  REQUIRE_PROTOBUF();
  TempDir dir;
  std::string path = dir.file("c.pb");
  TensorProtoWriter w;
  w.dims({3, 4}).dataType(FLOAT).name("x").rawData(randomTensor(DType::F32, {3, 4}));
  int errors = 0;
  for (int i = 0; i < 300; ++i) {
    std::string b = w.bytes();
    b[rng()() % b.size()] = static_cast<char>(rng()());
    writeBytes(path, b);
    try {
      readOnnxTensorFile(path);
    } catch (const Error &) {
      ++errors;
    }
  }
  EXPECT_GT(errors, 0);
}
