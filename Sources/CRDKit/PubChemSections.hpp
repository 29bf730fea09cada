// Internal to CRDKit: the sections of PubChem's substructure fingerprint (specification V1.3).
// Each function sets the bits of its section in `bits` (881 bytes, 0/1) and leaves the others.
// `withHs` is the molecule with every hydrogen an explicit atom (RDKit's addHs); `mol` is the
// same molecule as parsed, whose atom indices are the first ones of `withHs`.
#pragma once
#include <cstdint>
#include <vector>

#include <GraphMol/ROMol.h>

namespace lgmcl::pubchem {

constexpr int bitCount = 881;

/// Section 1 (bits 0–114): element counts, hydrogens included.
void setElementCountBits(const RDKit::ROMol &withHs, uint8_t *bits);

/// Section 2 (bits 115–262): ring counts in the extended smallest set of smallest rings.
void setRingBits(const RDKit::ROMol &mol, uint8_t *bits);

/// The ESSSR as atom cycles (each in ring order): a smallest set of smallest rings plus, for
/// every atom in two or more of those rings and every pair of its neighbours (u, w), all
/// shortest cycles through u–atom–w. Naphthalene: two 6-rings and the 10-ring envelope.
std::vector<std::vector<int>> extendedSmallestRings(const RDKit::ROMol &mol);

/// Section 3 (bits 263–326): bonded element pairs, any bond.
void setAtomPairBits(const RDKit::ROMol &withHs, uint8_t *bits);

/// Sections 4 and 5 (bits 327–459): an atom and some of its neighbours with bond classes.
void setNeighbourhoodBits(const RDKit::ROMol &withHs, uint8_t *bits);

/// Sections 6 and 7 (bits 460–880): SMARTS patterns, parsed once per process.
void setPatternBits(const RDKit::ROMol &mol, const RDKit::ROMol &withHs, uint8_t *bits);

/// Atomic number of an element symbol ("Cl" → 17), from RDKit's periodic table.
int atomicNumber(const char *symbol);

}  // namespace lgmcl::pubchem
