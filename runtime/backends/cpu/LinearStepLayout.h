// cimlir runtime: the shape side of the CPU steps that compute a layer as one matrix product
// per group, z = f(x_g · W_g) (CimLinear and DigitalLinear, docs/plan-format.md).
//
// At plan load, LinearStepLayout decodes the step (runtime/exec/LinearStep.h, the same for
// every backend). Per run it checks x, y and the third input, lowers x to rows
// [M,K] (gemm and matmul rows; conv im2col patches per group, a chunk of images at a time),
// hands each group's rows to the step's product f, and assembles y: alpha·z + beta·C (gemm),
// z reshaped plus the bias (matmul), z scattered to [N, M, O...] plus the bias (conv), each input
// pixel's contributions added where they land plus the bias (conv_transpose). A recurrent kind runs
// its cell (kernels/cpu/Recurrent.h) over the input gates x, each step's hidden product being f on
// the batch's hidden states, direction d as group d. The product decides the numbers; the layout
// only moves them (and adds Gemm's C and Conv's bias after it, as cim-numerics.md §0 and §6 order
// them).
#pragma once

#include "kernels/cpu/cim/CimLinear.h"
#include "runtime/backends/cpu/CimLowering.h"
#include "runtime/exec/LinearStep.h"
#include "runtime/exec/StepAttrs.h"

#include <functional>
#include <string>
#include <vector>

namespace cimlir {

class LinearStepLayout {
public:
  /// Decodes the step (LinearStep::decode, which says what the arguments mean).
  LinearStepLayout(const StepAttrs &a, const std::string &constantWhy, DType weightType,
                   const std::string &weightWhat);

  /// What the step computes, decoded.
  const LinearStep &step() const { return step_; }

  /// Which samples the rows of one product belong to (cim-numerics.md §9; the CIM kernel's
  /// row mapping).
  using Rows = cpu::RowMapping;
  /// z [M,N] (pre-allocated float32) = f(x [M,K] float32) for group g.
  using GroupProduct = std::function<void(int64_t g, const Tensor &x, Tensor &z, const Rows &rows)>;

  /// Runs the step on its inputs into its outputs (y; a recurrent layer's Y, Y_h and Y_c):
  /// checks them, calls `product` per group (and chunk of images) on non-empty rows and
  /// assembles y. `firstSample` is the dataset index of x's first sample. Returns the samples
  /// of the batch (x's first extent). Throws cimlir::Error for inputs the step cannot take.
  int64_t run(const std::vector<const Tensor *> &in, const std::vector<Tensor *> &out,
              int64_t firstSample, const GroupProduct &product) const;

private:
  void runGemm(const std::vector<const Tensor *> &in, Tensor &y, int64_t firstSample,
               const GroupProduct &product) const;
  void runMatMul(const std::vector<const Tensor *> &in, Tensor &y, int64_t firstSample,
                 const GroupProduct &product) const;
  void runConv(const std::vector<const Tensor *> &in, Tensor &y, int64_t firstSample,
               const GroupProduct &product) const;
  void runConvTranspose(const std::vector<const Tensor *> &in, Tensor &y, int64_t firstSample,
                        const GroupProduct &product) const;
  void runRecurrent(const std::vector<const Tensor *> &in, const std::vector<Tensor *> &out,
                    int64_t firstSample, const GroupProduct &product) const;

  LinearStep step_;
};

} // namespace cimlir
