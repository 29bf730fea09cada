#!/usr/bin/env python3
"""The PyTorch peer of lgmcl's joint pretraining step (`--stage joint`, issue 19), for throughput
comparisons on the same CPU and the same HDF5 file that `lgmcl-dist preprocess` wrote.

  .venv/bin/python scripts/pretrain_peer.py DATA.h5 [--preset small] [--batch-size 128]
      [--molecules 4096] [--warmup-steps 1] [--steps 8] [--threads 1] [--json]

One step is what lgmcl's joint step computes at one rank: the local encoder (AttentiveFP) and the
global encoder (MAT-style graph transformer) of every molecule through the shared graph
projection head, NT-Xent between them; the SMILES and the description through one Hugging Face
DebertaV2Model and the text head, NT-Xent between them; the sum of both losses; backward; Adam.
Dropout is on everywhere lgmcl has it (docs/models.md). Written to be fast the way a PyTorch user
would write it, so that the ratio measures the engines and not a slow peer:
- AttentiveFP is vectorised over all atoms and edges of the batch (gather, `index_add_`,
  `scatter_reduce` for the per-atom softmax); no Python loop over molecules or atoms (the
  authors' module loops, and is 15–26× slower than lgmcl's).
- The graph transformer runs on dense tensors padded per batch to its largest molecule
  (M × N × d), the key mask hiding padded atoms; attention never crosses molecules.
- DeBERTa pads each text to the longest sequence of the batch (SMILES ≤ 96, descriptions ≤ 160
  tokens, a longer one keeping its first L−1 tokens and its last, as lgmcl's reader does).
The settings are printed first; with --json the last line is one JSON object.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# The `small` preset (Sources/LGMCL/Models/ModelConfiguration.swift); only `small` is implemented.
SMALL = dict(atom_features=57, bond_features=15, hidden=110, afp_dropout=0.5,
             gt_layers=3, gt_heads=4, gt_head_dim=32, gt_attention_dropout=0.5, gt_dropout=0.05,
             projection_hidden=[512, 256], projection_dropout=0.05,
             text_hidden=128, text_layers=4, text_heads=4, text_ffn=512, text_buckets=64,
             text_max_relative=256, text_positions=160, max_smiles=96, max_description=160,
             text_dropout=0.1, text_head_dropout=0.05)
SLOPE = 0.01


def leaky(x):
    return F.leaky_relu(x, SLOPE)


class AttentiveFP(nn.Module):
    """docs/models.md, "Local encoder": two layers (GATlayerV1, then GATlayerV2), GRU updates,
    messages along directed edges source → target, mean of the layer outputs → Linear → GELU."""

    def __init__(self, c):
        super().__init__()
        h, self.p = c["hidden"], c["afp_dropout"]
        self.fc1 = nn.Linear(c["atom_features"], h)
        self.fc2 = nn.Linear(c["atom_features"] + c["bond_features"], h)
        self.score1 = nn.Linear(2 * h, 1)
        self.attend = nn.Linear(h, h)
        self.gru1 = nn.GRUCell(h, h)
        self.score2 = nn.Linear(2 * h, 1)
        self.transform2 = nn.Linear(h, h)
        self.gru2 = nn.GRUCell(h, h)
        self.linear = nn.Linear(h, h)

    def softmax_by_target(self, scores, target, atoms):
        # Per-atom softmax over incoming edges, shifted by each atom's maximum for stability.
        peak = torch.full((atoms,), -torch.inf).scatter_reduce(0, target, scores, "amax", include_self=True)
        e = torch.exp(scores - peak[target])
        return e / torch.zeros(atoms).index_add_(0, target, e)[target]

    def layer(self, h, scores, messages, target, isolated, gru):
        alpha = self.softmax_by_target(scores, target, h.shape[0])
        context = torch.zeros_like(h).index_add_(0, target, alpha.unsqueeze(1) * messages)
        # An atom without neighbours keeps its own state as context, without ELU (docs/models.md).
        context = torch.where(isolated, h, F.elu(context))
        return gru(context, h)

    def forward(self, x, bonds, source, target, isolated):
        h0 = leaky(self.fc1(x))
        m = leaky(self.fc2(torch.cat([x[source], bonds], 1)))
        s = leaky(self.score1(F.dropout(torch.cat([h0[target], m], 1), self.p, self.training))).squeeze(1)
        h1 = self.layer(h0, s, self.attend(F.dropout(h0, self.p, self.training))[source], target, isolated, self.gru1)
        s = leaky(self.score2(F.dropout(torch.cat([h1[target], h1[source]], 1), self.p, self.training))).squeeze(1)
        h2 = self.layer(h1, s, self.transform2(F.dropout(h1, self.p, self.training))[source], target, isolated, self.gru2)
        return F.gelu(self.linear((h1 + h2) / 2))


class GraphTransformer(nn.Module):
    """docs/models.md, "Global encoder": pre-LN MAT layers on padded M × N × d tensors,
    P = λ₀ softmax(QKᵀ/√d_k + mask) + λ₁ Â/(rowsum Â + 1e-6), dropout 0.5 on P."""

    def __init__(self, c):
        super().__init__()
        self.heads, self.dk = c["gt_heads"], c["gt_head_dim"]
        d = self.heads * self.dk
        self.pa, self.p = c["gt_attention_dropout"], c["gt_dropout"]
        self.embed = nn.Linear(c["atom_features"], d)
        self.layers = nn.ModuleList()
        for _ in range(c["gt_layers"]):
            layer = nn.Module()
            layer.qkv = nn.ModuleList([nn.Linear(d, d) for _ in range(4)])
            layer.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))
            layer.ff = nn.ModuleList([nn.Linear(d, d) for _ in range(2)])
            layer.norms = nn.ModuleList([nn.LayerNorm(d) for _ in range(2)])
            self.layers.append(layer)
        self.norm = nn.LayerNorm(d)
        self.linear = nn.Linear(d, c["hidden"])

    def forward(self, x, adjacency, key_mask):
        M, N, _ = x.shape
        h, dk = self.heads, self.dk
        x = F.dropout(self.embed(x), self.p, self.training)
        bias = torch.zeros(M, 1, 1, N).masked_fill(~key_mask[:, None, None, :], -1e9)
        a_hat = adjacency + torch.eye(N)
        p_adj = (a_hat / (a_hat.sum(-1, keepdim=True) + 1e-6)).unsqueeze(1)
        for layer in self.layers:
            y = layer.norms[0](x)
            q, k, v = (lin(y).view(M, N, h, dk).transpose(1, 2) for lin in layer.qkv[:3])
            p_att = torch.softmax(q @ k.transpose(-1, -2) / dk ** 0.5 + bias, -1)
            p = F.dropout(layer.lambdas[0] * p_att + layer.lambdas[1] * p_adj, self.pa, self.training)
            attended = (p @ v).transpose(1, 2).reshape(M, N, h * dk)
            x = x + F.dropout(layer.qkv[3](attended), self.p, self.training)
            y = layer.norms[1](x)
            for lin in layer.ff:
                y = F.dropout(leaky(lin(y)), self.p, self.training)
            x = x + F.dropout(y, self.p, self.training)
        return F.gelu(self.linear(self.norm(x)))


def head(sizes, activation, p):
    """Linear–activation–Dropout repeated, then a final Linear (the projection heads)."""
    modules = []
    for a, b in zip(sizes[:-2], sizes[1:-1]):
        modules += [nn.Linear(a, b), activation(), nn.Dropout(p)]
    return nn.Sequential(*modules, nn.Linear(sizes[-2], sizes[-1]))


def nt_xent(z1, z2, tau):
    """SimCLR's loss on [z1; z2]: each row against the other 2M − 1, its positive M rows away."""
    m = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    logits = (z @ z.t() / tau).masked_fill(torch.eye(2 * m, dtype=torch.bool), -torch.inf)
    return F.cross_entropy(logits, (torch.arange(2 * m) + m) % (2 * m))


