#!/usr/bin/python3
"""Oracle fixtures for lgmcl's chemistry (Tests/LGMCLTests/Fixtures/chemistry/).

Run with Debian's python3-rdkit (`make setup-oracles`), the same RDKit build lgmcl links:

    /usr/bin/python3 scripts/make_chemistry_fixtures.py

Writes molecules.jsonl.gz: one header line, then one JSON object per molecule, sampled with a
fixed seed from every file of data/moleculenet and the pretraining corpus, plus
hand-picked edge cases (charges, isotopes, radicals, dummy atoms, salts, stereo bonds, input RDKit
rejects). Every value is computed here from RDKit's Python API and the feature definitions of
docs/features.md, independently of lgmcl's code.
"""
import csv
import re
import gzip
import json
import logging
import os
import random
import sys

from rdkit import Chem, rdBase
from rdkit.Chem import Crippen, Descriptors, Lipinski, MACCSkeys, rdMolDescriptors, rdReducedGraphs
from rdkit.Chem.MolStandardize import rdMolStandardize
from rdkit.Chem.Scaffolds import MurckoScaffold

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data")  # the corpus: lgmcl-dist datasets download moses
OUT = os.path.join(ROOT, "Tests", "LGMCLTests", "Fixtures", "chemistry")

PER_MOLECULENET_FILE = 200
FROM_PRETRAINING = 400
RANDOM_SMILES_EVERY = 10  # every 10th molecule also gets seeded random SMILES

EDGE_CASES = [
    "", " ", "   \t", "CCO name", " CCO", "CN(C)(C)(C)C", "c1cccc1", "C1CC", "C((", "Xx", "[Xe]",
    "*CC", "[*]c1ccccc1", "[CH3]", "[CH2]C", "[13CH4]", "[2H]OC", "[H][H]", "[Na+].[Cl-]",
    "[NH4+]", "C[N+](C)(C)C", "[O-]C(=O)C", "[Fe+2]", "[U]", "[Og]", "[Pt](Cl)(Cl)(N)N",
    "F/C=C/F", "F/C=C\\F", "C/C=C/C=C/C", "N[C@@H](C)C(=O)O", "C[C@H]1CC[C@@H](C)CC1",
    "O", "[He]", "C.C", "c1ccccc1.O.[Na+].[Cl-]", "CC(=O)[O-].[Na+]", "S(=O)(=O)(O)O",
    "C1CC1", "C1CCC1", "C12CC1C2", "C1CCCCCCCCCCC1", "[se]1cccc1", "c1ccc2ccccc2c1",
    "[nH]1cccc1", "n1cccc1", "C%10CC%10", "B(O)(O)c1ccccc1", "[SiH4]", "[As](C)(C)C",
    "[Te]", "I[At]", "C#N", "O=[N+]([O-])c1ccccc1", "CC(C)(C)(C)(C)C", "C(C)(C)(C)(C)",
    "[C@@]", "C=1CC1", "c1cc", "((((", "C" * 250, "[N+](=O)(O)[O-]",
]


# The standard SMILES regular expression (Schwaller et al., ACS Cent. Sci. 2019).
SMILES_REGEX = re.compile(r"(\[[^\]]+]|Br?|Cl?|N|O|S|P|F|I|b|c|n|o|s|p|\(|\)|\.|=|#|-|\+|\\|\/|:|~|@|\?|>|\*|\$|\%[0-9]{2}|[0-9])")


class Collector(logging.Handler):
    """Collects RDKit's log lines (its only channel for SMILES syntax errors)."""

    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def rdkit_reason(lines):
    parts = []
    for text in lines:
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("[") and "] " in line:  # RDKit's timestamp
                line = line[line.index("] ") + 2:]
            if line.startswith("SMILES Parse Error: "):
                line = line[len("SMILES Parse Error: "):]
            if line:
                parts.append(line)
    return "; ".join(parts)


def one_hot(value, choices, other=False):
    out = [0.0] * len(choices)
    if value in choices:
        out[choices.index(value)] = 1.0
    elif other:
        out[-1] = 1.0
    return out


