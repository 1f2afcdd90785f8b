#include "runtime/tooling/Metrics.h"

#include "core/Error.h"
#include "core/HalfFloat.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace cimlir {

bool isClassScores(const Tensor &t) {
  return t.rank() == 2 && t.dim(1) >= 2 && (t.dtype() == DType::F32 || t.dtype() == DType::F64);
}

namespace {

/// Element `i` of a numeric tensor as double.
double at(const Tensor &t, int64_t i) {
  switch (t.dtype()) {
  case DType::F32:
    return t.data<float>()[i];
  case DType::F64:
    return t.data<double>()[i];
  case DType::I8:
    return t.data<int8_t>()[i];
  case DType::U8:
    return t.data<uint8_t>()[i];
  case DType::I16:
    return t.data<int16_t>()[i];
  case DType::U16:
    return t.data<uint16_t>()[i];
  case DType::I32:
    return t.data<int32_t>()[i];
  case DType::I64:
    return static_cast<double>(t.data<int64_t>()[i]);
  case DType::Bool:
    return t.data<uint8_t>()[i] != 0;
  case DType::F16:
    return toDouble(t.data<Float16>()[i]);
  case DType::BF16:
    return toDouble(t.data<BFloat16>()[i]);
  }
  return 0;
}

} // namespace

Metrics::Metrics(std::string classOutput, std::optional<std::vector<int64_t>> labels,
                 std::optional<std::vector<int64_t>> referencePredictions,
                 TensorMap referenceOutputs, Tolerance tolerance, bool perSampleRuns,
                 std::optional<TokenInputs> tokens)
    : classOutput_(std::move(classOutput)), labels_(std::move(labels)),
      referencePredictions_(std::move(referencePredictions)),
      referenceOutputs_(std::move(referenceOutputs)), tolerance_(tolerance),
      perSampleRuns_(perSampleRuns), tokens_(std::move(tokens)) {}

void Metrics::add(int64_t begin, int64_t count, const TensorMap &inputs, const TensorMap &outputs) {
  samples_ += count;
  auto it = outputs.find(classOutput_);
  if (tokens_) {
    auto ids = inputs.find(tokens_->ids);
    auto mask = tokens_->mask.empty() ? inputs.end() : inputs.find(tokens_->mask);
    if (ids == inputs.end() || it == outputs.end())
      throw Error("--perplexity: the run has no input '" + tokens_->ids + "' or no output '" +
                  classOutput_ + "'");
    addNextTokens(begin, count, ids->second, mask == inputs.end() ? nullptr : &mask->second,
                  it->second);
  }
  if (it != outputs.end() && isClassScores(it->second) && it->second.dim(0) == count &&
      (labels_ || referencePredictions_))
    addClassification(begin, it->second);
  for (const auto &[name, out] : outputs)
    if (referenceOutputs_.count(name))
      addReference(begin, count, name, out);
}

void Metrics::addClassification(int64_t begin, const Tensor &logits) {
  const int64_t n = logits.dim(0), c = logits.dim(1);
  std::vector<int64_t> order(c);
  for (int64_t r = 0; r < n; ++r) {
    int64_t sample = begin + r;
    std::iota(order.begin(), order.end(), 0);
    // Ties go to the lower index, as numpy.argmax.
    std::partial_sort(order.begin(), order.begin() + std::min<int64_t>(5, c), order.end(),
                      [&](int64_t a, int64_t b) {
                        double va = at(logits, r * c + a), vb = at(logits, r * c + b);
                        return va > vb || (va == vb && a < b);
                      });
    ++classified_;
    if (labels_ && sample < static_cast<int64_t>(labels_->size())) {
      int64_t label = (*labels_)[sample];
      if (label < 0 || label >= c)
        throw Error("the label of sample " + std::to_string(sample) + " is " +
                    std::to_string(label) + ", outside the " + std::to_string(c) + " classes [0, " +
                    std::to_string(c) + ") of output '" + classOutput_ +
                    "'; check that the dataset's labels match the model");
      correct_ += order[0] == label;
      correctTop5_ += std::find(order.begin(), order.begin() + std::min<int64_t>(5, c), label) !=
                      order.begin() + std::min<int64_t>(5, c);
    }
    if (referencePredictions_ && sample < static_cast<int64_t>(referencePredictions_->size()))
      agree_ += order[0] == (*referencePredictions_)[sample];
  }
}

void Metrics::addNextTokens(int64_t begin, int64_t count, const Tensor &ids, const Tensor *mask,
                            const Tensor &logits) {
  const int64_t t = ids.rank() > 0 ? ids.shape().back() : 0;
  const int64_t v = logits.rank() > 0 ? logits.shape().back() : 0;
  const bool isFloat = logits.dtype() == DType::F32 || logits.dtype() == DType::F64 ||
                       logits.dtype() == DType::F16 || logits.dtype() == DType::BF16;
  const int64_t rows = t > 0 ? ids.numel() / t : 0;
  if (t < 1 || v < 1 || !isFloat || logits.rank() < 2 || logits.numel() != ids.numel() * v ||
      (mask && mask->shape() != ids.shape()) || count < 1 || rows % count != 0)
    throw Error("--perplexity: output '" + classOutput_ + "' " + shapeToString(logits.shape()) +
                " is not next-token logits [..., T, V] (float) of the token ids '" + tokens_->ids +
                "' " + shapeToString(ids.shape()) +
                (mask ? " with the mask '" + tokens_->mask + "' " + shapeToString(mask->shape())
                      : std::string()));
  const int64_t rowsPerSample = rows / count; // the rows of T tokens of one sample
  for (int64_t r = 0; r < rows; ++r) {
    double nll = 0.0;
    for (int64_t p = 0; p + 1 < t; ++p) {
      const int64_t next = r * t + p + 1;
      if (mask && at(*mask, next) == 0)
        continue;
      const double id = at(ids, next);
      if (!(id >= 0 && id < static_cast<double>(v)))
        throw Error("--perplexity: token " + std::to_string(p + 1) + " of sample " +
                    std::to_string(begin + r / rowsPerSample) + " is " +
                    std::to_string(static_cast<int64_t>(id)) + ", not one of the logits' " +
                    std::to_string(v) + " tokens");
      // -log softmax(row)[id], shifted by the row's largest logit.
      const int64_t row = (r * t + p) * v;
      double top = -std::numeric_limits<double>::infinity();
      for (int64_t k = 0; k < v; ++k)
        top = std::max(top, at(logits, row + k));
      double sum = 0.0;
      for (int64_t k = 0; k < v; ++k)
        sum += std::exp(at(logits, row + k) - top);
      nll += std::log(sum) + top - at(logits, row + static_cast<int64_t>(id));
      ++predicted_;
    }
    if (r % rowsPerSample == 0)
      sampleNll_.push_back(nll);
    else
      sampleNll_.back() += nll;
  }
}

