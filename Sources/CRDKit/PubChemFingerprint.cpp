// The C entry point of the PubChem fingerprint: builds the molecule with explicit hydrogens
// once and lets each section set its bits.
#include "CRDKitPubChem.h"
#include "MolHandle.hpp"
#include "PubChemSections.hpp"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include <GraphMol/MolOps.h>

namespace {
void setError(char **error, const std::string &message) {
  if (!error) return;
  *error = static_cast<char *>(std::malloc(message.size() + 1));
  if (*error) std::memcpy(*error, message.c_str(), message.size() + 1);
}
}  // namespace

extern "C" int crdkit_pubchem_fingerprint(const crdkit_mol *mol, uint8_t *out881, char **error) {
  if (error) *error = nullptr;
  if (!mol || !mol->mol || !out881) {
    setError(error, "PubChem fingerprint: no molecule or no output buffer");
    return -1;
  }
  try {
    using namespace lgmcl::pubchem;
    const RDKit::ROMol &heavy = *mol->mol;
    // addHs appends the hydrogens after the existing atoms, so indices of `heavy` stay valid.
    std::unique_ptr<RDKit::ROMol> withHs(RDKit::MolOps::addHs(heavy));
    std::memset(out881, 0, bitCount);
    setElementCountBits(*withHs, out881);
    setRingBits(heavy, out881);
    setAtomPairBits(*withHs, out881);
    const AtomEnvironments environments(*withHs);
    setNeighbourhoodBits(environments, out881);
    setPatternBits(heavy, *withHs, environments, out881);
    return 0;
  } catch (const std::exception &e) {
    setError(error, std::string("PubChem fingerprint: ") + e.what());
  } catch (...) {
    setError(error, "PubChem fingerprint: unknown RDKit exception");
  }
  return -1;
}
