#!/usr/bin/env python3
"""Exports the real architectures of docs/onnx-support.md ("Real architectures") to ONNX with
random weights, as PyTorch users export them, and writes onnxruntime's outputs beside them.

Runs where PyTorch, torchvision, timm, transformers, onnx and onnxruntime are (the GPU
machine; none of them is needed to build or test cimlir):

  python3 scripts/export_models.py OUT_DIR [--full]

For each architecture it writes OUT_DIR/<name>/model.onnx and OUT_DIR/<name>/test_data_set_0/
{input_K.pb, output_K.pb} (the ONNX backend-test layout cim-run reads as a dataset), the
outputs computed by onnxruntime on fixed random inputs. The small variants (reduced width and
depth, the same ops) are committed under models/export/ and run in CI; --full adds the
full-size models (ResNet-18, ResNet-50, MobileNetV2, DeiT-tiny, BERT-base, GPT-2, and
Qwen3-0.6B's shapes with 4 of its layers) and OUT_DIR/inventory.json, their opsets and op types. Each is exported twice: with the
TorchScript exporter at opset 17 (`<name>`) and with torch.onnx's default exporter
(`<name>_dynamo`), both with static shapes (batch 1), as torch.onnx.export does by default.
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper

torch.manual_seed(0)


class SmallResNet(torch.nn.Module):
    """ResNet's layout (stem, four stages of torchvision's BasicBlock or Bottleneck, pooling,
    classifier) at a reduced width, so the small variants stay small."""

    def __init__(self, block, widths=(8, 16, 32, 64), classes=10):
        super().__init__()
        nn = torch.nn
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True),
                                  nn.MaxPool2d(3, 2, 1))
        layers, inplanes = [], widths[0]
        for i, w in enumerate(widths):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or inplanes != w * block.expansion:
                down = nn.Sequential(nn.Conv2d(inplanes, w * block.expansion, 1, stride, bias=False),
                                     nn.BatchNorm2d(w * block.expansion))
            layers.append(block(inplanes, w, stride, down))
            inplanes = w * block.expansion
        self.layers = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(inplanes, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.layers(self.stem(x))), 1))


def vision_small():
    import timm
    import torchvision
    from torchvision.models.resnet import BasicBlock, Bottleneck

    return {
        "resnet18_small": (lambda: SmallResNet(BasicBlock), (1, 3, 32, 32)),
        "resnet50_small": (lambda: SmallResNet(Bottleneck), (1, 3, 32, 32)),
        "mobilenetv2_small": (lambda: torchvision.models.mobilenet_v2(
            num_classes=10, width_mult=0.25,
            inverted_residual_setting=[[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 1, 2]]),
            (1, 3, 32, 32)),
        "deit_tiny_small": (lambda: timm.models.vision_transformer.VisionTransformer(
            img_size=32, patch_size=8, embed_dim=32, depth=2, num_heads=2, num_classes=10),
            (1, 3, 32, 32)),
    }


class Crnn(torch.nn.Module):
    """A CRNN as OCR recognisers build it: a convolutional feature extractor over a text-line
    image, its columns as a sequence, a two-layer bidirectional LSTM and a per-step classifier."""

    def __init__(self, classes=12, hidden=16):
        super().__init__()
        nn = torch.nn
        self.cnn = nn.Sequential(nn.Conv2d(1, 8, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
                                 nn.Conv2d(8, 16, 3, 1, 1), nn.BatchNorm2d(16), nn.ReLU(),
                                 nn.MaxPool2d((8, 1)))
        self.rnn = nn.LSTM(16, hidden, num_layers=2, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, classes)

    def forward(self, x):
        f = self.cnn(x).squeeze(2).permute(2, 0, 1)  # [width, batch, channels]
        y, _ = self.rnn(f)
        return self.fc(y).log_softmax(2)


class GruTagger(torch.nn.Module):
    """A batch-first GRU sequence tagger (PyTorch's GRU exports with linear_before_reset=1)."""

    def __init__(self, features=8, hidden=16, classes=5):
        super().__init__()
        self.rnn = torch.nn.GRU(features, hidden, num_layers=2, batch_first=True)
        self.fc = torch.nn.Linear(hidden, classes)

    def forward(self, x):
        return self.fc(self.rnn(x)[0])


class RnnTagger(torch.nn.Module):
    """An Elman RNN (tanh), bidirectional, returning its sequence output and last state."""

    def __init__(self, features=8, hidden=12):
        super().__init__()
        self.rnn = torch.nn.RNN(features, hidden, bidirectional=True)

    def forward(self, x):
        y, h = self.rnn(x)
        return y + 0.0, h + 0.0


def recurrent_small():
    return {
        "crnn_small": (Crnn, (1, 1, 16, 40)),
        "gru_small": (GruTagger, (1, 12, 8)),
        "rnn_small": (RnnTagger, (10, 1, 8)),
    }


def handmade_recurrent(out_dir, inventory, only):
    """Recurrent layers as other exporters write them (PyTorch's cannot): a reverse GRU with
    linear_before_reset = 0 (Keras' and tf2onnx's form), an LSTM whose last hidden state is an
    output, and a streaming LSTM as voice-activity and keyword models run one (its initial
    states and sequence lengths are inputs, it has peepholes, its cell state is an output),
    with random constant weights; onnxruntime's outputs beside them."""
    from onnx import TensorProto, helper

    rng = np.random.default_rng(0)

    def const(name, shape, scale=0.5):
        return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32),
                                       name)

    seq, batch, features, hidden = 7, 1, 6, 5
    streams = 3  # the streaming LSTM's batch: three streams of lengths 7, 4 and 1
    cases = {
        "gru_lbr0_reverse": helper.make_graph(
            [helper.make_node("GRU", ["X", "W", "R", "B"], ["Y", ""], hidden_size=hidden,
                              direction="reverse", linear_before_reset=0)],
            "gru", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [seq, batch, features])],
            [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [seq, 1, batch, hidden])],
            [const("W", (1, 3 * hidden, features)), const("R", (1, 3 * hidden, hidden)),
             const("B", (1, 6 * hidden))]),
        "lstm_last_state": helper.make_graph(
            [helper.make_node("LSTM", ["X", "W", "R", "B"], ["", "Y_h"], hidden_size=hidden,
                              direction="bidirectional")],
            "lstm", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [seq, batch, features])],
            [helper.make_tensor_value_info("Y_h", TensorProto.FLOAT, [2, batch, hidden])],
            [const("W", (2, 4 * hidden, features)), const("R", (2, 4 * hidden, hidden)),
             const("B", (2, 8 * hidden))]),
        "lstm_stateful": helper.make_graph(
            [helper.make_node("LSTM", ["X", "W", "R", "B", "lens", "h0", "c0", "P"],
                              ["Y", "Y_h", "Y_c"], hidden_size=hidden)],
            "lstm", [helper.make_tensor_value_info("X", TensorProto.FLOAT,
                                                   [seq, streams, features]),
                     helper.make_tensor_value_info("lens", TensorProto.INT32, [streams]),
                     helper.make_tensor_value_info("h0", TensorProto.FLOAT, [1, streams, hidden]),
                     helper.make_tensor_value_info("c0", TensorProto.FLOAT, [1, streams, hidden])],
            [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [seq, 1, streams, hidden]),
             helper.make_tensor_value_info("Y_h", TensorProto.FLOAT, [1, streams, hidden]),
             helper.make_tensor_value_info("Y_c", TensorProto.FLOAT, [1, streams, hidden])],
            [const("W", (1, 4 * hidden, features)), const("R", (1, 4 * hidden, hidden)),
             const("B", (1, 8 * hidden)), const("P", (1, 3 * hidden))]),
    }
    for name, graph in cases.items():
        if only and name not in only:
            continue
        # IR version 9: what onnxruntime 1.30 reads (the helper's default is newer).
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], ir_version=9)
        onnx.checker.check_model(model)
        path = os.path.join(out_dir, name, "model.onnx")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        onnx.save(model, path)
        inputs = []
        for vi in graph.input:
            shape = [d.dim_value for d in vi.type.tensor_type.shape.dim]
            inputs.append(np.array([seq, 4, 1], np.int32) if vi.name == "lens"
                          else rng.standard_normal(shape).astype(np.float32))
        save_case(out_dir, name, path, inputs, [vi.name for vi in graph.input])
        inventory[name] = {"opset": [14], "ops": sorted({n.op_type for n in graph.node}),
                           "bytes": os.path.getsize(path)}
        print(f"{name}: {inventory[name]}", flush=True)


