#!/usr/bin/env python3
"""Parity fixtures for lgmcl's models (Tests/LGMCLTests/Fixtures/models/).

Oracles are independent implementations, not a transcription of lgmcl's own reading of the paper:
- the local encoder (AttentiveFP), the graph transformer, the graph projection head, the
  fingerprint MLP, the four gated cross-attention blocks and the prediction MLP are the LGM-CL
  authors' own PyTorch modules (lhb0189/LGM-CL: Molecular_Graph/graph_model.py,
  model_gnn_pre.py, model.py), fetched into a temporary directory at generation time and never
  committed; their CUDA calls are rewritten to CPU in that copy;
- the text encoder is Hugging Face `transformers.DebertaV2Model`, configured as lgmcl's encoder
  (absolute positions at the input, conv after layer 1 with GELU, log buckets, shared position
  projections, LayerNorm eps 1e-7).
The molecules are real bbbp.csv rows, featurized by the authors' featurizer on Debian's RDKit
(scripts/model_fixture_inputs.py under /usr/bin/python3), so the bond-direction slots carry the
authors' values.

Every weight is drawn at the `tiny` preset size, perturbed away from its default init (LayerNorm
scales ≠ 1, λ ≠ (1, 0), so every path matters), rounded to float32 and stored; the forward and the
gradients are then computed in float64 with dropout off, and stored as float32. Each entry point
(graph pretraining, text pretraining, fine-tuning) has its own file with its inputs, outputs, the
random cotangents R of the scalar loss L = Σ R ∘ output, and dL/dθ for every parameter it uses.

explain.safetensors holds Captum's integrated gradients of the fine-tuning model (captum from
PyPI, in .venv).

Usage (from the repository root; `make venv` first, python3-rdkit installed by `make setup-oracles`):
    .venv/bin/python scripts/make_model_fixtures.py [--authors-repo PATH_OR_URL]
PATH may be a clone or a bare git directory of lhb0189/LGM-CL; the default clones it from GitHub.
"""
import argparse
import csv
import importlib.machinery
import json
import os
import re
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from safetensors.numpy import save_file
from transformers import DebertaV2Config, DebertaV2Model
from transformers.models.deberta_v2.modeling_deberta_v2 import make_log_bucket_position

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"  # llm_text/: lgmcl-dist datasets download llm-text
OUT = ROOT / "Tests" / "LGMCLTests" / "Fixtures" / "models"
AUTHORS_URL = "https://github.com/lhb0189/LGM-CL"
AUTHORS_FILES = [
    "Molecular_Graph/graph.py", "Molecular_Graph/graph_model.py", "Molecular_Graph/model_gnn_pre.py",
    "model.py", "PubChemFP.py",
]
# bbbp.csv data rows: a salt with an isolated [Cl] atom, a triple bond (the authors' bond-direction
# slot fires on it), E/Z stereo and chirality, three isolated Na+ ions, a small chiral amine.
ROWS = [0, 25, 74, 118, 21]
TASKS = 2
IG_STEPS = 16

# The `tiny` preset (DESIGN.md); the Swift test checks its preset against this.
TINY = dict(
    atom_features=57, bond_features=15,
    local_layers=2, local_hidden=32, local_dropout=0.5,
    gt_layers=2, gt_heads=2, gt_head_dim=16, gt_output=32,
    graph_projection_hidden=[64], graph_projection_output=32,
    text_layers=2, text_hidden=32, text_heads=2, text_ffn=64, text_buckets=16, text_max_relative=64,
    text_max_positions=64, text_projection_hidden=[32], text_projection_output=32,
    fusion_width=32, fingerprint_hidden=64, fingerprint_output=32,
)


def fetch_authors(source, into):
    """Copies the authors' files into `into`, rewriting device moves to the CPU."""
    repo = Path(source) if source and Path(source).exists() else None
    if repo is None:
        clone = Path(into) / "clone"
        subprocess.run(["git", "clone", "--depth", "1", source or AUTHORS_URL, str(clone)], check=True)
        repo = clone
    git_dir = repo / ".git" if (repo / ".git").exists() else repo
    for name in AUTHORS_FILES:
        text = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"HEAD:{name}"],
                              check=True, capture_output=True, text=True).stdout
        if name.endswith(".py") and name != "PubChemFP.py":
            text = text.replace('"cuda"', '"cpu"').replace(".cuda()", ".cpu()")
        target = Path(into) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    commit = subprocess.run(["git", f"--git-dir={git_dir}", "rev-parse", "HEAD"],
                            check=True, capture_output=True, text=True).stdout.strip()
    return commit


