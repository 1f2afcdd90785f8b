// cimlir runtime: IDX files (the MNIST family's format), plain or gzip-compressed.
#pragma once

#include "core/Tensor.h"

#include <string>

namespace cimlir {

/// Reads an IDX file (magic 0x0000TTRR: type TT of u8/i8/i16/i32/f32/f64, rank RR,
/// big-endian dims and data) into a tensor of that dtype and shape. A name ending in
/// .gz is decompressed with zlib. Throws cimlir::Error on a bad header or short data.
Tensor readIdx(const std::string &path);

} // namespace cimlir
