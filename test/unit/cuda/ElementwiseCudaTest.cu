// The GPU pooling and binary kernels against the CPU kernels on fresh random shapes: max and
// average pooling over 1- to 3-d windows with strides, pads, dilations and ceil-mode overhang
// (count_include_pad both ways), global average pooling, and float32 binary ops under NumPy
// broadcasting with NaNs in the data. The arithmetic is the CPU's, so the outputs are the same
// bits.
#include "core/Error.h"
#include "kernels/cpu/Check.h"
#include "kernels/cpu/Elementwise.h"
#include "kernels/cpu/Pool.h"
#include "kernels/cuda/Elementwise.h"
#include "kernels/cuda/Pool.h"
#include "test/unit/cim/CimTestUtil.h"
#include "test/unit/cuda/CudaTestUtil.h"

#include <cmath>
#include <cstring>

namespace cimlir::cuda::test {
namespace {

using cim::test::Rng;

Upload testUpload() {
  return [](const void *h, size_t bytes, const std::string &) { return deviceCopy(h, bytes); };
}

/// Same bits (NaN matches NaN).
void expectSameBits(const Tensor &expected, const std::vector<float> &got) {
  ASSERT_EQ(static_cast<size_t>(expected.numel()), got.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const float e = expected.data<float>()[i];
    if (std::isnan(e)) {
      ASSERT_TRUE(std::isnan(got[i])) << "element " << i;
      continue;
    }
    ASSERT_EQ(std::memcmp(&e, &got[i], sizeof e), 0)
        << "element " << i << ": cpu " << e << ", gpu " << got[i];
  }
}

TEST(CudaPool, MaxAndAverageAreTheCpuBits) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  for (int c = 0; c < 60; ++c) {
    const int axes = static_cast<int>(rng.range(1, 3));
    cpu::PoolParams p;
    Shape xShape{rng.range(1, 3), rng.range(1, 4)}, yShape = xShape, yCeil = xShape;
    std::vector<int64_t> padEnd;
    for (int a = 0; a < axes; ++a) {
      const int64_t k = rng.range(1, 3), s = rng.range(1, 2), d = rng.range(1, 2);
      const int64_t padBegin = rng.range(0, k - 1);
      p.kernel.push_back(k);
      p.strides.push_back(s);
      p.dilations.push_back(d);
      p.pads.push_back(padBegin);
      padEnd.push_back(rng.range(0, k - 1));
      const int64_t in = rng.range((k - 1) * d + 1, (k - 1) * d + 9);
      xShape.push_back(in);
      const int64_t span = in + padBegin + padEnd.back() - (k - 1) * d - 1;
      yShape.push_back(span / s + 1);
      yCeil.push_back(span / s + 1 + (span % s ? 1 : 0));
    }
    p.pads.insert(p.pads.end(), padEnd.begin(), padEnd.end());
    // ceil_mode's extents where ONNX allows them (the last window starts inside the input or
    // its left padding), else floor's.
    if (rng.coin()) {
      try {
        cpu::poolGeometry("test", Tensor::allocate(DType::F32, xShape), p,
                          Tensor::allocate(DType::F32, yCeil));
        yShape = yCeil;
      } catch (const Error &) {
      }
    }
    p.countIncludePad = rng.coin();
    SCOPED_TRACE("case " + std::to_string(c) + ": X " + shapeToString(xShape) + ", Y " +
                 shapeToString(yShape));
    Tensor x = rng.f32(xShape, -4.0, 4.0);
    if (rng.coin(0.3))
      x.data<float>()[rng.range(0, x.numel() - 1)] = std::nanf("");
    auto dx = deviceCopy(x.raw(), x.byteSize());
    Tensor y = Tensor::allocate(DType::F32, yShape);
    auto dy = deviceCopy(y.raw(), y.byteSize());
    const DevicePoolWindows windows =
        uploadPoolWindows(cpu::poolGeometry("test", x, p, y), testUpload());
    for (bool isMax : {true, false}) {
      Tensor expected = Tensor::allocate(DType::F32, yShape);
      if (isMax) {
        cpu::maxPool(x, p, expected);
        maxPool(dx.get(), DType::F32, windows.view, dy.get(), nullptr);
      } else {
        cpu::averagePool(x, p, expected);
        averagePool(static_cast<const float *>(dx.get()), windows.view, p.countIncludePad,
                    static_cast<float *>(dy.get()), nullptr);
      }
      check(cudaDeviceSynchronize(), "pooling");
      expectSameBits(expected, hostCopy<float>(dy.get(), static_cast<size_t>(y.numel())));
    }
  }
}

TEST(CudaPool, GlobalAverageIsTheCpuBits) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  const Shape shape{rng.range(1, 4), rng.range(1, 9), rng.range(1, 40), rng.range(1, 40)};
  const Tensor x = rng.f32(shape);
  Tensor expected = Tensor::allocate(DType::F32, {shape[0], shape[1], 1, 1});
  cpu::globalAveragePool(x, expected);
  auto dx = deviceCopy(x.raw(), x.byteSize());
  auto dy = deviceCopy(expected.raw(), expected.byteSize());
  globalAveragePool(static_cast<const float *>(dx.get()), shape[0] * shape[1], shape[2] * shape[3],
                    static_cast<float *>(dy.get()), nullptr);
  check(cudaDeviceSynchronize(), "global average pooling");
  expectSameBits(expected, hostCopy<float>(dy.get(), static_cast<size_t>(expected.numel())));
}

