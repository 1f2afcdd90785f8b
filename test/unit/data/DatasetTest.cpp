// openDataset for IDX and NumPy datasets: mapping onto the plan's inputs, labels, and
// the one-line errors for names, shapes and dtypes that do not match.
#include "DataTestUtil.h"

#include "runtime/data/Dataset.h"
#include "runtime/data/Npz.h"

using namespace cimlir;
using namespace cimlir::testing;

namespace {

const char *kFashion = "/usr/share/datasets/fashion-mnist";

TensorSpec spec(const std::string &name, DType d, Shape s) {
  return TensorSpec{name, d, std::move(s)};
}

Tensor randomLabels(int64_t n) {
  Tensor t = Tensor::allocate(DType::U8, {n});
  for (int64_t i = 0; i < n; ++i)
    t.data<uint8_t>()[i] = static_cast<uint8_t>(rng()() % 10);
  return t;
}

// An MNIST-like directory: t10k-* (gzip) with `testCount` and train-* (plain) with
// `trainCount` samples of 28x28 random bytes.
struct IdxDir {
  TempDir dir;
  Tensor testImages, testLabels, trainImages, trainLabels;
  IdxDir(int64_t testCount, int64_t trainCount) {
    testImages = randomTensor(DType::U8, {testCount, 28, 28});
    testLabels = randomLabels(testCount);
    trainImages = randomTensor(DType::U8, {trainCount, 28, 28});
    trainLabels = randomLabels(trainCount);
    writeGzip(dir.file("t10k-images-idx3-ubyte.gz"), idxBytes(0x08, testImages));
    writeGzip(dir.file("t10k-labels-idx1-ubyte.gz"), idxBytes(0x08, testLabels));
    writeBytes(dir.file("train-images-idx3-ubyte"), idxBytes(0x08, trainImages));
    writeBytes(dir.file("train-labels-idx1-ubyte"), idxBytes(0x08, trainLabels));
  }
};

std::vector<int64_t> labelVector(const Tensor &t) {
  return std::vector<int64_t>(t.data<uint8_t>(), t.data<uint8_t>() + t.numel());
}

} // namespace

TEST(IdxDataset, DirectoryFeedsAFloatInputWithRawPixelValues) {
  IdxDir d(20, 13);
  auto ds =
      openDataset(d.dir.path().string(), "test", {spec("x", DType::F32, {-1, 1, 28, 28})}, {});
  ASSERT_EQ(ds->size(), 20);
  EXPECT_EQ(ds->describe().rfind("idx:", 0), 0u) << ds->describe();
  TensorMap in = ds->inputs(3, 5);
  ASSERT_EQ(in.size(), 1u);
  const Tensor &x = in.at("x");
  ASSERT_EQ(x.dtype(), DType::F32);
  ASSERT_EQ(x.shape(), (Shape{5, 1, 28, 28}));
  const uint8_t *src = d.testImages.data<uint8_t>() + 3 * 784;
  for (int64_t i = 0; i < x.numel(); ++i)
    ASSERT_EQ(x.data<float>()[i], static_cast<float>(src[i])) << i;
  ASSERT_TRUE(ds->labels().has_value());
  EXPECT_EQ(*ds->labels(), labelVector(d.testLabels));
  EXPECT_TRUE(ds->referenceOutputs().empty());

  auto train =
      openDataset(d.dir.path().string(), "train", {spec("x", DType::F32, {-1, 1, 28, 28})}, {});
  EXPECT_EQ(train->size(), 13);
  EXPECT_EQ(*train->labels(), labelVector(d.trainLabels));

  std::string msg = errorOf([&] {
    openDataset(d.dir.path().string(), "valid", {spec("x", DType::F32, {-1, 784})}, {});
  });
  EXPECT_NE(msg.find("unknown split 'valid'"), std::string::npos) << msg;
}

