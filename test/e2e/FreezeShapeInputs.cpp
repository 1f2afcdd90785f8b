// Test utility: writes the integer tensors, the scalars and the short float vectors (up to 8
// elements) of an ONNX test-data set (input_K.pb) into a .npz keyed by tensor name, for
// `cim-opt --freeze-inputs`. The ONNX node tests feed operands that fix a result's shape
// (Reshape's shape, CumSum's axis, OneHot's depth, Range's bounds, Resize's scales and roi)
// as graph inputs; cimlir needs them constant. Freezing a
// data input as well only moves its op's work to compile time (folding runs the same
// kernels), so the comparison with the reference stays as strict.
// Only named tensors (TensorProto.name) are frozen: cim-run assigns unnamed files by
// position among the plan's inputs, which freezing one would shift (the old PyTorch exports
// that write them feed data, Embedding's indices, not shapes).
// Exit code 0 when it wrote some, 3 when the set has none (and writes nothing).
#include "core/Error.h"
#include "runtime/data/Npz.h"
#include "runtime/data/OnnxTensorFile.h"

#include <filesystem>
#include <iostream>
#include <map>

int main(int argc, char **argv) {
  if (argc != 3) {
    std::cerr << "usage: freeze-shape-inputs TEST_DATA_SET_DIR OUT.npz\n";
    return 2;
  }
  try {
    std::map<std::string, cimlir::Tensor> frozen;
    for (size_t k = 0;; ++k) {
      auto file = std::filesystem::path(argv[1]) / ("input_" + std::to_string(k) + ".pb");
      if (!std::filesystem::exists(file))
        break;
      cimlir::NamedTensor t = cimlir::readOnnxTensorFile(file.string());
      const cimlir::DType d = t.tensor.dtype();
      const bool integer = d == cimlir::DType::I64 || d == cimlir::DType::I32;
      const bool shortVector = t.tensor.rank() == 1 && t.tensor.numel() <= 8;
      if ((integer || t.tensor.rank() == 0 || shortVector) && !t.name.empty())
        frozen[t.name] = t.tensor;
    }
    if (frozen.empty())
      return 3;
    cimlir::writeNpz(argv[2], frozen);
    return 0;
  } catch (const cimlir::Error &e) {
    std::cerr << "freeze-shape-inputs: " << e.what() << "\n";
    return 1;
  }
}
