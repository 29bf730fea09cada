#include "CRDKit.h"
#include "MolHandle.hpp"
#include "ShimSupport.hpp"

#include <GraphMol/Descriptors/Crippen.h>
#include <GraphMol/Descriptors/Lipinski.h>
#include <GraphMol/Descriptors/MolDescriptors.h>
#include <GraphMol/Descriptors/MolSurf.h>
#include <GraphMol/GraphMol.h>
#include <GraphMol/MolOps.h>

using crdkit::guarded;

extern "C" int crdkit_mol_descriptors(const crdkit_mol *mol, crdkit_descriptors *out, char **error) {
  return guarded(error, -1, [&] {
    const RDKit::ROMol &m = *mol->mol;
    out->mol_wt = RDKit::Descriptors::calcAMW(m);
    double logP = 0, molarRefractivity = 0;
    RDKit::Descriptors::calcCrippenDescriptors(m, logP, molarRefractivity);
    out->log_p = logP;
    out->tpsa = RDKit::Descriptors::calcTPSA(m);
    out->h_bond_donors = static_cast<int32_t>(RDKit::Descriptors::calcNumHBD(m));
    out->h_bond_acceptors = static_cast<int32_t>(RDKit::Descriptors::calcNumHBA(m));
    out->rotatable_bonds = static_cast<int32_t>(RDKit::Descriptors::calcNumRotatableBonds(m));
    out->formal_charge = RDKit::MolOps::getFormalCharge(m);
    out->aromatic_rings = static_cast<int32_t>(RDKit::Descriptors::calcNumAromaticRings(m));
    out->heavy_atoms = static_cast<int32_t>(m.getNumHeavyAtoms());
    out->rings = static_cast<int32_t>(RDKit::Descriptors::calcNumRings(m));
    out->stereocentres = static_cast<int32_t>(RDKit::Descriptors::numAtomStereoCenters(m));
    return 0;
  });
}