def featurize(authors_dir, scratch):
    out = Path(scratch) / "features.npz"
    subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "model_fixture_inputs.py"),
                    "--authors-dir", authors_dir, "--csv", str(DATA / "moleculenet" / "bbbp.csv"),
                    "--rows", ",".join(map(str, ROWS)), "--output", str(out)], check=True)
    return dict(np.load(out))


def tokenize(smiles, max_smiles=None, max_description=None):
    """Token ids for the text fixtures. Any ids would do for the encoder; these come from the
    molecules' SMILES (regex tokens) and their LLM descriptions (words) so lengths are realistic.
    Id 0 is padding, 1 and 2 open and close a sequence."""
    smiles_pattern = re.compile(r"(\[[^\]]+]|Br|Cl|%\d{2}|[A-Za-z]|\d|[=#$/\\().+\-@*:~])")
    descriptions = {}
    with open(DATA / "llm_text" / "bbbp_llm.csv", newline="") as f:
        llm_rows = list(csv.DictReader(f))
    for row in llm_rows:
        descriptions[row["smiles"]] = row["description"]
    vocab = {"[PAD]": 0, "[CLS]": 1, "[SEP]": 2}

    def ids(tokens, limit):
        tokens = tokens[: limit - 2]
        return [1] + [vocab.setdefault(t, len(vocab)) for t in tokens] + [2]

    smiles_ids, description_ids = [], []
    for i, s in enumerate(smiles):
        smiles_ids.append(ids(smiles_pattern.findall(s), max_smiles or TINY["text_max_positions"]))
        # Molecules the authors dropped from their text set borrow the i-th description.
        text = descriptions.get(s, llm_rows[i]["description"])
        words = re.findall(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]", text.lower())
        # Different lengths per molecule exercise padding and masking.
        description_ids.append(ids(words, max_description or 24 + 9 * i))
    return smiles_ids, description_ids, len(vocab)


def padded(sequences):
    length = max(map(len, sequences))
    ids = np.zeros((len(sequences), length), dtype=np.int32)
    mask = np.zeros((len(sequences), length), dtype=np.int32)
    for i, s in enumerate(sequences):
        ids[i, : len(s)] = s
        mask[i, : len(s)] = 1
    return ids, mask


def perturb(module, generator):
    """Moves every parameter away from its init, rounded to float32 values."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("lambdas"):
                p.copy_(torch.tensor([0.8, 0.35]))
            elif "LayerNorm" in name or "norm" in name.split(".")[-2]:
                base = 1.0 if name.endswith("weight") else 0.0
                p.copy_(base + 0.2 * torch.randn(p.shape, generator=generator, dtype=torch.float64))
            else:
                p.add_(0.05 * torch.randn(p.shape, generator=generator, dtype=torch.float64))
            p.copy_(p.float().double())


def projection_head(sizes, activation):
    """Linear–act–Dropout–…–Linear, the authors' head shape with configurable widths."""
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers += [activation(), nn.Dropout(0.05)]
    return nn.Sequential(*layers)


def text_config(vocab_size):
    return DebertaV2Config(
        vocab_size=vocab_size, hidden_size=TINY["text_hidden"], num_hidden_layers=TINY["text_layers"],
        num_attention_heads=TINY["text_heads"], intermediate_size=TINY["text_ffn"], hidden_act="gelu",
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
        max_position_embeddings=TINY["text_max_positions"], type_vocab_size=0, layer_norm_eps=1e-7,
        relative_attention=True, position_buckets=TINY["text_buckets"],
        max_relative_positions=TINY["text_max_relative"], norm_rel_ebd="layer_norm", share_att_key=True,
        pos_att_type=["p2c", "c2p"], position_biased_input=True, conv_kernel_size=3, conv_act="gelu",
        pad_token_id=0,
    )


def relative_buckets(buckets, max_relative, length):
    """HF's bucket of every relative distance −(length−1)…length−1."""
    distances = torch.arange(-(length - 1), length)
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)  # HF's default: the bucket formula runs in float32
    try:
        return make_log_bucket_position(distances, buckets, max_relative).to(torch.int32).numpy()
    finally:
        torch.set_default_dtype(saved)


