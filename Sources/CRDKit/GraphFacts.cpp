#include "CRDKit.h"
#include "MolHandle.hpp"
#include "ShimSupport.hpp"

#include <memory>
#include <vector>

#include <GraphMol/GraphMol.h>
#include <GraphMol/SmilesParse/SmilesParse.h>
#include <GraphMol/Substruct/SubstructMatch.h>

using crdkit::guarded;
using crdkit::setError;

static_assert(CRDKIT_HYBRIDIZATION_SP == RDKit::Atom::SP, "RDKit enum changed");
static_assert(CRDKIT_HYBRIDIZATION_SP2 == RDKit::Atom::SP2, "RDKit enum changed");
static_assert(CRDKIT_HYBRIDIZATION_SP3 == RDKit::Atom::SP3, "RDKit enum changed");
static_assert(CRDKIT_HYBRIDIZATION_SP3D == RDKit::Atom::SP3D, "RDKit enum changed");
static_assert(CRDKIT_HYBRIDIZATION_SP3D2 == RDKit::Atom::SP3D2, "RDKit enum changed");
static_assert(CRDKIT_BOND_SINGLE == RDKit::Bond::SINGLE, "RDKit enum changed");
static_assert(CRDKIT_BOND_DOUBLE == RDKit::Bond::DOUBLE, "RDKit enum changed");
static_assert(CRDKIT_BOND_TRIPLE == RDKit::Bond::TRIPLE, "RDKit enum changed");
static_assert(CRDKIT_BOND_AROMATIC == RDKit::Bond::AROMATIC, "RDKit enum changed");
static_assert(CRDKIT_BOND_DIR_ENDDOWNRIGHT == RDKit::Bond::ENDDOWNRIGHT, "RDKit enum changed");
static_assert(CRDKIT_BOND_DIR_ENDUPRIGHT == RDKit::Bond::ENDUPRIGHT, "RDKit enum changed");

struct crdkit_pattern {
  std::unique_ptr<RDKit::ROMol> query;
};

extern "C" int crdkit_mol_atom_facts(const crdkit_mol *mol, crdkit_atom_facts *out, char **error) {
  return guarded(error, -1, [&] {
    const RDKit::ROMol &m = *mol->mol;
    const RDKit::RingInfo *rings = m.getRingInfo();
    for (const RDKit::Atom *atom : m.atoms()) {
      const unsigned i = atom->getIdx();
      crdkit_atom_facts &f = out[i];
      f.atomic_number = atom->getAtomicNum();
      f.degree = static_cast<int32_t>(atom->getDegree());
      f.formal_charge = atom->getFormalCharge();
      f.radical_electrons = static_cast<int32_t>(atom->getNumRadicalElectrons());
      f.hybridization = static_cast<int32_t>(atom->getHybridization());
      f.is_aromatic = atom->getIsAromatic() ? 1 : 0;
      f.total_hs = static_cast<int32_t>(atom->getTotalNumHs());
      f.implicit_valence = atom->getImplicitValence();
      f.chiral_tag = static_cast<int32_t>(atom->getChiralTag());
      f.in_ring = rings->numAtomRings(i) > 0 ? 1 : 0;
      f.ring_sizes = 0;
      for (unsigned size = 3; size <= 8; ++size) {
        if (rings->isAtomInRingOfSize(i, size)) f.ring_sizes |= 1 << size;
      }
      f.mass = atom->getMass();
    }
    return 0;
  });
}

extern "C" int crdkit_mol_bond_facts(const crdkit_mol *mol, crdkit_bond_facts *out, char **error) {
  return guarded(error, -1, [&] {
    const RDKit::ROMol &m = *mol->mol;
    const RDKit::RingInfo *rings = m.getRingInfo();
    for (const RDKit::Bond *bond : m.bonds()) {
      const unsigned i = bond->getIdx();
      crdkit_bond_facts &f = out[i];
      f.begin_atom = static_cast<int32_t>(bond->getBeginAtomIdx());
      f.end_atom = static_cast<int32_t>(bond->getEndAtomIdx());
      f.bond_type = static_cast<int32_t>(bond->getBondType());
      f.direction = static_cast<int32_t>(bond->getBondDir());
      f.is_conjugated = bond->getIsConjugated() ? 1 : 0;
      f.in_ring = rings->numBondRings(i) > 0 ? 1 : 0;
      f.stereo = static_cast<int32_t>(bond->getStereo());
    }
    return 0;
  });
}

extern "C" crdkit_pattern *crdkit_pattern_from_smarts(const char *smarts, char **error) {
  return guarded(error, static_cast<crdkit_pattern *>(nullptr), [&]() -> crdkit_pattern * {
    if (!smarts) {
      setError(error, "no SMARTS given");
      return nullptr;
    }
    std::unique_ptr<RDKit::RWMol> query(RDKit::SmartsToMol(smarts));
    if (!query) {
      setError(error, std::string("RDKit cannot parse SMARTS '") + smarts + "'");
      return nullptr;
    }
    auto *out = new crdkit_pattern;
    out->query.reset(query.release());
    return out;
  });
}

extern "C" void crdkit_pattern_free(crdkit_pattern *pattern) { delete pattern; }

namespace {
std::vector<RDKit::MatchVectType> matches(const crdkit_mol *mol, const crdkit_pattern *pattern) {
  // The defaults of Python's Mol.GetSubstructMatches: uniquify, no chirality, 1000 matches.
  RDKit::SubstructMatchParameters params;
  params.uniquify = true;
  params.maxMatches = 1000;
  return RDKit::SubstructMatch(*mol->mol, *pattern->query, params);
}
}  // namespace

extern "C" int crdkit_mol_mark_matches(const crdkit_mol *mol, const crdkit_pattern *pattern,
                                       uint8_t *flags, char **error) {
  return guarded(error, -1, [&] {
    auto found = matches(mol, pattern);
    for (const auto &match : found) {
      for (const auto &pair : match) flags[pair.second] = 1;
    }
    return static_cast<int>(found.size());
  });
}

extern "C" int crdkit_mol_count_matches(const crdkit_mol *mol, const crdkit_pattern *pattern,
                                        char **error) {
  return guarded(error, -1, [&] { return static_cast<int>(matches(mol, pattern).size()); });
}
