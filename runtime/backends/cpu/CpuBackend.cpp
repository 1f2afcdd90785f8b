// cimlir runtime: the CPU backend. Each plan op maps to a kernel of kernels/cpu; this
// file parses the step attributes once (at load) and calls the kernel per batch.
#include "runtime/backends/cpu/CpuBackend.h"

#include "kernels/cpu/Conv.h"
#include "kernels/cpu/Elementwise.h"
#include "kernels/cpu/Gemm.h"
#include "kernels/cpu/Layout.h"
#include "kernels/cpu/Normalization.h"
#include "kernels/cpu/Pool.h"
#include "runtime/core/Error.h"

#include <cstring>
#include <functional>
#include <map>

namespace cimlir {

namespace {

using In = std::vector<const Tensor *>;
using Out = std::vector<Tensor *>;

/// A kernel from a lambda over the step's inputs and outputs.
class LambdaKernel : public StepKernel {
public:
  using Fn = std::function<void(const In &, const Out &)>;
  explicit LambdaKernel(Fn fn) : fn_(std::move(fn)) {}
  void run(const In &inputs, const Out &outputs) override { fn_(inputs, outputs); }

private:
  Fn fn_;
};

/// Reads a step's attributes; a missing or mistyped one is a corrupt plan.
class Attrs {
public:
  Attrs(const Program &program, const Step &step) : program_(program), step_(step) {}

