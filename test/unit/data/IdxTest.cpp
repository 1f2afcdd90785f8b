// IDX files: every element type, plain and gzip, bad and truncated files, and the real
// Fashion-MNIST test set from Debian's dataset-fashion-mnist.
#include "DataTestUtil.h"

#include "runtime/data/Idx.h"

using namespace cimlir;
using namespace cimlir::testing;

namespace {

const char *kFashion = "/usr/share/datasets/fashion-mnist";

bool haveFashionMnist() { return fs::exists(std::string(kFashion) + "/t10k-images-idx3-ubyte.gz"); }

} // namespace

TEST(Idx, ReadsEveryElementTypePlainAndGzip) {
  TempDir dir;
  const std::pair<unsigned, DType> types[] = {{0x08, DType::U8},  {0x09, DType::I8},
                                              {0x0B, DType::I16}, {0x0C, DType::I32},
                                              {0x0D, DType::F32}, {0x0E, DType::F64}};
  std::uniform_int_distribution<int> rank(1, 4), dim(1, 7);
  for (auto [code, dtype] : types) {
    Shape shape(static_cast<size_t>(rank(rng())));
    for (auto &d : shape)
      d = dim(rng());
    Tensor t = randomTensor(dtype, shape);
    std::string bytes = idxBytes(code, t);
    std::string plain = dir.file(std::string(dtypeName(dtype)) + "-idx");
    writeBytes(plain, bytes);
    writeGzip(plain + ".gz", bytes);
    for (const std::string &path : {plain, plain + ".gz"}) {
      SCOPED_TRACE(path + " " + shapeToString(shape));
      Tensor back = readIdx(path);
      EXPECT_TRUE(sameTensor(back, t));
    }
  }
}

TEST(Idx, TruncatedFilesAreErrors) {
  TempDir dir;
  Tensor t = randomTensor(DType::I16, {5, 6, 7});
  std::string bytes = idxBytes(0x0B, t);
  std::string plain = dir.file("t-idx3-ubyte"), gz = plain + ".gz";
  std::uniform_int_distribution<size_t> cut(0, bytes.size() - 1);
  std::vector<size_t> cuts = {0, 1, 3, 4, 5, 15, 16, bytes.size() - 1};
  for (int i = 0; i < 20; ++i)
    cuts.push_back(cut(rng()));
  for (size_t n : cuts) {
    SCOPED_TRACE("cut at " + std::to_string(n));
    writeBytes(plain, bytes.substr(0, n));
    std::string msg = errorOf([&] { readIdx(plain); });
    EXPECT_NE(msg.find(plain), std::string::npos) << msg;
    writeGzip(gz, bytes.substr(0, n));
    errorOf([&] { readIdx(gz); });
  }
  // A gzip stream that is itself cut short.
  writeGzip(gz, bytes);
  std::string compressed = readBytes(gz);
  writeBytes(gz, compressed.substr(0, compressed.size() / 2));
  errorOf([&] { readIdx(gz); });
}

TEST(Idx, BadHeadersAreErrors) {
  TempDir dir;
  std::string path = dir.file("bad-idx");
  Tensor t = randomTensor(DType::U8, {4, 3});
  std::string good = idxBytes(0x08, t);

  std::string msg;
  writeBytes(path, "\x01\x02" + good.substr(2));
  msg = errorOf([&] { readIdx(path); });
  EXPECT_NE(msg.find("not an IDX file"), std::string::npos) << msg;

  std::string badType = good;
  badType[2] = 0x0A;
  writeBytes(path, badType);
  msg = errorOf([&] { readIdx(path); });
  EXPECT_NE(msg.find("0x0a"), std::string::npos) << msg;

  std::string rank0 = good;
  rank0[3] = 0;
  writeBytes(path, rank0);
  errorOf([&] { readIdx(path); });

  writeBytes(path, good + "x");
  msg = errorOf([&] { readIdx(path); });
  EXPECT_NE(msg.find("after"), std::string::npos) << msg;

  // A header promising 4 GiB of data in a tiny file: an Error, no huge allocation.
  std::string huge =
      good.substr(0, 4) + std::string("\xff\xff\xff\xff\x00\x00\x00\x03", 8) + good.substr(12);
  writeBytes(path, huge);
  msg = errorOf([&] { readIdx(path); });
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;

  errorOf([&] { readIdx(dir.file("missing")); });
  errorOf([&] { readIdx(dir.path().string()); });
}

TEST(Idx, ReadsDebianFashionMnistTestSet) {
  if (!haveFashionMnist())
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/setup.sh installs it)";
  Tensor images = readIdx(std::string(kFashion) + "/t10k-images-idx3-ubyte.gz");
  ASSERT_EQ(images.dtype(), DType::U8);
  ASSERT_EQ(images.shape(), (Shape{10000, 28, 28}));
  // Reference values computed with python3 + numpy:
  //   im = np.frombuffer(gzip.open(f).read(), np.uint8, offset=16).reshape(-1, 28, 28)
  //   im[0].sum() == 33456, im[9999].sum() == 24390, im[0, 10, 10:20] == [0,0,0,4,0,53,...]
  auto imageSum = [&](int64_t i) {
    int64_t s = 0;
    const uint8_t *p = images.data<uint8_t>() + i * 784;
    for (int k = 0; k < 784; ++k)
      s += p[k];
    return s;
  };
  EXPECT_EQ(imageSum(0), 33456);
  EXPECT_EQ(imageSum(9999), 24390);
  const uint8_t *row = images.data<uint8_t>() + 10 * 28 + 10;
  EXPECT_EQ((std::vector<int>(row, row + 10)),
            (std::vector<int>{0, 0, 0, 4, 0, 53, 129, 120, 147, 175}));

  Tensor labels = readIdx(std::string(kFashion) + "/t10k-labels-idx1-ubyte.gz");
  ASSERT_EQ(labels.shape(), (Shape{10000}));
  const uint8_t *l = labels.data<uint8_t>();
  EXPECT_EQ((std::vector<int>(l, l + 10)), (std::vector<int>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
  std::vector<int> perClass(10, 0);
  for (int i = 0; i < 10000; ++i) {
    ASSERT_LT(l[i], 10);
    perClass[l[i]]++;
  }
  EXPECT_EQ(perClass, std::vector<int>(10, 1000)); // the test set is balanced
}

TEST(Idx, RandomCorruptionIsAnErrorOrAValidReadNeverACrash) {
  TempDir dir;
  std::string bytes = idxBytes(0x0C, randomTensor(DType::I32, {4, 5}));
  std::string plain = dir.file("c-idx"), gz = plain + ".gz";
  writeGzip(gz, bytes);
  std::string compressed = readBytes(gz);
  int errors = 0;
  for (int i = 0; i < 300; ++i) {
    for (auto [path, whole] : {std::pair{plain, bytes}, std::pair{gz, compressed}}) {
      std::string b = whole;
      b[rng()() % b.size()] = static_cast<char>(rng()());
      writeBytes(path, b);
      try {
        readIdx(path);
      } catch (const Error &) {
        ++errors;
      }
    }
  }
  EXPECT_GT(errors, 0);
}
