#include "runtime/backends/cuda/DigitalLinearStep.h"

#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/DigitalLinear.h"
#include "runtime/backends/cpu/DigitalLinearStep.h"
#include "runtime/backends/cuda/LinearLayout.h"

#include <map>

namespace cimlir::cuda {

namespace {

class GpuDigitalLinear : public StepKernel {
public:
  GpuDigitalLinear(std::unique_ptr<DigitalLayer> layer, std::vector<DeviceDigitalWeights> weights,
                   const StepAttrs &attrs, std::shared_ptr<Context> context)
      : layer_(std::move(layer)), weights_(std::move(weights)),
        layout_(layer_->layout().step(), attrs, context), context_(std::move(context)),
        tap_(attrs.options().digitalRowsTap) {}

  void run(const std::vector<const Tensor *> &in, const std::vector<Tensor *> &out,
           const RunContext &runContext) override {
    const Allocate allocate = [this](size_t bytes, const std::string &what) {
      return context_->allocate(bytes, what);
    };
    int64_t macs = 0;
    const int64_t samples = layout_.run(
        in, out, runContext.firstSample,
        [&](int64_t g, const float *x, int64_t M, float *z, const LinearLayout::Rows &) {
          if (tap_)
            tapRows(g, x, M);
          // A streamed weight matrix is in a staging buffer for this product only.
          DeviceDigitalWeights w = weights_[g];
          if (w.matrixArray >= 0) {
            std::shared_ptr<void> staged(
                const_cast<void *>(context_->weights().acquire(w.matrixArray)), [](void *) {});
            (w.precision == cim::DigitalPrecision::Int8 ? w.levelsT : w.values) = staged;
          }
          digitalLinear(context_->blas(), x, M, w, allocate, z);
          macs += layer_->macs(M);
          if (w.matrixArray >= 0)
            context_->weights().release(w.matrixArray);
        });
    samples_ += samples;
    macs_ += macs;
    countedOf_[in[0]->shape()] = {samples, macs};
  }

  /// The tap copies rows to the host in every batch: a tapped step is not replayed.
  bool replayable() const override { return !tap_; }
  void replayed(const std::vector<const Tensor *> &in, const std::vector<Tensor *> &,
                const RunContext &) override {
    const auto &[samples, macs] = countedOf_.at(in[0]->shape());
    samples_ += samples;
    macs_ += macs;
  }

  nlohmann::json report() const override { return layer_->report(samples_, macs_); }

private:
  /// BackendOptions::digitalRowsTap sees the rows in host memory (calibration observes them).
  void tapRows(int64_t g, const float *x, int64_t M) {
    Tensor rows = Tensor::allocate(DType::F32, {M, weights_[g].K});
    check(
        cudaMemcpyAsync(rows.raw(), x, rows.byteSize(), cudaMemcpyDeviceToHost, context_->stream()),
        "copying a digital layer's rows to the host");
    context_->synchronize();
    tap_(layer_->name(), g, rows);
  }

  std::unique_ptr<DigitalLayer> layer_;
  std::vector<DeviceDigitalWeights> weights_;
  LinearLayout layout_;
  std::shared_ptr<Context> context_;
  LinearRowsTap tap_;
  int64_t samples_ = 0, macs_ = 0;
  std::map<Shape, std::pair<int64_t, int64_t>> countedOf_; // one run's samples and MACs, by shape
};

} // namespace

std::unique_ptr<StepKernel> prepareGpuDigitalLinear(const StepAttrs &attrs,
                                                    const std::shared_ptr<Context> &context) {
  auto layer = std::make_unique<DigitalLayer>(attrs);
  const LinearStep &step = layer->layout().step();
  if (!LinearLayout::supports(step) || !digitalGpuGap(layer->precision(), step.k).empty())
    return nullptr;
  const Upload upload = context->uploader();
  std::vector<DeviceDigitalWeights> weights;
  // The weight matrices go to the weight streamer (resident or streamed), as CIM cell arrays.
  const RegisterWeights registerMatrix = [&context](const void *host, size_t bytes,
                                                    const std::string &what) {
    return context->weights().add(host, bytes, what);
  };
  for (const cpu::DigitalWeights &w : layer->weights())
    weights.push_back(uploadDigitalWeights(w, upload, registerMatrix));
  return std::make_unique<GpuDigitalLinear>(std::move(layer), std::move(weights), attrs, context);
}

} // namespace cimlir::cuda