def vision_full():
    import timm
    import torchvision
    return {
        "resnet18": (lambda: torchvision.models.resnet18(weights=None), (1, 3, 224, 224)),
        "resnet50": (lambda: torchvision.models.resnet50(weights=None), (1, 3, 224, 224)),
        "mobilenetv2": (lambda: torchvision.models.mobilenet_v2(weights=None), (1, 3, 224, 224)),
        "deit_tiny": (lambda: timm.create_model("deit_tiny_patch16_224", pretrained=False),
                      (1, 3, 224, 224)),
    }


class FirstOutput(torch.nn.Module):
    """A transformers model called with input_ids alone (decoders without their KV cache),
    returning its first output (hidden states or logits)."""

    def __init__(self, model, decoder):
        super().__init__()
        self.model, self.decoder = model, decoder

    def forward(self, input_ids):
        kwargs = {"use_cache": False} if self.decoder else {}
        return self.model(input_ids=input_ids, **kwargs)[0]


def text(small):
    from transformers import (BertConfig, BertModel, GPT2Config, GPT2LMHeadModel, Qwen3Config,
                              Qwen3ForCausalLM)
    seq = 16 if small else 128
    if small:
        bert = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                          intermediate_size=64, max_position_embeddings=64)
        gpt2 = GPT2Config(vocab_size=100, n_embd=32, n_layer=2, n_head=2, n_positions=64)
        qwen = Qwen3Config(vocab_size=100, hidden_size=32, intermediate_size=64,
                           num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1,
                           head_dim=16, max_position_embeddings=64)
    else:
        bert, gpt2 = BertConfig(), GPT2Config()
        # Qwen3-0.6B's shapes with 4 of its 28 layers: under protobuf's 2 GiB.
        qwen = Qwen3Config(vocab_size=151936, hidden_size=1024, intermediate_size=3072,
                           num_hidden_layers=4, num_attention_heads=16, num_key_value_heads=8,
                           head_dim=128)
    for c in (bert, gpt2, qwen):
        c._attn_implementation = "eager"
    suffix = "_small" if small else ""
    return {
        "bert" + suffix: (lambda: FirstOutput(BertModel(bert), False), (1, seq), bert.vocab_size),
        "gpt2" + suffix: (lambda: FirstOutput(GPT2LMHeadModel(gpt2), True), (1, seq),
                          gpt2.vocab_size),
        "qwen3" + suffix: (lambda: FirstOutput(Qwen3ForCausalLM(qwen), True), (1, seq),
                           qwen.vocab_size),
    }


