// cimlir runtime: the CPU backend. Each plan op maps to a kernel of kernels/cpu; this
// file parses the step attributes once (at load) and calls the kernel per batch.
#include "runtime/backends/cpu/CpuBackend.h"

#include "core/Error.h"
#include "kernels/cpu/Cast.h"
#include "kernels/cpu/Conv.h"
#include "kernels/cpu/Einsum.h"
#include "kernels/cpu/Elementwise.h"
#include "kernels/cpu/ElementwiseChain.h"
#include "kernels/cpu/Gemm.h"
#include "kernels/cpu/Indexing.h"
#include "kernels/cpu/IntegerLinear.h"
#include "kernels/cpu/Layout.h"
#include "kernels/cpu/Loss.h"
#include "kernels/cpu/Normalization.h"
#include "kernels/cpu/Pool.h"
#include "kernels/cpu/QuantizeLinear.h"
#include "kernels/cpu/Reduce.h"
#include "kernels/cpu/Resize.h"
#include "runtime/backends/cpu/CimLinearStep.h"
#include "runtime/backends/cpu/DigitalLinearStep.h"
#include "runtime/backends/cpu/RecurrentStep.h"
#include "runtime/exec/ChainProgram.h"
#include "runtime/exec/StepAttrs.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <optional>

namespace cimlir {

namespace {

using In = std::vector<const Tensor *>;
using Out = std::vector<Tensor *>;

/// A kernel from a lambda over the step's inputs and outputs.
class LambdaKernel : public StepKernel {
public:
  using Fn = std::function<void(const In &, const Out &)>;
  explicit LambdaKernel(Fn fn) : fn_(std::move(fn)) {}
  void run(const In &inputs, const Out &outputs, const RunContext &) override {
    fn_(inputs, outputs);
  }

private:
  Fn fn_;
};

using Attrs = StepAttrs;

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

/// ScatterElements' and ScatterND's reduction attribute.
cpu::ScatterReduction scatterReduction(const Attrs &a) {
  const std::optional<cpu::ScatterReduction> r = cpu::scatterReductionNamed(a.s("reduction"));
  if (!r)
    a.fail("has an unknown reduction '" + a.s("reduction") + "'");
  return *r;
}

using Factory = std::function<std::unique_ptr<StepKernel>(const Attrs &)>;

std::unique_ptr<StepKernel> binaryKernel(const Attrs &a, cpu::BinaryOp op) {
  a.arity(2, 2);
  return kernel([op](const In &in, const Out &out) { cpu::binary(op, *in[0], *in[1], *out[0]); });
}

const std::map<std::string, Factory> &factories() {
  static const std::map<std::string, Factory> table = [] {
    std::map<std::string, Factory> t = {
        {"Add", [](const Attrs &a) { return binaryKernel(a, cpu::BinaryOp::Add); }},
        {"Sub", [](const Attrs &a) { return binaryKernel(a, cpu::BinaryOp::Sub); }},
        {"Mul", [](const Attrs &a) { return binaryKernel(a, cpu::BinaryOp::Mul); }},
        {"Div", [](const Attrs &a) { return binaryKernel(a, cpu::BinaryOp::Div); }},
        {"Max", [](const Attrs &a) { return binaryKernel(a, cpu::BinaryOp::Max); }},
        {"Min", [](const Attrs &a) { return binaryKernel(a, cpu::BinaryOp::Min); }},
        {"Pow", [](const Attrs &a) { return binaryKernel(a, cpu::BinaryOp::Pow); }},
        {"PRelu", [](const Attrs &a) { return binaryKernel(a, cpu::BinaryOp::PRelu); }},
        {"Relu",
         [](const Attrs &a) {
           a.arity(1, 1);
           return kernel([](const In &in, const Out &out) { cpu::relu(*in[0], *out[0]); });
         }},
        {"Identity",
         [](const Attrs &a) {
           a.arity(1, 1);
           return copyKernel();
         }},
        {"Reshape",
         [](const Attrs &a) {
           a.arity(2, 2);
           return copyKernel();
         }},
        {"Flatten",
         [](const Attrs &a) {
           a.arity(1, 1);
           return copyKernel();
         }},
        {"Transpose",
         [](const Attrs &a) {
           a.arity(1, 1);
           auto perm = a.ints("perm");
           return kernel(
               [perm](const In &in, const Out &out) { cpu::transpose(*in[0], perm, *out[0]); });
         }},
        {"Gemm",
         [](const Attrs &a) {
           a.arity(2, 3);
           float alpha = a.f("alpha"), beta = a.f("beta");
           bool ta = a.i("transA") != 0, tb = a.i("transB") != 0;
           return kernel([=](const In &in, const Out &out) {
             cpu::gemm(*in[0], *in[1], in.size() > 2 ? in[2] : nullptr, alpha, beta, ta, tb,
                       *out[0]);
           });
         }},
        {"MatMul",
         [](const Attrs &a) {
           a.arity(2, 2);
           return kernel(
               [](const In &in, const Out &out) { cpu::matmul(*in[0], *in[1], *out[0]); });
         }},
        {"Conv",
         [](const Attrs &a) {
           a.arity(2, 3);
           cpu::ConvParams p = readConvParams(a);
           return kernel([p](const In &in, const Out &out) {
             cpu::conv(*in[0], *in[1], in.size() > 2 ? in[2] : nullptr, p, *out[0]);
           });
         }},
        {"ConvTranspose",
         [](const Attrs &a) {
           a.arity(2, 3);
           cpu::ConvParams p = readConvParams(a);
           return kernel([p](const In &in, const Out &out) {
             cpu::convTranspose(*in[0], *in[1], in.size() > 2 ? in[2] : nullptr, p, *out[0]);
           });
         }},
        {"MaxPool",
         [](const Attrs &a) {
           a.arity(1, 1);
           cpu::PoolParams p = readPoolParams(a);
           return kernel([p](const In &in, const Out &out) { cpu::maxPool(*in[0], p, *out[0]); });
         }},
        {"AveragePool",
         [](const Attrs &a) {
           a.arity(1, 1);
           cpu::PoolParams p = readPoolParams(a);
           return kernel(
               [p](const In &in, const Out &out) { cpu::averagePool(*in[0], p, *out[0]); });
         }},
        {"GlobalAveragePool",
         [](const Attrs &a) {
           a.arity(1, 1);
           return kernel(
               [](const In &in, const Out &out) { cpu::globalAveragePool(*in[0], *out[0]); });
         }},
        {"BatchNormalization",
         [](const Attrs &a) {
           a.arity(5, 5);
           float eps = a.f("epsilon");
           return kernel([eps](const In &in, const Out &out) {
             cpu::batchNorm(*in[0], *in[1], *in[2], *in[3], *in[4], eps, *out[0]);
           });
         }},
        {"Squeeze",
         [](const Attrs &a) {
           a.arity(1, 1);
           return copyKernel();
         }},
        {"Unsqueeze",
         [](const Attrs &a) {
           a.arity(1, 1);
           return copyKernel();
         }},
        {"Cast",
         [](const Attrs &a) {
           a.arity(1, 1);
           return kernel([](const In &in, const Out &out) { cpu::cast(*in[0], *out[0]); });
         }},
        {"Concat",
         [](const Attrs &a) {
           a.arity(1, a.step().inputs.size());
           int64_t axis = a.i("axis");
           return kernel([axis](const In &in, const Out &out) { cpu::concat(in, axis, *out[0]); });
         }},
        {"Slice",
         [](const Attrs &a) {
           a.arity(1, 1);
           auto starts = a.ints("starts"), ends = a.ints("ends"), axes = a.ints("axes"),
                steps = a.ints("steps");
           return kernel([=](const In &in, const Out &out) {
             cpu::slice(*in[0], starts, ends, axes, steps, *out[0]);
           });
         }},
        {"Gather",
         [](const Attrs &a) {
           a.arity(2, 2);
           int64_t axis = a.i("axis");
           return kernel([axis](const In &in, const Out &out) {
             cpu::gather(*in[0], *in[1], axis, *out[0]);
           });
         }},
        {"Split",
         [](const Attrs &a) {
           int64_t axis = a.i("axis");
           auto split = a.ints("split");
           if (a.step().inputs.size() != 1 || a.step().outputs.size() != split.size())
             a.fail("has " + std::to_string(a.step().outputs.size()) + " outputs for " +
                    std::to_string(split.size()) + " sizes");
           return kernel([axis, split](const In &in, const Out &out) {
             int64_t begin = 0;
             for (size_t i = 0; i < split.size(); ++i) {
               cpu::slice(*in[0], {begin}, {begin + split[i]}, {axis}, {1}, *out[i]);
               begin += split[i];
             }
           });
         }},
        {"Expand",
         [](const Attrs &a) {
           a.arity(1, 1);
           return kernel([](const In &in, const Out &out) { cpu::expand(*in[0], *out[0]); });
         }},
        {"Tile",
         [](const Attrs &a) {
           a.arity(1, 1);
           auto repeats = a.ints("repeats");
           return kernel(
               [repeats](const In &in, const Out &out) { cpu::tile(*in[0], repeats, *out[0]); });
         }},
        {"Pad",
         [](const Attrs &a) {
           a.arity(2, 2);
           auto pads = a.ints("pads");
           const std::string name = a.s("mode");
           const std::optional<cpu::PadMode> mode = cpu::padModeNamed(name);
           if (!mode)
             a.fail("has an unknown pad mode '" + name + "'");
           return kernel([pads, m = *mode](const In &in, const Out &out) {
             cpu::pad(*in[0], pads, m, in[1], *out[0]);
           });
         }},
        // The CIM layer (docs/plan-format.md): programs the chip here, at plan load.
        {"CimLinear", [](const Attrs &a) { return prepareCimLinear(a, a.options().cim); }},
        // A layer kept digital in the precision of cim-numerics.md §8 (docs/plan-format.md).
        {"DigitalLinear", [](const Attrs &a) { return prepareDigitalLinear(a); }},
        {"LayerNormalization",
         [](const Attrs &a) {
           const int64_t axis = a.i("axis");
           const float eps = a.f("epsilon");
           if (a.step().inputs.size() < 2 || a.step().inputs.size() > 3 ||
               a.step().outputs.size() != 3)
             a.fail("has " + std::to_string(a.step().inputs.size()) + " inputs and " +
                    std::to_string(a.step().outputs.size()) + " outputs");
           return kernel([=](const In &in, const Out &out) {
             cpu::layerNorm(*in[0], *in[1], in.size() > 2 ? in[2] : nullptr, axis, eps, *out[0],
                            out[1], out[2]);
           });
         }},
        {"InstanceNormalization",
         [](const Attrs &a) {
           a.arity(3, 3);
           const float eps = a.f("epsilon");
           return kernel([eps](const In &in, const Out &out) {
             cpu::instanceNorm(*in[0], *in[1], *in[2], eps, *out[0]);
           });
         }},
        {"LRN",
         [](const Attrs &a) {
           a.arity(1, 1);
           const int64_t size = a.i("size");
           const float alpha = a.f("alpha"), beta = a.f("beta"), bias = a.f("bias");
           return kernel([=](const In &in, const Out &out) {
             cpu::lrn(*in[0], size, alpha, beta, bias, *out[0]);
           });
         }},
    };
    for (const bool quantize : {true, false})
      t[quantize ? "QuantizeLinear" : "DequantizeLinear"] = [quantize](const Attrs &a) {
        a.arity(2, 3);
        const int64_t axis = a.i("axis");
        return kernel([=](const In &in, const Out &out) {
          const Tensor *zp = in.size() > 2 ? in[2] : nullptr;
          if (quantize)
            cpu::quantizeLinear(*in[0], *in[1], zp, axis, *out[0]);
          else
            cpu::dequantizeLinear(*in[0], *in[1], zp, axis, *out[0]);
        });
      };
    t["MatMulInteger"] = [](const Attrs &a) {
      a.arity(4, 4);
      return kernel([](const In &in, const Out &out) {
        cpu::matMulInteger(*in[0], *in[1], *in[2], *in[3], *out[0]);
      });
    };
    t["ConvInteger"] = [](const Attrs &a) {
      a.arity(4, 4);
      return kernel([p = readConvParams(a)](const In &in, const Out &out) {
        cpu::convInteger(*in[0], *in[1], *in[2], *in[3], p, *out[0]);
      });
    };
    t["RNN"] = [](const Attrs &a) { return prepareRecurrent(a, cpu::RecurrentCell::Rnn); };
    t["GRU"] = [](const Attrs &a) { return prepareRecurrent(a, cpu::RecurrentCell::Gru); };
    t["LSTM"] = [](const Attrs &a) { return prepareRecurrent(a, cpu::RecurrentCell::Lstm); };
    t["Einsum"] = [](const Attrs &a) {
      a.arity(1, a.step().inputs.size());
      const std::string equation = a.s("equation");
      return kernel(
          [equation](const In &in, const Out &out) { cpu::einsum(equation, in, *out[0]); });
    };
    t["ElementwiseChain"] = [](const Attrs &a) {
      return kernel([program = readChainProgram(a)](const In &in, const Out &out) {
        cpu::elementwiseChain(program, in, *out[0]);
      });
    };
    t["Gelu"] = [](const Attrs &a) {
      a.arity(1, 1);
      const std::string approximate = a.s("approximate");
      if (approximate != "none" && approximate != "tanh")
        a.fail("has an unknown approximate '" + approximate + "'");
      return kernel([tanh = approximate == "tanh"](const In &in, const Out &out) {
        cpu::gelu(*in[0], tanh, *out[0]);
      });
    };
    t["Mod"] = [](const Attrs &a) {
      return binaryKernel(a, a.i("fmod") != 0 ? cpu::BinaryOp::FMod : cpu::BinaryOp::Mod);
    };
    t["IsNaN"] = [](const Attrs &a) {
      a.arity(1, 1);
      return kernel(
          [](const In &in, const Out &out) { cpu::classify(*in[0], true, false, false, *out[0]); });
    };
    t["IsInf"] = [](const Attrs &a) {
      a.arity(1, 1);
      const bool negative = a.i("detect_negative") != 0, positive = a.i("detect_positive") != 0;
      return kernel([=](const In &in, const Out &out) {
        cpu::classify(*in[0], false, negative, positive, *out[0]);
      });
    };
    t["GatherElements"] = [](const Attrs &a) {
      a.arity(2, 2);
      const int64_t axis = a.i("axis");
      return kernel([axis](const In &in, const Out &out) {
        cpu::gatherElements(*in[0], *in[1], axis, *out[0]);
      });
    };
    t["ScatterElements"] = [](const Attrs &a) {
      a.arity(3, 3);
      const int64_t axis = a.i("axis");
      return kernel([axis, red = scatterReduction(a)](const In &in, const Out &out) {
        cpu::scatterElements(*in[0], *in[1], *in[2], axis, red, *out[0]);
      });
    };
    t["GatherND"] = [](const Attrs &a) {
      a.arity(2, 2);
      const int64_t batchDims = a.i("batch_dims");
      return kernel([batchDims](const In &in, const Out &out) {
        cpu::gatherND(*in[0], *in[1], batchDims, *out[0]);
      });
    };
    t["ScatterND"] = [](const Attrs &a) {
      a.arity(3, 3);
      return kernel([red = scatterReduction(a)](const In &in, const Out &out) {
        cpu::scatterND(*in[0], *in[1], *in[2], red, *out[0]);
      });
    };
    t["OneHot"] = [](const Attrs &a) {
      a.arity(2, 2);
      const int64_t depth = a.i("depth"), axis = a.i("axis");
      return kernel(
          [=](const In &in, const Out &out) { cpu::oneHot(*in[0], depth, *in[1], axis, *out[0]); });
    };
    t["TopK"] = [](const Attrs &a) {
      const int64_t k = a.i("k"), axis = a.i("axis");
      const bool largest = a.i("largest") != 0;
      if (a.step().inputs.size() != 1 || a.step().outputs.size() != 2)
        a.fail("needs 1 input and 2 outputs");
      return kernel([=](const In &in, const Out &out) {
        cpu::topK(*in[0], k, axis, largest, *out[0], *out[1]);
      });
    };
    t["Trilu"] = [](const Attrs &a) {
      a.arity(1, 1);
      const bool upper = a.i("upper") != 0;
      const int64_t k = a.i("k");
      return kernel([=](const In &in, const Out &out) { cpu::trilu(*in[0], upper, k, *out[0]); });
    };
    t["CumSum"] = [](const Attrs &a) {
      a.arity(1, 1);
      const int64_t axis = a.i("axis");
      const bool exclusive = a.i("exclusive") != 0, reverse = a.i("reverse") != 0;
      return kernel([=](const In &in, const Out &out) {
        cpu::cumSum(*in[0], axis, exclusive, reverse, *out[0]);
      });
    };
    t["NegativeLogLikelihoodLoss"] = [](const Attrs &a) {
      a.arity(2, 3);
      const std::optional<cpu::LossReduction> named = cpu::lossReductionNamed(a.s("reduction"));
      if (!named)
        a.fail("has an unknown reduction '" + a.s("reduction") + "'");
      const cpu::LossReduction reduction = *named;
      std::optional<int64_t> ignore;
      if (a.has("ignore_index"))
        ignore = a.i("ignore_index");
      return kernel([=](const In &in, const Out &out) {
        cpu::nllLoss(*in[0], *in[1], in.size() > 2 ? in[2] : nullptr, reduction, ignore, *out[0]);
      });
    };
    t["Resize"] = [](const Attrs &a) {
      a.arity(1, 1);
      const cpu::ResizeParams p = readResizeParams(a);
      return kernel([p](const In &in, const Out &out) { cpu::resize(*in[0], p, *out[0]); });
    };
    // The softmax family.
    const std::pair<const char *, cpu::SoftmaxKind> softmaxes[] = {
        {"Softmax", cpu::SoftmaxKind::Softmax},
        {"LogSoftmax", cpu::SoftmaxKind::LogSoftmax},
        {"Hardmax", cpu::SoftmaxKind::Hardmax}};
    for (const auto &[name, kind] : softmaxes)
      t[name] = [kind = kind](const Attrs &a) {
        a.arity(1, 1);
        const int64_t axis = a.i("axis");
        return kernel([=](const In &in, const Out &out) {
          cpu::softmax(*in[0], axis < 0 ? axis + in[0]->rank() : axis, *out[0], kind);
        });
      };
    // Comparisons and logical ops (cpu::compareOpTypes, one step type each).
    for (size_t i = 0; i < cpu::compareOpTypes().size(); ++i)
      t[cpu::compareOpTypes()[i]] = [op = static_cast<cpu::CompareOp>(i)](const Attrs &a) {
        a.arity(2, 2);
        return kernel(
            [op](const In &in, const Out &out) { cpu::compare(op, *in[0], *in[1], *out[0]); });
      };
    // The reductions (cpu::reduceOpTypes, one step type each), ArgMax, ArgMin and Clip.
    for (size_t i = 0; i < cpu::reduceOpTypes().size(); ++i)
      t[cpu::reduceOpTypes()[i]] = [op = static_cast<cpu::ReduceOp>(i)](const Attrs &a) {
        a.arity(1, 1);
        auto axes = a.ints("axes");
        const bool keep = a.i("keepdims") != 0;
        return kernel(
            [=](const In &in, const Out &out) { cpu::reduce(op, *in[0], axes, keep, *out[0]); });
      };
    for (const bool max : {true, false})
      t[max ? "ArgMax" : "ArgMin"] = [max](const Attrs &a) {
        a.arity(1, 1);
        const int64_t axis = a.i("axis");
        const bool keep = a.i("keepdims") != 0, last = a.i("select_last_index") != 0;
        return kernel([=](const In &in, const Out &out) {
          cpu::argExtreme(max, *in[0], axis, keep, last, *out[0]);
        });
      };
    t["Clip"] = [](const Attrs &a) {
      a.arity(3, 3);
      return kernel(
          [](const In &in, const Out &out) { cpu::clip(*in[0], *in[1], *in[2], *out[0]); });
    };
    t["Not"] = [](const Attrs &a) {
      a.arity(1, 1);
      return kernel([](const In &in, const Out &out) { cpu::logicalNot(*in[0], *out[0]); });
    };
    t["Where"] = [](const Attrs &a) {
      a.arity(3, 3);
      return kernel(
          [](const In &in, const Out &out) { cpu::where(*in[0], *in[1], *in[2], *out[0]); });
    };
    // The elementwise float functions (cpu::unaryOpTypes, one step type each).
    for (size_t i = 0; i < cpu::unaryOpTypes().size(); ++i)
      t[cpu::unaryOpTypes()[i].name] = [op = static_cast<cpu::UnaryOp>(i)](const Attrs &a) {
        a.arity(1, 1);
        // The parameters the op has (unaryOpTypes) must be in the step; others are unused.
        const cpu::UnaryOpType &type = cpu::unaryOpTypes()[static_cast<size_t>(op)];
        const float alpha = type.alphaName.empty() ? 0 : a.f("alpha");
        const float beta = type.betaName.empty() ? 0 : a.f("beta");
        return kernel(
            [=](const In &in, const Out &out) { cpu::unary(op, *in[0], *out[0], alpha, beta); });
      };
    return t;
  }();
  return table;
}

class CpuBackend : public Backend {
public:
  explicit CpuBackend(BackendOptions options) : options_(std::move(options)) {}
  std::string name() const override { return "cpu"; }
  std::unique_ptr<StepKernel> prepare(const Program &program, const Step &step) override {
    Attrs attrs(program, step, options_);
    auto it = factories().find(step.op);
    if (it == factories().end())
      attrs.fail("has an op the CPU backend does not implement (plan from a newer cim-opt?)");
    return it->second(attrs);
  }
  MemorySpace memorySpace() const override { return MemorySpace::Host; }
  std::shared_ptr<void> allocate(size_t bytes) override {
    void *p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!p)
      throw Error("out of host memory allocating " + std::to_string(bytes) +
                  " bytes of activations");
    return std::shared_ptr<void>(p, [](void *q) { std::free(q); });
  }
  void zero(void *data, size_t bytes) override { std::memset(data, 0, bytes); }
  void copyFromHost(void *data, const void *host, size_t bytes) override {
    std::memcpy(data, host, bytes);
  }
  void copyToHost(void *host, const void *data, size_t bytes) override {
    std::memcpy(host, data, bytes);
  }
  std::unique_ptr<StepTimer> createTimer(size_t steps) override {
    return std::make_unique<HostTimer>(steps);
  }

private:
  /// The host clock around each step (the CPU runs a step before run() returns).
  class HostTimer : public StepTimer {
  public:
    explicit HostTimer(size_t steps) : seconds_(steps, 0.0), started_(steps) {}
    void start(size_t step) override { started_[step] = std::chrono::steady_clock::now(); }
    void stop(size_t step) override {
      seconds_[step] +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_[step]).count();
    }
    std::vector<double> seconds() const override { return seconds_; }

