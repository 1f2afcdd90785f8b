#include "kernels/cpu/Einsum.h"

#include "kernels/cpu/Check.h"

#include <algorithm>

namespace cimlir::cpu {

using detail::fail;

namespace {

/// Labels: 'a'..'z', 'A'..'Z' are 0..51; the ellipsis's axes are 52, 53, ... (right-aligned).
constexpr int kEllipsis = 52;

/// One term's labels, kEllipsis - 1 marking where "..." stands; false for a bad character.
bool readTerm(const std::string &term, std::vector<int> &labels, bool &ellipsis) {
  ellipsis = false;
  for (size_t i = 0; i < term.size(); ++i) {
    const char c = term[i];
    if (c == ' ')
      continue;
    if (c == '.') {
      if (ellipsis || term.compare(i, 3, "...") != 0)
        return false;
      ellipsis = true;
      labels.push_back(-1);
      i += 2;
    } else if (c >= 'a' && c <= 'z') {
      labels.push_back(c - 'a');
    } else if (c >= 'A' && c <= 'Z') {
      labels.push_back(26 + c - 'A');
    } else {
      return false;
    }
  }
  return true;
}

} // namespace

std::string parseEinsum(const std::string &equation, const std::vector<Shape> &shapes,
                        EinsumSpec &spec) {
  spec = EinsumSpec();
  const size_t arrow = equation.find("->");
  const std::string lhs = equation.substr(0, arrow);
  std::vector<std::string> terms;
  for (size_t begin = 0;;) {
    const size_t comma = lhs.find(',', begin);
    terms.push_back(lhs.substr(begin, comma == std::string::npos ? comma : comma - begin));
    if (comma == std::string::npos)
      break;
    begin = comma + 1;
  }
  if (terms.size() != shapes.size())
    return "equation '" + equation + "' has " + std::to_string(terms.size()) + " terms for " +
           std::to_string(shapes.size()) + " inputs";
  // The ellipsis's rank: the most axes "..." stands for in any input.
  std::vector<std::vector<int>> raw(terms.size());
  size_t ellipsisRank = 0;
  for (size_t k = 0; k < terms.size(); ++k) {
    bool ellipsis = false;
    if (!readTerm(terms[k], raw[k], ellipsis))
      return "equation '" + equation + "' has a term that is not letters and one '...'";
    const size_t letters = raw[k].size() - (ellipsis ? 1 : 0);
    if (shapes[k].size() < letters || (!ellipsis && shapes[k].size() != letters))
      return "term '" + terms[k] + "' does not fit an input of rank " +
             std::to_string(shapes[k].size());
    if (ellipsis)
      ellipsisRank = std::max(ellipsisRank, shapes[k].size() - letters);
  }
  spec.sizes.assign(kEllipsis + ellipsisRank, -1);
  std::vector<int> uses(spec.sizes.size(), 0);
  for (size_t k = 0; k < terms.size(); ++k) {
    std::vector<int> axes;
    const size_t letters = raw[k].size() - std::count(raw[k].begin(), raw[k].end(), -1);
    for (int label : raw[k]) {
      if (label >= 0) {
        axes.push_back(label);
        continue;
      }
      const size_t n = shapes[k].size() - letters; // right-aligned in the ellipsis
      for (size_t e = 0; e < n; ++e)
        axes.push_back(kEllipsis + static_cast<int>(ellipsisRank - n + e));
    }
    for (size_t a = 0; a < axes.size(); ++a) {
      const int label = axes[a];
      const int64_t d = shapes[k][a];
      int64_t &size = spec.sizes[static_cast<size_t>(label)];
      if (label >= kEllipsis) { // broadcast: 1 meets anything
        if (size == -1 || size == 1)
          size = d;
        else if (d != 1 && d != size)
          return "the '...' axes of the inputs do not broadcast";
      } else if (size == -1) {
        size = d;
      } else if (size != d) {
        return "label '" +
               std::string(1, static_cast<char>(label < 26 ? 'a' + label : 'A' + label - 26)) +
               "' has sizes " + std::to_string(size) + " and " + std::to_string(d);
      }
      ++uses[static_cast<size_t>(label)];
    }
    spec.inputs.push_back(axes);
  }
  if (arrow == std::string::npos) {
    for (size_t e = 0; e < ellipsisRank; ++e)
      spec.output.push_back(kEllipsis + static_cast<int>(e));
    for (int label = 0; label < kEllipsis; ++label)
      if (uses[static_cast<size_t>(label)] == 1)
        spec.output.push_back(label);
  } else {
    std::vector<int> out;
    bool ellipsis = false;
    if (!readTerm(equation.substr(arrow + 2), out, ellipsis))
      return "equation '" + equation + "' has an output that is not letters and one '...'";
    for (int label : out) {
      if (label < 0) {
        for (size_t e = 0; e < ellipsisRank; ++e)
          spec.output.push_back(kEllipsis + static_cast<int>(e));
        continue;
      }
      if (uses[static_cast<size_t>(label)] == 0 || std::count(out.begin(), out.end(), label) > 1)
        return "equation '" + equation + "' has an output label that no input has, or twice";
      spec.output.push_back(label);
    }
  }
  for (int label : spec.output)
    spec.outputShape.push_back(std::max<int64_t>(spec.sizes[static_cast<size_t>(label)], 1));
  for (int64_t &s : spec.sizes)
    s = std::max<int64_t>(s, 1);
  return "";
}

EinsumLoop einsumLoop(const EinsumSpec &spec, const std::vector<Shape> &shapes) {
  std::vector<int> order = spec.output;
  for (const auto &axes : spec.inputs)
    for (int label : axes)
      if (std::find(order.begin(), order.end(), label) == order.end())
        order.push_back(label);
  EinsumLoop loop;
  loop.outputLabels = spec.output.size();
  for (int label : order)
    loop.sizes.push_back(spec.sizes[static_cast<size_t>(label)]);
  loop.terms = 1;
  for (size_t q = loop.outputLabels; q < order.size(); ++q)
    loop.terms *= loop.sizes[q];
  for (size_t k = 0; k < shapes.size(); ++k) {
    const Shape &s = shapes[k];
    // An empty input leaves every sum without a term (its labels' sizes, at least 1, do not
    // say so).
    if (shapeNumel(s) == 0)
      loop.terms = 0;
    std::vector<int64_t> st(s.size(), 1);
    for (size_t a = s.size(); a-- > 1;)
      st[a - 1] = st[a] * s[a];
    std::vector<int64_t> &strides = loop.strides.emplace_back(order.size(), 0);
    for (size_t a = 0; a < s.size(); ++a)
      if (s[a] != 1) {
        const auto q = std::find(order.begin(), order.end(), spec.inputs[k][a]) - order.begin();
        strides[static_cast<size_t>(q)] += st[a];
      }
  }
  return loop;
}

namespace {
template <typename T>
void einsumTyped(const EinsumLoop &loop, const std::vector<const Tensor *> &inputs, Tensor &y) {
  const size_t labels = loop.sizes.size();
  std::vector<int64_t> value(labels, 0); // per loop label
  for (int64_t o = 0; o < y.numel(); ++o) {
    for (size_t q = loop.outputLabels, r = static_cast<size_t>(o); q-- > 0;) {
      value[q] = static_cast<int64_t>(r % static_cast<size_t>(loop.sizes[q]));
      r /= static_cast<size_t>(loop.sizes[q]);
    }
    double total = 0;
    for (int64_t s = 0; s < loop.terms; ++s) {
      for (size_t q = labels, r = static_cast<size_t>(s); q-- > loop.outputLabels;) {
        value[q] = static_cast<int64_t>(r % static_cast<size_t>(loop.sizes[q]));
        r /= static_cast<size_t>(loop.sizes[q]);
      }
      double product = 1;
      for (size_t k = 0; k < inputs.size(); ++k) {
        int64_t off = 0;
        for (size_t q = 0; q < labels; ++q)
          off += value[q] * loop.strides[k][q];
        product *= static_cast<double>(inputs[k]->data<T>()[off]);
      }
      total += product;
    }
    y.data<T>()[o] = static_cast<T>(total);
  }
}
} // namespace

EinsumSpec checkEinsum(const std::string &equation, const std::vector<const Tensor *> &inputs,
                       const Tensor &y) {
  const char *kn = "Einsum";
  if (inputs.empty())
    fail(kn, "no inputs");
  std::vector<Shape> shapes;
  for (const Tensor *t : inputs) {
    detail::requireDType(kn, "an input", *t, inputs[0]->dtype());
    shapes.push_back(t->shape());
  }
  EinsumSpec spec;
  if (std::string problem = parseEinsum(equation, shapes, spec); !problem.empty())
    fail(kn, problem);
  detail::requireDType(kn, "Y", y, inputs[0]->dtype());
  detail::requireShape(kn, "Y", y, spec.outputShape);
  if (y.dtype() != DType::F32 && y.dtype() != DType::F64)
    fail(kn, std::string("takes float32 and float64, got ") + dtypeName(y.dtype()));
  return spec;
}

void einsum(const std::string &equation, const std::vector<const Tensor *> &inputs, Tensor &y) {
  const EinsumSpec spec = checkEinsum(equation, inputs, y);
  std::vector<Shape> shapes;
  for (const Tensor *t : inputs)
    shapes.push_back(t->shape());
  const EinsumLoop loop = einsumLoop(spec, shapes);
  if (y.dtype() == DType::F32)
    einsumTyped<float>(loop, inputs, y);
  else
    einsumTyped<double>(loop, inputs, y);
}

} // namespace cimlir::cpu
