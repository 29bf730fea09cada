#!/usr/bin/env python3
"""Reads an lgmcl dataset (schema v1, docs/data-format.md) with h5py alone and prints a summary
and one molecule, to show that the files are plain HDF5 for other tools.

    .venv/bin/python scripts/read_with_h5py.py data.h5 [molecule-index]
"""
import sys

import h5py
import numpy as np


def molecule(f, i):
    """Everything stored about molecule i, sliced out of the CSR arrays."""
    a0, a1 = f["graph/atom_offsets"][i : i + 2]
    e0, e1 = f["graph/edge_offsets"][i : i + 2]
    s0, s1 = f["text/smiles_offsets"][i : i + 2]
    d0, d1 = f["text/description_offsets"][i : i + 2]
    return {
        "smiles": f["smiles"].asstr()[i],
        "source_row": int(f["source_row"][i]),
        "atom_features": f["graph/atom_features"][a0:a1],  # (atoms, 57)
        "edge_index": f["graph/edge_index"][e0:e1],  # (edges, 2), molecule-local
        "bond_features": f["graph/bond_features"][e0:e1],  # (edges, 15)
        "maccs": f["fingerprints/maccs"][i],
        "pubchem": f["fingerprints/pubchem"][i],
        "erg": f["fingerprints/erg"][i],
        "description": f["text/description"].asstr()[i],
        "smiles_tokens": f["text/smiles_tokens"][s0:s1],
        "description_tokens": f["text/description_tokens"][d0:d1],
        "labels": f["labels"][i],
    }


def main():
    path = sys.argv[1]
    index = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    with h5py.File(path, "r") as f:
        version = int(f.attrs["schema_version"])
        if version != 1:
            sys.exit(f"{path}: schema_version {version}, this script reads 1")
        n = int(f.attrs["num_molecules"])
        vocab = f["text/vocab"].asstr()[:]
        tasks = list(f["labels"].attrs["task_names"])
        print(f"{path}: {n} molecules, {f['graph/atom_features'].shape[0]} atoms, "
              f"{f['graph/edge_index'].shape[0]} directed edges, vocabulary {len(vocab)} "
              f"(sha256 {f['text/vocab'].attrs['sha256']}), tasks {tasks}, "
              f"rdkit {f.attrs['rdkit_version']}, created by {f.attrs['created_by']}")
        m = molecule(f, index)
        print(f"molecule {index}: {m['smiles']} (input row {m['source_row']})")
        print(f"  atoms {m['atom_features'].shape}, edges {m['edge_index'].shape}, "
              f"MACCS bits {int(m['maccs'].sum())}, PubChem bits {int(m['pubchem'].sum())}, "
              f"ErG nonzero {int(np.count_nonzero(m['erg']))}")
        print(f"  SMILES tokens: {' '.join(vocab[t] for t in m['smiles_tokens'])}")
        print(f"  description: {m['description'][:200]}")
        print(f"  labels: {dict(zip(tasks, m['labels'].tolist()))}")
        if "split" in f:
            print(f"  split: {f['split'].asstr()[index]}")


if __name__ == "__main__":
    main()