  private:
    std::vector<double> seconds_;
    std::vector<std::chrono::steady_clock::time_point> started_;
  };

  BackendOptions options_;
};

} // namespace

cpu::ConvParams readConvParams(const StepAttrs &a) {
  cpu::ConvParams p;
  p.strides = a.ints("strides");
  p.pads = a.ints("pads");
  p.dilations = a.ints("dilations");
  p.group = a.i("group");
  return p;
}

cpu::ResizeParams readResizeParams(const StepAttrs &a) {
  cpu::ResizeParams p;
  p.scales = a.doubles("scales");
  p.roi = a.doubles("roi");
  p.mode = a.s("mode");
  p.coordinates = a.s("coordinate_transformation_mode");
  p.nearestMode = a.s("nearest_mode");
  p.cubicA = a.raw("cubic_coeff_a").get<double>();
  p.excludeOutside = a.i("exclude_outside") != 0;
  p.extrapolation = a.raw("extrapolation_value").get<double>();
  return p;
}

cpu::PoolParams readPoolParams(const StepAttrs &a) {
  cpu::PoolParams p;
  p.kernel = a.ints("kernel_shape");
  p.strides = a.ints("strides");
  p.pads = a.ints("pads");
  p.dilations = a.ints("dilations");
  if (a.step().op == "AveragePool")
    p.countIncludePad = a.i("count_include_pad") != 0;
  return p;
}

std::unique_ptr<Backend> createCpuBackend(const BackendOptions &options) {
  return std::make_unique<CpuBackend>(options);
}

} // namespace cimlir