  int64_t i(const char *key) const {
    const auto &v = get(key);
    if (!v.is_number_integer())
      fail(std::string("attribute '") + key + "' is not an integer");
    return v.get<int64_t>();
  }
  float f(const char *key) const {
    const auto &v = get(key);
    if (!v.is_number())
      fail(std::string("attribute '") + key + "' is not a number");
    return v.get<float>();
  }
  std::vector<int64_t> ints(const char *key) const {
    const auto &v = get(key);
    std::vector<int64_t> out;
    if (!v.is_array())
      fail(std::string("attribute '") + key + "' is not a list");
    for (const auto &e : v) {
      if (!e.is_number_integer())
        fail(std::string("attribute '") + key + "' holds a non-integer");
      out.push_back(e.get<int64_t>());
    }
    return out;
  }
  void arity(size_t minIn, size_t maxIn) const {
    if (step_.inputs.size() < minIn || step_.inputs.size() > maxIn || step_.outputs.size() != 1)
      fail("has " + std::to_string(step_.inputs.size()) + " inputs and " +
           std::to_string(step_.outputs.size()) + " outputs");
  }
  [[noreturn]] void fail(const std::string &what) const {
    throw Error(program_.path() + ": step " + step_.op + " '" + step_.name + "' " + what);
  }

private:
  const nlohmann::json &get(const char *key) const {
    if (!step_.attrs.contains(key))
      fail(std::string("has no attribute '") + key + "'");
    return step_.attrs.at(key);
  }
  const Program &program_;
  const Step &step_;
};

std::unique_ptr<StepKernel> kernel(LambdaKernel::Fn fn) {
  return std::make_unique<LambdaKernel>(std::move(fn));
}

/// Reshape, Flatten, Identity: the output holds the input's elements in order.
std::unique_ptr<StepKernel> copyKernel() {
  return kernel([](const In &in, const Out &out) {
    if (in[0]->byteSize() != out[0]->byteSize())
      throw Error("internal: copy between tensors of different sizes");
    if (in[0]->byteSize())
      std::memcpy(out[0]->raw(), in[0]->raw(), in[0]->byteSize());
  });
}

cpu::PoolParams poolParams(const Attrs &a) {
  cpu::PoolParams p;
  p.kernel = a.ints("kernel_shape");
  p.strides = a.ints("strides");
  p.pads = a.ints("pads");
  p.dilations = a.ints("dilations");
  return p;
}

using Factory = std::function<std::unique_ptr<StepKernel>(const Attrs &)>;

std::unique_ptr<StepKernel> binaryKernel(const Attrs &a, cpu::BinaryOp op) {
  a.arity(2, 2);
  return kernel([op](const In &in, const Out &out) { cpu::binary(op, *in[0], *in[1], *out[0]); });
}

const std::map<std::string, Factory> &factories() {
  static const std::map<std::string, Factory> table = {
      {"Add", [](const Attrs &a) { return binaryKernel(a, cpu::BinaryOp::Add); }},
      {"Sub", [](const Attrs &a) { return binaryKernel(a, cpu::BinaryOp::Sub); }},
      {"Mul", [](const Attrs &a) { return binaryKernel(a, cpu::BinaryOp::Mul); }},
      {"Div", [](const Attrs &a) { return binaryKernel(a, cpu::BinaryOp::Div); }},
      {"Relu",
       [](const Attrs &a) {
         a.arity(1, 1);
         return kernel([](const In &in, const Out &out) { cpu::relu(*in[0], *out[0]); });
       }},
      {"Identity", [](const Attrs &a) { a.arity(1, 1); return copyKernel(); }},
      {"Reshape", [](const Attrs &a) { a.arity(2, 2); return copyKernel(); }},
      {"Flatten", [](const Attrs &a) { a.arity(1, 1); return copyKernel(); }},
      {"Transpose",
       [](const Attrs &a) {
         a.arity(1, 1);
         auto perm = a.ints("perm");
         return kernel([perm](const In &in, const Out &out) { cpu::transpose(*in[0], perm, *out[0]); });
       }},
      {"Gemm",
       [](const Attrs &a) {
         a.arity(2, 3);
         float alpha = a.f("alpha"), beta = a.f("beta");
         bool ta = a.i("transA") != 0, tb = a.i("transB") != 0;
         return kernel([=](const In &in, const Out &out) {
           cpu::gemm(*in[0], *in[1], in.size() > 2 ? in[2] : nullptr, alpha, beta, ta, tb, *out[0]);
         });
       }},
      {"MatMul",
       [](const Attrs &a) {
         a.arity(2, 2);
         return kernel([](const In &in, const Out &out) { cpu::matmul(*in[0], *in[1], *out[0]); });
       }},
      {"Conv",
       [](const Attrs &a) {
         a.arity(2, 3);
         cpu::ConvParams p;
         p.strides = a.ints("strides");
         p.pads = a.ints("pads");
         p.dilations = a.ints("dilations");
         p.group = a.i("group");
         return kernel([p](const In &in, const Out &out) {
           cpu::conv(*in[0], *in[1], in.size() > 2 ? in[2] : nullptr, p, *out[0]);
         });
       }},
      {"MaxPool",
       [](const Attrs &a) {
         a.arity(1, 1);
         cpu::PoolParams p = poolParams(a);
         return kernel([p](const In &in, const Out &out) { cpu::maxPool(*in[0], p, *out[0]); });
       }},
      {"AveragePool",
       [](const Attrs &a) {
         a.arity(1, 1);
         cpu::PoolParams p = poolParams(a);
         p.countIncludePad = a.i("count_include_pad") != 0;
         return kernel([p](const In &in, const Out &out) { cpu::averagePool(*in[0], p, *out[0]); });
       }},
      {"GlobalAveragePool",
       [](const Attrs &a) {
         a.arity(1, 1);
         return kernel([](const In &in, const Out &out) { cpu::globalAveragePool(*in[0], *out[0]); });
       }},
      {"BatchNormalization",
       [](const Attrs &a) {
         a.arity(5, 5);
         float eps = a.f("epsilon");
         return kernel([eps](const In &in, const Out &out) {
           cpu::batchNorm(*in[0], *in[1], *in[2], *in[3], *in[4], eps, *out[0]);
         });
       }},
      {"Softmax",
       [](const Attrs &a) {
         a.arity(1, 1);
         int64_t axis = a.i("axis");
         return kernel([axis](const In &in, const Out &out) {
           int64_t ax = axis < 0 ? axis + in[0]->rank() : axis;
           cpu::softmax(*in[0], ax, *out[0]);
         });
       }},
  };
  return table;
}

class CpuBackend : public Backend {
public:
  std::string name() const override { return "cpu"; }
  std::unique_ptr<StepKernel> prepare(const Program &program, const Step &step) override {
    Attrs attrs(program, step);
    auto it = factories().find(step.op);
    if (it == factories().end())
      attrs.fail("has an op the CPU backend does not implement (plan from a newer cim-opt?)");
    return it->second(attrs);
  }
};

} // namespace

std::unique_ptr<Backend> createCpuBackend() { return std::make_unique<CpuBackend>(); }

} // namespace cimlir
