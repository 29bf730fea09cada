// Sections 1 and 3 of the PubChem fingerprint: element counts and bonded element pairs, by one
// pass over the atoms (or bonds) of the molecule with explicit hydrogens.
#include "PubChemSections.hpp"

#include <array>
#include <initializer_list>
#include <utility>

#include <GraphMol/Atom.h>
#include <GraphMol/Bond.h>
#include <GraphMol/PeriodicTable.h>

namespace lgmcl::pubchem {

int atomicNumber(const char *symbol) {
  return RDKit::PeriodicTable::getTable()->getAtomicNumber(symbol);
}

namespace {

constexpr int maxAtomicNumber = 119;

struct ElementThresholds {
  const char *symbol;
  std::initializer_list<int> atLeast;
};

// Section 1 in bit order: the specification's ">= n X" lines, element by element.
const ElementThresholds elementCountTable[] = {
    {"H", {4, 8, 16, 32}}, {"Li", {1, 2}},        {"B", {1, 2, 4}},       {"C", {2, 4, 8, 16, 32}},
    {"N", {1, 2, 4, 8}},   {"O", {1, 2, 4, 8, 16}}, {"F", {1, 2, 4}},     {"Na", {1, 2}},
    {"Si", {1, 2}},        {"P", {1, 2, 4}},      {"S", {1, 2, 4, 8}},    {"Cl", {1, 2, 4, 8}},
    {"K", {1, 2}},         {"Br", {1, 2, 4}},     {"I", {1, 2, 4}},       {"Be", {1}},
    {"Mg", {1}}, {"Al", {1}}, {"Ca", {1}}, {"Sc", {1}}, {"Ti", {1}}, {"V", {1}},  {"Cr", {1}},
    {"Mn", {1}}, {"Fe", {1}}, {"Co", {1}}, {"Ni", {1}}, {"Cu", {1}}, {"Zn", {1}}, {"Ga", {1}},
    {"Ge", {1}}, {"As", {1}}, {"Se", {1}}, {"Kr", {1}}, {"Rb", {1}}, {"Sr", {1}}, {"Y", {1}},
    {"Zr", {1}}, {"Nb", {1}}, {"Mo", {1}}, {"Ru", {1}}, {"Rh", {1}}, {"Pd", {1}}, {"Ag", {1}},
    {"Cd", {1}}, {"In", {1}}, {"Sn", {1}}, {"Sb", {1}}, {"Te", {1}}, {"Xe", {1}}, {"Cs", {1}},
    {"Ba", {1}}, {"Lu", {1}}, {"Hf", {1}}, {"Ta", {1}}, {"W", {1}},  {"Re", {1}}, {"Os", {1}},
    {"Ir", {1}}, {"Pt", {1}}, {"Au", {1}}, {"Hg", {1}}, {"Tl", {1}}, {"Pb", {1}}, {"Bi", {1}},
    {"La", {1}}, {"Ce", {1}}, {"Pr", {1}}, {"Nd", {1}}, {"Pm", {1}}, {"Sm", {1}}, {"Eu", {1}},
    {"Gd", {1}}, {"Tb", {1}}, {"Dy", {1}}, {"Ho", {1}}, {"Er", {1}}, {"Tm", {1}}, {"Yb", {1}},
    {"Tc", {1}}, {"U", {1}},
};

// Section 3 in bit order (263 onwards): "Li-H", "Li-Li", … as symbol pairs.
const std::pair<const char *, const char *> atomPairTable[] = {
    {"Li", "H"}, {"Li", "Li"}, {"Li", "B"}, {"Li", "C"},  {"Li", "O"},  {"Li", "F"},  {"Li", "P"},
    {"Li", "S"}, {"Li", "Cl"}, {"B", "H"},  {"B", "B"},   {"B", "C"},   {"B", "N"},   {"B", "O"},
    {"B", "F"},  {"B", "Si"},  {"B", "P"},  {"B", "S"},   {"B", "Cl"},  {"B", "Br"},  {"C", "H"},
    {"C", "C"},  {"C", "N"},   {"C", "O"},  {"C", "F"},   {"C", "Na"},  {"C", "Mg"},  {"C", "Al"},
    {"C", "Si"}, {"C", "P"},   {"C", "S"},  {"C", "Cl"},  {"C", "As"},  {"C", "Se"},  {"C", "Br"},
    {"C", "I"},  {"N", "H"},   {"N", "N"},  {"N", "O"},   {"N", "F"},   {"N", "Si"},  {"N", "P"},
    {"N", "S"},  {"N", "Cl"},  {"N", "Br"}, {"O", "H"},   {"O", "O"},   {"O", "Mg"},  {"O", "Na"},
    {"O", "Al"}, {"O", "Si"},  {"O", "P"},  {"O", "K"},   {"F", "P"},   {"F", "S"},   {"Al", "H"},
    {"Al", "Cl"}, {"Si", "H"}, {"Si", "Si"}, {"Si", "Cl"}, {"P", "H"},  {"P", "P"},   {"As", "H"},
    {"As", "As"},
};

constexpr int atomPairFirstBit = 263;

struct PairIndex {
  // bit of the pair (a, b) in either order, or -1.
  std::array<std::array<int16_t, maxAtomicNumber>, maxAtomicNumber> bit;

  PairIndex() {
    for (auto &row : bit) row.fill(-1);
    int b = atomPairFirstBit;
    for (const auto &[first, second] : atomPairTable) {
      const int x = atomicNumber(first), y = atomicNumber(second);
      bit[x][y] = bit[y][x] = static_cast<int16_t>(b++);
    }
  }
};

}  // namespace

void setElementCountBits(const RDKit::ROMol &withHs, uint8_t *bits) {
  std::array<int, maxAtomicNumber> counts{};
  for (const auto *atom : withHs.atoms()) {
    const int z = atom->getAtomicNum();
    if (z > 0 && z < maxAtomicNumber) ++counts[z];
  }
  int b = 0;
  for (const auto &element : elementCountTable) {
    const int count = counts[atomicNumber(element.symbol)];
    for (int threshold : element.atLeast) bits[b++] = count >= threshold;
  }
}

void setAtomPairBits(const RDKit::ROMol &withHs, uint8_t *bits) {
  static const PairIndex index;
  for (const auto *bond : withHs.bonds()) {
    const int x = bond->getBeginAtom()->getAtomicNum(), y = bond->getEndAtom()->getAtomicNum();
    if (x >= maxAtomicNumber || y >= maxAtomicNumber) continue;
    const int b = index.bit[x][y];
    if (b >= 0) bits[b] = 1;
  }
}

}  // namespace lgmcl::pubchem