ELEMENTS = ["B", "C", "N", "O", "F", "Si", "P", "S", "Cl", "As", "Se", "Br", "Te", "I", "At", "other"]
HYBRIDIZATIONS = [
    Chem.HybridizationType.SP, Chem.HybridizationType.SP2, Chem.HybridizationType.SP3,
    Chem.HybridizationType.SP3D, Chem.HybridizationType.SP3D2, "other",
]
PHARMACOPHORES = [  # acceptor, donor, acidic, basic (docs/features.md)
    "[$([O,S;H1;v2;!$(*-*=[O,N,P,S])]),$([O,S;H0;v2]),$([O,S;-]),$([N;v3;!$(N-*=[O,N,P,S])]),n&H0&+0,$([o,s;+0;!$([o,s]:n);!$([o,s]:c:n)])]",
    "[$([N;!H0;v3,v4&+1]),$([O,S;H1;+0]),n&H1&+0]",
    "[$([C,S](=[O,S,P])-[O;H1,-1])]",
    "[#7;+,$([N;H2&+0][$([C,a]);!$([C,a](=O))]),$([N;H1&+0]([$([C,a]);!$([C,a](=O))])[$([C,a]);!$([C,a](=O))]),$([N;H0&+0]([C;!$(C(=O))])([C;!$(C(=O))])[C;!$(C(=O))])]",
]
PHARMACOPHORE_QUERIES = [Chem.MolFromSmarts(s) for s in PHARMACOPHORES]
MOTIFS = [  # name, SMARTS alternatives (counts add up): the table of docs/features.md
    ("benzene", ['c1ccccc1']),
    ("pyridine", ['n1ccccc1']),
    ("pyrimidine", ['n1cnccc1']),
    ("pyrazine", ['n1ccncc1']),
    ("pyrrole", ['n1cccc1']),
    ("imidazole", ['n1cncc1']),
    ("pyrazole", ['n1nccc1']),
    ("triazole", ['n1nncc1', 'n1cnnc1']),
    ("tetrazole", ['n1nnnc1']),
    ("furan", ['o1cccc1']),
    ("thiophene", ['s1cccc1']),
    ("oxazole", ['o1cncc1']),
    ("thiazole", ['s1cncc1']),
    ("cyclopropane", ['C1CC1']),
    ("cyclobutane", ['C1CCC1']),
    ("cyclopentane", ['C1CCCC1']),
    ("cyclohexane", ['C1CCCCC1']),
    ("pyrrolidine", ['N1CCCC1']),
    ("piperidine", ['N1CCCCC1']),
    ("piperazine", ['N1CCNCC1']),
    ("morpholine", ['N1CCOCC1']),
    ("tetrahydrofuran", ['O1CCCC1']),
    ("tetrahydropyran", ['O1CCCCC1']),
    ("lactam", ['[NX3;R][CX3;R](=O)']),
    ("lactone", ['[OX2;R][CX3;R](=O)']),
    ("carboxylic acid", ['[CX3](=O)[OX2H1]']),
    ("carboxylate", ['[CX3](=O)[OX1-]']),
    ("ester", ['[#6][CX3](=O)[OX2H0][#6]']),
    ("amide", ['[NX3][CX3](=[OX1])[#6]']),
    ("urea", ['[NX3][CX3](=[OX1])[NX3]']),
    ("carbamate", ['[#7][CX3](=[OX1])[OX2H0][#6]']),
    ("primary amine", ['[NX3;H2;+0;!$(N[C,S,P]=[O,S,N])][#6]']),
    ("secondary amine", ['[NX3;H1;+0;!$(N[C,S,P]=[O,S,N])]([#6])[#6]']),
    ("tertiary amine", ['[NX3;H0;+0;!$(N[C,S,P]=[O,S,N]);!$(N-[#7,#8])]([#6])([#6])[#6]']),
    ("ammonium", ['[NX4+]']),
    ("alcohol", ['[CX4][OX2H]']),
    ("phenol", ['c[OX2H]']),
    ("ether", ['[OD2;!R]([#6;!$(C=[O,S,N])])[#6;!$(C=[O,S,N])]']),
    ("aldehyde", ['[CX3H1](=O)[#6]']),
    ("ketone", ['[#6][CX3](=O)[#6]']),
    ("imine", ['[CX3]=[NX2;!R][#6,#1]']),
    ("nitrile", ['[CX2]#[NX1]']),
    ("nitro", ['[NX3+](=O)[O-]']),
    ("sulfonamide", ['[SX4](=O)(=O)[NX3]']),
    ("sulfone", ['[#6][SX4](=O)(=O)[#6]']),
    ("sulfoxide", ['[#6][SX3](=O)[#6]']),
    ("thiol", ['[SX2H]']),
    ("thioether", ['[SX2H0;!R]([#6])[#6]']),
    ("phosphate", ['[PX4](=O)([OX2])([OX2])[OX2]']),
    ("alkene", ['[CX3;!R]=[CX3]']),
    ("alkyne", ['[CX2]#[CX2]']),
    ("fluorine", ['[F]']),
    ("chlorine", ['[Cl]']),
    ("bromine", ['[Br]']),
    ("iodine", ['[I]']),
]
MOTIF_QUERIES = [(name, [Chem.MolFromSmarts(s) for s in alternatives]) for name, alternatives in MOTIFS]
BOND_TYPES = [Chem.BondType.SINGLE, Chem.BondType.DOUBLE, Chem.BondType.TRIPLE, Chem.BondType.AROMATIC]
BOND_DIRECTIONS = [Chem.BondDir.ENDUPRIGHT, Chem.BondDir.ENDDOWNRIGHT]