def parameter_counts(graph_model, authors_model):
    """Parameters per component at the `small` and `paper` sizes, counted on the authors' modules
    and HF's DeBERTa (text: outside the word and absolute-position embeddings, which depend on
    the vocabulary and the length limit)."""
    def count(module, skip=()):
        return sum(p.numel() for n, p in module.named_parameters() if not n.startswith(skip))

    sizes = {
        "small": dict(heads=4, head_dim=32, hidden=110, text=(128, 4, 4, 512, 64, 256, 160), fp=(256, 128), width=128),
        "paper": dict(heads=19, head_dim=96, hidden=110, text=(768, 4, 12, 3072, 256, 512, 512), fp=(512, 300), width=256),
    }
    counts = {}
    for name, z in sizes.items():
        h = z["hidden"]
        d, layers, heads, ffn, buckets, max_rel, positions = z["text"]
        gt = graph_model.GT(h, 57, 3, z["heads"], z["heads"] * z["head_dim"], 0.5, 0.01, 0.05, 1.0, "False", 2, "LN")
        gat = graph_model.GAT(57, 15, h, 0.5, 0.01, 1.0, 2)
        config = text_config(100)
        for key, value in dict(hidden_size=d, num_hidden_layers=layers, num_attention_heads=heads,
                               intermediate_size=ffn, position_buckets=buckets, max_relative_positions=max_rel,
                               max_position_embeddings=positions).items():
            setattr(config, key, value)
        deberta = DebertaV2Model(config)
        fpn = authors_model.FPN(z["fp"][0], 0.1, z["fp"][1])
        w = z["width"]
        fusion = [authors_model.CrossAttention(h, h, w), authors_model.CrossAttention(d, d, w),
                  authors_model.CrossAttention(w, z["fp"][1], w), authors_model.CrossAttention(w, z["fp"][1], w)]
        counts[name] = {
            "AttentiveFP": count(gat), "GT": count(gt),
            "GT_without_embedding": count(gt, ("GraphTransformer.src_embed",)),
            "DeBERTa_without_embeddings": count(deberta, ("embeddings.word_embeddings", "embeddings.position_embeddings")),
            "FPN": count(fpn), "CrossAttention": sum(count(c) for c in fusion),
        }
    return counts


def f32(t):
    return np.ascontiguousarray(t.detach().numpy().astype(np.float32))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--authors-repo", default=os.environ.get("LGMCL_AUTHORS_REPO"),
                        help=f"clone, bare git dir or URL of lhb0189/LGM-CL (default: {AUTHORS_URL})")
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    OUT.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="lgmcl-authors-") as scratch:
        commit = fetch_authors(args.authors_repo, scratch)
        features = featurize(scratch, scratch)
        sys.path.insert(0, f"{scratch}/Molecular_Graph")
        sys.path.insert(0, scratch)
        stub_rdkit()
        import graph_model
        import model_gnn_pre
        import model as authors_model
        build(features, commit, graph_model, model_gnn_pre, authors_model)


def stub_rdkit():
    """model.py imports RDKit and the PubChem code for FPN.forward (SMILES → fingerprints), and
    graph.py pandas; fingerprints are passed precomputed, so empty stand-ins satisfy the imports."""
    for name in ("rdkit", "rdkit.Chem", "PubChemFP", "pandas"):
        stub = types.ModuleType(name)
        stub.__spec__ = importlib.machinery.ModuleSpec(name, None)
        sys.modules.setdefault(name, stub)
    sys.modules["rdkit"].Chem = sys.modules["rdkit.Chem"]
    sys.modules["rdkit.Chem"].AllChem = sys.modules["rdkit.Chem"].MACCSkeys = None
    sys.modules["PubChemFP"].GetPubChemFPs = None


