#include "runtime/backends/cuda/CimLinearStep.h"

#include "core/Error.h"
#include "kernels/cuda/CimChip.h"
#include "runtime/backends/cpu/CimLinearStep.h"
#include "runtime/backends/cuda/LinearLayout.h"

namespace cimlir::cuda {

namespace {

class GpuCimLinear : public StepKernel {
public:
  GpuCimLinear(std::unique_ptr<CimLayer> layer, std::vector<DeviceCimChip> chips,
               const StepAttrs &attrs, std::shared_ptr<Context> context)
      : layer_(std::move(layer)), chips_(std::move(chips)),
        layout_(layer_->layout().step(), attrs, context), context_(std::move(context)) {}

  void run(const std::vector<const Tensor *> &in, const std::vector<Tensor *> &out,
           const RunContext &runContext) override {
    samples_ += layout_.run(
        in, out, runContext.firstSample,
        [&](int64_t g, const float *x, int64_t M, float *z, const LinearLayout::Rows &rows) {
          const DeviceCimChip &chip = chips_[g];
          const CimCallView call =
              chip.withRows(static_cast<uint64_t>(runContext.repeat), rows.firstSample,
                            rows.rowsPerSample, rows.rowOffset);
          std::shared_ptr<void> scratch = context_->allocate(CimScratch::bytes(M, chip.chip.Kpad),
                                                             "a CIM layer's quantized inputs");
          cimLinear(x, M, chip.chip, call, CimScratch::carve(scratch.get(), M, chip.chip.Kpad), z,
                    context_->stream());
          counters_ += cpu::shapeCounters(M, chip.chip.K, chip.chip.N, chip.params);
        });
  }

  nlohmann::json report() const override { return layer_->report(counters_, samples_); }

private:
  std::unique_ptr<CimLayer> layer_;
  std::vector<DeviceCimChip> chips_;
  LinearLayout layout_;
  std::shared_ptr<Context> context_;
  cpu::CimCounters counters_;
  int64_t samples_ = 0;
};

} // namespace

std::unique_ptr<StepKernel> prepareGpuCimLinear(const StepAttrs &attrs,
                                                const std::shared_ptr<Context> &context) {
  auto layer = std::make_unique<CimLayer>(attrs, attrs.options().cim);
  const LinearStep &step = layer->layout().step();
  if (!LinearLayout::supports(step.kind))
    return nullptr;
  for (const cpu::ProgrammedWeights &chip : layer->chips())
    if (!cimGpuGap(chip.params(), step.k).empty())
      return nullptr;
  std::vector<DeviceCimChip> chips;
  const Upload upload = [&context](const void *host, size_t bytes, const std::string &what) {
    return context->upload(host, bytes, what);
  };
  for (const cpu::ProgrammedWeights &chip : layer->chips())
    chips.push_back(uploadCimChip(chip, upload));
  return std::make_unique<GpuCimLinear>(std::move(layer), std::move(chips), attrs, context);
}

} // namespace cimlir::cuda