def atom_features(mol):
    roles = []
    for query in PHARMACOPHORE_QUERIES:
        marked = set()
        for match in mol.GetSubstructMatches(query):
            marked.update(match)
        roles.append(marked)
    rows = []
    for atom in mol.GetAtoms():
        symbol = atom.GetSymbol()
        row = one_hot(symbol if symbol in ELEMENTS[:-1] else "other", ELEMENTS)
        row += one_hot(atom.GetDegree(), list(range(6)))
        row += [float(atom.GetFormalCharge()), float(atom.GetNumRadicalElectrons())]
        row += one_hot(atom.GetHybridization(), HYBRIDIZATIONS, other=True)
        row += [1.0 if atom.GetIsAromatic() else 0.0]
        row += one_hot(min(atom.GetTotalNumHs(), 4), list(range(5)))
        row += [1.0 if atom.IsInRing() else 0.0]
        row += [1.0 if atom.IsInRingSize(n) else 0.0 for n in (3, 4, 5, 6)]
        row += one_hot(int(atom.GetChiralTag()), list(range(4)))
        row += [atom.GetMass() * 0.01]
        row += one_hot(atom.GetImplicitValence(), list(range(7)))
        row += [1.0 if atom.GetIdx() in marked else 0.0 for marked in roles]
        assert len(row) == 57
        rows.append(row)
    return rows


def bond_features(mol):
    rows = []
    for bond in mol.GetBonds():
        row = [0.0]
        row += one_hot(bond.GetBondType(), BOND_TYPES)
        row += one_hot(bond.GetBondDir(), BOND_DIRECTIONS)
        row += [1.0 if bond.GetIsConjugated() else 0.0, 1.0 if bond.IsInRing() else 0.0]
        row += one_hot(int(bond.GetStereo()), list(range(6)))
        assert len(row) == 15
        rows.append([bond.GetBeginAtomIdx(), bond.GetEndAtomIdx(), row])
    return rows


def exact(value):
    """A float as its shortest round-trip text: JSON readers need not parse floats exactly
    (Foundation's on Linux does not), Swift's Double(String) does."""
    return repr(float(value))


def sparse(row):
    """Nonzero slots of a feature row as [slot, value] pairs: the fixtures stay small."""
    return [[i, exact(v)] for i, v in enumerate(row) if v != 0.0]


def scaffold(mol, generic):
    core = MurckoScaffold.GetScaffoldForMol(mol)
    if generic:
        core = MurckoScaffold.MakeScaffoldGeneric(core)
    return Chem.MolToSmiles(core, isomericSmiles=False)


