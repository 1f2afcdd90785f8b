// cimlir runtime: metrics of a run over a dataset, accumulated batch by batch.
#pragma once

#include "core/Tensor.h"
#include "runtime/data/Dataset.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace cimlir {

/// Tolerances for comparing outputs with reference outputs (numpy.allclose's rule,
/// |out - ref| <= atol + rtol * |ref|; the ONNX backend tests' defaults).
struct Tolerance {
  double rtol = 1e-3;
  double atol = 1e-7;
};

/// cim-run --perplexity: the graph inputs that hold a causal language model's token ids [..., T]
/// and, when it takes one, its attention mask (same shape; 0 marks padding). The class output
/// then holds next-token logits [..., T, V].
struct TokenInputs {
  std::string ids, mask;
};

class Metrics {
public:
  /// `classOutput`: the graph output whose argmax is the predicted class (the first
  /// output), or with `tokens` the next-token logits. `labels`, `referencePredictions`
  /// (framework predictions) and `referenceOutputs` may each be absent/empty.
  Metrics(std::string classOutput, std::optional<std::vector<int64_t>> labels,
          std::optional<std::vector<int64_t>> referencePredictions, TensorMap referenceOutputs,
          Tolerance tolerance, bool perSampleRuns, std::optional<TokenInputs> tokens = {});

  /// Adds the run of samples [begin, begin + count): its inputs and outputs. Throws
  /// cimlir::Error when a scored sample's label is not a class of the class output ([0, C)),
  /// or a token id not one of the logits' V, naming the sample.
  void add(int64_t begin, int64_t count, const TensorMap &inputs, const TensorMap &outputs);

  /// {"samples", "accuracy", "top5_accuracy", "reference_agreement", "max_abs_error",
  ///  "outputs_match_reference", "perplexity", ...} for what was measured. The perplexity is
  /// exp of the mean negative log-likelihood of every token after the first of its row (not
  /// masked) under the logits of the position before it.
  nlohmann::json summary() const;
  /// False when reference outputs exist and some output is outside the tolerance.
  bool outputsMatchReference() const { return mismatches_ == 0; }
  /// One line describing the worst mismatch (the largest error, the first of equals), for the
  /// error message.
  const std::string &worstMismatch() const { return worst_; }

  /// What add() has counted, for another process to merge (cim-run over MPI ranks; floats
  /// kept exactly by a binary JSON form such as CBOR).
  nlohmann::json counts() const;
  /// Adds the counts of a Metrics (same constructor arguments) that saw the samples after
  /// this one's: the result is what one Metrics seeing all of them in order reports.
  void merge(const nlohmann::json &counts);

private:
  void addClassification(int64_t begin, const Tensor &logits);
  void addReference(int64_t begin, int64_t count, const std::string &name, const Tensor &out);
  /// Counts a mismatch whose error is `error`, described by `what`.
  void noteMismatch(double error, std::string what);
  void addNextTokens(int64_t begin, int64_t count, const Tensor &ids, const Tensor *mask,
                     const Tensor &logits);

  std::string classOutput_;
  std::optional<std::vector<int64_t>> labels_, referencePredictions_;
  TensorMap referenceOutputs_;
  Tolerance tolerance_;
  bool perSampleRuns_;
  int64_t samples_ = 0, correct_ = 0, correctTop5_ = 0, agree_ = 0, classified_ = 0;
  int64_t compared_ = 0, mismatches_ = 0;
  double maxAbsError_ = 0;
  double worstError_ = 0; ///< of worst_: infinite for a shape or a NaN against a number
  std::string worst_;
  std::optional<TokenInputs> tokens_;
  /// Per sample in order, its next-token negative log-likelihood (nats), summed in order when
  /// reported, so that the sum does not depend on how the samples were run or shared.
  std::vector<double> sampleNll_;
  int64_t predicted_ = 0; ///< tokens scored
};

/// Whether `t` holds a class score row per sample ([N, C] with C >= 2, float).
bool isClassScores(const Tensor &t);

} // namespace cimlir
