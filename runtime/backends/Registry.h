// cimlir runtime: the backends cim-run can run a plan on (`--backend NAME`).
//
// One list (Registry.cpp) names every backend built into this binary, with whether it can run
// here (the CPU always can; a GPU backend needs a GPU). Adding a backend means its folder under
// runtime/backends/, its CMake target and one entry in that list.
#pragma once

#include "runtime/exec/Backend.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cimlir {

struct BackendInfo {
  std::string name;        ///< what --backend takes: "cpu"
  std::string description; ///< one line for --help and messages
  /// "" when the backend can run on this machine, else why not ("no CUDA device").
  std::function<std::string()> unavailable;
  std::function<std::unique_ptr<Backend>(const BackendOptions &)> create;
};

/// Every backend built in, in the order `auto` tries them (the fastest first).
const std::vector<BackendInfo> &registeredBackends();

/// "auto" and the registered names, for --help: "auto, cpu".
std::string backendChoices();

/// The backend `name` ("auto": the first registered one that can run here). Throws
/// cimlir::Error naming the choices for an unknown name, or saying why a known one cannot
/// run here.
const BackendInfo &findBackend(const std::string &name);
/// findBackend(name).create(options).
std::unique_ptr<Backend> createBackend(const std::string &name, const BackendOptions &options);

} // namespace cimlir
