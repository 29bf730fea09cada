// Sections 4 and 5 of the PubChem fingerprint: an atom with a set of distinct neighbours, each
// reached by a bond of a given class. Written in the specification's own notation and matched
// by a walk over each atom's neighbours, far faster than one SMARTS search per bit.
//
// Bond classes: see BondClass. Element symbols match any aromaticity.
#include "PubChemSections.hpp"

#include <cctype>
#include <iterator>
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
static_assert(std::size(neighbourhoodTable) == 416 - 327 + 460 - 416);

struct Neighbourhood {
  int bit;
  int centre;
  std::vector<WantedNeighbour> neighbours;
};

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

struct NeighbourhoodTable {
  std::vector<Neighbourhood> all;

  NeighbourhoodTable() {
    int bit = neighbourhoodFirstBit;
    for (const char *text : neighbourhoodTable) all.push_back(parse(text, bit++));
  }
};

}  // namespace

BondClass bondClass(char symbol) {
  switch (symbol) {
    case '~': return BondClass::any;
    case ':': return BondClass::aromatic;
    case '-': return BondClass::singleOrAromatic;
    case '=': return BondClass::doubleOrAromatic;
    case '#': return BondClass::triple;
  }
  throw std::invalid_argument(std::string("PubChem notation: unknown bond '") + symbol + "'");
}

AtomEnvironments::AtomEnvironments(const RDKit::ROMol &mol) : neighbours_(mol.getNumAtoms()) {
  for (const auto *atom : mol.atoms()) {
    const size_t z = atom->getAtomicNum();
    if (z >= atomsByElement_.size()) atomsByElement_.resize(z + 1);
    atomsByElement_[z].push_back(atom->getIdx());
    auto &have = neighbours_[atom->getIdx()];
    for (const auto *bond : mol.atomBonds(atom)) {
      have.push_back({static_cast<int>(bond->getOtherAtom(atom)->getAtomicNum()), bond->getIsAromatic(),
                      bond->getBondType()});
    }
  }
}

bool AtomEnvironments::contains(int centre, const std::vector<WantedNeighbour> &wanted) const {
  if (centre < 0 || static_cast<size_t>(centre) >= atomsByElement_.size()) return false;
  for (int atom : atomsByElement_[centre]) {
    const auto &have = neighbours_[atom];
    // 64 neighbours fit the `used` mask; no real atom has more.
    if (have.size() >= wanted.size() && have.size() <= 64 && assign(wanted, 0, have, 0)) return true;
  }
  return false;
}

// Assigns the wanted neighbours, from `next` on, to distinct neighbours of one atom (backtracking
// over a handful of candidates).
bool AtomEnvironments::assign(const std::vector<WantedNeighbour> &wanted, size_t next,
                              const std::vector<Neighbour> &have, uint64_t used) const {
  if (next == wanted.size()) return true;
  const WantedNeighbour &w = wanted[next];
  for (size_t k = 0; k < have.size(); ++k) {
    const Neighbour &n = have[k];
    if ((used >> k) & 1 || n.element != w.element) continue;
    bool bondFits = false;
    switch (w.bond) {
      case BondClass::any: bondFits = true; break;
      case BondClass::aromatic: bondFits = n.aromatic; break;
      case BondClass::singleOrAromatic: bondFits = n.aromatic || n.type == RDKit::Bond::SINGLE; break;
      case BondClass::doubleOrAromatic: bondFits = n.aromatic || n.type == RDKit::Bond::DOUBLE; break;
      case BondClass::triple: bondFits = n.type == RDKit::Bond::TRIPLE; break;
    }
    if (bondFits && assign(wanted, next + 1, have, used | (uint64_t{1} << k))) return true;
  }
  return false;
}

void setNeighbourhoodBits(const AtomEnvironments &environments, uint8_t *bits) {
  static const NeighbourhoodTable table;
  for (const auto &n : table.all) bits[n.bit] = environments.contains(n.centre, n.neighbours);
}

}  // namespace lgmcl::pubchem
