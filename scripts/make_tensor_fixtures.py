#!/usr/bin/env python3
"""PyTorch oracles for the tensor engine (Tests/LGMCLTests/Tensor/TorchParityTests.swift).

Writes small safetensors files to Tests/LGMCLTests/Fixtures/tensor/: inputs, weights, an upstream
gradient `r` (the loss is sum(output * r)), outputs and gradients for Linear, LayerNorm, GRUCell,
MultiheadAttention, NT-Xent and masked BCE-with-logits, and 10 steps of Adam / AdamW on a small
MLP. All in float32 (the Swift tests run in Float32 and compare with atol 1e-6 + rtol 1e-5).

It also checks the other direction: `written_by_swift.safetensors` (committed; the Swift test
SafeTensorsTests.writerOutputIsStable regenerates it byte for byte) must load with Python's
safetensors package and hold exactly the values the Swift test wrote:
  ramp_f32  F32 [2, 3]  i * 0.25 - 1
  inverse   F64 [3]     1 / (i + 1)
  scalar    F32 []      3.5
  empty     F32 [0, 4]
  metadata  {"format": "pt", "written_by": "lgmcl"}

Run: make venv && .venv/bin/python scripts/make_tensor_fixtures.py
"""
import math
import pathlib

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import load_file
from safetensors.torch import save_file, safe_open

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/LGMCLTests/Fixtures/tensor"
torch.manual_seed(20240601)
torch.set_num_threads(1)


def save(name, tensors):
    tensors = {k: v.detach().contiguous() for k, v in tensors.items()}
    save_file(tensors, str(OUT / f"{name}.safetensors"),
              metadata={"generator": "scripts/make_tensor_fixtures.py", "torch": torch.__version__})


