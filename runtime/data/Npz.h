// cimlir runtime: NumPy .npy/.npz files (the --inputs/--outputs of cim-run, and datasets).
#pragma once

#include "core/Tensor.h"

#include <map>
#include <string>
#include <vector>

namespace cimlir {

/// Reads every array of a .npz archive (stored or deflated members, C order, little
/// endian, the dtypes of DType). Throws cimlir::Error naming the file and member.
std::map<std::string, Tensor> readNpz(const std::string &path);

/// Writes arrays to a .npz archive, numpy.load-compatible. The archive appears at `path`
/// only once complete (through an OutputFile: renamed over a regular file, symbolic links
/// followed, or copied into a device or FIFO); on error nothing is left behind. NumPy has no
/// bfloat16: a bfloat16 array is written as the float32 array of the same values.
void writeNpz(const std::string &path, const std::map<std::string, Tensor> &arrays);
/// The same archive into `stagedTemp`, the temporary file of an OutputFile the caller staged
/// for `path` (cim-run's OutputSet), in place: messages name `path`; the caller commits.
void writeStagedNpz(const std::string &stagedTemp, const std::string &path,
                    const std::map<std::string, Tensor> &arrays);

/// A .npz array given for a plan tensor of `planDType`: NumPy has no bfloat16, so a float32
/// array stands for a bfloat16 tensor and is rounded to nearest even (as writeNpz writes
/// bfloat16 as float32); any other array is returned as it is.
Tensor npzArrayAs(const Tensor &array, DType planDType);

/// One .npy file; same rules as readNpz.
Tensor readNpy(const std::string &path);

} // namespace cimlir
