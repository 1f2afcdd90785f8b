// cimlir CPU kernels: the ONNX recurrent layers RNN, GRU and LSTM.
//
// A recurrent layer is two matrix products around a digital cell: the input projection
// X_t·W^T (every step at once) and the hidden product H_{t-1}·R^T (one step after the other).
// The kernel takes both as given so that they can come from a CIM layer (docs/numerics.md,
// "Recurrent layers"): recurrenceSteps() runs the cell over precomputed input projections with
// a caller's hidden product; recurrent() is the whole ONNX op in float32.
#pragma once

#include "core/Tensor.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cimlir::cpu {

enum class RecurrentCell { Rnn, Gru, Lstm };

/// The cell's gates in ONNX's order: RNN 1 (i), GRU 3 (z, r, h), LSTM 4 (i, o, f, c).
int64_t recurrentGates(RecurrentCell cell);
/// The cell as the kind of the CIM layer of its hidden product: "rnn", "gru", "lstm".
const char *recurrentKind(RecurrentCell cell);
/// The cell of a linear layer's `kind`, or nothing for another kind.
std::optional<RecurrentCell> recurrentCellOfKind(std::string_view kind);
/// How many activation functions one direction takes: RNN 1 (f), GRU 2 (f, g), LSTM 3 (f, g,
/// h), and their defaults (Tanh; Sigmoid, Tanh; Sigmoid, Tanh, Tanh).
std::vector<std::string> defaultRecurrentActivations(RecurrentCell cell);

/// One activation function of a recurrent cell, with both parameters resolved: a function of
/// unaryOpTypes() (Relu, Tanh, Sigmoid, LeakyRelu, ThresholdedRelu, HardSigmoid, Elu, Softsign,
/// Softplus, ...) or one of the two ONNX defines only for recurrent cells, Affine (alpha·x +
/// beta) and ScaledTanh (alpha·tanh(beta·x)).
struct RecurrentActivation {
  std::string name;
  float alpha = 0;
  float beta = 0;
};

/// ONNX's `activations`, `activation_alpha` and `activation_beta` resolved as onnxruntime
/// reads them into `out`: names match case-insensitively (and come back in ONNX's spelling);
/// each function that has an alpha takes the next entry of `alphas`, or its default when the
/// list is used up, and likewise for beta. Returns "", or what is wrong (an unknown function,
/// entries left over).
std::string resolveRecurrentActivations(const std::vector<std::string> &names,
                                        const std::vector<float> &alphas,
                                        const std::vector<float> &betas,
                                        std::vector<RecurrentActivation> &out);

/// The normalised attributes of an RNN, GRU or LSTM node (layout 0: the importer transposes
/// layout 1).
struct RecurrentSpec {
  RecurrentCell cell = RecurrentCell::Lstm;
  int64_t hidden = 0;
  bool bidirectional = false;
  bool reverse = false; ///< direction "reverse" (only without bidirectional)
  /// Per direction, then per function (f, g, h), as resolveRecurrentActivations gives them.
  std::vector<RecurrentActivation> activations;
  std::optional<float> clip;      ///< gate pre-activations clipped to [-clip, clip]
  bool inputForget = false;       ///< LSTM: couple the input and forget gates, f = 1 - i
  bool linearBeforeReset = false; ///< GRU: r ⊙ (H·Rh^T + Rbh) instead of (r ⊙ H)·Rh^T

  int64_t directions() const { return bidirectional ? 2 : 1; }
  int64_t gateWidth() const { return recurrentGates(cell) * hidden; }
};

/// Throws what recurrenceSteps throws for `spec` itself: a hidden size below 1, another number
/// of activation functions than the cell and directions take, or `lstmOperands` (initial_c, P
/// or Y_c given) for a cell other than an LSTM. Every backend's recurrence checks it.
void checkRecurrentSpec(const RecurrentSpec &spec, bool lstmOperands);

/// out[batch, cols) = h[batch, hidden] · R_d[cols, :]^T for the gate columns [col0, col1) of
/// direction d (out has gateWidth() columns; at least [col0, col1) are written). The hidden
/// product of the cell: R's rows in ONNX's gate order, without its bias. `read` numbers the
/// products of one sequence: step s reads at s, a GRU without linear_before_reset reads
/// (r ⊙ h) again at seq + s (a CIM layer keys its fresh noise by it).
using HiddenProduct = std::function<void(int64_t direction, int64_t read, const float *h,
                                         int64_t batch, int64_t col0, int64_t col1, float *out)>;

/// The optional inputs and outputs of one layer (null when absent). Shapes as ONNX's with
/// layout 0: B [D, 2·G·H] (only its R half, Rb, is read here), sequence_lens [batch] int32,
/// initial_h and initial_c [D, batch, H], P [D, 3H]; Y [seq, D, batch, H], Y_h and Y_c
/// [D, batch, H].
struct RecurrentIo {
  const Tensor *bias = nullptr;
  const Tensor *sequenceLens = nullptr;
  const Tensor *initialH = nullptr;
  const Tensor *initialC = nullptr;
  const Tensor *peepholes = nullptr;
  Tensor *y = nullptr;
  Tensor *yH = nullptr;
  Tensor *yC = nullptr;
};

/// The recurrence of `spec` over `inputGates` [seq, batch, D·G·H], each step's input
/// projection X_t·W_d^T + Wb_d of direction d at columns [d·G·H, (d+1)·G·H), with the hidden
/// product `hidden` and the rest of the cell in float32. A batch entry b of sequence length
/// L_b < seq stops after L_b steps (the reverse direction starts at L_b − 1): its Y rows from
/// L_b on are 0 and Y_h, Y_c hold the state after its last step.
void recurrenceSteps(const RecurrentSpec &spec, const Tensor &inputGates,
                     const HiddenProduct &hidden, const RecurrentIo &io);

/// The whole ONNX RNN, GRU or LSTM (layout 0) in float32: X [seq, batch, in], W [D, G·H, in],
/// R [D, G·H, H], products by BLAS.
void recurrent(const RecurrentSpec &spec, const Tensor &x, const Tensor &w, const Tensor &r,
               const RecurrentIo &io);

} // namespace cimlir::cpu
