#!/usr/bin/env python3
"""Model benchmark: forward + backward throughput of lgmcl's encoders and fine-tuning model
against the same PyTorch modules (the LGM-CL authors' AttentiveFP, graph transformer and fusion;
Hugging Face's DebertaV2Model), one thread each, on the same batch of real bbbp.csv molecules.

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
        sys.path.insert(0, f"{scratch}/Molecular_Graph")
        sys.path.insert(0, scratch)
        fixtures.stub_rdkit()
        import graph_model
        import model as authors_model

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
            swift = {r["component"]: r["seconds"] for r in map(json.loads, out.stdout.strip().splitlines())}

            # PyTorch, the same modules, float32, dropout off.
            torch.set_default_dtype(torch.float32)
            atoms = torch.from_numpy(features["atom_features"])
            bonds = torch.from_numpy(features["bond_features"])
            bond_dict = {(int(s), int(t)): bonds[e] for e, (s, t) in enumerate(edges)}
            A = int(offsets[-1])
            adjacency = torch.eye(A)
            mask = torch.full((A, A), -1e9)
            index = [(int(offsets[m]), int(offsets[m + 1] - offsets[m])) for m in range(M)]
            for s, t in edges:
                adjacency[s, t] = 1
            for a, n in index:
                mask[a:a + n, a:a + n] = 0
            local = graph_model.GAT(57, 15, z["hidden"], 0.5, 0.01, 1.0, 2).eval()
            glob = graph_model.GT(z["hidden"], 57, z["gt_layers"], z["heads"], z["heads"] * z["head_dim"],
                                  0.5, 0.01, 0.05, 1.0, "False", 2, "LN").eval()
            config = fixtures.text_config(vocab)
            for key, value in dict(hidden_size=d, num_hidden_layers=layers, num_attention_heads=heads,
                                   intermediate_size=ffn, position_buckets=buckets, max_relative_positions=max_rel,
                                   max_position_embeddings=positions).items():
                setattr(config, key, value)
            text = fixtures.DebertaV2Model(config).eval()

            def pooled(ids, mask_):
                ids_t, m = torch.from_numpy(ids).long(), torch.from_numpy(mask_).long()
                hidden = text(input_ids=ids_t, attention_mask=m).last_hidden_state
                w = m.unsqueeze(-1).float()
                return (hidden * w).sum(1) / w.sum(1).clamp(min=1e-6)

            def mean_atoms(x):
                return torch.stack([x[a:a + n].mean(0) for a, n in index])

            fp = torch.from_numpy(features["fingerprints"])
            fpn = authors_model.FPN(z["fp"][0], 0.1, z["fp"][1]).eval()
            w = z["width"]
            ca = [authors_model.CrossAttention(z["hidden"], z["hidden"], w), authors_model.CrossAttention(d, d, w),
                  authors_model.CrossAttention(w, z["fp"][1], w), authors_model.CrossAttention(w, z["fp"][1], w)]
            mlp = torch.nn.Sequential(torch.nn.Dropout(0.05), torch.nn.Linear(2 * w, 2 * w), torch.nn.ReLU(),
                                      torch.nn.Dropout(0.05), torch.nn.Linear(2 * w, 1)).eval()

            steps = {
                "local": lambda: mean_atoms(local(atoms, bond_dict)).sum().backward(),
                "global": lambda: mean_atoms(glob(atoms, mask, adjacency)[0]).sum().backward(),
                "text": lambda: (pooled(s_ids, s_mask).sum() + pooled(d_ids, d_mask).sum()).backward(),
            }

            def finetune():
                l, g = mean_atoms(local(atoms, bond_dict)), mean_atoms(glob(atoms, mask, adjacency)[0])
                s, t = pooled(s_ids, s_mask), pooled(d_ids, d_mask)
                f = fpn.MLP(fp)
                gf, tf = ca[3](ca[0](l, g), f), ca[2](ca[1](s, t), f)
                mlp(torch.cat([gf, tf], 1)).sum().backward()

            steps["finetune"] = finetune
            for component, step in steps.items():
                # The authors' AttentiveFP loops over atoms × edges in Python; one timed run is plenty.
                repeats = 1 if component in ("local", "finetune") else args.repeats
                torch_seconds = timed(step, repeats)
                count = flops(step)
                results.append(dict(preset=preset, component=component, molecules=M, flops=count,
                                    torch_seconds=torch_seconds, lgmcl_seconds=swift[component]))
                print(json.dumps(results[-1]), flush=True)
    write_report(results, commit, args)


def write_report(results, commit, args):
    load = os.getloadavg()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    lines = [
        "# Model benchmark: lgmcl vs PyTorch",
        "",
        "Forward + backward of one batch of bbbp.csv molecules (the first rows; 32 at `small`, 8 at `paper`; featurized by the",
        "authors' featurizer; SMILES and LLM-description token lengths capped at the preset's limits), dropout",
        "off, Float32, **one thread each** (`OPENBLAS_NUM_THREADS=1`, `torch.set_num_threads(1)`), median of",
        f"{args.repeats} runs after a warm-up (one run for the authors' AttentiveFP, whose Python loops make it slow),",
        "timed as **process CPU time** (user + system) on both sides, because the machine was shared.",
        "Peers: the LGM-CL authors' modules (AttentiveFP, graph transformer with its batch-wide masked",
        "attention, FPN, CrossAttention; lhb0189/LGM-CL " + commit[:10] + ") and HF `DebertaV2Model`",
        f"(transformers {__import__('transformers').__version__}), torch {torch.__version__}. FLOPs are PyTorch's",
        "count (torch.utils.flop_counter) of the PyTorch run; lgmcl's GFLOP/s divides the same count",
        "by lgmcl's time (the graph transformer's count includes the cross-molecule attention lgmcl skips).",
        "",
        f"Machine: {cpu}, {os.cpu_count()} cores; date {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC; load average",
        f"at the end of the run {load[0]:.1f} on {os.cpu_count()} cores (shared with other builds; CPU time",
        "keeps the comparison fair, caches and memory bandwidth were still shared). Reproduce: `make build &&",
        ".venv/bin/python scripts/bench_models.py`.",
        "",
        "| preset | component | molecules | GFLOP (fwd+bwd) | PyTorch s | lgmcl s | lgmcl molecules/s per core | PyTorch GFLOP/s | lgmcl GFLOP/s | speed-up |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        gflop = r["flops"] / 1e9
        lines.append(f"| {r['preset']} | {r['component']} | {r['molecules']} | {gflop:.2f} | {r['torch_seconds']:.3f} | "
                     f"{r['lgmcl_seconds']:.3f} | {r['molecules'] / r['lgmcl_seconds']:.1f} | "
                     f"{gflop / r['torch_seconds']:.1f} | {gflop / r['lgmcl_seconds']:.1f} | "
                     f"{r['torch_seconds'] / r['lgmcl_seconds']:.2f}× |")
    (ROOT / "docs" / "benchmarks-models.md").write_text("\n".join(lines) + "\n")
    print("wrote docs/benchmarks-models.md")


if __name__ == "__main__":
    main()
