#include "CRDKit.h"
#include "MolHandle.hpp"
#include "ShimSupport.hpp"

#include <memory>

#include <DataStructs/ExplicitBitVect.h>
#include <GraphMol/Fingerprints/MACCS.h>
#include <GraphMol/GraphMol.h>
#include <GraphMol/ReducedGraphs/ReducedGraphs.h>

using crdkit::guarded;
using crdkit::setError;

extern "C" int crdkit_mol_maccs(const crdkit_mol *mol, uint8_t *out, char **error) {
  return guarded(error, -1, [&] {
    std::unique_ptr<ExplicitBitVect> bits(RDKit::MACCSFingerprints::getFingerprintAsBitVect(*mol->mol));
    for (unsigned i = 0; i < 167; ++i) out[i] = bits->getBit(i) ? 1 : 0;
    return 0;
  });
}

// Six ErG pharmacophore types (donor, acceptor, positive, negative, hydrophobic, aromatic ring)
// give 6·7/2 = 21 unordered type pairs.
extern "C" size_t crdkit_erg_length(unsigned min_path, unsigned max_path) {
  return max_path < min_path ? 0 : 21 * static_cast<size_t>(max_path - min_path + 1);
}

extern "C" int crdkit_mol_erg(const crdkit_mol *mol, double fuzz_increment, unsigned min_path,
                              unsigned max_path, double *out, char **error) {
  return guarded(error, -1, [&] {
    // Not getErGFingerprint: the reduced graph is a copy of the molecule that inherits its
    // computed properties, among them a topological distance matrix cached by earlier work on
    // the molecule (MurckoDecompose, getDistanceMat). The reduced graph has extra ring-centroid
    // atoms, and unless a ring atom is removed (which clears the cache) RDKit reads the stale,
    // smaller matrix: wrong path lengths and reads past its end. Clearing the inherited cache
    // gives the value of a freshly parsed molecule whatever was computed on it before.
    std::unique_ptr<RDKit::ROMol> reduced(RDKit::ReducedGraphs::generateMolExtendedReducedGraph(*mol->mol));
    reduced->clearComputedProps(/*includeRings=*/false);
    std::unique_ptr<RDNumeric::DoubleVector> values(RDKit::ReducedGraphs::generateErGFingerprintForReducedGraph(
        *reduced, nullptr, fuzz_increment, min_path, max_path));
    const size_t expected = crdkit_erg_length(min_path, max_path);
    if (values->size() != expected) {
      setError(error, "RDKit's ErG fingerprint has " + std::to_string(values->size()) +
                          " values, expected " + std::to_string(expected));
      return -1;
    }
    for (size_t i = 0; i < expected; ++i) out[i] = (*values)[i];
    return 0;
  });
}
