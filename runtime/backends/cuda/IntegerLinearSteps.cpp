#include "runtime/backends/cuda/IntegerLinearSteps.h"

#include "kernels/cpu/IntegerLinear.h"
#include "kernels/cuda/DirectConv.h"
#include "kernels/cuda/Gemm.h"
#include "kernels/cuda/IntegerLinear.h"
#include "runtime/backends/cpu/CpuBackend.h"

#include <vector>

namespace cimlir::cuda {

namespace {

bool isInt8(DType t) { return t == DType::I8 || t == DType::U8; }

/// The step's four inputs int8 or uint8, each zero point of its operand's type, Y int32.
bool integerTypes(const StepAttrs &a) {
  const auto &values = a.program().values();
  const Step &s = a.step();
  const DType x = values[s.inputs[0]].dtype, w = values[s.inputs[1]].dtype;
  return isInt8(x) && isInt8(w) && values[s.inputs[2]].dtype == x &&
         values[s.inputs[3]].dtype == w && values[s.outputs[0]].dtype == DType::I32;
}

/// MatMulInteger: A and B less their zero points in float64, one cuBLAS DGEMM (batch broadcast
/// as MatMul's), the exact sums wrapped to int32.
std::unique_ptr<StepKernel> matMulIntegerStep(const StepAttrs &a,
                                              const std::shared_ptr<Context> &context) {
  a.arity(4, 4);
  if (!integerTypes(a))
    return nullptr; // the CPU kernel names the error
  // Constant weights (B and its zero points, the usual case) are widened once, here.
  const Tensor *b = a.program().constant(a.step().inputs[1]);
  const Tensor *bZero = a.program().constant(a.step().inputs[3]);
  std::shared_ptr<void> constantB;
  if (b && bZero && b->rank() >= 2 &&
      (bZero->numel() == 1 || bZero->numel() == b->dim(b->rank() - 1))) {
    const int64_t n = b->dim(b->rank() - 1);
    auto value = [](const Tensor &t, int64_t i) -> double {
      return t.dtype() == DType::I8 ? t.data<int8_t>()[i] : t.data<uint8_t>()[i];
    };
    std::vector<double> widened(static_cast<size_t>(b->numel()));
    for (int64_t i = 0; i < b->numel(); ++i)
      widened[static_cast<size_t>(i)] =
          value(*b, i) - value(*bZero, bZero->numel() == 1 ? 0 : i % n);
    constantB =
        context->upload(widened.data(), widened.size() * sizeof(double), "MatMulInteger's B");
  }
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const cpu::MatmulExtents e = cpu::matMulIntegerExtents(*in[0], *in[1], *in[2], *in[3], *out[0]);
    auto widened = [&](size_t i, int64_t divisor, int64_t perIndex, const char *what) {
      const Tensor &t = *in[i];
      std::shared_ptr<void> d =
          context->allocate(static_cast<size_t>(t.numel()) * sizeof(double), what);
      widenLessZeroPoint(inputs->raw(in, i), inputs->raw(in, i + 2), t.dtype(), t.numel(), divisor,
                         in[i + 2]->numel() == 1 ? 1 : perIndex, static_cast<double *>(d.get()),
                         context->stream());
      return d;
    };
    // A's zero points are per row (m = (i / K) % M), B's per column (n = i % N).
    std::shared_ptr<void> da = widened(0, e.k, e.m, "MatMulInteger's A");
    std::shared_ptr<void> db = constantB ? constantB : widened(1, 1, e.n, "MatMulInteger's B");
    const int64_t count = out[0]->numel();
    std::shared_ptr<void> sums =
        context->allocate(static_cast<size_t>(count) * sizeof(double), "MatMulInteger's sums");
    matmul(context->blas(), static_cast<const double *>(da.get()),
           static_cast<const double *>(db.get()), e, static_cast<double *>(sums.get()));
    wrapToInt32(static_cast<const double *>(sums.get()), count, out[0]->data<int32_t>(),
                context->stream());
  });
}

/// ConvInteger (up to kMaxDirectConvAxes spatial axes): one thread per output.
std::unique_ptr<StepKernel> convIntegerStep(const StepAttrs &a,
                                            const std::shared_ptr<Context> &context) {
  a.arity(4, 4);
  const size_t rank = planShape(a, a.step().inputs[0]).size();
  if (!integerTypes(a) || rank > 2 + kMaxDirectConvAxes)
    return nullptr; // the CPU kernel names the error
  const cpu::ConvParams params = readConvParams(a);
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &x = *in[0], &w = *in[1];
    const DirectConv g =
        directConv("ConvInteger", cpu::convIntegerExtents(x, w, *in[2], *in[3], params, *out[0]),
                   x.dim(0), x.dim(1), w.dim(0), params.group);
    convInteger(inputs->raw(in, 0), x.dtype(), inputs->raw(in, 2), inputs->raw(in, 1), w.dtype(),
                inputs->raw(in, 3), in[3]->numel(), g, out[0]->data<int32_t>(), context->stream());
  });
}

} // namespace

void addIntegerLinearSteps(std::map<std::string, Factory> &table) {
  table["MatMulInteger"] = matMulIntegerStep;
  table["ConvInteger"] = convIntegerStep;
}

} // namespace cimlir::cuda