class Dataset:
    """The first `molecules` molecules of an lgmcl HDF5 file (docs/data-format.md), in memory."""

    def __init__(self, path, molecules):
        with h5py.File(path, "r") as f:
            n = min(molecules, int(f.attrs["num_molecules"]))
            self.count = n
            self.atom_offsets = f["graph/atom_offsets"][: n + 1]
            self.edge_offsets = f["graph/edge_offsets"][: n + 1]
            self.atom_features = f["graph/atom_features"][: self.atom_offsets[-1]]
            self.edge_index = f["graph/edge_index"][: self.edge_offsets[-1]].astype(np.int64)
            self.bond_features = f["graph/bond_features"][: self.edge_offsets[-1]]
            self.vocabulary = len(f["text/vocab"])
            self.texts = {}
            for name in ("smiles", "description"):
                offsets = f[f"text/{name}_offsets"][: n + 1]
                tokens = f[f"text/{name}_tokens"][: offsets[-1]]
                self.texts[name] = [tokens[offsets[i]:offsets[i + 1]] for i in range(n)]

    @staticmethod
    def padded(sequences, limit):
        """Ids and mask padded to the longest sequence (at most `limit`; a longer one keeps its
        first limit − 1 tokens and its last)."""
        cut = [s if len(s) <= limit else np.concatenate([s[: limit - 1], s[-1:]]) for s in sequences]
        length = max(len(s) for s in cut)
        ids = np.zeros((len(cut), length), np.int64)
        mask = np.zeros((len(cut), length), np.int64)
        for i, s in enumerate(cut):
            ids[i, : len(s)], mask[i, : len(s)] = s, 1
        return torch.from_numpy(ids), torch.from_numpy(mask)

    def batch(self, rows, c):
        """Tensors of one batch: packed graph (for AttentiveFP), padded graph (for the graph
        transformer), padded SMILES and description ids with masks."""
        return dict(graph_batch(self.atom_features, self.atom_offsets, self.edge_index, self.edge_offsets,
                                self.bond_features, rows),
                    smiles=self.padded([self.texts["smiles"][r] for r in rows], c["max_smiles"]),
                    description=self.padded([self.texts["description"][r] for r in rows], c["max_description"]))


