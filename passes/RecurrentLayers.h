//===- RecurrentLayers.h - RNN, GRU and LSTM on crossbars -------*- C++ -*-===//
//
// A recurrent layer has two weight-stationary matrix products, and each becomes a CIM layer
// of its own (docs/numerics.md, "Recurrent layers"), the gates' arithmetic staying digital:
//  - the input projection X_t·W^T of every step at once: a `matmul` layer "<node>.W" over X
//    batch first ([batch, seq, input] · W^T [input, D·G·H]; the batch index is the sample,
//    the step the row), then + Wb and back to [seq, batch, D·G·H] digitally;
//  - the hidden product H_{t-1}·R_d^T: a layer of the cell's kind (`rnn`, `gru`, `lstm`)
//    "<node>.R" over R [D, G·H, H], a group per direction, which runs the cell step by step
//    over those input gates (its hidden states the rows, each read the next row of its sample)
//    with the layer's sequence_lens, initial states and peepholes, and gives Y, Y_h and Y_c.
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_PASSES_RECURRENTLAYERS_H
#define CIMLIR_PASSES_RECURRENTLAYERS_H

#include "dialects/cim/CimOps.h"

#include "mlir/IR/Operation.h"

#include <string>

namespace cimlir {

/// Whether `op` is an onnx.RNN, onnx.GRU or onnx.LSTM that the two layers compute: W, R and B
/// constants (the other optional operands may be anything). Otherwise, for a recurrent op,
/// `why` says what keeps it digital.
bool isRecurrentLayer(mlir::Operation *op, std::string *why = nullptr);

struct RecurrentLayerPair {
  cim::LinearOp input;  ///< "<node>.W", kind matmul
  cim::LinearOp hidden; ///< "<node>.R", kind rnn, gru or lstm
};

/// Replaces `op` (isRecurrentLayer) by its two layers, each a cim.linear with the attribute
/// `settings`, and the digital ops around them. Fails with an error on `op` when its constants
/// cannot be read.
mlir::FailureOr<RecurrentLayerPair> splitRecurrentLayer(mlir::Operation *op,
                                                        mlir::NamedAttribute settings);

} // namespace cimlir

#endif
