#include "CRDKit.h"
#include "MolHandle.hpp"
#include "ShimSupport.hpp"

#include <memory>

#include <GraphMol/ChemTransforms/ChemTransforms.h>
#include <GraphMol/GraphMol.h>
#include <GraphMol/MolOps.h>
#include <GraphMol/SmilesParse/SmilesWrite.h>

using crdkit::copyString;
using crdkit::guarded;

namespace {
// MurckoScaffold.MakeScaffoldGeneric: heavy atoms become uncharged, achiral aliphatic carbons with
// implicit hydrogens, bonds become single; then hydrogens are removed (which sanitizes).
void makeGeneric(RDKit::RWMol &mol) {
  for (RDKit::Atom *atom : mol.atoms()) {
    if (atom->getAtomicNum() != 1) atom->setAtomicNum(6);
    atom->setIsAromatic(false);
    atom->setFormalCharge(0);
    atom->setChiralTag(RDKit::Atom::CHI_UNSPECIFIED);
    atom->setNoImplicit(false);
    atom->setNumExplicitHs(0);
  }
  for (RDKit::Bond *bond : mol.bonds()) {
    bond->setBondType(RDKit::Bond::SINGLE);
    bond->setIsAromatic(false);
  }
  RDKit::MolOps::removeHs(mol);
}
}  // namespace

extern "C" char *crdkit_mol_murcko_scaffold(const crdkit_mol *mol, int generic, char **error) {
  return guarded(error, static_cast<char *>(nullptr), [&]() -> char * {
    std::unique_ptr<RDKit::ROMol> core(RDKit::MurckoDecompose(*mol->mol));
    RDKit::RWMol scaffold(*core);
    // As MurckoScaffold.GetScaffoldForMol does before writing the SMILES.
    scaffold.clearComputedProps();
    scaffold.updatePropertyCache();
    RDKit::MolOps::symmetrizeSSSR(scaffold);
    if (generic) makeGeneric(scaffold);
    return copyString(RDKit::MolToSmiles(scaffold, /*doIsomericSmiles=*/false));
  });
}
