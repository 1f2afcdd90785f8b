// cimlir runtime: the shape side of the CUDA backend's linear steps, z = f(x_g · W_g)
// (CimLinear now; DigitalLinear next), on device memory: the GPU counterpart of the CPU's
// LinearStepLayout (backends/cpu/LinearStepLayout.h), with the same shape checks
// (LinearStep::bindGemm, bindMatMul, bindConv), the same rows (§9) and the same assembly: alpha·z
// + beta·C (gemm), z plus the bias as y (matmul), im2col rows per group and chunk of images
// scattered back with the bias (conv); a recurrent kind runs its cell on the GPU
// (kernels/cuda/Recurrent.h) over the input gates x, each step's hidden product one call of
// `product` (direction d as the group); conv_transpose takes each input pixel's channels as a row
// and adds the products' taps where they land, in the CPU's order (kernels/cuda/ConvLowering.h).
#pragma once

#include "kernels/cpu/cim/CimLinear.h"
#include "runtime/backends/cuda/CudaContext.h"
#include "runtime/exec/LinearStep.h"
#include "runtime/exec/StepAttrs.h"

#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace cimlir::cuda {

class LinearLayout {
public:
  /// Whether the GPU layout handles the step: every kind, conv_transpose of up to 3 spatial axes.
  static bool supports(const LinearStep &step);

  /// `step` decoded from `attrs`; a constant third input (Gemm's C, Conv's bias) is uploaded
  /// once here.
  LinearLayout(const LinearStep &step, const StepAttrs &attrs, std::shared_ptr<Context> context);

  const LinearStep &step() const { return step_; }

  using Rows = cpu::RowMapping;
  /// z [M, N] = f(x [M, K]) for group g, both device memory, enqueued on the context's stream.
  using GroupProduct =
      std::function<void(int64_t g, const float *x, int64_t M, float *z, const Rows &rows)>;

  /// A fused normalisation's scale and bias in device memory (null without one), checked
  /// against the step (LinearStep::checkLayerNorm): the product normalises x's rows with them.
  struct LayerNormOperands {
    const float *scale = nullptr, *bias = nullptr;
  };
  LayerNormOperands layerNormOperands(const std::vector<const Tensor *> &in) const;

  /// Runs the step: checks x and y, calls `product` per group (and chunk of images) on non-
  /// empty rows (x's rows as they are: a fused normalisation is the product's) and assembles y.
  /// Returns the samples of the batch (x's first extent).
  int64_t run(const std::vector<const Tensor *> &in, const std::vector<Tensor *> &out,
              int64_t firstSample, const GroupProduct &product);

private:
  void runGemm(const std::vector<const Tensor *> &in, Tensor &y, int64_t firstSample,
               const GroupProduct &product);
  void runConv(const std::vector<const Tensor *> &in, Tensor &y, int64_t firstSample,
               const GroupProduct &product);
  void runConvTranspose(const std::vector<const Tensor *> &in, Tensor &y, int64_t firstSample,
                        const GroupProduct &product);
  void runRecurrent(const std::vector<const Tensor *> &in, const std::vector<Tensor *> &out,
                    int64_t firstSample, const GroupProduct &product);
  /// The third input's device data: the uploaded constant, or the activation.
  const float *third(const std::vector<const Tensor *> &in) const;

  LinearStep step_;
  std::shared_ptr<Context> context_;
  std::shared_ptr<void> constantThird_;
  /// A fused normalisation's scale and bias, uploaded where constants.
  std::shared_ptr<void> layerNormConstants_[2];
  /// A recurrent kind's optional operands that are constants, by step input (device), and the
  /// fault site of its sequence lengths.
  std::vector<std::shared_ptr<void>> recurrentConstants_;
  int faultSite_ = 0;
  std::map<Shape, std::shared_ptr<void>> tapOffsets_; // by x's shape
};

} // namespace cimlir::cuda
