#include "runtime/backends/cuda/ResizeSteps.h"

#include "kernels/cpu/Resize.h"
#include "kernels/cuda/Resize.h"
#include "runtime/backends/cpu/CpuBackend.h"

#include <utility>

namespace cimlir::cuda {

namespace {

/// Resize (every mode and coordinate mode, float32 and float64, any rank): scales and roi are
/// attributes of the plan, read as the CPU backend reads them; the CPU's taps are uploaded at
/// the first batch of each pair of X and Y shapes, after the CPU's checks.
std::unique_ptr<StepKernel> resizeStep(const StepAttrs &a,
                                       const std::shared_ptr<Context> &context) {
  a.arity(1, 1);
  const cpu::ResizeParams p = readResizeParams(a);
  auto inputs = std::make_shared<DeviceInputs>(a, *context);
  auto passes = std::make_shared<std::map<std::pair<Shape, Shape>, DeviceResizePasses>>();
  const Allocate allocate = [context](size_t bytes, const std::string &what) {
    return context->allocate(bytes, what);
  };
  return std::make_unique<LambdaStep>([=](const In &in, const Out &out) {
    const Tensor &x = *in[0];
    Tensor &y = *out[0];
    const auto shapes = std::make_pair(x.shape(), y.shape());
    auto it = passes->find(shapes);
    if (it == passes->end())
      it = passes
               ->emplace(shapes, uploadResizePasses(cpu::resizeAxes(x, p, y), x.shape(),
                                                    context->uploader()))
               .first;
    resize(inputs->raw(in, 0), x.dtype(), x.numel(), it->second.passes, p.extrapolation, allocate,
           y.raw(), context->stream());
  });
}

} // namespace

void addResizeSteps(std::map<std::string, Factory> &table) { table["Resize"] = resizeStep; }

} // namespace cimlir::cuda
