#!/usr/bin/env python3
"""chemprop's learning-rate schedule as an oracle for lgmcl's NoamLikeSchedule
(Tests/LGMCLTests/Fixtures/training/noam_schedule.json).

    .venv/bin/python scripts/make_schedule_fixtures.py

Each case steps a PyTorch Adam under chemprop 2.3.1's build_NoamLike_LRSched and records the
learning rate every optimiser step sees, past the end of the cooldown.
"""
import json
from pathlib import Path

import chemprop
import torch
from chemprop.schedulers import build_NoamLike_LRSched

CASES = [
    # chemprop's defaults: 2 warm-up epochs, init and final 1e-4, max 1e-3; 7 steps per epoch, 10 epochs.
    dict(warmup_steps=14, cooldown_steps=56, init_lr=1e-4, max_lr=1e-3, final_lr=1e-4, steps=75),
    dict(warmup_steps=3, cooldown_steps=9, init_lr=5e-5, max_lr=2e-3, final_lr=1e-5, steps=15),
    dict(warmup_steps=0, cooldown_steps=5, init_lr=1e-3, max_lr=1e-3, final_lr=1e-4, steps=8),
]

out = []
for case in CASES:
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.Adam([parameter], lr=case["init_lr"])
    schedule = build_NoamLike_LRSched(optimizer, case["warmup_steps"], case["cooldown_steps"],
                                      case["init_lr"], case["max_lr"], case["final_lr"])
    rates = []
    for _ in range(case["steps"]):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        schedule.step()
    out.append({**case, "rates": rates})

path = Path(__file__).resolve().parent.parent / "Tests/LGMCLTests/Fixtures/training/noam_schedule.json"
path.write_text(json.dumps({"chemprop": chemprop.__version__, "torch": torch.__version__, "cases": out}, indent=1) + "\n")
print(f"wrote {path}")
