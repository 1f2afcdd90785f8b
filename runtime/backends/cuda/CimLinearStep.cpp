#include "runtime/backends/cuda/CimLinearStep.h"

#include "core/Error.h"
#include "kernels/cuda/CimChip.h"
#include "kernels/cuda/CudaCheck.h"
#include "runtime/backends/cpu/CimLinearStep.h"
#include "runtime/backends/cuda/LinearLayout.h"

#include <algorithm>
#include <map>

namespace cimlir::cuda {

namespace {

class GpuCimLinear : public StepKernel {
public:
  GpuCimLinear(std::unique_ptr<CimLayer> layer, std::vector<DeviceCimChip> chips,
               const StepAttrs &attrs, std::shared_ptr<Context> context)
      : layer_(std::move(layer)), chips_(std::move(chips)),
        layout_(layer_->layout().step(), attrs, context), context_(std::move(context)) {
    const CimDeviceCounters zero;
    deviceCounters_ = context_->uploader()(&zero, sizeof zero, "a CIM layer's counters");
  }

  void run(const std::vector<const Tensor *> &in, const std::vector<Tensor *> &out,
           const RunContext &runContext) override {
    Counted counted;
    const LinearLayout::LayerNormOperands norm = layout_.layerNormOperands(in);
    // Rows' samples count from the batch start in device memory (Context::batchStart).
    counted.samples = layout_.run(
        in, out, 0,
        [&](int64_t g, const float *x, int64_t M, float *z, const LinearLayout::Rows &rows) {
          const DeviceCimChip &chip = chips_[g];
          CimCallView call =
              chip.withRows(static_cast<uint64_t>(runContext.repeat), context_->batchStart(),
                            rows.firstSample, rows.rowsPerSample, rows.rowOffset);
          call.counters = static_cast<CimDeviceCounters *>(deviceCounters_.get());
          if (norm.scale) {
            call.layerNormScale = norm.scale;
            call.layerNormBias = norm.bias;
            call.layerNormEpsilon = layer_->layout().step().layerNorm->epsilon;
          }
          std::shared_ptr<void> scratch = context_->allocate(CimScratch::bytes(M, chip.chip, call),
                                                             "a CIM layer's quantized inputs");
          CimChipView cells = chip.chip;
          WeightStreamer &weights = context_->weights();
          const void *array = weights.acquire(chip.cellArray);
          if (call.bitPlanes)
            cells.planes = static_cast<const uint32_t *>(array);
          else if (call.floatLevels)
            cells.floatLevels = static_cast<const float *>(array);
          else
            cells.levels = static_cast<const int8_t *>(array);
          cimLinear(x, M, cells, call, CimScratch::carve(scratch.get(), M, chip.chip, call), z,
                    context_->stream(), &context_->blas());
          weights.release(chip.cellArray);
          // The shapes' counts; those the data set are counted on the device.
          counted.counters += cpu::shapeCounters(M, chip.chip.K, chip.chip.N, chip.params);
          if (call.hybridMax > 0)
            counted.counters.digitalElements += M * chip.chip.K;
        });
    counters_ += counted.counters;
    samples_ += counted.samples;
    counted_[in[0]->shape()] = counted;
  }

  /// A replayed batch did what the recorded run of its shape did.
  void replayed(const std::vector<const Tensor *> &in, const std::vector<Tensor *> &,
                const RunContext &) override {
    const Counted &counted = counted_.at(in[0]->shape());
    counters_ += counted.counters;
    samples_ += counted.samples;
  }

  nlohmann::json report() const override {
    cpu::CimCounters counters = counters_;
    CimDeviceCounters counted;
    check(cudaStreamSynchronize(context_->stream()), "finishing a CIM layer's batches");
    check(cudaMemcpy(&counted, deviceCounters_.get(), sizeof counted, cudaMemcpyDeviceToHost),
          "reading a CIM layer's counters");
    counters.activeInputDigits = static_cast<int64_t>(counted.activeInputDigits);
    counters.adcConversions -= static_cast<int64_t>(counted.skippedConversions);
    counters.digitalNonzero = static_cast<int64_t>(counted.digitalNonzero);
    return layer_->report(counters, samples_);
  }

private:
  std::unique_ptr<CimLayer> layer_;
  std::vector<DeviceCimChip> chips_;
  LinearLayout layout_;
  std::shared_ptr<Context> context_;
  cpu::CimCounters counters_;
  int64_t samples_ = 0;
  /// What the kernels counted in every call so far (CimDeviceCounters, device memory).
  std::shared_ptr<void> deviceCounters_;
  /// What one run counted, by input shape (the same for every batch of that shape).
  struct Counted {
    cpu::CimCounters counters;
    int64_t samples = 0;
  };
  std::map<Shape, Counted> counted_;
};

} // namespace

std::unique_ptr<StepKernel> prepareGpuCimLinear(const StepAttrs &attrs,
                                                const std::shared_ptr<Context> &context) {
  auto layer = std::make_unique<CimLayer>(attrs, attrs.options().cim);
  const LinearStep &step = layer->layout().step();
  if (!LinearLayout::supports(step))
    return nullptr;
  for (const cpu::ProgrammedWeights &chip : layer->chips())
    if (!cimGpuGap(chip.params(), step.k).empty())
      return nullptr;
  std::vector<DeviceCimChip> chips;
  const Upload upload = context->uploader();
  // The cell arrays, the bulk of a layer, go to the weight streamer (resident or streamed).
  const RegisterWeights registerCells = [&context](const void *host, size_t bytes,
                                                   const std::string &what) {
    return context->weights().add(host, bytes, what);
  };
  for (const cpu::ProgrammedWeights &chip : layer->chips())
    chips.push_back(uploadCimChip(chip, upload, registerCells));
  return std::make_unique<GpuCimLinear>(std::move(layer), std::move(chips), attrs, context);
}

} // namespace cimlir::cuda
