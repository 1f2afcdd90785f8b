// cimlir CUDA kernels: how kernels get device memory from their caller, whose allocator keeps
// the accounting (the CUDA backend's Context: peak memory, stream-ordered frees).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace cimlir::cuda {

/// `bytes` of new device memory; `what` names the use in an out-of-memory message.
using Allocate = std::function<std::shared_ptr<void>(size_t bytes, const std::string &what)>;

/// Copies `bytes` of host memory into new device memory (complete when it returns).
using Upload =
    std::function<std::shared_ptr<void>(const void *host, size_t bytes, const std::string &what)>;

/// Hands `bytes` of host weights to a caller that decides later where they live (the CUDA
/// backend's weight streaming); returns the id it knows them by. The host data may go when it
/// returns.
using RegisterWeights = std::function<int(const void *host, size_t bytes, const std::string &what)>;

} // namespace cimlir::cuda
