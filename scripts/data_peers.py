#!/usr/bin/env python3
"""Peers for the data benchmark (scripts/bench_data.sh), measured in the same run as lgmcl.

  featurize CSV   RDKit from Python (Debian's python3-rdkit, /usr/bin/python3): parse, canonical
                  SMILES, MACCS and ErG per row — a subset of what `lgmcl-dist preprocess` computes
                  (no graph features, PubChem keys, description or tokens), so a lower bound on
                  the work of a Python preprocessor.
  read H5         h5py (the venv): the blocks of 512 molecules of an lgmcl dataset in a shuffled
                  order, every per-molecule array sliced out as the lgmcl reader does.
Each prints one line: `<what> <molecules> <seconds> <molecules/s> <CPU seconds> <molecules per CPU-second>`
(CPU time of the process, which on a shared machine says more than the wall clock).
"""
import csv
import gzip
import sys
import time


def featurize(path):
    from rdkit import Chem, RDLogger
    from rdkit.Chem import MACCSkeys, rdReducedGraphs

    RDLogger.DisableLog("rdApp.*")
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", newline="") as f:
        rows = list(csv.reader(f))
    column = [c.lower() for c in rows[0]].index("smiles")
    start, cpu = time.perf_counter(), time.process_time()
    n = 0
    for row in rows[1:]:
        mol = Chem.MolFromSmiles(row[column])
        if mol is None:
            continue
        Chem.MolToSmiles(mol)
        MACCSkeys.GenMACCSKeys(mol)
        rdReducedGraphs.GetErGFingerprint(mol, fuzzIncrement=0.3, maxPath=21, minPath=1)
        n += 1
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"featurize {n} {seconds:.3f} {n / seconds:.0f} {cpu:.3f} {n / cpu:.0f}")


def read(path):
    import h5py
    import numpy as np

    with h5py.File(path, "r") as f:
        n = int(f.attrs["num_molecules"])
        offsets = {k: f[k][:] for k in ["graph/atom_offsets", "graph/edge_offsets", "text/smiles_offsets", "text/description_offsets"]}
        blocks = np.random.default_rng(0).permutation((n + 511) // 512)
        start, cpu = time.perf_counter(), time.process_time()
        count = 0
        for b in blocks:
            lo, hi = b * 512, min(n, (b + 1) * 512)
            a, e = offsets["graph/atom_offsets"], offsets["graph/edge_offsets"]
            s, d = offsets["text/smiles_offsets"], offsets["text/description_offsets"]
            atoms = f["graph/atom_features"][a[lo]:a[hi]]
            edges = f["graph/edge_index"][e[lo]:e[hi]]
            bonds = f["graph/bond_features"][e[lo]:e[hi]]
            maccs, pubchem, erg = f["fingerprints/maccs"][lo:hi], f["fingerprints/pubchem"][lo:hi], f["fingerprints/erg"][lo:hi]
            stoks = f["text/smiles_tokens"][s[lo]:s[hi]]
            dtoks = f["text/description_tokens"][d[lo]:d[hi]]
            labels = f["labels"][lo:hi]
            for i in range(lo, hi):
                _ = (atoms[a[i] - a[lo]:a[i + 1] - a[lo]], edges[e[i] - e[lo]:e[i + 1] - e[lo]],
                     bonds[e[i] - e[lo]:e[i + 1] - e[lo]], maccs[i - lo], pubchem[i - lo], erg[i - lo],
                     stoks[s[i] - s[lo]:s[i + 1] - s[lo]], dtoks[d[i] - d[lo]:d[i + 1] - d[lo]], labels[i - lo])
                count += 1
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"read {count} {seconds:.3f} {count / seconds:.0f} {cpu:.3f} {count / cpu:.0f}")


if __name__ == "__main__":
    {"featurize": featurize, "read": read}[sys.argv[1]](sys.argv[2])
