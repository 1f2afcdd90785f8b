// cimlir plan: the metadata section (section 0) as typed data, with its one writer and reader.
//
// The compiler's emitter fills a Metadata and writes it with toMetadataJson (exception-free:
// the compiler is built with -fno-exceptions); the runtime's Program reads it with
// readMetadata. docs/plan-format.md documents the JSON. Both sides use kMetadataFormat.
//
// This layer checks the form (fields, their JSON types, the format number); what the values
// mean (ids defined before use, constant sizes, shapes) Program checks.
#pragma once

#include "core/DType.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace cimlir::plan {

/// The metadata's "format" this cim-opt writes: 2 since a step may carry a fused activation
/// (cim-fuse-activations), 3 since a CimLinear step may carry a fused normalisation
/// (cim-fuse-normalization), which a runtime reading an older format would ignore; it refuses
/// the newer one instead. Formats kOldestMetadataFormat to kMetadataFormat are read; another
/// is refused.
constexpr int64_t kMetadataFormat = 3;
constexpr int64_t kOldestMetadataFormat = 1;

/// One tensor of the program; a dimension of -1 is the batch size.
struct ValueEntry {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
};

/// A graph input or output: its name and value id.
struct IoEntry {
  std::string name;
  int64_t value = -1;
};

/// A constant: its value id and the section holding its bytes.
struct ConstantEntry {
  int64_t value = -1;
  int64_t section = -1;
};

/// One coarse kernel: an op on value ids with its attributes.
struct StepEntry {
  std::string op;
  std::string name; ///< the ONNX node name (a CIM layer's name), for messages and layer ids
  std::vector<int64_t> inputs;
  std::vector<int64_t> outputs;
  /// The attributes: a JSON object, as text (the compiler writes it with llvm::json, the
  /// runtime reads it with nlohmann-json).
  std::string attrs = "{}";
  /// What passes left for the runtime (the op's cim.ext: a JSON object with keys named
  /// "<pass>.<name>", as text), "" when none; no kernel reads it, cim-run reports it.
  std::string ext;
};

struct Metadata {
  std::string producer; ///< "cim-opt 0.1.0"
  std::string source;   ///< the model file
  std::string device;   ///< the resolved device file as JSON text ("" without a device)
  std::vector<IoEntry> inputs;
  std::vector<IoEntry> outputs;
  std::vector<ValueEntry> values;
  std::vector<ConstantEntry> constants;
  std::vector<StepEntry> steps;
};

/// The metadata as JSON text into `json`. Returns "" on success, else one line (a step whose
/// attrs is not a JSON object); never throws.
std::string toMetadataJson(const Metadata &metadata, std::string &json) noexcept;

/// Reads parsed metadata JSON. Throws cimlir::Error "PATH: invalid plan metadata: WHAT" for a
/// missing or mistyped field, an unknown dtype or another format.
Metadata readMetadata(const nlohmann::json &metadata, const std::string &path);

} // namespace cimlir::plan
