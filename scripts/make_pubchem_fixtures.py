#!/usr/bin/env python3
"""Writes Tests/LGMCLTests/Fixtures/pubchem/cdk_pubchem.csv: PubChem fingerprints of 1,000
molecules computed by CDK's PubchemFingerprinter (through PaDEL-Descriptor, PyPI `padelpy`),
the peer that lgmcl's own implementation is cross-checked against.

Molecules: a seeded sample of 150 rows from each MoleculeNet file in data/moleculenet
and 250 from the MOSES pretraining corpus, taken as written (RDKit parses them in the test).
Columns: source, smiles, cdk (the 881 bits, most significant first, as 222 hex digits).

Usage (Java 17 on PATH):
    python3 -m venv .venv && .venv/bin/pip install padelpy
    .venv/bin/python scripts/make_pubchem_fixtures.py
"""
import csv
import gzip
import os
import random
import sys
import tempfile
from pathlib import Path

from padelpy import padeldescriptor

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"  # the corpus: lgmcl-dist datasets download moses
OUT = ROOT / "Tests" / "LGMCLTests" / "Fixtures" / "pubchem" / "cdk_pubchem.csv"
BITS = 881
PER_MOLECULENET_FILE = 150
FROM_PRETRAINING = 250
SEED = 0

# PaDEL computes only the PubChem fingerprint with this descriptor-types file.
DESCRIPTOR_TYPES = """<Root>
    <Group name="Fingerprint">
        <Descriptor name="PubchemFingerprinter" value="true"/>
    </Group>
</Root>
"""


def sample_moleculenet(rng):
    picked = []
    for path in sorted((DATA / "moleculenet").glob("*.csv")):
        with open(path, newline="") as f:
            rows = [r["smiles"] for r in csv.DictReader(f) if r["smiles"].strip()]
        for smiles in rng.sample(rows, PER_MOLECULENET_FILE):
            picked.append((path.stem, smiles))
    return picked


def sample_pretraining(rng):
    # Reservoir over the first 200,000 rows keeps the read short and the sample seeded.
    path = DATA / "pretrain" / "moses_train.csv.gz"
    reservoir = []
    with gzip.open(path, "rt", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for i, row in enumerate(reader):
            if i >= 200_000:
                break
            if len(reservoir) < FROM_PRETRAINING:
                reservoir.append(row[0])
            else:
                j = rng.randrange(i + 1)
                if j < FROM_PRETRAINING:
                    reservoir[j] = row[0]
    return [("moses", s) for s in reservoir]


def cdk_fingerprints(smiles_list):
    """PaDEL row per input molecule (retainorder), or None where PaDEL gave no fingerprint."""
    with tempfile.TemporaryDirectory() as tmp:
        smi = Path(tmp) / "molecules.smi"
        smi.write_text("".join(f"{s}\tm{i}\n" for i, s in enumerate(smiles_list)))
        types = Path(tmp) / "types.xml"
        types.write_text(DESCRIPTOR_TYPES)
        out = Path(tmp) / "out.csv"
        padeldescriptor(mol_dir=str(smi), d_file=str(out), descriptortypes=str(types),
                        fingerprints=True, detectaromaticity=True, retainorder=True,
                        threads=2, maxruntime=60_000)
        with open(out, newline="") as f:
            rows = {r["Name"]: r for r in csv.DictReader(f)}
    result = []
    for i in range(len(smiles_list)):
        row = rows.get(f"m{i}")
        values = [row.get(f"PubchemFP{b}", "") for b in range(BITS)] if row else []
        if not row or any(v not in ("0", "1") for v in values):
            result.append(None)
        else:
            result.append([int(v) for v in values])
    return result


def to_hex(bits):
    padded = bits + [0] * (-len(bits) % 8)
    return bytes(
        int("".join(map(str, padded[i:i + 8])), 2) for i in range(0, len(padded), 8)
    ).hex()


def main():
    rng = random.Random(SEED)
    molecules = sample_moleculenet(rng) + sample_pretraining(rng)
    fingerprints = cdk_fingerprints([s for _, s in molecules])
    kept = [(src, s, fp) for (src, s), fp in zip(molecules, fingerprints) if fp is not None]
    print(f"{len(kept)} of {len(molecules)} molecules have a CDK fingerprint", file=sys.stderr)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = OUT.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["source", "smiles", "cdk"])
        for src, s, fp in kept:
            writer.writerow([src, s, to_hex(fp)])
    os.replace(tmp, OUT)
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
