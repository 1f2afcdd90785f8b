#include "runtime/backends/cuda/IndexingSteps.h"

#include "kernels/cpu/Indexing.h"
#include "kernels/cpu/Reduce.h"
#include "kernels/cuda/Indexing.h"

#include <optional>

namespace cimlir::cuda {

namespace {

DType planType(const StepAttrs &a, int64_t v) { return a.program().values()[v].dtype; }

bool isIndexType(DType t) { return t == DType::I64 || t == DType::I32; }

/// Whether X (input 0) has a rank the element-wise index kernels take.
bool rankFits(const StepAttrs &a) {
  return planShape(a, a.step().inputs[0]).size() <= static_cast<size_t>(kMaxIndexingRank);
}

/// The fault site of the step's index errors, worded as the CPU kernel `kernel` words them.
int indexFaultSite(const StepAttrs &a, Context &context, const char *kernel) {
  return context.faultSite("step " + a.step().op + " '" + a.step().name + "': " + kernel + ": ");
}

/// The product of the extents of axes [from, to) of `shape`.
int64_t extentOf(const Shape &shape, int64_t from, int64_t to) {
  int64_t n = 1;
  for (int64_t a = from; a < to; ++a)
    n *= shape[static_cast<size_t>(a)];
  return n;
}

/// The extents of `shape` before, along and after `axis` (an axis the caller checked).
struct AroundAxis {
  int64_t outer, len, inner;
};
AroundAxis aroundAxis(const Shape &shape, int64_t axis) {
  return {extentOf(shape, 0, axis), shape[static_cast<size_t>(axis)],
          extentOf(shape, axis + 1, static_cast<int64_t>(shape.size()))};
}

std::unique_ptr<StepKernel> gatherElementsStep(const StepAttrs &a,
                                               const std::shared_ptr<Context> &context) {
  a.arity(2, 2);
  if (!isIndexType(planType(a, a.step().inputs[1])) || !rankFits(a))
    return nullptr; // the CPU kernel names the error
  const int64_t axis = a.i("axis");
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  const int site = indexFaultSite(a, *context, "GatherElements");
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &x = *in[0], &indices = *in[1];
    cpu::checkGatherElements(x, indices, axis, *out[0]);
    gatherElements(inputs->raw(in, 0), dtypeSize(x.dtype()), inputs->raw(in, 1),
                   indices.dtype() == DType::I64,
                   ElementsShape::of(x.shape(), indices.shape(), axis), out[0]->raw(),
                   context->fault(), site, context->stream());
  });
}

/// The step's reduction when the GPU scatters its type with it; nullopt otherwise (the CPU
/// kernel names an unknown reduction, or refuses the type).
std::optional<cpu::ScatterReduction> gpuScatterReduction(const StepAttrs &a) {
  const std::optional<cpu::ScatterReduction> r = cpu::scatterReductionNamed(a.s("reduction"));
  if (r && *r != cpu::ScatterReduction::None && !numericOnGpu(planType(a, a.step().inputs[0])))
    return std::nullopt;
  return r;
}

std::unique_ptr<StepKernel> scatterElementsStep(const StepAttrs &a,
                                                const std::shared_ptr<Context> &context) {
  a.arity(3, 3);
  const std::optional<cpu::ScatterReduction> reduction = gpuScatterReduction(a);
  if (!reduction || !isIndexType(planType(a, a.step().inputs[1])) || !rankFits(a))
    return nullptr;
  const int64_t axis = a.i("axis");
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  const int site = indexFaultSite(a, *context, "ScatterElements");
  return std::make_unique<LambdaStep>([=, r = *reduction](const In &in, const Out &out) {
    const Tensor &x = *in[0], &indices = *in[1];
    cpu::checkScatterElements(x, indices, *in[2], axis, *out[0]);
    scatterElements(inputs->raw(in, 0), x.dtype(), inputs->raw(in, 1),
                    indices.dtype() == DType::I64, inputs->raw(in, 2),
                    ElementsShape::of(x.shape(), indices.shape(), axis), r, out[0]->raw(),
                    context->fault(), site, context->stream());
  });
}

/// The element offsets of the index tuples (input 1) in scratch memory: in X's axes from
/// `batchDims` on. Bad tuples are reported at `site` and get -1.
std::shared_ptr<void> offsetsOfTuples(const In &in, const DeviceInputs &inputs,
                                      const cpu::TupleIndexing &indexing, int64_t batchDims,
                                      Context &context, int site) {
  const Shape &x = in[0]->shape();
  std::shared_ptr<void> offsets = context.allocate(
      static_cast<size_t>(indexing.tuples) * sizeof(int64_t), "index tuples' offsets");
  tupleOffsets(inputs.raw(in, 1), in[1]->dtype() == DType::I64, indexing.tuples,
               TupleAxes::of(Shape(x.begin() + batchDims, x.end()), indexing.m),
               static_cast<int64_t *>(offsets.get()), context.fault(), site, context.stream());
  return offsets;
}

std::unique_ptr<StepKernel> gatherNDStep(const StepAttrs &a,
                                         const std::shared_ptr<Context> &context) {
  a.arity(2, 2);
  if (!isIndexType(planType(a, a.step().inputs[1])) || !rankFits(a))
    return nullptr;
  const int64_t batchDims = a.i("batch_dims");
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  const int site = indexFaultSite(a, *context, "GatherND");
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const cpu::TupleIndexing g = cpu::checkGatherND(*in[0], *in[1], batchDims, *out[0]);
    const std::shared_ptr<void> offsets =
        offsetsOfTuples(in, *inputs, g, batchDims, *context, site);
    gatherND(inputs->raw(in, 0), dtypeSize(in[0]->dtype()),
             static_cast<const int64_t *>(offsets.get()), g, out[0]->raw(), context->stream());
  });
}