def save_case(out_dir, name, model_path, inputs, names):
    sess = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    feed = {i.name: x for i, x in zip(sess.get_inputs(), inputs)}
    outputs = sess.run(None, feed)
    data = os.path.join(out_dir, name, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    for k, (i, x) in enumerate(zip(sess.get_inputs(), inputs)):
        t = numpy_helper.from_array(x, i.name)
        open(os.path.join(data, f"input_{k}.pb"), "wb").write(t.SerializeToString())
    for k, (o, y) in enumerate(zip(sess.get_outputs(), outputs)):
        t = numpy_helper.from_array(y, o.name)
        open(os.path.join(data, f"output_{k}.pb"), "wb").write(t.SerializeToString())


def export(out_dir, name, make, example, inventory, only):
    if only and name not in only:
        return
    model = make().eval()
    for exporter in ("classic", "dynamo"):
        case = name if exporter == "classic" else name + "_dynamo"
        path = os.path.join(out_dir, case, "model.onnx")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            with torch.no_grad():
                if exporter == "classic":
                    torch.onnx.export(model, (example,), path, input_names=["input"],
                                      output_names=["output"], opset_version=17, dynamo=False)
                else:
                    torch.onnx.export(model, (example,), path, input_names=["input"],
                                      output_names=["output"], dynamo=True, external_data=False)
            m = onnx.load(path)
            onnx.checker.check_model(m)
            save_case(out_dir, case, path, [example.numpy()], ["input"])
            inventory[case] = {
                "opset": [o.version for o in m.opset_import if o.domain in ("", "ai.onnx")],
                "ops": sorted({n.op_type for n in m.graph.node}),
                "bytes": os.path.getsize(path),
            }
            print(f"{case}: {inventory[case]['bytes']} bytes, opset {inventory[case]['opset']}, "
                  f"ops {inventory[case]['ops']}", flush=True)
        except Exception as e:  # report and go on: one exporter's failure is a finding
            inventory[case] = {"error": f"{type(e).__name__}: {e}"[:500]}
            print(f"{case}: export failed: {inventory[case]['error']}", flush=True)
        with open(os.path.join(out_dir, "inventory.json"), "w") as f:  # as it goes
            json.dump(inventory, f, indent=1, sort_keys=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--full", action="store_true", help="the full-size models too")
    ap.add_argument("--only", default="", help="names (comma-separated) to export, all if empty")
    args = ap.parse_args()
    inventory = {}
    for name, (make, shape) in vision_small().items():
        export(args.out_dir, name, make, torch.randn(*shape), inventory,
               args.only.split(",") if args.only else [])
    for name, (make, shape) in recurrent_small().items():
        export(args.out_dir, name, make, torch.randn(*shape), inventory,
               args.only.split(",") if args.only else [])
    handmade_recurrent(args.out_dir, inventory, args.only.split(",") if args.only else [])
    for name, (make, shape, vocab) in text(True).items():
        export(args.out_dir, name, make, torch.randint(0, vocab, shape), inventory,
               args.only.split(",") if args.only else [])
    if args.full:
        for name, (make, shape) in vision_full().items():
            export(args.out_dir, name, make, torch.randn(*shape), inventory,
               args.only.split(",") if args.only else [])
        for name, (make, shape, vocab) in text(False).items():
            export(args.out_dir, name, make, torch.randint(0, vocab, shape), inventory,
               args.only.split(",") if args.only else [])
    return 0


if __name__ == "__main__":
    sys.exit(main())
