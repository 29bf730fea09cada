// Sections 4 and 5 of the PubChem fingerprint: an atom with a set of distinct neighbours, each
// reached by a bond of a given class. Written in the specification's own notation and matched
// by a walk over each atom's neighbours, far faster than one SMARTS search per bit.
//
// Bond classes (specification, sections 4 and 5): "~" any bond, ":" aromatic bond, "-" single
// or aromatic, "=" double or aromatic, "#" triple. Element symbols match any aromaticity.
#include "PubChemSections.hpp"

#include <cctype>
#include <stdexcept>
#include <string>
#include <vector>

#include <GraphMol/Atom.h>
#include <GraphMol/Bond.h>

namespace lgmcl::pubchem {
namespace {

// Section 4 (bits 327–415) then section 5 (bits 416–459), in bit order.
const char *const neighbourhoodTable[] = {
    // Section 4: simple atom nearest neighbours.
    "C(~Br)(~C)", "C(~Br)(~C)(~C)", "C(~Br)(~H)", "C(~Br)(:C)", "C(~Br)(:N)", "C(~C)(~C)",
    "C(~C)(~C)(~C)", "C(~C)(~C)(~C)(~C)", "C(~C)(~C)(~C)(~H)", "C(~C)(~C)(~C)(~N)",
    "C(~C)(~C)(~C)(~O)", "C(~C)(~C)(~H)(~N)", "C(~C)(~C)(~H)(~O)", "C(~C)(~C)(~N)",
    "C(~C)(~C)(~O)", "C(~C)(~Cl)", "C(~C)(~Cl)(~H)", "C(~C)(~H)", "C(~C)(~H)(~N)",
    "C(~C)(~H)(~O)", "C(~C)(~H)(~O)(~O)", "C(~C)(~H)(~P)", "C(~C)(~H)(~S)", "C(~C)(~I)",
    "C(~C)(~N)", "C(~C)(~O)", "C(~C)(~S)", "C(~C)(~Si)", "C(~C)(:C)", "C(~C)(:C)(:C)",
    "C(~C)(:C)(:N)", "C(~C)(:N)", "C(~C)(:N)(:N)", "C(~Cl)(~Cl)", "C(~Cl)(~H)", "C(~Cl)(:C)",
    "C(~F)(~F)", "C(~F)(:C)", "C(~H)(~N)", "C(~H)(~O)", "C(~H)(~O)(~O)", "C(~H)(~S)",
    "C(~H)(~Si)", "C(~H)(:C)", "C(~H)(:C)(:C)", "C(~H)(:C)(:N)", "C(~H)(:N)", "C(~H)(~H)(~H)",
    "C(~N)(~N)", "C(~N)(:C)", "C(~N)(:C)(:C)", "C(~N)(:C)(:N)", "C(~N)(:N)", "C(~O)(~O)",
    "C(~O)(:C)", "C(~O)(:C)(:C)", "C(~S)(:C)", "C(:C)(:C)", "C(:C)(:C)(:C)", "C(:C)(:C)(:N)",
    "C(:C)(:N)", "C(:C)(:N)(:N)", "C(:N)(:N)", "N(~C)(~C)", "N(~C)(~C)(~C)", "N(~C)(~C)(~H)",
    "N(~C)(~H)", "N(~C)(~H)(~N)", "N(~C)(~O)", "N(~C)(:C)", "N(~C)(:C)(:C)", "N(~H)(~N)",
    "N(~H)(:C)", "N(~H)(:C)(:C)", "N(~O)(~O)", "N(~O)(:O)", "N(:C)(:C)", "N(:C)(:C)(:C)",
    "O(~C)(~C)", "O(~C)(~H)", "O(~C)(~P)", "O(~H)(~S)", "O(:C)(:C)", "P(~C)(~C)", "P(~O)(~O)",
    "S(~C)(~C)", "S(~C)(~H)", "S(~C)(~O)", "Si(~C)(~C)",
    // Section 5: detailed atom neighbourhoods.
    "C=C", "C#C", "C=N", "C#N", "C=O", "C=S", "N=N", "N=O", "N=P", "P=O", "P=P", "C(#C)(-C)",
    "C(#C)(-H)", "C(#N)(-C)", "C(-C)(-C)(=C)", "C(-C)(-C)(=N)", "C(-C)(-C)(=O)",
    "C(-C)(-Cl)(=O)", "C(-C)(-H)(=C)", "C(-C)(-H)(=N)", "C(-C)(-H)(=O)", "C(-C)(-N)(=C)",
    "C(-C)(-N)(=N)", "C(-C)(-N)(=O)", "C(-C)(-O)(=O)", "C(-C)(=C)", "C(-C)(=N)", "C(-C)(=O)",
    "C(-Cl)(=O)", "C(-H)(-N)(=C)", "C(-H)(=C)", "C(-H)(=N)", "C(-H)(=O)", "C(-N)(=C)",
    "C(-N)(=N)", "C(-N)(=O)", "C(-O)(=O)", "N(-C)(=C)", "N(-C)(=O)", "N(-O)(=O)", "P(-O)(=O)",
    "S(-C)(=O)", "S(-O)(=O)", "S(=O)(=O)",
};

constexpr int neighbourhoodFirstBit = 327;

enum class BondClass { any, aromatic, singleOrAromatic, doubleOrAromatic, triple };

struct Neighbour {
  BondClass bond;
  int element;
};

struct Neighbourhood {
  int bit;
  int centre;
  std::vector<Neighbour> neighbours;
};

BondClass bondClass(char c) {
  switch (c) {
    case '~': return BondClass::any;
    case ':': return BondClass::aromatic;
    case '-': return BondClass::singleOrAromatic;
    case '=': return BondClass::doubleOrAromatic;
    case '#': return BondClass::triple;
  }
  throw std::invalid_argument(std::string("PubChem neighbourhood: unknown bond '") + c + "'");
}

// Reads an element symbol (one capital, optional lowercase letter) at text[i].
int readElement(const std::string &text, size_t &i) {
  std::string symbol(1, text.at(i++));
  if (i < text.size() && std::islower(static_cast<unsigned char>(text[i]))) symbol += text[i++];
  return atomicNumber(symbol.c_str());
}

// "C(~Br)(:N)" → centre C with neighbours {(~, Br), (:, N)}; "C=O" → centre C with {(=, O)}.
Neighbourhood parse(const std::string &text, int bit) {
  Neighbourhood n{bit, 0, {}};
  size_t i = 0;
  n.centre = readElement(text, i);
  while (i < text.size()) {
    const bool branch = text[i] == '(';
    if (branch) ++i;
    const BondClass bond = bondClass(text.at(i++));
    n.neighbours.push_back({bond, readElement(text, i)});
    if (branch && text.at(i++) != ')') throw std::invalid_argument("PubChem neighbourhood: " + text);
  }
  return n;
}

bool bondMatches(BondClass wanted, const RDKit::Bond &bond) {
  const bool aromatic = bond.getIsAromatic();
  switch (wanted) {
    case BondClass::any: return true;
    case BondClass::aromatic: return aromatic;
    case BondClass::singleOrAromatic: return aromatic || bond.getBondType() == RDKit::Bond::SINGLE;
    case BondClass::doubleOrAromatic: return aromatic || bond.getBondType() == RDKit::Bond::DOUBLE;
    case BondClass::triple: return bond.getBondType() == RDKit::Bond::TRIPLE;
  }
  return false;
}

struct AtomNeighbour {
  int element;
  const RDKit::Bond *bond;
};

// Assigns the wanted neighbours, from `next` on, to distinct atom neighbours (backtracking; at
// most four wanted neighbours and a handful of atom neighbours).
bool assign(const std::vector<Neighbour> &wanted, size_t next,
            const std::vector<AtomNeighbour> &have, uint32_t used) {
  if (next == wanted.size()) return true;
  for (size_t k = 0; k < have.size(); ++k) {
    if (used & (1u << k)) continue;
    if (have[k].element != wanted[next].element || !bondMatches(wanted[next].bond, *have[k].bond))
      continue;
    if (assign(wanted, next + 1, have, used | (1u << k))) return true;
  }
  return false;
}

struct NeighbourhoodTable {
  std::vector<std::vector<Neighbourhood>> byCentre;  // indexed by the centre's atomic number

  NeighbourhoodTable() {
    int bit = neighbourhoodFirstBit;
    for (const char *text : neighbourhoodTable) {
      Neighbourhood n = parse(text, bit++);
      if (static_cast<size_t>(n.centre) >= byCentre.size()) byCentre.resize(n.centre + 1);
      byCentre[n.centre].push_back(std::move(n));
    }
  }
};

}  // namespace

void setNeighbourhoodBits(const RDKit::ROMol &withHs, uint8_t *bits) {
  static const NeighbourhoodTable table;
  std::vector<AtomNeighbour> have;
  for (const auto *atom : withHs.atoms()) {
    const size_t z = atom->getAtomicNum();
    if (z >= table.byCentre.size() || table.byCentre[z].empty()) continue;
    // 32 neighbours fit the `used` mask; no real atom has more.
    if (atom->getDegree() > 32) continue;
    have.clear();
    for (const auto *bond : withHs.atomBonds(atom)) {
      have.push_back({bond->getOtherAtom(atom)->getAtomicNum(), bond});
    }
    for (const auto &n : table.byCentre[z]) {
      if (!bits[n.bit] && assign(n.neighbours, 0, have, 0)) bits[n.bit] = 1;
    }
  }
}

}  // namespace lgmcl::pubchem
