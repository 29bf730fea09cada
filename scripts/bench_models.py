#!/usr/bin/env python3
"""Model benchmark: forward + backward throughput of lgmcl's encoders and fine-tuning model
against PyTorch peers of the same modules, one thread each, on the same batch of real bbbp.csv
molecules. The peers are written to be fast the way a PyTorch user would write them (issue 19):
scripts/pretrain_peer.py's vectorised AttentiveFP and graph transformer on per-batch padded
tensors, Hugging Face's DebertaV2Model padded to each batch's longest text, and the LGM-CL authors'
fingerprint network and cross-attention (their AttentiveFP loops over atoms in Python, and their
graph transformer attends across the whole batch: either would make a ratio meaningless).

Useful FLOPs are what the components need without padding, counted by PyTorch's counter on
unpadded pieces: every molecule alone through the graph transformer, every text alone through
DeBERTa (less the relative table's projections, which a batch computes once); AttentiveFP, the
fingerprint network and the fusion have no padding. The same run's single-thread sgemm rate
(per CPU second, from model-bench) gives each component's ceiling: its useful FLOPs at that rate.

  .venv/bin/python scripts/bench_models.py [--presets small,paper] [--molecules 32] [--authors-repo PATH]

Writes the batch (featurized by the authors' featurizer on Debian's RDKit, as the fixtures are)
to a temporary safetensors file, runs `.build/release/model-bench` on it (`make build` first) and
PyTorch on it, counts FLOPs with torch.utils.flop_counter on the PyTorch side (the same
operations), and writes docs/benchmarks-models.md.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import save_file
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_model_fixtures as fixtures  # noqa: E402  (authors' code fetch, featurizer, tokens)
import pretrain_peer as peer  # noqa: E402  (the vectorised graph encoders)

ROOT = fixtures.ROOT
SIZES = {
    # hidden, gt heads, gt head dim, gt layers, text (d, layers, heads, ffn, buckets, max_rel, positions, smiles, desc),
    # fingerprint (hidden, out), fusion width
    "small": dict(hidden=110, heads=4, head_dim=32, gt_layers=3, text=(128, 4, 4, 512, 64, 256, 160, 96, 160),
                  fp=(256, 128), width=128),
    "paper": dict(hidden=110, heads=19, head_dim=96, gt_layers=3, text=(768, 4, 12, 3072, 256, 512, 512, 256, 256),
                  fp=(512, 300), width=256),
}


def timed(step, repeats):
    step()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.process_time()  # CPU time: the machine is shared, wall time measures waiting
        step()
        times.append(time.process_time() - start)
    return float(np.median(times))


def flops(step):
    with FlopCounterMode(display=False) as counter:
        step()
    return counter.get_total_flops()


def subset(features, count):
    """The first `count` molecules of a featurized batch."""
    a, e = features["atom_offsets"], features["edge_offsets"]
    return dict(features, atom_features=features["atom_features"][:a[count]],
                edge_index=features["edge_index"][:e[count]], bond_features=features["bond_features"][:e[count]],
                atom_offsets=a[:count + 1], edge_offsets=e[:count + 1], fingerprints=features["fingerprints"][:count],
                smiles=features["smiles"][:count])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--presets", default="small,paper")
    parser.add_argument("--molecules", default="small:32,paper:8", help="molecules per preset")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--authors-repo", default=os.environ.get("LGMCL_AUTHORS_REPO"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    results = []
    with tempfile.TemporaryDirectory(prefix="lgmcl-bench-") as scratch:
        commit = fixtures.fetch_authors(args.authors_repo, scratch)
        counts = dict((k, int(v)) for k, v in (item.split(":") for item in args.molecules.split(",")))
        fixtures.ROWS[:] = list(range(max(counts.values())))
        all_features = fixtures.featurize(scratch, scratch)
        sys.path.insert(0, scratch)
        fixtures.stub_rdkit()
        import model as authors_model  # the fingerprint network and the cross-attention

        for preset in args.presets.split(","):
            features = subset(all_features, counts[preset])
            z = SIZES[preset]
            d, layers, heads, ffn, buckets, max_rel, positions, max_smiles, max_desc = z["text"]
            smiles_ids, description_ids, vocab = fixtures.tokenize(list(features["smiles"]), max_smiles, max_desc)
            s_ids, s_mask = fixtures.padded(smiles_ids)
            d_ids, d_mask = fixtures.padded(description_ids)
            batch = Path(scratch) / f"batch-{preset}.safetensors"
            M = len(features["smiles"])
            offsets = features["atom_offsets"]
            edges = features["edge_index"].astype(np.int64).copy()
            for m in range(M):
                edges[features["edge_offsets"][m]:features["edge_offsets"][m + 1]] += offsets[m]
            save_file({"atom_features": features["atom_features"], "bond_features": features["bond_features"],
                       "edge_index": edges.astype(np.int32), "atom_offsets": offsets.astype(np.int64),
                       "fingerprints": features["fingerprints"], "smiles_ids": s_ids, "smiles_mask": s_mask,
                       "description_ids": d_ids, "description_mask": d_mask,
                       "vocab_size": np.asarray([vocab], dtype=np.int64)}, str(batch))

            # lgmcl, one thread.
            env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
            out = subprocess.run([str(ROOT / ".build/release/model-bench"), "--preset", preset, "--batch", str(batch),
                                  "--repeats", str(args.repeats)], check=True, capture_output=True, text=True, env=env)
            swift = {r["component"]: r for r in map(json.loads, out.stdout.strip().splitlines())}
            sgemm = swift.pop("sgemm")["gflops"]

            # PyTorch, the same modules, float32, dropout off.
            torch.set_default_dtype(torch.float32)
            rows = list(range(M))

            def graphs(rows):
                return peer.graph_batch(features["atom_features"], offsets, features["edge_index"],
                                        features["edge_offsets"], features["bond_features"], rows)

            b = graphs(rows)
            sizes = dict(peer.SMALL, hidden=z["hidden"], gt_heads=z["heads"], gt_head_dim=z["head_dim"],
                         gt_layers=z["gt_layers"])
            local = peer.AttentiveFP(sizes).eval()
            glob = peer.GraphTransformer(sizes).eval()
            config = fixtures.text_config(vocab)
            for key, value in dict(hidden_size=d, num_hidden_layers=layers, num_attention_heads=heads,
                                   intermediate_size=ffn, position_buckets=buckets, max_relative_positions=max_rel,
                                   max_position_embeddings=positions).items():
                setattr(config, key, value)
            text = fixtures.DebertaV2Model(config).eval()

            def pooled(ids, mask_):
                ids_t, m = torch.as_tensor(ids).long(), torch.as_tensor(mask_).long()
                hidden = text(input_ids=ids_t, attention_mask=m).last_hidden_state
                w = m.unsqueeze(-1).float()
                return (hidden * w).sum(1) / w.sum(1).clamp(min=1e-6)

            fp = torch.from_numpy(features["fingerprints"])
            fpn = authors_model.FPN(z["fp"][0], 0.1, z["fp"][1]).eval()
            w = z["width"]
            ca = [authors_model.CrossAttention(z["hidden"], z["hidden"], w), authors_model.CrossAttention(d, d, w),
                  authors_model.CrossAttention(w, z["fp"][1], w), authors_model.CrossAttention(w, z["fp"][1], w)]
            mlp = torch.nn.Sequential(torch.nn.Dropout(0.05), torch.nn.Linear(2 * w, 2 * w), torch.nn.ReLU(),
                                      torch.nn.Dropout(0.05), torch.nn.Linear(2 * w, 1)).eval()

            steps = {
                "local": lambda: peer.local_pooled(local, b).sum().backward(),
                "global": lambda: peer.global_pooled(glob, b).sum().backward(),
                "text": lambda: (pooled(s_ids, s_mask).sum() + pooled(d_ids, d_mask).sum()).backward(),
            }

            def finetune():
                l, g = peer.local_pooled(local, b), peer.global_pooled(glob, b)
                s, t = pooled(s_ids, s_mask), pooled(d_ids, d_mask)
                f = fpn.MLP(fp)
                gf, tf = ca[3](ca[0](l, g), f), ca[2](ca[1](s, t), f)
                mlp(torch.cat([gf, tf], 1)).sum().backward()

            steps["finetune"] = finetune
            executed = {component: flops(step) for component, step in steps.items()}
            useful = dict(local=executed["local"])
            useful["global"] = sum(flops(lambda one=graphs([r]): peer.global_pooled(glob, one).sum().backward())
                                   for r in rows)
            texts = [np.asarray(t)[None, :] for t in smiles_ids + description_ids]
            alone = [flops(lambda t=t: pooled(t, np.ones_like(t)).sum().backward()) for t in texts]
            # The relative table's query and key projections, once per encoder call: two calls on one
            # text minus one call on that text twice.
            table = 2 * alone[0] - flops(
                lambda: pooled(np.repeat(texts[0], 2, 0), np.ones((2, texts[0].shape[1]))).sum().backward())
            useful["text"] = sum(alone) - (len(texts) - 2) * table
            useful["finetune"] = (executed["finetune"] - executed["global"] - executed["text"]
                                  + useful["global"] + useful["text"])
            for component, step in steps.items():
                torch_seconds = timed(step, args.repeats)
                results.append(dict(preset=preset, component=component, molecules=M, flops=useful[component],
                                    executed_flops=executed[component], torch_seconds=torch_seconds,
                                    lgmcl_seconds=swift[component]["seconds"], sgemm_gflops=sgemm))
                print(json.dumps(results[-1]), flush=True)
    write_report(results, commit, args)


def write_report(results, commit, args):
    load = os.getloadavg()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    kernel = os.environ.get("OPENBLAS_CORETYPE", "native")
    lines = [
        "# Model benchmark: lgmcl vs PyTorch",
        "",
        "Forward + backward of one batch of bbbp.csv molecules (the first rows; 32 at `small`, 8 at `paper`; featurized by the",
        "authors' featurizer; SMILES and LLM-description token lengths capped at the preset's limits), dropout",
        "off, Float32, **one thread each** (`OPENBLAS_NUM_THREADS=1`, `torch.set_num_threads(1)`), median of",
        f"{args.repeats} runs after a warm-up, timed as **process CPU time** (user + system) on both sides, so that a",
        "shared core moves neither. `finetune` is the whole fine-tuning model (gated fusion, one task) without the",
        "optimizer's update.",
        "",
        "Peers, written to be fast the way a PyTorch user would write them (scripts/bench_models.py): AttentiveFP",
        "vectorised over the batch's atoms and edges and the graph transformer on per-batch padded tensors",
        "(scripts/pretrain_peer.py), Hugging Face `DebertaV2Model` padded to each batch's longest text",
        f"(transformers {__import__('transformers').__version__}), and the LGM-CL authors' fingerprint network and",
        f"cross-attention (lhb0189/LGM-CL {commit[:10]}); torch {torch.__version__}.",
        "",
        "**Useful GFLOP** is what a component needs without padding, counted by PyTorch's counter",
        "(torch.utils.flop_counter) on unpadded pieces: each molecule alone through the graph transformer, each",
        "text alone through DeBERTa less the relative table's projections a batch computes once; **as PyTorch ran**",
        "is the counter on the padded batch. Rates divide the useful count by each side's time. **sgemm** is",
        "the same run's single-thread 2048³ sgemm rate per CPU second (model-bench, lgmcl's OpenBLAS); a",
        "component's **ceiling** is its useful work at that rate.",
        "",
        f"Machine: {cpu}, {os.cpu_count()} cores, OpenBLAS kernel {kernel}; date {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC;",
        f"load average at the end of the run {load[0]:.1f} on {os.cpu_count()} cores. Reproduce: `make build &&",
        ".venv/bin/python scripts/bench_models.py`.",
        "",
        "| preset | component | molecules | useful GFLOP (fwd+bwd) | as PyTorch ran | PyTorch s | lgmcl s | lgmcl molecules/s per core | PyTorch GFLOP/s | lgmcl GFLOP/s | sgemm GFLOP/s | lgmcl / ceiling | speed-up |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        gflop = r["flops"] / 1e9
        torch_rate, lgmcl_rate = gflop / r["torch_seconds"], gflop / r["lgmcl_seconds"]
        lines.append(f"| {r['preset']} | {r['component']} | {r['molecules']} | {gflop:.2f} | {r['executed_flops'] / 1e9:.2f} | "
                     f"{r['torch_seconds']:.3f} | {r['lgmcl_seconds']:.3f} | {r['molecules'] / r['lgmcl_seconds']:.1f} | "
                     f"{torch_rate:.1f} | {lgmcl_rate:.1f} | {r['sgemm_gflops']:.1f} | "
                     f"{100 * lgmcl_rate / r['sgemm_gflops']:.0f}% | {r['torch_seconds'] / r['lgmcl_seconds']:.2f}× |")
    goals = [r for r in results if r["preset"] == "paper" and r["component"] in ("text", "finetune")]
    if goals:
        lines += ["", "Issue 19's goal for the `paper` text and fine-tuning steps: lgmcl's useful rate at least",
                  "min(1.5 × PyTorch's, 80% of the ceiling).", ""]
        for r in goals:
            gflop = r["flops"] / 1e9
            torch_rate, lgmcl_rate = gflop / r["torch_seconds"], gflop / r["lgmcl_seconds"]
            target = min(1.5 * torch_rate, 0.8 * r["sgemm_gflops"])
            lines.append(f"- `paper` {r['component']}: {lgmcl_rate:.1f} GFLOP/s against min(1.5 × {torch_rate:.1f}, "
                         f"0.8 × {r['sgemm_gflops']:.1f}) = {target:.1f}: {'met' if lgmcl_rate >= target else 'not met'}.")
    (ROOT / "docs" / "benchmarks-models.md").write_text("\n".join(lines) + "\n")
    print("wrote docs/benchmarks-models.md")


if __name__ == "__main__":
    main()
