#!/usr/bin/env python3
"""Writes Tests/LGMCLTests/Fixtures/Data/h5py_dataset.h5: a small schema-v1 dataset written by
h5py alone (no lgmcl code), and h5py_dataset.json with the same values, so that a test can check
that lgmcl reads what another HDF5 writer produced exactly as documented in docs/data-format.md.

It deliberately differs from lgmcl's own writer where the schema allows: contiguous (unchunked)
datasets, the SMILES stored as fixed-length ASCII, a missing label, unicode in descriptions.

Run with the worktree's venv (`make venv`):  .venv/bin/python scripts/make_h5py_fixture.py
"""
import json
import pathlib

import h5py
import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/LGMCLTests/Fixtures/Data"


def main():
    rng = np.random.default_rng(7)
    smiles = ["CCO", "c1ccccc1", "[Na+].[Cl-]"]
    atoms = [3, 6, 2]
    # Edges: ethanol chain, the benzene ring, and the salt has no bonds.
    edges = [
        [(0, 1), (1, 0), (1, 2), (2, 1)],
        [(i, (i + 1) % 6) for i in range(6)] + [((i + 1) % 6, i) for i in range(6)],
        [],
    ]
    n = len(smiles)
    atom_features = rng.integers(0, 2, size=(sum(atoms), 57)).astype(np.float32)
    atom_features[:, 45] = rng.random(sum(atoms), dtype=np.float32)  # mass × 0.01 is not binary
    edge_index = np.array([e for mol in edges for e in mol], dtype=np.int32).reshape(-1, 2)
    bond_features = rng.integers(0, 2, size=(len(edge_index), 15)).astype(np.float32)
    maccs = rng.integers(0, 2, size=(n, 167)).astype(np.uint8)
    pubchem = rng.integers(0, 2, size=(n, 881)).astype(np.uint8)
    erg = (rng.random((n, 441)) * (rng.random((n, 441)) < 0.1)).astype(np.float32)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "C", "O", "c", "1", "[Na+]", ".", "[Cl-]",
             "ethanol", "benzene", "salt", "é"]
    smiles_tokens = [[2, 5, 5, 6, 3], [2] + [7, 8] + [7] * 5 + [8, 3], [2, 9, 10, 11, 3]]
    descriptions = ["ethanol: a small alcohol", "benzene, aromatic ring", "table salt — sodium chloride (é)"]
    description_tokens = [[2, 12, 3], [2, 13, 3], [2, 14, 15, 3]]
    labels = np.array([[1.0, 0.5], [0.0, np.nan], [np.nan, -2.25]], dtype=np.float32)
    split = ["train", "val", "test"]

    def offsets(lengths):
        return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)

    path = OUT / "h5py_dataset.h5"
    OUT.mkdir(parents=True, exist_ok=True)
    text = h5py.string_dtype("utf-8")
    with h5py.File(path, "w") as f:
        f.attrs["schema_version"] = np.int64(1)
        f.attrs["num_molecules"] = np.int64(n)
        f.attrs["rdkit_version"] = "2022.09.4"
        f.attrs["created_by"] = "scripts/make_h5py_fixture.py (h5py %s)" % h5py.__version__
        f.attrs["preset"] = "none"
        f.create_dataset("smiles", data=np.array(smiles, dtype="S"))  # fixed-length ASCII
        f.create_dataset("source_row", data=np.array([0, 2, 5], dtype=np.int64))
        g = f.create_group("graph")
        g["atom_offsets"] = offsets(atoms)
        g["atom_features"] = atom_features
        g["edge_offsets"] = offsets([len(e) for e in edges])
        g["edge_index"] = edge_index
        g["bond_features"] = bond_features
        fp = f.create_group("fingerprints")
        fp["maccs"] = maccs
        fp["pubchem"] = pubchem
        fp["erg"] = erg
        t = f.create_group("text")
        t.create_dataset("vocab", data=vocab, dtype=text)
        t["vocab"].attrs["sha256"] = "fixture-vocabulary"
        t["smiles_offsets"] = offsets([len(s) for s in smiles_tokens])
        t["smiles_tokens"] = np.array(sum(smiles_tokens, []), dtype=np.int32)
        t.create_dataset("description", data=descriptions, dtype=text)
        t["description_offsets"] = offsets([len(s) for s in description_tokens])
        t["description_tokens"] = np.array(sum(description_tokens, []), dtype=np.int32)
        f["labels"] = labels
        f["labels"].attrs.create("task_names", ["p_np", "logS"], dtype=text)
        f.create_dataset("split", data=split, dtype=text)

    expected = {
        "smiles": smiles, "source_row": [0, 2, 5], "atom_counts": atoms,
        "atom_features": atom_features.tolist(), "edge_index": edge_index.tolist(),
        "edge_counts": [len(e) for e in edges], "bond_features": bond_features.tolist(),
        "maccs": maccs.tolist(), "pubchem": pubchem.tolist(), "erg": erg.tolist(),
        "vocab": vocab, "smiles_tokens": smiles_tokens, "description": descriptions,
        "description_tokens": description_tokens,
        "labels": [[None if np.isnan(v) else float(v) for v in row] for row in labels],
        "task_names": ["p_np", "logS"], "split": split,
    }
    (OUT / "h5py_dataset.json").write_text(json.dumps(expected) + "\n")
    print("wrote", path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