def record(source, smiles, index, collector):
    collector.lines.clear()
    mol = Chem.MolFromSmiles(smiles)
    out = {"source": source, "smiles": smiles}
    if mol is None:
        out["error"] = rdkit_reason(collector.lines)
        return out
    out["atom_count"] = mol.GetNumAtoms()
    if mol.GetNumAtoms() == 0:
        return out
    out["canonical"] = Chem.MolToSmiles(mol)
    tokens = SMILES_REGEX.findall(out["canonical"])
    if "".join(tokens) == out["canonical"]:  # the expression covers every character
        out["smiles_tokens"] = tokens
    out["atoms"] = [sparse(row) for row in atom_features(mol)]
    out["bonds"] = [[b, e, sparse(row)] for b, e, row in bond_features(mol)]
    maccs = MACCSkeys.GenMACCSKeys(mol)
    out["maccs"] = "".join("1" if maccs.GetBit(i) else "0" for i in range(167))
    erg = rdReducedGraphs.GetErGFingerprint(mol, fuzzIncrement=0.3, minPath=1, maxPath=21)
    assert len(erg) == 441
    out["erg"] = [[i, exact(v)] for i, v in enumerate(erg) if v != 0.0]
    out["descriptors"] = {
        "molWt": exact(Descriptors.MolWt(mol)),
        "logP": exact(Crippen.MolLogP(mol)),
        "tpsa": exact(Descriptors.TPSA(mol)),
        "hBondDonors": Lipinski.NumHDonors(mol),
        "hBondAcceptors": Lipinski.NumHAcceptors(mol),
        "rotatableBonds": Lipinski.NumRotatableBonds(mol),
        "formalCharge": Chem.GetFormalCharge(mol),
        "aromaticRings": rdMolDescriptors.CalcNumAromaticRings(mol),
        "heavyAtoms": mol.GetNumHeavyAtoms(),
        "rings": rdMolDescriptors.CalcNumRings(mol),
        "stereocentres": rdMolDescriptors.CalcNumAtomStereoCenters(mol),
    }
    counts = {name: sum(len(mol.GetSubstructMatches(q)) for q in queries) for name, queries in MOTIF_QUERIES}
    out["motifs"] = {name: n for name, n in counts.items() if n}
    out["scaffold"] = scaffold(Chem.Mol(mol), generic=False)
    out["generic_scaffold"] = scaffold(Chem.Mol(mol), generic=True)
    if "." in smiles:
        largest = rdMolStandardize.LargestFragmentChooser().choose(mol)
        out["largest_fragment"] = Chem.MolToSmiles(largest)
    if index % RANDOM_SMILES_EVERY == 0:
        seed = index + 1  # RDKit treats seed 0 as "unseeded"
        out["random_seed"] = seed
        out["random_smiles"] = list(Chem.MolToRandomSmilesVect(mol, 3, randomSeed=seed))
    return out


def sample_moleculenet(rng):
    picked = []
    folder = os.path.join(DATA, "moleculenet")
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), newline="") as f:
            rows = list(csv.DictReader(f))
        chosen = sorted(rng.sample(range(len(rows)), PER_MOLECULENET_FILE))
        picked += [(f"moleculenet/{name}:{i}", rows[i]["smiles"]) for i in chosen]
    return picked


def sample_pretraining(rng):
    with gzip.open(os.path.join(DATA, "pretrain", "moses_train.csv.gz"), "rt") as f:
        rows = f.read().splitlines()[1:]
    chosen = sorted(rng.sample(range(len(rows)), FROM_PRETRAINING))
    return [(f"pretrain/moses_train.csv.gz:{i}", rows[i]) for i in chosen]


def tox21_failures(collector):
    failures = []
    with open(os.path.join(DATA, "moleculenet", "tox21.csv"), newline="") as f:
        for row_index, row in enumerate(csv.DictReader(f)):
            collector.lines.clear()
            if Chem.MolFromSmiles(row["smiles"]) is None:
                failures.append({"row": row_index, "smiles": row["smiles"], "error": rdkit_reason(collector.lines)})
    return failures


def main():
    collector = Collector()
    logger = logging.getLogger("rdkit")
    logger.addHandler(collector)
    logger.propagate = False
    rdBase.LogToPythonLogger()

    rng = random.Random(20260122)
    molecules = [("edge", s) for s in EDGE_CASES] + sample_moleculenet(rng) + sample_pretraining(rng)
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "molecules.jsonl.gz")
    temporary = path + ".tmp"
    header = {"rdkit_version": rdBase.rdkitVersion, "generator": "scripts/make_chemistry_fixtures.py",
              "tox21_failures": tox21_failures(collector)}
    # mtime=0: the same inputs give byte-identical fixtures.
    with open(temporary, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write((json.dumps(header) + "\n").encode())
        for index, (source, smiles) in enumerate(molecules):
            f.write((json.dumps(record(source, smiles, index, collector), separators=(",", ":")) + "\n").encode())
    os.replace(temporary, path)
    print(f"{path}: {len(molecules)} molecules, {os.path.getsize(path)} bytes, "
          f"{len(header['tox21_failures'])} unparsable tox21 rows", file=sys.stderr)


if __name__ == "__main__":
    main()
