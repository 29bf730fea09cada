#!/usr/bin/python3
"""Oracle fixture for ErG's independence of what was computed on a molecule before it
(Tests/LGMCLTests/Fixtures/chemistry/erg_order.json).

Run with Debian's python3-rdkit (`make setup-oracles`), the same RDKit build lgmcl links:

    /usr/bin/python3 scripts/make_erg_order_fixtures.py

RDKit caches a molecule's topological distance matrix as a computed property (MurckoDecompose
does, through getDistanceMat); the ErG reduced graph is a copy of the molecule that inherits the
cache, and for molecules whose reduced graph keeps every ring atom RDKit then reads that stale,
smaller matrix. This script picks bbbp.csv molecules that show the effect in Python RDKit itself
(ErG after the Murcko scaffold differs from ErG of a freshly parsed molecule), always including
rows 10, 31 and 194 where lgmcl first saw it, and stores the fresh molecule's ErG as the oracle.
"""
import csv
import json
import os
import sys

from rdkit import Chem, RDLogger, rdBase
from rdkit.Chem import rdReducedGraphs
from rdkit.Chem.Scaffolds import MurckoScaffold

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data")
OUT = os.path.join(ROOT, "Tests", "LGMCLTests", "Fixtures", "chemistry", "erg_order.json")

NAMED_ROWS = [10, 31, 194]  # 1-based data rows, as preprocess numbers them
AFFECTED = 30  # further molecules that show the effect, in file order


def erg(mol):
    return list(rdReducedGraphs.GetErGFingerprint(mol, fuzzIncrement=0.3, minPath=1, maxPath=21))


def main():
    RDLogger.DisableLog("rdApp.*")
    with open(os.path.join(DATA, "moleculenet", "bbbp.csv"), newline="") as f:
        rows = [row["smiles"] for row in csv.DictReader(f)]
    picked = []
    for number, smiles in enumerate(rows, start=1):
        fresh = Chem.MolFromSmiles(smiles)
        if fresh is None:
            continue
        expected = erg(fresh)
        after = Chem.MolFromSmiles(smiles)
        MurckoScaffold.GetScaffoldForMol(after)
        affected = erg(after) != expected
        extra = affected and sum(1 for m in picked if m["row"] not in NAMED_ROWS) < AFFECTED
        if number in NAMED_ROWS or extra:
            picked.append({"row": number, "smiles": smiles, "affected_in_python": affected,
                           "erg": [[i, repr(v)] for i, v in enumerate(expected) if v != 0.0]})
    assert {m["row"] for m in picked} >= set(NAMED_ROWS)
    document = {"rdkit_version": rdBase.rdkitVersion, "generator": "scripts/make_erg_order_fixtures.py",
                "source": "moleculenet/bbbp.csv", "settings": {"fuzzIncrement": 0.3, "minPath": 1, "maxPath": 21},
                "molecules": picked}
    temporary = OUT + ".tmp"
    with open(temporary, "w") as f:
        json.dump(document, f, separators=(",", ":"))
        f.write("\n")
    os.replace(temporary, OUT)
    print(f"{OUT}: {len(picked)} molecules, {sum(m['affected_in_python'] for m in picked)} affected in "
          f"Python RDKit, {os.path.getsize(OUT)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
