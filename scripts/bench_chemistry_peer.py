#!/usr/bin/python3
"""Peer for `lgmcl-dist benchmark featurize`: the same RDKit parts from Python (Debian's
python3-rdkit), CPU time of this thread per molecule, on the same first N SMILES.

    /usr/bin/python3 scripts/bench_chemistry_peer.py data/samples/moses_head20k.csv.gz 2000
"""
import gzip
import sys
import time

from rdkit import Chem
from rdkit.Chem import Crippen, Descriptors, Lipinski, MACCSkeys, rdMolDescriptors, rdReducedGraphs
from rdkit.Chem.Scaffolds import MurckoScaffold


def main():
    path, count = sys.argv[1], int(sys.argv[2])
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        f.readline()
        smiles = [next(f).split(",")[0].strip() for _ in range(count)]
    parts = {"parse": 0.0, "maccs": 0.0, "erg": 0.0, "descriptors": 0.0, "scaffold": 0.0}

    def timed(part, body):
        start = time.thread_time()
        result = body()
        parts[part] += time.thread_time() - start
        return result

    def descriptors(m):
        return (Descriptors.MolWt(m), Crippen.MolLogP(m), Descriptors.TPSA(m), Lipinski.NumHDonors(m),
                Lipinski.NumHAcceptors(m), Lipinski.NumRotatableBonds(m), Chem.GetFormalCharge(m),
                rdMolDescriptors.CalcNumAromaticRings(m), m.GetNumHeavyAtoms(), rdMolDescriptors.CalcNumRings(m),
                rdMolDescriptors.CalcNumAtomStereoCenters(m))

    n = 0
    for s in smiles:
        m = timed("parse", lambda: Chem.MolFromSmiles(s))
        if m is None:
            continue
        n += 1
        timed("maccs", lambda: MACCSkeys.GenMACCSKeys(m))
        timed("erg", lambda: rdReducedGraphs.GetErGFingerprint(m, fuzzIncrement=0.3, minPath=1, maxPath=21))
        timed("descriptors", lambda: descriptors(m))
        timed("scaffold", lambda: MurckoScaffold.MurckoScaffoldSmiles(mol=m))
    print(f"{n} molecules from {path}, Python RDKit, one thread, CPU time")
    for part, seconds in parts.items():
        print(f"  {part:<20}{seconds / n * 1e6:8.1f} µs/molecule")
    total = sum(parts.values())
    print(f"  {'total':<20}{total / n * 1e6:8.1f} µs/molecule  → {n / total:.0f} molecules/s per core")


if __name__ == "__main__":
    main()