std::unique_ptr<StepKernel> scatterNDStep(const StepAttrs &a,
                                          const std::shared_ptr<Context> &context) {
  a.arity(3, 3);
  const std::optional<cpu::ScatterReduction> reduction = gpuScatterReduction(a);
  if (!reduction || !isIndexType(planType(a, a.step().inputs[1])) || !rankFits(a))
    return nullptr;
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  const int site = indexFaultSite(a, *context, "ScatterND");
  return std::make_unique<LambdaStep>([=, r = *reduction](const In &in, const Out &out) {
    const Tensor &x = *in[0];
    const cpu::TupleIndexing s = cpu::checkScatterND(x, *in[1], *in[2], *out[0]);
    const std::shared_ptr<void> offsets = offsetsOfTuples(in, *inputs, s, 0, *context, site);
    scatterND(inputs->raw(in, 0), x.dtype(), x.numel(), static_cast<const int64_t *>(offsets.get()),
              inputs->raw(in, 2), s, r, out[0]->raw(), context->stream());
  });
}

std::unique_ptr<StepKernel> oneHotStep(const StepAttrs &a,
                                       const std::shared_ptr<Context> &context) {
  a.arity(2, 2);
  if (!numericOnGpu(planType(a, a.step().inputs[0])))
    return nullptr;
  const int64_t depth = a.i("depth"), axis = a.i("axis");
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &indices = *in[0];
    cpu::checkOneHot(indices, depth, *in[1], axis, *out[0]);
    oneHot(inputs->raw(in, 0), indices.dtype(), extentOf(indices.shape(), 0, axis), depth,
           extentOf(indices.shape(), axis, indices.rank()), inputs->raw(in, 1),
           dtypeSize(in[1]->dtype()), out[0]->raw(), context->stream());
  });
}

std::unique_ptr<StepKernel> topKStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  const Step &s = a.step();
  if (s.inputs.size() != 1 || s.outputs.size() != 2 || !numericOnGpu(planType(a, s.inputs[0])))
    return nullptr; // the CPU kernel names the error
  const int64_t k = a.i("k"), axis = a.i("axis");
  const bool largest = a.i("largest") != 0;
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &x = *in[0];
    cpu::checkTopK(x, k, axis, *out[0], *out[1]);
    const AroundAxis line = aroundAxis(x.shape(), axis);
    topK(inputs->raw(in, 0), x.dtype(), line.outer, line.len, line.inner, k, largest, out[0]->raw(),
         out[1]->data<int64_t>(), context->stream());
  });
}

std::unique_ptr<StepKernel> triluStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  const bool upper = a.i("upper") != 0;
  const int64_t k = a.i("k");
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &x = *in[0];
    cpu::checkTrilu(x, *out[0]);
    trilu(inputs->raw(in, 0), dtypeSize(x.dtype()), x.numel(), x.dim(x.rank() - 2),
          x.dim(x.rank() - 1), upper, k, out[0]->raw(), context->stream());
  });
}

/// ArgMax (`max`) and ArgMin.
Factory argExtremeStep(bool max) {
  return [max](const StepAttrs &a,
               const std::shared_ptr<Context> &context) -> std::unique_ptr<StepKernel> {
    a.arity(1, 1);
    if (!argExtremeOnGpu(planType(a, a.step().inputs[0])))
      return nullptr;
    const int64_t axis = a.i("axis");
    const bool keepDims = a.i("keepdims") != 0, last = a.i("select_last_index") != 0;
    auto inputs = std::make_shared<DeviceInputs>(a, *context);
    return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
      const Tensor &x = *in[0];
      cpu::checkArgExtreme(max, x, axis, keepDims, *out[0]);
      const AroundAxis line = aroundAxis(x.shape(), axis);
      argExtreme(max, inputs->raw(in, 0), x.dtype(), line.outer, line.len, line.inner, last,
                 out[0]->data<int64_t>(), context->stream());
    });
  };
}

std::unique_ptr<StepKernel> cumSumStep(const StepAttrs &a,
                                       const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  if (!numericOnGpu(planType(a, a.step().inputs[0])))
    return nullptr;
  const int64_t axis = a.i("axis");
  const bool exclusive = a.i("exclusive") != 0, reverse = a.i("reverse") != 0;
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &x = *in[0];
    cpu::checkCumSum(x, axis, *out[0]);
    const AroundAxis line = aroundAxis(x.shape(), axis);
    cumSum(inputs->raw(in, 0), x.dtype(), line.outer, line.len, line.inner, exclusive, reverse,
           out[0]->raw(), context->stream());
  });
}

} // namespace

void addIndexingSteps(std::map<std::string, Factory> &table) {
  table["GatherElements"] = gatherElementsStep;
  table["ScatterElements"] = scatterElementsStep;
  table["GatherND"] = gatherNDStep;
  table["ScatterND"] = scatterNDStep;
  table["OneHot"] = oneHotStep;
  table["TopK"] = topKStep;
  table["Trilu"] = triluStep;
  table["ArgMax"] = argExtremeStep(true);
  table["ArgMin"] = argExtremeStep(false);
  table["CumSum"] = cumSumStep;
}

} // namespace cimlir::cuda