void Metrics::addReference(int64_t begin, int64_t count, const std::string &name,
                           const Tensor &out) {
  const Tensor &ref = referenceOutputs_.at(name);
  // Per-sample runs (static plans): reference row i is the whole output of sample i.
  Tensor expected = ref.sliceRows(begin, begin + count);
  if (perSampleRuns_)
    expected = expected.reshaped(out.shape());
  if (expected.shape() != out.shape()) {
    noteMismatch(std::numeric_limits<double>::infinity(),
                 "output '" + name + "' has shape " + shapeToString(out.shape()) +
                     " but the reference has " + shapeToString(expected.shape()));
    return;
  }
  for (int64_t i = 0, n = out.numel(); i < n; ++i) {
    double o = at(out, i), e = at(expected, i);
    double err = std::fabs(o - e);
    bool nanMatch = std::isnan(o) && std::isnan(e);
    ++compared_;
    if (!nanMatch && !(err <= tolerance_.atol + tolerance_.rtol * std::fabs(e))) {
      // A NaN against a number is as far off as can be.
      const double worst = std::isnan(err) ? std::numeric_limits<double>::infinity() : err;
      if (mismatches_ == 0 || worst > worstError_)
        noteMismatch(worst, "output '" + name + "' element " + std::to_string(i) + " of sample " +
                                std::to_string(begin) + ".." + std::to_string(begin + count - 1) +
                                " is " + std::to_string(o) + ", the reference " +
                                std::to_string(e));
      else
        ++mismatches_;
    }
    if (!nanMatch)
      maxAbsError_ = std::max(maxAbsError_, err);
  }
}

void Metrics::noteMismatch(double error, std::string what) {
  // The largest error is the worst; of equal ones, the first.
  if (mismatches_ == 0 || error > worstError_) {
    worstError_ = error;
    worst_ = std::move(what);
  }
  ++mismatches_;
}

nlohmann::json Metrics::counts() const {
  return {{"samples", samples_},          {"correct", correct_},
          {"correct_top5", correctTop5_}, {"agree", agree_},
          {"classified", classified_},    {"compared", compared_},
          {"mismatches", mismatches_},    {"max_abs_error", maxAbsError_},
          {"worst_error", worstError_},   {"worst", worst_},
          {"sample_nll", sampleNll_},     {"predicted_tokens", predicted_}};
}

void Metrics::merge(const nlohmann::json &c) {
  samples_ += c.at("samples").get<int64_t>();
  correct_ += c.at("correct").get<int64_t>();
  correctTop5_ += c.at("correct_top5").get<int64_t>();
  agree_ += c.at("agree").get<int64_t>();
  classified_ += c.at("classified").get<int64_t>();
  compared_ += c.at("compared").get<int64_t>();
  maxAbsError_ = std::max(maxAbsError_, c.at("max_abs_error").get<double>());
  for (const nlohmann::json &nll : c.at("sample_nll"))
    sampleNll_.push_back(nll.get<double>());
  predicted_ += c.at("predicted_tokens").get<int64_t>();
  const int64_t mismatches = c.at("mismatches").get<int64_t>();
  if (mismatches > 0) {
    noteMismatch(c.at("worst_error").get<double>(), c.at("worst").get<std::string>());
    mismatches_ += mismatches - 1;
  }
}

nlohmann::json Metrics::summary() const {
  nlohmann::json j;
  j["samples"] = samples_;
  if (labels_ && classified_ > 0) {
    j["accuracy"] = double(correct_) / classified_;
    j["top5_accuracy"] = double(correctTop5_) / classified_;
    j["correct"] = correct_;
  }
  if (referencePredictions_ && classified_ > 0)
    j["reference_agreement"] = double(agree_) / classified_;
  if (tokens_ && predicted_ > 0) {
    double nll = 0.0;
    for (double sample : sampleNll_)
      nll += sample;
    j["tokens"] = predicted_;
    j["nll_per_token"] = nll / static_cast<double>(predicted_);
    j["perplexity"] = std::exp(nll / static_cast<double>(predicted_));
  }
  if (!referenceOutputs_.empty()) {
    j["max_abs_error"] = maxAbsError_;
    j["elements_compared"] = compared_;
    j["elements_outside_tolerance"] = mismatches_;
    j["outputs_match_reference"] = mismatches_ == 0;
    j["rtol"] = tolerance_.rtol;
    j["atol"] = tolerance_.atol;
  }
  return j;
}

} // namespace cimlir
