// cimlir runtime: the shape side of the CPU steps that compute a layer as one matrix product
// per group, z = f(x_g · W_g) (CimLinear and DigitalLinear, docs/plan-format.md).
//
// At plan load, LinearStepLayout reads the step's kind (gemm, matmul, conv), its arity, its
// weight W (a float32 constant) and the kind's attributes, and derives each group's matrix
// W_g [K,N] (CimLowering.h). Per run it checks x, y and the third input, lowers x to rows
// [M,K] (gemm and matmul rows; conv im2col patches per group, a chunk of images at a time),
// hands each group's rows to the step's product f, and assembles y: alpha·z + beta·C (gemm),
// z reshaped (matmul), z scattered to [N, M, O...] plus the bias (conv). The product decides
// the numbers; the layout only moves them (and adds Gemm's C and Conv's bias after it, as
// cim-numerics.md §0 and §6 order them).
#pragma once

#include "kernels/cim/WeightLayout.h"
#include "runtime/backends/cpu/CimLowering.h"
#include "runtime/exec/StepAttrs.h"

#include <functional>
#include <string>
#include <vector>

namespace cimlir {

enum class LinearKind { Gemm, MatMul, Conv };

class LinearStepLayout {
public:
  /// Reads the step's kind, arity, W (input 1, a constant of element type `weightType`:
  /// float32 for DigitalLinear, the integer levels for CimLinear; `weightWhat` describes it
  /// in the message) and the kind's attributes. `constantWhy` ends the message for a W that is
  /// not a constant ("... is not a constant: <why>"). Fails through `a` (one line naming the
  /// step) on anything malformed.
  LinearStepLayout(const StepAttrs &a, const std::string &constantWhy, DType weightType,
                   const std::string &weightWhat);

  LinearKind kind() const { return kind_; }
  /// "gemm", "matmul" or "conv".
  const char *kindName() const;
  /// Groups (1 unless conv) and the extents K, N of each group's matrix.
  int64_t groups() const { return kind_ == LinearKind::Conv ? conv_.groups : 1; }
  int64_t rows() const { return k_; }
  int64_t cols() const { return n_; }

  /// Where each group's matrix W_g [K,N] lies in the step's W (cim-numerics.md §0): W itself
  /// (matmul, gemm), its transpose (gemm with transB) or the group's output channels
  /// flattened (conv). The same definition the compiler quantizes weights with.
  const cim::WeightLayout &weightLayout() const { return weights_; }
  /// W_g [K,N] of group g, copied out of the step's W.
  Tensor groupWeights(const StepAttrs &a, int64_t g) const;

  /// Which samples the rows of one product belong to (cim-numerics.md §9): row m is row
  /// m % rowsPerSample of sample firstSample + m / rowsPerSample.
  struct Rows {
    int64_t firstSample = 0;
    int64_t rowsPerSample = 1;
  };
  /// z [M,N] (pre-allocated float32) = f(x [M,K] float32) for group g.
  using GroupProduct = std::function<void(int64_t g, const Tensor &x, Tensor &z, const Rows &rows)>;

  /// Runs the step on its inputs into y: checks them, calls `product` per group (and chunk of
  /// images) on non-empty rows and assembles y. `firstSample` is the dataset index of x's
  /// first sample. Returns the samples of the batch (x's first extent). Throws cimlir::Error
  /// for inputs the step cannot take.
  int64_t run(const std::vector<const Tensor *> &in, Tensor &y, int64_t firstSample,
              const GroupProduct &product) const;

private:
  void runGemm(const std::vector<const Tensor *> &in, Tensor &y, int64_t firstSample,
               const GroupProduct &product) const;
  void runMatMul(const Tensor &x, Tensor &y, int64_t firstSample,
                 const GroupProduct &product) const;
  void runConv(const std::vector<const Tensor *> &in, Tensor &y, int64_t firstSample,
               const GroupProduct &product) const;

  LinearKind kind_ = LinearKind::Gemm;
  float alpha_ = 1.0f, beta_ = 1.0f;
  bool transB_ = false;
  ConvGeometry conv_;
  cim::WeightLayout weights_;
  int64_t k_ = 0, n_ = 0;
};

} // namespace cimlir
