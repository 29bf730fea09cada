#!/usr/bin/python3
"""Composition and topology targets of molecules, for the pretraining study's shortcut measurement
(docs/pretraining-study.md): what can be read from the atoms alone, against what needs the bonds.

Run with Debian's python3-rdkit (/usr/bin/python3), the RDKit lgmcl's featurizer links against:

    scripts/shortcut_targets.py molecules.csv -o targets.csv

Input: a CSV with a `smiles` column (any letter case). Output: one row per input row, in order,
with its canonical SMILES and

  composition  n_heavy, n_C, n_N, n_O, n_S, n_F, n_Cl, n_Br, n_other, n_aromatic, n_hydrogens
  topology     fused_ring_pairs (pairs of SSSR rings sharing a bond), wiener_index (sum of
               topological distances over atom pairs), wiener_per_pair (its mean: the size-free
               part), ecfp_NNNN (Morgan radius 2, 2048 bits, only the bits set in 5-95% of rows)
"""
import argparse
import csv
import sys

from rdkit import Chem
from rdkit.Chem import AllChem

ELEMENTS = ["C", "N", "O", "S", "F", "Cl", "Br"]


def composition(mol):
    symbols = [a.GetSymbol() for a in mol.GetAtoms()]
    row = {"n_heavy": mol.GetNumAtoms()}
    for e in ELEMENTS:
        row[f"n_{e}"] = symbols.count(e)
    row["n_other"] = sum(1 for s in symbols if s not in ELEMENTS)
    row["n_aromatic"] = sum(1 for a in mol.GetAtoms() if a.GetIsAromatic())
    row["n_hydrogens"] = sum(a.GetTotalNumHs() for a in mol.GetAtoms())
    return row


def topology(mol):
    rings = [set(r) for r in mol.GetRingInfo().BondRings()]
    fused = sum(1 for i in range(len(rings)) for j in range(i + 1, len(rings)) if rings[i] & rings[j])
    distances = Chem.GetDistanceMatrix(mol)
    n = mol.GetNumAtoms()
    wiener = float(distances.sum()) / 2
    pairs = n * (n - 1) / 2
    return {"fused_ring_pairs": fused, "wiener_index": wiener, "wiener_per_pair": wiener / pairs if pairs else 0.0}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    with open(args.input, newline="") as f:
        reader = csv.DictReader(f)
        column = next((c for c in reader.fieldnames if c.lower() == "smiles"), None)
        if column is None:
            sys.exit(f"{args.input}: no smiles column (columns: {', '.join(reader.fieldnames)})")
        smiles = [r[column] for r in reader]
    rows, bits = [], []
    for i, s in enumerate(smiles):
        mol = Chem.MolFromSmiles(s)
        if mol is None:
            sys.exit(f"{args.input}: row {i + 1}: RDKit cannot parse {s!r}")
        # Canonical, as lgmcl stores /smiles: the same RDKit build writes the same string.
        rows.append({"smiles": Chem.MolToSmiles(mol), **composition(mol), **topology(mol)})
        bits.append(set(AllChem.GetMorganFingerprintAsBitVect(mol, 2, nBits=2048).GetOnBits()))
    n = len(rows)
    kept = [b for b in range(2048) if 0.05 <= sum(b in s for s in bits) / n <= 0.95]
    for row, on in zip(rows, bits):
        for b in kept:
            row[f"ecfp_{b:04d}"] = int(b in on)
    with open(args.output, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{args.output}: {n} molecules, {len(kept)} ECFP bits in 5-95% of them, RDKit {Chem.rdBase.rdkitVersion}")


if __name__ == "__main__":
    main()
