#!/usr/bin/env python3
"""PyTorch's FLOP count (torch.utils.flop_counter) of the text encoder that scripts/pretrain_peer.py
runs — Hugging Face's DebertaV2Model with the `small` preset's configuration — forward and forward +
backward, on unpadded batches (every sequence of the batch has the batch's length, attention mask
all ones). lgmcl's useful-FLOPs formula (TextEncoderFLOPs, docs/benchmarks-pretrain.md) must equal
these counts. Writes Tests/LGMCLTests/Fixtures/models/text_encoder_flops.json.

    .venv/bin/python scripts/make_flop_fixtures.py     (torch, transformers from scripts/requirements.txt)
"""
import json
import os
import sys

import torch
from torch.utils.flop_counter import FlopCounterMode

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "Tests/LGMCLTests/Fixtures/models/text_encoder_flops.json")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pretrain_peer import SMALL, JointModel  # noqa: E402  (the peer's own configuration)

# (sequences, length): single SMILES and description lengths, and batches of several.
CASES = [(1, 1), (1, 7), (1, 36), (1, 64), (1, 65), (1, 160), (3, 40), (5, 128)]


def count(model, ids, backward):
    with FlopCounterMode(display=False) as counter:
        hidden = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
        if backward:
            hidden.sum().backward()
    return counter.get_total_flops()


def main():
    torch.manual_seed(0)
    vocabulary = 100
    text = JointModel(SMALL, vocabulary).text
    text.train()
    cases = []
    for sequences, length in CASES:
        ids = torch.randint(1, vocabulary, (sequences, length))
        cases.append(dict(sequences=sequences, length=length,
                          forward=count(text, ids, False), forward_backward=count(text, ids, True)))
        print(cases[-1])
    config = dict(hidden=SMALL["text_hidden"], layers=SMALL["text_layers"], heads=SMALL["text_heads"],
                  feed_forward=SMALL["text_ffn"], position_buckets=SMALL["text_buckets"], convolution_kernel=3)
    with open(OUT, "w") as f:
        json.dump(dict(torch=torch.__version__, configuration=config, cases=cases), f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