TEST(IdxDataset, ImagesFileGivenDirectly) {
  IdxDir d(6, 4);
  std::string images = d.dir.file("t10k-images-idx3-ubyte.gz");
  // Same dtype as the file: the rows come back as they are, reshaped.
  auto ds = openDataset(images, "test", {spec("img", DType::U8, {-1, 784})}, {});
  ASSERT_EQ(ds->size(), 6);
  Tensor x = ds->inputs(0, 6).at("img");
  EXPECT_TRUE(sameTensor(x, d.testImages.reshaped({6, 784})));
  EXPECT_EQ(*ds->labels(), labelVector(d.testLabels));

  // No "images-idx3" in the name: no labels, which is fine for a file given directly.
  fs::copy_file(images, d.dir.file("pictures.gz"));
  auto unlabeled =
      openDataset(d.dir.file("pictures.gz"), "test", {spec("img", DType::F32, {-1, 28, 28})}, {});
  EXPECT_EQ(unlabeled->size(), 6);
  EXPECT_FALSE(unlabeled->labels().has_value());
}

TEST(IdxDataset, FixedLeadingDimIsTheSampleAxis) {
  IdxDir d(9, 1);
  auto ds = openDataset(d.dir.path().string(), "", {spec("x", DType::F64, {1, 28, 28})}, {});
  ASSERT_EQ(ds->size(), 9);
  Tensor x = ds->inputs(8, 1).at("x");
  ASSERT_EQ(x.shape(), (Shape{1, 28, 28}));
  EXPECT_EQ(x.data<double>()[100], d.testImages.data<uint8_t>()[8 * 784 + 100]);
}