TEST(CudaBinary, BroadcastOpsAreTheCpuBits) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  // Not Pow: CUDA's powf is within 2 ulp of the C library's (the runtime suite compares it).
  const cpu::BinaryOp ops[] = {cpu::BinaryOp::Add,   cpu::BinaryOp::Sub, cpu::BinaryOp::Mul,
                               cpu::BinaryOp::Div,   cpu::BinaryOp::Max, cpu::BinaryOp::Min,
                               cpu::BinaryOp::PRelu, cpu::BinaryOp::Mod, cpu::BinaryOp::FMod};
  for (int c = 0; c < 60; ++c) {
    const int rank = static_cast<int>(rng.range(0, 5));
    Shape out, a, b;
    for (int d = 0; d < rank; ++d)
      out.push_back(rng.range(1, 5));
    // Each operand: a suffix of the output's axes, each kept or broadcast from 1.
    for (Shape *s : {&a, &b}) {
      const int r = static_cast<int>(rng.range(0, rank));
      for (int d = rank - r; d < rank; ++d)
        s->push_back(rng.coin(0.3) ? 1 : out[d]);
    }
    Shape y;
    ASSERT_TRUE(cpu::detail::broadcastShapes(a, b, y));
    Tensor ta = rng.f32(a, -3.0, 3.0), tb = rng.f32(b, -3.0, 3.0);
    if (ta.numel() > 1 && rng.coin(0.3))
      ta.data<float>()[0] = std::nanf("");
    auto da = deviceCopy(ta.raw(), ta.byteSize()), db = deviceCopy(tb.raw(), tb.byteSize());
    const cpu::BinaryOp op = ops[rng.range(0, 8)];
    SCOPED_TRACE("case " + std::to_string(c) + ": " + shapeToString(a) + " op " +
                 std::to_string(static_cast<int>(op)) + " " + shapeToString(b));
    Tensor expected = Tensor::allocate(DType::F32, y);
    cpu::binary(op, ta, tb, expected);
    Broadcast shape;
    ASSERT_TRUE(Broadcast::of(a, b, y, shape));
    auto dy = deviceCopy(expected.raw(), std::max<size_t>(4, expected.byteSize()));
    // No fault record: float32 division has none to report.
    binary(op, da.get(), db.get(), DType::F32, shape, dy.get(), nullptr, 0, nullptr);
    check(cudaDeviceSynchronize(), "binary");
    expectSameBits(expected, hostCopy<float>(dy.get(), static_cast<size_t>(expected.numel())));
  }
}

} // namespace
} // namespace cimlir::cuda::test
