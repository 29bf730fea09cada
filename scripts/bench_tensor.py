#!/usr/bin/env python3
"""Tensor engine benchmark: lgmcl vs PyTorch, one thread each, same machine, same run.

Cases (forward + backward, Float32):
  transformer_layer  pre-LN encoder layer, batch 128 x 64 tokens, d 256, 8 heads, FFN 1024, GELU
  mlp3               batch 2048, Linear 512-1024-1024-256 with ReLU
The PyTorch side builds the same computation from torch ops (nn.Linear, nn.LayerNorm, matmul,
softmax, GELU). lgmcl's numbers come from `lgmcl-dist benchmark ops --json`, which also reports
the time spent inside sgemm and the rate of bare sgemm on the same call shapes.

Run: make build venv && .venv/bin/python scripts/bench_tensor.py   (writes docs/benchmarks-tensor.md)
"""
import datetime
import json
import os
import pathlib
import platform
import statistics
import subprocess
import time

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
import torch  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
ITERATIONS = 5
torch.set_num_threads(1)


class Layer(torch.nn.Module):
    def __init__(self, d=256, heads=8, hidden=1024):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (torch.nn.Linear(d, d) for _ in range(4))
        self.up, self.down = torch.nn.Linear(d, hidden), torch.nn.Linear(hidden, d)

    def forward(self, x):
        b, t, d = x.shape
        h = self.norm1(x)
        split = lambda y: y.reshape(b, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        p = torch.softmax(q @ k.transpose(-1, -2) / (d // self.heads) ** 0.5, dim=-1)
        x = x + self.o((p @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.down(torch.nn.functional.gelu(self.up(self.norm2(x))))


def time_torch(model, x):
    def step():
        model.zero_grad()
        model(x).mean().backward()
    step()
    times = []
    for _ in range(ITERATIONS):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main():
    torch.manual_seed(0)
    mlp = torch.nn.Sequential(torch.nn.Linear(512, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 1024),
                              torch.nn.ReLU(), torch.nn.Linear(1024, 256))
    peers = {
        "transformer_layer": time_torch(Layer(), torch.randn(128, 64, 256)),
        "mlp3": time_torch(mlp, torch.randn(2048, 512)),
    }
    out = subprocess.run([str(ROOT / ".build/release/lgmcl-dist"), "benchmark", "ops", "--json",
                          "--iterations", str(ITERATIONS)], check=True, capture_output=True, text=True).stdout
    ours = {row["case"]: row for row in map(json.loads, out.strip().splitlines())}
    load = os.getloadavg()[0]
    lines = [
        "# Tensor engine benchmark",
        "",
        f"Written by `scripts/bench_tensor.py` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC.",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average {load:.1f} at the end of the run",
        f"(shared machine: other builds were running, so absolute times are noisy; both sides ran in the same minutes).",
        f"lgmcl: {next(iter(ours.values()))['blas']}, {next(iter(ours.values()))['blas_threads']} thread. "
        f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread.",
        "",
        "Forward + backward per iteration, median of "
        f"{ITERATIONS} after one warm-up (min in parentheses), Float32.",
        "",
        "| case | lgmcl s | PyTorch s | lgmcl / PyTorch | lgmcl time in sgemm | sgemm rate in lgmcl | bare sgemm rate, same shapes | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for case, (median, best) in peers.items():
        r = ours[case]
        lines.append(
            f"| {case} ({r['shape']}) | {r['seconds_median']:.3f} ({r['seconds_min']:.3f}) | {median:.3f} ({best:.3f}) | "
            f"{r['seconds_median'] / median:.2f} | {r['gemm_seconds']:.3f} s ({100 * r['gemm_seconds'] / r['seconds_median']:.0f}%) | "
            f"{r['gemm_gflops_rate']:.1f} GFLOP/s | {r['bare_sgemm_gflops_rate']:.1f} GFLOP/s | "
            f"{100 * r['gemm_gflops_rate'] / r['bare_sgemm_gflops_rate']:.0f}% |")
    lines += [
        "",
        "\"sgemm rate in lgmcl\" is the flop count of the engine's gemm calls over the time spent inside them;",
        "\"bare sgemm\" replays the same calls (shapes, transposes) on cblas_sgemm with fresh operands.",
        "PyTorch's CPU wheel runs its matrix products on its own BLAS (MKL/oneDNN), lgmcl on Debian's OpenBLAS;",
        "the rest of lgmcl's time is its own kernels (attention permutes, softmax, LayerNorm, GELU, bias and",
        "gradient-buffer passes), the part to optimise next for the transformer layer.",
        "",
    ]
    (ROOT / "docs/benchmarks-tensor.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
