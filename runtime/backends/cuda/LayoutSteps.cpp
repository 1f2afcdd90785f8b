#include "runtime/backends/cuda/LayoutSteps.h"

#include "core/Error.h"
#include "kernels/cpu/Layout.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/Layout.h"

#include <map>
#include <optional>
#include <string>

namespace cimlir::cuda {

namespace {

/// A data-movement step whose index tables depend only on the input's shape: built by `tables`
/// (false: rank too high, the step then fails as the CPU kernel would not) and uploaded at the
/// first batch of each input shape. Input 0 must be an activation; `fillInput` names an
/// optional input holding the fill value.
using TablesFor = std::function<bool(const Tensor &x, const Tensor &y, const Upload &upload,
                                     DeviceOffsetTables &out)>;
std::unique_ptr<StepKernel> layoutStep(const StepAttrs &a, const std::shared_ptr<Context> &context,
                                       TablesFor tables, int fillInput = -1) {
  if (!allInputsOnDevice(a, 0, 1) ||
      planShape(a, a.step().outputs[0]).size() > static_cast<size_t>(kMaxLayoutRank) ||
      planShape(a, a.step().inputs[0]).size() > static_cast<size_t>(kMaxLayoutRank))
    return nullptr;
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  auto cache = std::make_shared<std::map<Shape, DeviceOffsetTables>>();
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    auto it = cache->find(in[0]->shape());
    if (it == cache->end()) {
      DeviceOffsetTables t;
      if (!tables(*in[0], *out[0], context->uploader(), t))
        throw Error("internal: no GPU index tables for this step");
      bool fits = t.view.rank == out[0]->rank();
      for (int d = 0; fits && d < t.view.rank; ++d)
        fits = t.view.extent[d] == out[0]->dim(d);
      if (!fits)
        throw Error("Y has shape " + shapeToString(out[0]->shape()) + ", which the step's input " +
                    shapeToString(in[0]->shape()) + " does not give");
      it = cache->emplace(in[0]->shape(), std::move(t)).first;
    }
    const void *fill = fillInput >= 0 && static_cast<size_t>(fillInput) < in.size()
                           ? inputs->raw(in, static_cast<size_t>(fillInput))
                           : nullptr;
    remap(in[0]->raw(), dtypeSize(in[0]->dtype()), it->second.view, fill, out[0]->raw(),
          context->stream());
  });
}

} // namespace

/// Reshape, Flatten, Identity: the output holds the input's elements in order.
std::unique_ptr<StepKernel> copyStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(a.step().op == "Reshape" ? 2 : 1, a.step().op == "Reshape" ? 2 : 1);
  if (!allInputsOnDevice(a, 0, 1))
    return nullptr;
  return std::make_unique<LambdaStep>([context](const In &in, const Out &out) {
    if (in[0]->byteSize() != out[0]->byteSize())
      throw Error("internal: copy between tensors of different sizes");
    if (in[0]->byteSize())
      check(cudaMemcpyAsync(out[0]->raw(), in[0]->raw(), in[0]->byteSize(),
                            cudaMemcpyDeviceToDevice, context->stream()),
            "copying on the GPU");
  });
}

std::unique_ptr<StepKernel> transposeStep(const StepAttrs &a,
                                          const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  const std::vector<int64_t> perm = a.ints("perm");
  return layoutStep(
      a, context,
      [perm](const Tensor &x, const Tensor &, const Upload &upload, DeviceOffsetTables &out) {
        return uploadTranspose(x.shape(), perm, upload, out);
      });
}

std::unique_ptr<StepKernel> sliceStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  const auto starts = a.ints("starts"), ends = a.ints("ends"), axes = a.ints("axes"),
             steps = a.ints("steps");
  return layoutStep(
      a, context,
      [=](const Tensor &x, const Tensor &, const Upload &upload, DeviceOffsetTables &out) {
        return uploadRemap(cpu::sliceMaps(x.shape(), starts, ends, axes, steps), x.shape(), upload,
                           out);
      });
}

std::unique_ptr<StepKernel> expandStep(const StepAttrs &a,
                                       const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  return layoutStep(
      a, context,
      [](const Tensor &x, const Tensor &y, const Upload &upload, DeviceOffsetTables &out) {
        return uploadRemap(cpu::expandMaps(x.shape(), y.shape()),
                           cpu::broadcastAligned(x.shape(), y.shape().size()), upload, out);
      });
}

std::unique_ptr<StepKernel> tileStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  const auto repeats = a.ints("repeats");
  return layoutStep(
      a, context,
      [repeats](const Tensor &x, const Tensor &, const Upload &upload, DeviceOffsetTables &out) {
        return uploadRemap(cpu::tileMaps(x.shape(), repeats), x.shape(), upload, out);
      });
}

