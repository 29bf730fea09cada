#!/usr/bin/python3
"""Featurizes a few bbbp.csv molecules for the model parity fixtures, with the LGM-CL authors' own
featurizer (Molecular_Graph/graph.py) and fingerprint code (model.py, PubChemFP.py).

Runs on /usr/bin/python3 with Debian's python3-rdkit (the RDKit build lgmcl links), called by
scripts/make_model_fixtures.py, which passes the directory holding the authors' sources. The
authors' modules import torch and pandas at the top but the functions used here never touch
them, so empty stand-in modules satisfy those imports (this interpreter has neither).

Writes an .npz: atom features, molecule-local edge index and bond features in the authors' order
(both directions per bond, bond features exactly as the authors compute them — including their
bond-direction slots, which compare the bond *type* with BondDir values), CSR offsets,
fingerprints (MACCS 167 ‖ PubChem 881 ‖ ErG 441) and the SMILES.
"""
import argparse
import csv
import sys
import types

import numpy as np
from rdkit import Chem, rdBase
from rdkit.Chem import AllChem, MACCSkeys


def import_authors(authors_dir):
    for name in ("torch", "pandas"):
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.path.insert(0, f"{authors_dir}/Molecular_Graph")
    sys.path.insert(0, authors_dir)
    import graph  # noqa: E402  (the authors' featurizer)
    import PubChemFP  # noqa: E402
    return graph, PubChemFP


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--authors-dir", required=True)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--rows", required=True, help="comma-separated 0-based data rows")
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    graph, pubchem = import_authors(args.authors_dir)
    rows = [int(r) for r in args.rows.split(",")]
    with open(args.csv, newline="") as f:
        data = list(csv.DictReader(f))

    atom_features, edge_index, bond_features, fingerprints, smiles = [], [], [], [], []
    atom_offsets, edge_offsets = [0], [0]
    for row in rows:
        s = data[row]["smiles"]
        mol = Chem.MolFromSmiles(s)
        if mol is None:
            sys.exit(f"{args.csv}: row {row}: RDKit cannot parse {s!r}")
        atom_features += [graph.get_atom_features(atom, mol) for atom in mol.GetAtoms()]
        # GraphOne's order: for each bond, (begin, end) then (end, begin), same features.
        for bond in mol.GetBonds():
            b, e = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
            features = graph.get_bond_features(bond)
            edge_index += [(b, e), (e, b)]
            bond_features += [features, features]
        atom_offsets.append(len(atom_features))
        edge_offsets.append(len(edge_index))
        maccs = list(MACCSkeys.GenMACCSKeys(mol))
        pubchem_bits = list(pubchem.GetPubChemFPs(Chem.AddHs(mol)))
        erg = list(AllChem.GetErGFingerprint(mol, fuzzIncrement=0.3, maxPath=21, minPath=1))
        fingerprints.append(maccs + pubchem_bits + erg)
        smiles.append(s)

    np.savez(
        args.output,
        atom_features=np.asarray(atom_features, dtype=np.float32),
        edge_index=np.asarray(edge_index, dtype=np.int32).reshape(-1, 2),
        bond_features=np.asarray(bond_features, dtype=np.float32).reshape(-1, 15),
        atom_offsets=np.asarray(atom_offsets, dtype=np.int64),
        edge_offsets=np.asarray(edge_offsets, dtype=np.int64),
        fingerprints=np.asarray(fingerprints, dtype=np.float32),
        smiles=np.asarray(smiles),
        rows=np.asarray(rows, dtype=np.int64),
        rdkit_version=np.asarray(rdBase.rdkitVersion),
    )


if __name__ == "__main__":
    main()