def graph_batch(atom_features, atom_offsets, edge_index, edge_offsets, bond_features, rows):
    """The graphs of molecules `rows` twice: packed (atoms and directed edges of the batch, source →
    target, for AttentiveFP) and padded to the batch's largest molecule (M × N, for the graph
    transformer). edge_index holds each molecule's edges in its own atom numbering."""
    atoms = [np.arange(atom_offsets[r], atom_offsets[r + 1]) for r in rows]
    counts = np.array([len(a) for a in atoms])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    x = torch.from_numpy(atom_features[np.concatenate(atoms)])
    edges, bonds = [], []
    for r, start in zip(rows, starts):
        e0, e1 = edge_offsets[r], edge_offsets[r + 1]
        edges.append(edge_index[e0:e1].astype(np.int64) + start)
        bonds.append(bond_features[e0:e1])
    edges = torch.from_numpy(np.concatenate(edges))
    A, M, N = int(counts.sum()), len(rows), int(counts.max())
    molecule = torch.from_numpy(np.repeat(np.arange(M), counts))
    slot = torch.from_numpy(np.concatenate([np.arange(n) for n in counts]))
    degree = torch.zeros(A, dtype=torch.long).index_add_(0, edges[:, 1], torch.ones(len(edges), dtype=torch.long))
    dense = torch.zeros(M, N, x.shape[1])
    dense[molecule, slot] = x
    adjacency = torch.zeros(M, N, N)
    adjacency[molecule[edges[:, 0]], slot[edges[:, 0]], slot[edges[:, 1]]] = 1
    key_mask = torch.zeros(M, N, dtype=torch.bool)
    key_mask[molecule, slot] = True
    return dict(x=x, bonds=torch.from_numpy(np.concatenate(bonds)), source=edges[:, 0], target=edges[:, 1],
                isolated=(degree == 0).unsqueeze(1), molecule=molecule, counts=torch.from_numpy(counts).float(),
                dense=dense, adjacency=adjacency, key_mask=key_mask)


def local_pooled(model, b):
    """The mean of AttentiveFP's atom vectors per molecule (M × hidden)."""
    atoms = model(b["x"], b["bonds"], b["source"], b["target"], b["isolated"])
    return torch.zeros(len(b["counts"]), atoms.shape[1]).index_add_(0, b["molecule"], atoms) / b["counts"][:, None]


def global_pooled(model, b):
    """The mean of the graph transformer's atom vectors per molecule, padding left out (M × hidden)."""
    atoms = model(b["dense"], b["adjacency"], b["key_mask"])
    return (atoms * b["key_mask"].unsqueeze(-1).float()).sum(1) / b["counts"][:, None]


