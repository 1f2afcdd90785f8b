// cimlir CPU kernels: data movement that does not depend on the element type.
#pragma once

#include "core/Tensor.h"

#include <optional>
#include <string>
#include <vector>

namespace cimlir::cpu {

/// Y = X with axes permuted: Y.shape[i] = X.shape[perm[i]]. Any dtype (moves bytes).
void transpose(const Tensor &x, const std::vector<int64_t> &perm, Tensor &y);

/// Y[i0, .., ik] = X[maps[0][i0], .., maps[k][ik]], or `fill` (a one-element tensor of X's
/// dtype) where any entry is -1. maps[a] has Y.dim(a) entries, each -1 or in [0, X.dim(a)).
/// Slice, Expand, Tile and every mode of Pad are each one set of maps (below).
void remap(const Tensor &x, const std::vector<std::vector<int64_t>> &maps, const Tensor *fill,
           Tensor &y);

/// How Pad fills the border: `value`, the mirror without the edge, the edge, or wrap-around.
enum class PadMode { Constant, Reflect, Edge, Wrap };
/// The mode of Pad's `mode` attribute ("constant", "reflect", "edge", "wrap"), or nothing.
std::optional<PadMode> padModeNamed(const std::string &name);

/// One index map per axis of Y, as remap takes them.
using AxisMaps = std::vector<std::vector<int64_t>>;

/// X's shape with `rank` axes, left-padded with 1s (NumPy broadcasting aligns shapes right).
Shape broadcastAligned(const Shape &x, size_t rank);

/// The maps of remap() that ONNX Slice, Expand (over X's shape broadcastAligned to Y's rank),
/// Tile and Pad are, their arguments checked against X's shape: the functions below remap with
/// them, and the CUDA backend uploads them.
AxisMaps sliceMaps(const Shape &x, const std::vector<int64_t> &starts,
                   const std::vector<int64_t> &ends, const std::vector<int64_t> &axes,
                   const std::vector<int64_t> &steps);
AxisMaps expandMaps(const Shape &x, const Shape &y);
AxisMaps tileMaps(const Shape &x, const std::vector<int64_t> &repeats);
AxisMaps padMaps(const Shape &x, const std::vector<int64_t> &pads, PadMode mode);

/// ONNX Slice: along axes[i], the elements core/ShapeMath.h's sliceRange gives for starts[i],
/// ends[i] and steps[i] (steps non-zero; axes distinct, each in [0, rank)); other axes whole.
void slice(const Tensor &x, const std::vector<int64_t> &starts, const std::vector<int64_t> &ends,
           const std::vector<int64_t> &axes, const std::vector<int64_t> &steps, Tensor &y);

/// X broadcast (NumPy rules, X right-aligned) to Y's shape: ONNX Expand.
void expand(const Tensor &x, Tensor &y);

/// X repeated `repeats[a]` times along each axis a: ONNX Tile.
void tile(const Tensor &x, const std::vector<int64_t> &repeats, Tensor &y);

/// ONNX Pad: pads = [begin_0, .., begin_k, end_0, .., end_k], negative entries crop. `value`
/// (one element of X's dtype) fills the border in Constant mode. Reflect needs every padded
/// axis longer than 1; the modes but Constant need non-empty padded axes.
void pad(const Tensor &x, const std::vector<int64_t> &pads, PadMode mode, const Tensor *value,
         Tensor &y);

/// ONNX Concat: the inputs (same dtype and rank, equal but along `axis`) joined along `axis`
/// (in [0, rank)).
void concat(const std::vector<const Tensor *> &inputs, int64_t axis, Tensor &y);

/// ONNX Gather: Y = X taken at `indices` (int32 or int64; negative ones count from the end)
/// along `axis`; Y's shape is X's with that axis replaced by the indices' shape. An index out
/// of range is an Error.
void gather(const Tensor &x, const Tensor &indices, int64_t axis, Tensor &y);

} // namespace cimlir::cpu