TEST(IdxDataset, MismatchedPerSampleSizeNamesBoth) {
  IdxDir d(3, 1);
  std::string images = d.dir.file("t10k-images-idx3-ubyte.gz");
  std::string msg = errorOf([&] {
    openDataset(d.dir.path().string(), "test", {spec("x", DType::F32, {-1, 1, 32, 32})}, {});
  });
  EXPECT_EQ(msg, "dataset " + images +
                     ": images are 28x28 (784 values) per sample but plan "
                     "input 'x' expects [N,1,32,32] (1024 values)");

  msg = errorOf([&] {
    openDataset(d.dir.path().string(), "test",
                {spec("a", DType::F32, {-1, 784}), spec("b", DType::F32, {-1, 784})}, {});
  });
  EXPECT_NE(msg.find("exactly one graph input"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'a', 'b'"), std::string::npos) << msg;
}

TEST(IdxDataset, DirectoryWithoutLabelsOrImagesIsAnError) {
  IdxDir d(3, 1);
  fs::remove(d.dir.file("t10k-labels-idx1-ubyte.gz"));
  std::string msg = errorOf([&] {
    openDataset(d.dir.path().string(), "test", {spec("x", DType::F32, {-1, 784})}, {});
  });
  EXPECT_NE(msg.find("t10k-labels-idx1-ubyte"), std::string::npos) << msg;

  TempDir empty;
  msg = errorOf([&] {
    openDataset(empty.path().string(), "test", {spec("x", DType::F32, {-1, 784})}, {});
  });
  EXPECT_NE(msg.find("neither"), std::string::npos) << msg;
  errorOf([&] { openDataset(empty.file("nothing-here"), "test", {}, {}); });
}

TEST(IdxDataset, DebianFashionMnist) {
  if (!fs::exists(std::string(kFashion) + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/setup.sh installs it)";
  auto ds = openDataset(kFashion, "test", {spec("input", DType::F32, {-1, 1, 28, 28})}, {});
  ASSERT_EQ(ds->size(), 10000);
  auto labels = ds->labels();
  ASSERT_TRUE(labels.has_value());
  ASSERT_EQ(labels->size(), 10000u);
  for (int64_t l : *labels)
    ASSERT_TRUE(l >= 0 && l <= 9) << l;
  Tensor first = ds->inputs(0, 1).at("input");
  ASSERT_EQ(first.shape(), (Shape{1, 1, 28, 28}));
  double sum = 0;
  for (int i = 0; i < 784; ++i)
    sum += first.data<float>()[i];
  EXPECT_EQ(sum, 33456.0); // python3: np.frombuffer(..., offset=16)[:784].sum()

  auto train = openDataset(kFashion, "train", {spec("input", DType::F32, {-1, 784})}, {});
  EXPECT_EQ(train->size(), 60000);
}

TEST(NpzDataset, FeedsInputsByNameWithLabelsAndReferences) {
  TempDir dir;
  const int64_t n = 10;
  Tensor a = randomTensor(DType::F32, {n, 3});
  Tensor b = randomTensor(DType::I64, {n, 2, 2});
  Tensor labels = Tensor::allocate(DType::I32, {n});
  for (int64_t i = 0; i < n; ++i)
    labels.data<int32_t>()[i] = static_cast<int32_t>(rng()() % 100);
  Tensor y = randomTensor(DType::F32, {n, 4});
  std::string path = dir.file("d.npz");
  writeNpz(path, {{"a", a},
                  {"b", b},
                  {"labels", labels},
                  {"y", y},
                  {"unrelated", randomTensor(DType::U8, {3})}});

  auto ds =
      openDataset(path, "test", {spec("a", DType::F32, {-1, 3}), spec("b", DType::I64, {-1, 2, 2})},
                  {spec("y", DType::F32, {-1, 4})});
  ASSERT_EQ(ds->size(), n);
  TensorMap in = ds->inputs(2, 3);
  EXPECT_TRUE(sameTensor(in.at("a"), a.sliceRows(2, 5)));
  EXPECT_TRUE(sameTensor(in.at("b"), b.sliceRows(2, 5)));
  ASSERT_TRUE(ds->labels().has_value());
  for (int64_t i = 0; i < n; ++i)
    EXPECT_EQ((*ds->labels())[i], labels.data<int32_t>()[i]);
  TensorMap refs = ds->referenceOutputs();
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_TRUE(sameTensor(refs.at("y"), y));
}

TEST(NpzDataset, NameShapeDTypeAndCountErrors) {
  TempDir dir;
  std::string path = dir.file("d.npz");
  writeNpz(path, {{"a", randomTensor(DType::F64, {4, 3})},
                  {"b", randomTensor(DType::F32, {5, 2})},
                  {"labels", randomTensor(DType::F32, {4})}});
  std::string msg = errorOf([&] {
    openDataset(path, "test", {spec("x", DType::F32, {-1, 3})}, {});
  });
  EXPECT_EQ(msg, "dataset " + path +
                     ": no array 'x' for plan input 'x' (the file has 'a', 'b', "
                     "'labels')");

  msg = errorOf([&] { openDataset(path, "test", {spec("a", DType::F32, {-1, 3})}, {}); });
  EXPECT_NE(msg.find("array 'a' is float64 but plan input 'a' expects float32"), std::string::npos)
      << msg;

  msg = errorOf([&] { openDataset(path, "test", {spec("b", DType::F32, {-1, 3})}, {}); });
  EXPECT_NE(msg.find("array 'b' has shape [5,2] (per sample [2]) but plan input 'b' expects "
                     "[N,3] (per sample [3])"),
            std::string::npos)
      << msg;

  msg = errorOf([&] {
    openDataset(path, "test", {spec("a", DType::F64, {-1, 3}), spec("b", DType::F32, {-1, 2})}, {});
  });
  EXPECT_NE(msg.find("same first-axis length"), std::string::npos) << msg;

  msg = errorOf([&] { openDataset(path, "test", {spec("a", DType::F64, {-1, 3})}, {}); });
  EXPECT_NE(msg.find("'labels' is float32"), std::string::npos) << msg;
}

TEST(NpzDataset, NpyFeedsASingleInput) {
  TempDir dir;
  // An .npy written by numpy: int16 [2,3,4] (fixtures/make_fixtures.py).
  std::string npy = std::string(CIMLIR_DATA_FIXTURES) + "/v2.npy";
  auto ds = openDataset(npy, "test", {spec("x", DType::I16, {-1, 3, 4})}, {});
  ASSERT_EQ(ds->size(), 2);
  EXPECT_EQ(ds->inputs(1, 1).at("x").data<int16_t>()[0], 12 - 7);
  std::string msg = errorOf([&] {
    openDataset(npy, "test", {spec("x", DType::I16, {-1, 3, 4}), spec("y", DType::I16, {-1})}, {});
  });
  EXPECT_NE(msg.find("exactly one graph input"), std::string::npos) << msg;

  std::string junk = dir.file("junk.bin");
  writeBytes(junk, "hello, not a dataset");
  msg = errorOf([&] { openDataset(junk, "test", {spec("x", DType::F32, {-1})}, {}); });
  EXPECT_NE(msg.find("not a dataset file"), std::string::npos) << msg;
}