def leaf(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_()


def linear():
    layer = torch.nn.Linear(5, 3)
    x = leaf(4, 5)
    y = layer(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    save("linear", dict(x=x, weight=layer.weight, bias=layer.bias, r=r, y=y,
                        grad_x=x.grad, grad_weight=layer.weight.grad, grad_bias=layer.bias.grad))


def layernorm():
    layer = torch.nn.LayerNorm(6)
    with torch.no_grad():
        layer.weight.copy_(torch.randn(6))
        layer.bias.copy_(torch.randn(6))
    x = leaf(2, 4, 6, scale=3.0)
    y = layer(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    save("layernorm", dict(x=x, weight=layer.weight, bias=layer.bias, r=r, y=y,
                           grad_x=x.grad, grad_weight=layer.weight.grad, grad_bias=layer.bias.grad))


def grucell():
    cell = torch.nn.GRUCell(5, 3)
    x, h = leaf(4, 5), leaf(4, 3)
    y = cell(x, h)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    save("grucell", dict(x=x, h=h, weight_ih=cell.weight_ih, weight_hh=cell.weight_hh,
                         bias_ih=cell.bias_ih, bias_hh=cell.bias_hh, r=r, y=y,
                         grad_x=x.grad, grad_h=h.grad, grad_weight_ih=cell.weight_ih.grad,
                         grad_weight_hh=cell.weight_hh.grad, grad_bias_ih=cell.bias_ih.grad,
                         grad_bias_hh=cell.bias_hh.grad))


def mha():
    d, heads, b, tq, tk = 8, 2, 2, 3, 4
    attention = torch.nn.MultiheadAttention(d, heads, batch_first=True)
    with torch.no_grad():
        attention.in_proj_bias.copy_(torch.randn(3 * d) * 0.1)
        attention.out_proj.bias.copy_(torch.randn(d) * 0.1)
    q, k, v = leaf(b, tq, d), leaf(b, tk, d), leaf(b, tk, d)
    # Additive mask (B, H, Tq, Tk): finite biases, batch 1 cannot see its last key, and query 2 of
    # batch 0 sees nothing in head 1 (a fully masked row: PyTorch gives NaN there, lgmcl zeros, so
    # that row is compared separately in Swift — here it is kept finite for the oracle).
    mask = torch.randn(b, heads, tq, tk) * 0.5
    mask[1, :, :, tk - 1] = -math.inf
    y, _ = attention(q, k, v, attn_mask=mask.reshape(b * heads, tq, tk), need_weights=False)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    save("mha", dict(q=q, k=k, v=v, mask=mask, in_proj_weight=attention.in_proj_weight,
                     in_proj_bias=attention.in_proj_bias, out_weight=attention.out_proj.weight,
                     out_bias=attention.out_proj.bias, r=r, y=y, grad_q=q.grad, grad_k=k.grad,
                     grad_v=v.grad, grad_in_proj_weight=attention.in_proj_weight.grad,
                     grad_in_proj_bias=attention.in_proj_bias.grad,
                     grad_out_weight=attention.out_proj.weight.grad,
                     grad_out_bias=attention.out_proj.bias.grad))


def ntxent():
    """SimCLR NT-Xent as in the paper: cosine similarity, temperature, 2M anchors, mean."""
    m, tau = 4, 0.1
    z1, z2 = leaf(m, 6), leaf(m, 6)
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    logits = z @ z.t() / tau
    logits = logits.masked_fill(torch.eye(2 * m, dtype=torch.bool), -math.inf)
    positives = torch.cat([torch.arange(m, 2 * m), torch.arange(0, m)])
    loss = F.cross_entropy(logits, positives)
    loss.backward()
    save("ntxent", dict(z1=z1, z2=z2, loss=loss.reshape(()), grad_z1=z1.grad, grad_z2=z2.grad,
                        temperature=torch.tensor(tau)))


def masked_bce():
    logits = leaf(5, 3, scale=4.0)
    targets = (torch.rand(5, 3) > 0.5).float()
    targets[0, 1] = float("nan")
    targets[3, :] = float("nan")
    present = ~torch.isnan(targets)
    loss = F.binary_cross_entropy_with_logits(logits[present], targets[present], reduction="sum") / present.sum()
    loss.backward()
    save("masked_bce", dict(logits=logits, targets=targets, loss=loss.reshape(()), grad_logits=logits.grad))


def optimizer_steps(name, make_optimizer):
    torch.manual_seed(7)
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    x, y = torch.randn(6, 5), torch.randn(6, 3)
    initial = {f"initial.{k}": v.clone() for k, v in model.state_dict().items()}
    optimizer = make_optimizer(model.parameters())
    losses = []
    for _ in range(10):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    final = {f"final.{k}": v.clone() for k, v in model.state_dict().items()}
    save(name, dict(x=x, y=y, losses=torch.tensor(losses), **initial, **final))


def check_swift_writer():
    path = OUT / "written_by_swift.safetensors"
    if not path.exists():
        print(f"skip: {path.name} not there yet (run the Swift tests once)")
        return
    tensors = load_file(str(path))
    expected = {
        "ramp_f32": np.array([i * 0.25 - 1 for i in range(6)], dtype=np.float32).reshape(2, 3),
        "inverse": np.array([1 / (i + 1) for i in range(3)], dtype=np.float64),
        "scalar": np.array(3.5, dtype=np.float32),
        "empty": np.zeros((0, 4), dtype=np.float32),
    }
    assert set(tensors) == set(expected), sorted(tensors)
    for key, value in expected.items():
        assert tensors[key].dtype == value.dtype and tensors[key].shape == value.shape, key
        assert np.array_equal(tensors[key], value), key
    with safe_open(str(path), "np") as f:
        assert f.metadata() == {"format": "pt", "written_by": "lgmcl"}, f.metadata()
    print(f"ok: {path.name} loads in Python with the expected values")


def reader_fixture():
    """Exact values by formula, F32 and F64, with metadata: the Swift reader's oracle."""
    save_file({"ramp": torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8,
               "third": torch.tensor([1 / 3, -2 / 3], dtype=torch.float64)},
              str(OUT / "python_written.safetensors"), metadata={"source": "python"})


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    linear()
    layernorm()
    grucell()
    mha()
    ntxent()
    masked_bce()
    optimizer_steps("adam_mlp", lambda p: torch.optim.Adam(p, lr=1e-2, weight_decay=0.1))
    optimizer_steps("adamw_mlp", lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.1))
    reader_fixture()
    check_swift_writer()
    print("fixtures written to", OUT)