std::unique_ptr<StepKernel> padStep(const StepAttrs &a, const std::shared_ptr<Context> &context) {
  a.arity(2, 2);
  const auto pads = a.ints("pads");
  const std::optional<cpu::PadMode> mode = cpu::padModeNamed(a.s("mode"));
  const Step &s = a.step();
  const Tensor *value = a.program().constant(s.inputs[1]);
  if (!mode || !value || value->numel() != 1 ||
      value->dtype() != a.program().values()[s.inputs[0]].dtype)
    return nullptr; // the CPU kernel names the error
  return layoutStep(
      a, context,
      [pads, m = *mode](const Tensor &x, const Tensor &, const Upload &upload,
                        DeviceOffsetTables &out) {
        return uploadRemap(cpu::padMaps(x.shape(), pads, m), x.shape(), upload, out);
      },
      1);
}

/// Concat, and Split (the inverse): one 2-D copy per part, rows of `outer` blocks.
std::unique_ptr<StepKernel> concatStep(const StepAttrs &a,
                                       const std::shared_ptr<Context> &context) {
  const bool split = a.step().op == "Split";
  const int64_t axis = a.i("axis");
  std::vector<int64_t> sizes;
  if (split) {
    sizes = a.ints("split");
    if (a.step().inputs.size() != 1 || a.step().outputs.size() != sizes.size())
      return nullptr; // the CPU kernel names the arity error
  } else {
    a.arity(1, a.step().inputs.size());
  }
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    // The joined tensor and its parts.
    const Tensor &whole = split ? *in[0] : *out[0];
    std::vector<const Tensor *> parts;
    if (split)
      parts.assign(out.begin(), out.end());
    else
      parts.assign(in.begin(), in.end());
    const int64_t rank = whole.rank();
    if (axis < 0 || axis >= rank)
      throw Error("concat: axis " + std::to_string(axis) + " is out of range for " +
                  shapeToString(whole.shape()));
    Shape want = whole.shape();
    want[axis] = 0;
    for (const Tensor *t : parts) {
      bool ok = t->rank() == rank && t->dtype() == whole.dtype();
      for (int64_t d = 0; ok && d < rank; ++d)
        ok = d == axis || t->dim(d) == whole.dim(d);
      if (!ok)
        throw Error("concat: part " + shapeToString(t->shape()) + " does not fit " +
                    shapeToString(whole.shape()) + " along axis " + std::to_string(axis));
      want[axis] += t->dim(axis);
    }
    if (want != whole.shape())
      throw Error("concat: parts make " + shapeToString(want) + ", not " +
                  shapeToString(whole.shape()));
    int64_t outer = 1, inner = dtypeSize(whole.dtype());
    for (int64_t d = 0; d < axis; ++d)
      outer *= whole.dim(d);
    for (int64_t d = axis + 1; d < rank; ++d)
      inner *= whole.dim(d);
    const size_t wholeRow = static_cast<size_t>(whole.dim(axis) * inner);
    size_t at = 0;
    for (size_t p = 0; p < parts.size(); ++p) {
      const size_t row = static_cast<size_t>(parts[p]->dim(axis) * inner);
      if (row && outer) {
        const void *src = split ? static_cast<const unsigned char *>(inputs->raw(in, 0)) + at
                                : inputs->raw(in, p);
        void *dst = split ? out[p]->raw() : static_cast<unsigned char *>(out[0]->raw()) + at;
        check(cudaMemcpy2DAsync(dst, split ? row : wholeRow, src, split ? wholeRow : row, row,
                                static_cast<size_t>(outer), cudaMemcpyDeviceToDevice,
                                context->stream()),
              split ? "splitting on the GPU" : "concatenating on the GPU");
      }
      at += row;
    }
  });
}

/// Gather with the indices in device memory (an activation or a constant); an index out of
/// range is reported through the context's fault record.
std::unique_ptr<StepKernel> gatherStep(const StepAttrs &a,
                                       const std::shared_ptr<Context> &context) {
  a.arity(2, 2);
  const DType indexType = a.program().values()[a.step().inputs[1]].dtype;
  if (indexType != DType::I64 && indexType != DType::I32)
    return nullptr;
  const int64_t axis = a.i("axis");
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  const int site = context->faultSite("step Gather '" + a.step().name + "': gather: ");
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &x = *in[0], &indices = *in[1];
    const int64_t at = axis < 0 ? axis + x.rank() : axis;
    if (at < 0 || at >= x.rank())
      throw Error("gather: axis " + std::to_string(axis) + " is out of range for X " +
                  shapeToString(x.shape()));
    Shape want(x.shape().begin(), x.shape().begin() + at);
    want.insert(want.end(), indices.shape().begin(), indices.shape().end());
    want.insert(want.end(), x.shape().begin() + at + 1, x.shape().end());
    if (out[0]->shape() != want || out[0]->dtype() != x.dtype())
      throw Error("gather: Y has shape " + shapeToString(out[0]->shape()) + ", expected " +
                  shapeToString(want));
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < at; ++d)
      outer *= x.dim(d);
    for (int64_t d = at + 1; d < x.rank(); ++d)
      inner *= x.dim(d);
    gather(inputs->raw(in, 0), dtypeSize(x.dtype()), outer, x.dim(at), inner, inputs->raw(in, 1),
           indices.dtype() == DType::I64, indices.numel(), out[0]->raw(), context->fault(), site,
           context->stream());
  });
}

} // namespace cimlir::cuda
