// Internal to CRDKit: the sections of PubChem's substructure fingerprint (specification V1.3).
// Each function sets the bits of its section in `bits` (881 bytes, 0/1) and leaves the others.
// `withHs` is the molecule with every hydrogen an explicit atom (RDKit's addHs); `mol` is the
// same molecule as parsed, whose atom indices are the first ones of `withHs`.
#pragma once
#include <cstdint>
#include <vector>

#include <GraphMol/Bond.h>
#include <GraphMol/ROMol.h>

namespace lgmcl::pubchem {

constexpr int bitCount = 881;

/// Bond classes of the specification's notation: "~" any bond, ":" aromatic, "-" single or
/// aromatic, "=" double or aromatic, "#" triple.
enum class BondClass { any, aromatic, singleOrAromatic, doubleOrAromatic, triple };

BondClass bondClass(char symbol);

struct WantedNeighbour {
  BondClass bond;
  int element;
};

/// Each atom's element and bonded neighbours, indexed by element, so that "is there an atom X
/// with distinct neighbours Y, Z … over bonds of these classes" is a short walk. Sections 4 and
/// 5 are such questions; for sections 6 and 7 they are a cheap necessary test before SMARTS.
class AtomEnvironments {
 public:
  explicit AtomEnvironments(const RDKit::ROMol &mol);

  bool contains(int centre, const std::vector<WantedNeighbour> &wanted) const;

 private:
  struct Neighbour {
    int element;
    bool aromatic;
    RDKit::Bond::BondType type;
  };
  bool assign(const std::vector<WantedNeighbour> &wanted, size_t next,
              const std::vector<Neighbour> &have, uint64_t used) const;

  std::vector<std::vector<Neighbour>> neighbours_;  // per atom
  std::vector<std::vector<int>> atomsByElement_;
};

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
void setNeighbourhoodBits(const AtomEnvironments &environments, uint8_t *bits);

/// Sections 6 and 7 (bits 460–880): SMARTS patterns, parsed once per process.
/// `environments` are those of `withHs`.
void setPatternBits(const RDKit::ROMol &mol, const RDKit::ROMol &withHs,
                    const AtomEnvironments &environments, uint8_t *bits);

/// Atomic number of an element symbol ("Cl" → 17), from RDKit's periodic table.
int atomicNumber(const char *symbol);

}  // namespace lgmcl::pubchem