def build(features, commit, graph_model, model_gnn_pre, authors_model):
    generator = torch.Generator().manual_seed(20260122)
    torch.manual_seed(7)
    t = TINY
    M = len(features["smiles"])
    atoms = torch.from_numpy(features["atom_features"]).double()
    atom_offsets = features["atom_offsets"]
    edge_offsets = features["edge_offsets"]
    local_edges = features["edge_index"]
    # Batch-global atom indices, as the data store hands them to the model.
    global_edges = local_edges.astype(np.int64).copy()
    for m in range(M):
        global_edges[edge_offsets[m]:edge_offsets[m + 1]] += atom_offsets[m]
    bonds = torch.from_numpy(features["bond_features"]).double()
    # GraphBatch's bond dictionary: key (source, target) → features, in the featurizer's order.
    bond_dict = {(int(s), int(d)): bonds[e] for e, (s, d) in enumerate(global_edges)}
    A = int(atom_offsets[-1])
    adjacency = torch.eye(A)
    for s, d in global_edges:
        adjacency[s, d] = 1
    mask = torch.full((A, A), -1e9)
    for m in range(M):
        a, b = atom_offsets[m], atom_offsets[m + 1]
        mask[a:b, a:b] = 0

    # Graph encoders: the authors' classes at the tiny size. Their GT takes trainable_lambda as a
    # string ("False" in their scripts, which is truthy): λ is a Parameter either way.
    local = graph_model.GAT(t["atom_features"], t["bond_features"], t["local_hidden"], t["local_dropout"],
                            0.01, 1.0, t["local_layers"])
    d_model = t["gt_heads"] * t["gt_head_dim"]
    global_ = graph_model.GT(t["gt_output"], t["atom_features"], t["gt_layers"], t["gt_heads"], d_model,
                             0.5, 0.01, 0.05, 1.0, "False", 2, "LN")
    graph_head = projection_head([t["local_hidden"]] + t["graph_projection_hidden"]
                                 + [t["graph_projection_output"]], nn.ReLU)
    pretrain_graph = model_gnn_pre.GNN_model(local, global_, t["local_hidden"], t["graph_projection_output"], 0.05)
    pretrain_graph.projection_head = graph_head

    smiles_ids, description_ids, vocab_size = tokenize(list(features["smiles"]))
    s_ids, s_mask = padded(smiles_ids)
    d_ids, d_mask = padded(description_ids)
    text = DebertaV2Model(text_config(vocab_size)).double()
    text_head = projection_head([t["text_hidden"]] + t["text_projection_hidden"]
                                + [t["text_projection_output"]], nn.GELU)

    # Fine-tuning: the authors' MultiViewModel around the same encoders; its text encoder slot
    # gets HF's DeBERTa (the authors' call signature, HF's module and names) and its fingerprint
    # network takes precomputed fingerprints instead of SMILES.
    class TextEncoder(DebertaV2Model):
        def forward(self, input_ids, attention_mask=None, *unused):
            return {"hidden_states": [super().forward(input_ids=input_ids, attention_mask=attention_mask)
                                      .last_hidden_state]}

    class Fingerprints(authors_model.FPN):
        def forward(self, rows):
            return self.MLP(fingerprint_batch[rows])

    fingerprint_batch = torch.from_numpy(features["fingerprints"]).double()
    finetune_text = TextEncoder(text_config(vocab_size)).double()
    fingerprints = Fingerprints(t["fingerprint_hidden"], 0.1, t["fingerprint_output"])
    w = t["fusion_width"]
    finetune = authors_model.MultiViewModel(local, global_, finetune_text, fingerprints, t["fingerprint_output"],
                                            t["text_hidden"], w, t["local_hidden"], w, w, TASKS, 0.05)

    for module in (local, global_, graph_head, text, text_head, fingerprints, finetune):
        perturb(module, generator)
    finetune_text.load_state_dict(text.state_dict())
    for module in (pretrain_graph, text, text_head, finetune):
        module.eval()

    # One weight file in lgmcl's names (= the fine-tuning model's state-dict names, plus the two
    # pretraining heads).
    weights = {}
    for name, p in finetune.named_parameters():
        weights[name] = p
    for name, p in graph_head.named_parameters():
        weights["projection_head." + name] = p
    for name, p in text_head.named_parameters():
        weights["MLPHead." + name] = p

    def gradients(loss, names):
        params = [weights[n] for n in names]
        grads = torch.autograd.grad(loss, params, allow_unused=True)
        return {"grad." + n: f32(g if g is not None else torch.zeros_like(p))
                for n, p, g in zip(names, params, grads)}

    def owned(prefixes):
        return [n for n in weights if n.startswith(prefixes)]

    graph_inputs = {
        "atom_features": features["atom_features"], "bond_features": features["bond_features"],
        "edge_index": global_edges.astype(np.int32), "atom_offsets": atom_offsets.astype(np.int64),
        "edge_offsets": edge_offsets.astype(np.int64),
    }

    # Graph pretraining: GNN_model.forward, exactly the authors' pooling and head.
    x1, x2, out1, out2, _ = pretrain_graph(atoms, bond_dict, mask, adjacency, [
        (int(atom_offsets[m]), int(atom_offsets[m + 1] - atom_offsets[m])) for m in range(M)])
    r_local, r_global = torch.randn(out1.shape, generator=generator), torch.randn(out2.shape, generator=generator)
    loss = (r_local * out1).sum() + (r_global * out2).sum()
    graph = dict(graph_inputs)
    graph.update({"local_atoms": f32(x1), "global_atoms": f32(x2), "local_embedding": f32(out1),
                  "global_embedding": f32(out2), "cotangent.local_embedding": f32(r_local),
                  "cotangent.global_embedding": f32(r_global), "loss": f32(loss.reshape(1))})
    graph.update(gradients(loss, owned(("AttentiveFP.", "GT.", "projection_head."))))
    save_file(graph, str(OUT / "graph_pretrain.safetensors"))

    # Text pretraining: both texts through one encoder, masked mean pooling, shared head.
    def pooled(ids, mask):
        mask_t = torch.from_numpy(mask).long()
        hidden = text(input_ids=torch.from_numpy(ids).long(), attention_mask=mask_t).last_hidden_state
        m = mask_t.unsqueeze(-1).double()
        return hidden, (hidden * m).sum(1) / m.sum(1).clamp(min=1e-6)

    # The text fixture reads HF's module `text`; its weights are the same tensors' values.
    text_weights = dict(("DeBERTa." + n, p) for n, p in text.named_parameters())
    s_hidden, s_pooled = pooled(s_ids, s_mask)
    d_hidden, d_pooled = pooled(d_ids, d_mask)
    s_proj, d_proj = text_head(s_pooled), text_head(d_pooled)
    r_s, r_d = torch.randn(s_proj.shape, generator=generator), torch.randn(d_proj.shape, generator=generator)
    loss = (r_s * s_proj).sum() + (r_d * d_proj).sum()
    names = list(text_weights) + owned(("MLPHead.",))
    params = [text_weights.get(n, weights.get(n)) for n in names]
    grads = torch.autograd.grad(loss, params)
    text_fixture = {
        "smiles_ids": s_ids, "smiles_mask": s_mask, "description_ids": d_ids, "description_mask": d_mask,
        "smiles_hidden": f32(s_hidden * torch.from_numpy(s_mask).unsqueeze(-1)),
        "description_hidden": f32(d_hidden * torch.from_numpy(d_mask).unsqueeze(-1)),
        "smiles_pooled": f32(s_pooled), "description_pooled": f32(d_pooled),
        "smiles_embedding": f32(s_proj), "description_embedding": f32(d_proj),
        "cotangent.smiles_embedding": f32(r_s), "cotangent.description_embedding": f32(r_d),
        "loss": f32(loss.reshape(1)),
    }
    text_fixture.update({"grad." + n: f32(g) for n, g in zip(names, grads)})
    save_file(text_fixture, str(OUT / "text_pretrain.safetensors"))

    # Fine-tuning: MultiViewModel.forward end to end.
    outputs = finetune(list(range(M)), atoms, bond_dict, mask, adjacency,
                       [(int(atom_offsets[m]), int(atom_offsets[m + 1] - atom_offsets[m])) for m in range(M)],
                       torch.from_numpy(d_ids).long(), torch.from_numpy(d_mask).long(),
                       torch.from_numpy(s_ids).long(), torch.from_numpy(s_mask).long())
    pred, e_local, e_global, e_smiles, e_text, e_fp, g, tx, tf, gf, joined = outputs
    r_pred = torch.randn(pred.shape, generator=generator)
    loss = (r_pred * pred).sum()
    fine = dict(graph_inputs)
    fine.update({"smiles_ids": s_ids, "smiles_mask": s_mask, "description_ids": d_ids,
                 "description_mask": d_mask, "fingerprints": features["fingerprints"],
                 "predictions": f32(pred), "local_pooled": f32(e_local), "global_pooled": f32(e_global),
                 "smiles_pooled": f32(e_smiles), "description_pooled": f32(e_text),
                 "fingerprint_embedding": f32(e_fp), "G": f32(g), "T": f32(tx), "GF": f32(gf), "TF": f32(tf),
                 "cotangent.predictions": f32(r_pred), "loss": f32(loss.reshape(1))})
    fine.update(gradients(loss, [n for n, _ in finetune.named_parameters()]))
    save_file(fine, str(OUT / "finetune.safetensors"))

    save_file({n: f32(p) for n, p in weights.items()}, str(OUT / "tiny_weights.safetensors"))
    save_file(integrated_gradients(finetune, fingerprints, features, atoms, bond_dict, adjacency,
                                   s_ids, s_mask, d_ids, d_mask), str(OUT / "explain.safetensors"))
    save_file({
        "tiny": relative_buckets(t["text_buckets"], t["text_max_relative"], t["text_max_positions"]),
        "small": relative_buckets(64, 256, 160),
        "paper": relative_buckets(256, 512, 512),
    }, str(OUT / "relative_buckets.safetensors"))
    manifest = {
        "generator": "scripts/make_model_fixtures.py",
        "authors_repository": AUTHORS_URL, "authors_commit": commit,
        "rdkit": str(features["rdkit_version"]), "torch": torch.__version__,
        "transformers": __import__("transformers").__version__,
        "bbbp_rows": ROWS, "smiles": [str(s) for s in features["smiles"]],
        "vocab_size": vocab_size, "tasks": TASKS, "preset": TINY,
        "parameter_counts": parameter_counts(graph_model, authors_model),
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    total = sum(f.stat().st_size for f in OUT.glob("*"))
    print(f"wrote {OUT.relative_to(ROOT)} ({total / 1e6:.2f} MB)")


def integrated_gradients(finetune, fingerprints, features, atoms, bond_dict, adjacency, s_ids, s_mask, d_ids, d_mask):
    """Captum's IntegratedGradients of each task's output of MultiViewModel, one molecule at a
    time, with respect to its atom features and its fingerprint bits together (baseline: both
    zero; the texts and bonds held at their values), Gauss-Legendre with IG_STEPS points
    (Captum's default method), in float64."""
    from captum.attr import IntegratedGradients

    atom_offsets = features["atom_offsets"]
    fingerprint_rows = torch.from_numpy(features["fingerprints"]).double()
    out = {"steps": np.array([IG_STEPS], dtype=np.int32)}
    for m in range(len(atom_offsets) - 1):
        a0, a1 = int(atom_offsets[m]), int(atom_offsets[m + 1])
        n = a1 - a0
        bonds = {(s - a0, d - a0): f for (s, d), f in bond_dict.items() if a0 <= s < a1}
        s_len, d_len = int(s_mask[m].sum()), int(d_mask[m].sum())
        texts = [torch.from_numpy(x[m:m + 1, :length]).long() for x, length in
                 ((d_ids, d_len), (d_mask, d_len), (s_ids, s_len), (s_mask, s_len))]

        def forward(atom_batch, fingerprint_batch):
            outputs = []
            for k in range(atom_batch.shape[0]):
                fingerprints.forward = lambda rows, row=fingerprint_batch[k:k + 1]: fingerprints.MLP(row)
                outputs.append(finetune([0], atom_batch[k], bonds, torch.zeros(n, n), adjacency[a0:a1, a0:a1],
                                        [(0, n)], *texts)[0][0])
            return torch.stack(outputs)

        x = (atoms[a0:a1].unsqueeze(0), fingerprint_rows[m:m + 1])
        baseline = tuple(torch.zeros_like(t) for t in x)
        with torch.no_grad():
            full, empty = forward(*x)[0], forward(*baseline)[0]
        for task in range(TASKS):
            (atom_attr, fp_attr), delta = IntegratedGradients(forward).attribute(
                x, baselines=baseline, target=task, n_steps=IG_STEPS, method="gausslegendre",
                return_convergence_delta=True)
            prefix = f"ig.{m}.{task}."
            out[prefix + "atoms"] = f32(atom_attr[0])
            out[prefix + "fingerprints"] = f32(fp_attr[0])
            out[prefix + "output"] = f32(full[task].reshape(1))
            out[prefix + "baseline"] = f32(empty[task].reshape(1))
            out[prefix + "delta"] = f32(delta.reshape(1))
    del fingerprints.forward
    return out


if __name__ == "__main__":
    main()