class JointModel(nn.Module):
    def __init__(self, c, vocabulary):
        super().__init__()
        from transformers import DebertaV2Config, DebertaV2Model
        self.local = AttentiveFP(c)
        self.glob = GraphTransformer(c)
        h = c["hidden"]
        self.graph_head = head([h, *c["projection_hidden"], h], nn.ReLU, c["projection_dropout"])
        config = DebertaV2Config(
            vocab_size=vocabulary, hidden_size=c["text_hidden"], num_hidden_layers=c["text_layers"],
            num_attention_heads=c["text_heads"], intermediate_size=c["text_ffn"], hidden_act="gelu",
            hidden_dropout_prob=c["text_dropout"], attention_probs_dropout_prob=c["text_dropout"],
            max_position_embeddings=c["text_positions"], type_vocab_size=0, layer_norm_eps=1e-7,
            relative_attention=True, position_buckets=c["text_buckets"],
            max_relative_positions=c["text_max_relative"], norm_rel_ebd="layer_norm", share_att_key=True,
            pos_att_type=["p2c", "c2p"], position_biased_input=True, conv_kernel_size=3, conv_act="gelu",
            pad_token_id=0)
        self.text = DebertaV2Model(config)
        d = c["text_hidden"]
        self.text_head = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Dropout(c["text_head_dropout"]), nn.Linear(d, d))

    def pooled(self, ids, mask):
        hidden = self.text(input_ids=ids, attention_mask=mask).last_hidden_state
        w = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * w).sum(1) / w.sum(1).clamp(min=1e-6)

    def loss(self, b, tau):
        local, glob = local_pooled(self.local, b), global_pooled(self.glob, b)
        graph = nt_xent(self.graph_head(local), self.graph_head(glob), tau)
        s, d = self.pooled(*b["smiles"]), self.pooled(*b["description"])
        text = nt_xent(self.text_head(s), self.text_head(d), tau)
        return graph + text, graph.item(), text.item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data")
    parser.add_argument("--preset", default="small", choices=["small"])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--molecules", type=int, default=4096, help="the first N molecules of the file")
    parser.add_argument("--warmup-steps", type=int, default=1)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    c = SMALL
    data = Dataset(args.data, args.molecules)
    model = JointModel(c, data.vocabulary).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-3)
    import transformers
    settings = dict(peer="PyTorch", torch=torch.__version__, transformers=transformers.__version__,
                    python=platform.python_version(), threads=torch.get_num_threads(), preset=args.preset,
                    stage="joint", batch=args.batch_size, molecules=data.count, warmup_steps=args.warmup_steps,
                    steps=args.steps, parameters=sum(p.numel() for p in model.parameters()),
                    vocabulary=data.vocabulary, temperature=0.1, optimizer="Adam lr 1e-4 weight decay 1e-3",
                    dropout="on (train mode)", mkldnn=torch.backends.mkldnn.is_available(),
                    cpu_capability=torch.backends.cpu.get_cpu_capability())
    print("pretrain_peer: " + ", ".join(f"{k} {v}" for k, v in settings.items()), flush=True)
    # Batches in a shuffled order of the molecules, as lgmcl's reader visits them.
    order = np.random.default_rng(args.seed).permutation(data.count)
    batches = len(order) // args.batch_size
    times, cpu_times, losses, lengths = [], [], [], []
    for step in range(args.warmup_steps + args.steps):
        rows = order[(step % batches) * args.batch_size:(step % batches + 1) * args.batch_size]
        # Batch assembly is outside the timed step: lgmcl's reader prepares batches on a
        # background thread, a PyTorch user would use DataLoader workers.
        b = data.batch(rows, c)
        started, cpu_started = time.perf_counter(), time.process_time()
        optimizer.zero_grad(set_to_none=True)
        loss, graph, text = model.loss(b, 0.1)
        loss.backward()
        optimizer.step()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        if step >= args.warmup_steps:
            times.append(seconds)
            cpu_times.append(cpu)
            losses.append(loss.item())
            lengths.append((b["smiles"][0].shape[1], b["description"][0].shape[1], b["dense"].shape[1]))
        print(f"pretrain_peer: step {step + 1}{' (warm-up)' if step < args.warmup_steps else ''}: "
              f"{seconds:.3f} s (CPU {cpu:.3f} s), loss {loss.item():.4f} (graph {graph:.4f}, text {text:.4f}), "
              f"padded lengths SMILES {b['smiles'][0].shape[1]}, description {b['description'][0].shape[1]}, atoms {b['dense'].shape[1]}",
              flush=True)
    total = sum(times)
    result = dict(settings, seconds=total, step_seconds=total / len(times),
                  step_seconds_median=statistics.median(times), step_seconds_min=min(times),
                  step_seconds_max=max(times), molecules_per_second=args.batch_size * len(times) / total,
                  # Process CPU time: on a shared machine, wall time also counts waiting for a core.
                  cpu_seconds_per_step=sum(cpu_times) / len(cpu_times),
                  final_loss=losses[-1], load_average=list(os.getloadavg()), padded_lengths=lengths)
    print(f"pretrain_peer: {result['molecules_per_second']:.1f} molecules/s, {result['step_seconds']:.3f} s per step "
          f"(median {result['step_seconds_median']:.3f}, {min(times):.3f}–{max(times):.3f}), "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
