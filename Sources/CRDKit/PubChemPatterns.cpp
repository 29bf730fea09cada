// Sections 6 and 7 of the PubChem fingerprint: SMARTS patterns. The tables hold the
// specification's own text; `toSmarts` applies its reading rules:
//   section 6 "bond orders are specific and bond aromaticity matches both single and double
//   bonds": "-" becomes "-,:", "=" becomes "=,:", "#" and ":" stay;
//   section 7 (ring patterns) is kept as written: lowercase atoms are aromatic, and a bond left
//   unwritten is SMARTS's default, single or aromatic.
// In both, an uppercase element symbol matches the element whatever its aromaticity ("C" → [#6]).
// Patterns are parsed once per process and only read afterwards, so matching is thread-safe.
#include "PubChemSections.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <map>
#include <memory>
#include <tuple>
#include <stdexcept>
#include <string>
#include <vector>

#include <GraphMol/Atom.h>
#include <GraphMol/SmilesParse/SmilesParse.h>
#include <GraphMol/Substruct/SubstructMatch.h>

namespace lgmcl::pubchem {
namespace {

// Section 6: simple SMARTS patterns, bits 460–712.
const char *const section6[] = {
    "C-C-C#C", "O-C-C=N", "O-C-C=O", "N:C-S-[#1]", "N-C-C=C", "O=S-C-C", "N#C-C=C", "C=N-N-C",
    "O=S-C-N", "S-S-C:C", "C:C-C=C", "S:C:C:C", "C:N:C-C", "S-C:N:C", "S:C:C:N", "S-C=N-C",
    "C-O-C=C", "N-N-C:C", "S-C=N-[#1]", "S-C-S-C", "C:S:C-C", "O-S-C:C", "C:N-C:C", "N-S-C:C",
    "N-C:N:C", "N:C:C:N", "N-C:N:N", "N-C=N-C", "N-C=N-[#1]", "N-C-S-C", "C-C-C=C", "C-N:C-[#1]",
    "N-C:O:C", "O=C-C:C", "O=C-C:N", "C-N-C:C", "N:N-C-[#1]", "O-C:C:N", "O-C=C-C", "N-C:C:N",
    "C-S-C:C", "Cl-C:C-C", "N-C=C-[#1]", "Cl-C:C-[#1]", "N:C:N-C", "Cl-C:C-O", "C-C:N:C", "C-C-S-C",
    "S=C-N-C", "Br-C:C-C", "[#1]-N-N-[#1]", "S=C-N-[#1]", "C-[As]-O-[#1]", "S:C:C-[#1]", "O-N-C-C",
    "N-N-C-C", "[#1]-C=C-[#1]", "N-N-C-N", "O=C-N-N", "N=C-N-C", "C=C-C:C", "C:N-C-[#1]",
    "C-N-N-[#1]", "N:C:C-C", "C-C=C-C", "[As]-C:C-[#1]", "Cl-C:C-Cl", "C:C:N-[#1]", "[#1]-N-C-[#1]",
    "Cl-C-C-Cl", "N:C-C:C", "S-C:C-C", "S-C:C-[#1]", "S-C:C-N", "S-C:C-O", "O=C-C-C", "O=C-C-N",
    "O=C-C-O", "N=C-C-C", "N=C-C-[#1]", "C-N-C-[#1]", "O-C:C-C", "O-C:C-[#1]", "O-C:C-N", "O-C:C-O",
    "N-C:C-C", "N-C:C-[#1]", "N-C:C-N", "O-C-C:C", "N-C-C:C", "Cl-C-C-C", "Cl-C-C-O", "C:C-C:C",
    "O=C-C=C", "Br-C-C-C", "N=C-C=C", "C=C-C-C", "N:C-O-[#1]", "O=N-C:C", "O-C-N-[#1]", "N-C-N-C",
    "Cl-C-C=O", "Br-C-C=O", "O-C-O-C", "C=C-C=C", "C:C-O-C", "O-C-C-N", "O-C-C-O", "N#C-C-C",
    "N-C-C-N", "C:C-C-C", "[#1]-C-O-[#1]", "N:C:N:C", "O-C-C=C", "O-C-C:C-C", "O-C-C:C-O",
    "N=C-C:C-[#1]", "C:C-N-C:C", "C-C:C-C:C", "O=C-C-C-C", "O=C-C-C-N", "O=C-C-C-O", "C-C-C-C-C",
    "Cl-C:C-O-C", "C:C-C=C-C", "C-C:C-N-C", "C-S-C-C-C", "N-C:C-O-[#1]", "O=C-C-C=O", "C-C:C-O-C",
    "C-C:C-O-[#1]", "Cl-C-C-C-C", "N-C-C-C-C", "N-C-C-C-N", "C-O-C-C=C", "C:C-C-C-C", "N=C-N-C-C",
    "O=C-C-C:C", "Cl-C:C:C-C", "[#1]-C-C=C-[#1]", "N-C:C:C-C", "N-C:C:C-N", "O=C-C-N-C",
    "C-C:C:C-C", "C-O-C-C:C", "O=C-C-O-C", "O-C:C-C-C", "N-C-C-C:C", "C-C-C-C:C", "Cl-C-C-N-C",
    "C-O-C-O-C", "N-C-C-N-C", "N-C-O-C-C", "C-N-C-C-C", "C-C-O-C-C", "N-C-C-O-C", "C:C:N:N:C",
    "C-C-C-O-[#1]", "C:C-C-C:C", "O-C-C=C-C", "C:C-O-C-C", "N-C:C:C:N", "O=C-O-C:C", "O=C-C:C-C",
    "O=C-C:C-N", "O=C-C:C-O", "C-O-C:C-C", "O=[As]-C:C:C", "C-N-C-C:C", "S-C:C:C-N", "O-C:C-O-C",
    "O-C:C-O-[#1]", "C-C-O-C:C", "N-C-C:C-C", "C-C-C:C-C", "N-N-C-N-[#1]", "C-N-C-N-C", "O-C-C-C-C",
    "O-C-C-C-N", "O-C-C-C-O", "C=C-C-C-C", "O-C-C-C=C", "O-C-C-C=O", "[#1]-C-C-N-[#1]", "C-C=N-N-C",
    "O=C-N-C-C", "O=C-N-C-[#1]", "O=C-N-C-N", "O=N-C:C-N", "O=N-C:C-O", "O=C-N-C=O", "O-C:C:C-C",
    "O-C:C:C-N", "O-C:C:C-O", "N-C-N-C-C", "O-C-C-C:C", "C-C-N-C-C", "C-N-C:C-C", "C-C-S-C-C",
    "O-C-C-N-C", "C-C=C-C-C", "O-C-O-C-C", "O-C-C-O-C", "O-C-C-O-[#1]", "C-C=C-C=C", "N-C:C-C-C",
    "C=C-C-O-C", "C=C-C-O-[#1]", "C-C:C-C-C", "Cl-C:C-C=O", "Br-C:C:C-C", "O=C-C=C-C",
    "O=C-C=C-[#1]", "O=C-C=C-N", "N-C-N-C:C", "Br-C-C-C:C", "N#C-C-C-C", "C-C=C-C:C", "C-C-C=C-C",
    "C-C-C-C-C-C", "O-C-C-C-C-C", "O-C-C-C-C-O", "O-C-C-C-C-N", "N-C-C-C-C-C", "O=C-C-C-C-C",
    "O=C-C-C-C-N", "O=C-C-C-C-O", "O=C-C-C-C=O", "C-C-C-C-C-C-C", "O-C-C-C-C-C-C", "O-C-C-C-C-C-O",
    "O-C-C-C-C-C-N", "O=C-C-C-C-C-C", "O=C-C-C-C-C-O", "O=C-C-C-C-C=O", "O=C-C-C-C-C-N",
    "C-C-C-C-C-C-C-C", "C-C-C-C-C-C(C)-C", "O-C-C-C-C-C-C-C", "O-C-C-C-C-C(C)-C", "O-C-C-C-C-C-O-C",
    "O-C-C-C-C-C(O)-C", "O-C-C-C-C-C-N-C", "O-C-C-C-C-C(N)-C", "O=C-C-C-C-C-C-C",
    "O=C-C-C-C-C(O)-C", "O=C-C-C-C-C(=O)-C", "O=C-C-C-C-C(N)-C", "C-C(C)-C-C", "C-C(C)-C-C-C",
    "C-C-C(C)-C-C", "C-C(C)(C)-C-C", "C-C(C)-C(C)-C",
};

// Section 7: complex SMARTS patterns, bits 713–880. Bit 876 reads "NC1C(Cl)CC1" (a 4-ring, where
// its neighbours are 5-rings) in the specification; PubChem's own fingerprints are the
// reference, so it is kept as written.
const char *const section7[] = {
    "Cc1ccc(C)cc1", "Cc1ccc(O)cc1", "Cc1ccc(S)cc1", "Cc1ccc(N)cc1", "Cc1ccc(Cl)cc1",
    "Cc1ccc(Br)cc1", "Oc1ccc(O)cc1", "Oc1ccc(S)cc1", "Oc1ccc(N)cc1", "Oc1ccc(Cl)cc1",
    "Oc1ccc(Br)cc1", "Sc1ccc(S)cc1", "Sc1ccc(N)cc1", "Sc1ccc(Cl)cc1", "Sc1ccc(Br)cc1",
    "Nc1ccc(N)cc1", "Nc1ccc(Cl)cc1", "Nc1ccc(Br)cc1", "Clc1ccc(Cl)cc1", "Clc1ccc(Br)cc1",
    "Brc1ccc(Br)cc1", "Cc1cc(C)ccc1", "Cc1cc(O)ccc1", "Cc1cc(S)ccc1", "Cc1cc(N)ccc1",
    "Cc1cc(Cl)ccc1", "Cc1cc(Br)ccc1", "Oc1cc(O)ccc1", "Oc1cc(S)ccc1", "Oc1cc(N)ccc1",
    "Oc1cc(Cl)ccc1", "Oc1cc(Br)ccc1", "Sc1cc(S)ccc1", "Sc1cc(N)ccc1", "Sc1cc(Cl)ccc1",
    "Sc1cc(Br)ccc1", "Nc1cc(N)ccc1", "Nc1cc(Cl)ccc1", "Nc1cc(Br)ccc1", "Clc1cc(Cl)ccc1",
    "Clc1cc(Br)ccc1", "Brc1cc(Br)ccc1", "Cc1c(C)cccc1", "Cc1c(O)cccc1", "Cc1c(S)cccc1",
    "Cc1c(N)cccc1", "Cc1c(Cl)cccc1", "Cc1c(Br)cccc1", "Oc1c(O)cccc1", "Oc1c(S)cccc1",
    "Oc1c(N)cccc1", "Oc1c(Cl)cccc1", "Oc1c(Br)cccc1", "Sc1c(S)cccc1", "Sc1c(N)cccc1",
    "Sc1c(Cl)cccc1", "Sc1c(Br)cccc1", "Nc1c(N)cccc1", "Nc1c(Cl)cccc1", "Nc1c(Br)cccc1",
    "Clc1c(Cl)cccc1", "Clc1c(Br)cccc1", "Brc1c(Br)cccc1", "CC1CCC(C)CC1", "CC1CCC(O)CC1",
    "CC1CCC(S)CC1", "CC1CCC(N)CC1", "CC1CCC(Cl)CC1", "CC1CCC(Br)CC1", "OC1CCC(O)CC1",
    "OC1CCC(S)CC1", "OC1CCC(N)CC1", "OC1CCC(Cl)CC1", "OC1CCC(Br)CC1", "SC1CCC(S)CC1",
    "SC1CCC(N)CC1", "SC1CCC(Cl)CC1", "SC1CCC(Br)CC1", "NC1CCC(N)CC1", "NC1CCC(Cl)CC1",
    "NC1CCC(Br)CC1", "ClC1CCC(Cl)CC1", "ClC1CCC(Br)CC1", "BrC1CCC(Br)CC1", "CC1CC(C)CCC1",
    "CC1CC(O)CCC1", "CC1CC(S)CCC1", "CC1CC(N)CCC1", "CC1CC(Cl)CCC1", "CC1CC(Br)CCC1",
    "OC1CC(O)CCC1", "OC1CC(S)CCC1", "OC1CC(N)CCC1", "OC1CC(Cl)CCC1", "OC1CC(Br)CCC1",
    "SC1CC(S)CCC1", "SC1CC(N)CCC1", "SC1CC(Cl)CCC1", "SC1CC(Br)CCC1", "NC1CC(N)CCC1",
    "NC1CC(Cl)CCC1", "NC1CC(Br)CCC1", "ClC1CC(Cl)CCC1", "ClC1CC(Br)CCC1", "BrC1CC(Br)CCC1",
    "CC1C(C)CCCC1", "CC1C(O)CCCC1", "CC1C(S)CCCC1", "CC1C(N)CCCC1", "CC1C(Cl)CCCC1",
    "CC1C(Br)CCCC1", "OC1C(O)CCCC1", "OC1C(S)CCCC1", "OC1C(N)CCCC1", "OC1C(Cl)CCCC1",
    "OC1C(Br)CCCC1", "SC1C(S)CCCC1", "SC1C(N)CCCC1", "SC1C(Cl)CCCC1", "SC1C(Br)CCCC1",
    "NC1C(N)CCCC1", "NC1C(Cl)CCCC1", "NC1C(Br)CCCC1", "ClC1C(Cl)CCCC1", "ClC1C(Br)CCCC1",
    "BrC1C(Br)CCCC1", "CC1CC(C)CC1", "CC1CC(O)CC1", "CC1CC(S)CC1", "CC1CC(N)CC1", "CC1CC(Cl)CC1",
    "CC1CC(Br)CC1", "OC1CC(O)CC1", "OC1CC(S)CC1", "OC1CC(N)CC1", "OC1CC(Cl)CC1", "OC1CC(Br)CC1",
    "SC1CC(S)CC1", "SC1CC(N)CC1", "SC1CC(Cl)CC1", "SC1CC(Br)CC1", "NC1CC(N)CC1", "NC1CC(Cl)CC1",
    "NC1CC(Br)CC1", "ClC1CC(Cl)CC1", "ClC1CC(Br)CC1", "BrC1CC(Br)CC1", "CC1C(C)CCC1", "CC1C(O)CCC1",
    "CC1C(S)CCC1", "CC1C(N)CCC1", "CC1C(Cl)CCC1", "CC1C(Br)CCC1", "OC1C(O)CCC1", "OC1C(S)CCC1",
    "OC1C(N)CCC1", "OC1C(Cl)CCC1", "OC1C(Br)CCC1", "SC1C(S)CCC1", "SC1C(N)CCC1", "SC1C(Cl)CCC1",
    "SC1C(Br)CCC1", "NC1C(N)CCC1", "NC1C(Cl)CC1", "NC1C(Br)CCC1", "ClC1C(Cl)CCC1", "ClC1C(Br)CCC1",
    "BrC1C(Br)CCC1",
};

constexpr int section6FirstBit = 460;
constexpr int section7FirstBit = 713;
constexpr int maxAtomicNumber = 119;

static_assert(std::size(section6) == 253 && std::size(section7) == 168);

struct Pattern {
  int bit;
  bool needsHydrogens;  // has [#1] atoms: matched on the molecule with explicit hydrogens
  // Cheap necessary conditions tried before the SMARTS search: (atomic number, count) pairs,
  // and one environment per pattern atom (index into PatternTable::environments).
  std::vector<std::pair<int, int>> required;
  std::vector<size_t> environments;
  std::unique_ptr<RDKit::ROMol> query;
  // Indices of the patterns this one contains (present whenever it is) and of those containing
  // it (absent whenever it is).
  std::vector<size_t> contained;
  std::vector<size_t> containing;
};

struct Environment {
  int centre;
  std::vector<WantedNeighbour> neighbours;
  bool operator<(const Environment &o) const {
    if (centre != o.centre) return centre < o.centre;
    return std::lexicographical_compare(
        neighbours.begin(), neighbours.end(), o.neighbours.begin(), o.neighbours.end(),
        [](const WantedNeighbour &a, const WantedNeighbour &b) {
          return std::make_pair(a.bond, a.element) < std::make_pair(b.bond, b.element);
        });
  }
};

// The pattern's atoms (atomic numbers) and bonds in the specification's notation, read like
// SMILES: bonds "-", "=", "#", ":" (unwritten: single or aromatic), branches, ring closures.
struct PatternGraph {
  std::vector<int> atoms;
  std::vector<bool> aromaticOnly;  // lowercase atoms
  std::vector<std::tuple<int, int, BondClass>> bonds;
};

// Whether every molecule bond of class `narrow` is also of class `wide`.
bool classWithin(BondClass narrow, BondClass wide) {
  if (wide == BondClass::any || narrow == wide) return true;
  return narrow == BondClass::aromatic &&
         (wide == BondClass::singleOrAromatic || wide == BondClass::doubleOrAromatic);
}

// Whether `small` maps injectively into `large` with equal elements, no looser atoms and no
// looser bonds: then every match of `large` contains a match of `small`. Patterns have at most
// 9 atoms, so plain backtracking is enough.
class Containment {
 public:
  Containment(const PatternGraph &small, const PatternGraph &large)
      : small_(small), large_(large), image_(small.atoms.size(), -1), used_(large.atoms.size()) {}

  bool holds() { return small_.atoms.size() <= large_.atoms.size() && extend(0); }

 private:
  BondClass const *bondIn(const PatternGraph &g, int a, int b) const {
    for (const auto &bond : g.bonds) {
      const auto &[x, y, cls] = bond;
      if ((x == a && y == b) || (x == b && y == a)) return &std::get<2>(bond);
    }
    return nullptr;
  }

  bool extend(size_t next) {
    if (next == small_.atoms.size()) return true;
    for (size_t t = 0; t < large_.atoms.size(); ++t) {
      if (used_[t] || large_.atoms[t] != small_.atoms[next]) continue;
      if (small_.aromaticOnly[next] && !large_.aromaticOnly[t]) continue;
      bool fits = true;
      for (size_t prior = 0; prior < next && fits; ++prior) {
        const BondClass *wanted = bondIn(small_, static_cast<int>(prior), static_cast<int>(next));
        if (!wanted) continue;
        const BondClass *have = bondIn(large_, image_[prior], static_cast<int>(t));
        fits = have && classWithin(*have, *wanted);
      }
      if (!fits) continue;
      image_[next] = static_cast<int>(t);
      used_[t] = true;
      if (extend(next + 1)) return true;
      used_[t] = false;
    }
    return false;
  }

  const PatternGraph &small_, &large_;
  std::vector<int> image_;
  std::vector<bool> used_;
};

// Translates the specification's notation into SMARTS (see the reading rules at the top) and
// reads its graph.
std::string toSmarts(const std::string &text, bool section6Bonds, PatternGraph &graph) {
  std::string out;
  int previous = -1;
  std::vector<int> branches;
  std::map<char, std::pair<int, BondClass>> openRings;
  BondClass pending = BondClass::singleOrAromatic;
  auto addAtom = [&](int z, bool aromatic) {
    const int index = static_cast<int>(graph.atoms.size());
    graph.atoms.push_back(z);
    graph.aromaticOnly.push_back(aromatic);
    if (previous >= 0) graph.bonds.emplace_back(previous, index, pending);
    previous = index;
    pending = BondClass::singleOrAromatic;
  };
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '[') {  // bracket atoms are written in SMARTS already: [#1], [As]
      const size_t close = text.find(']', i);
      const std::string inside = text.substr(i + 1, close - i - 1);
      const int z = inside[0] == '#' ? std::stoi(inside.substr(1)) : atomicNumber(inside.c_str());
      out += "[#" + std::to_string(z) + "]";
      addAtom(z, false);
      i = close + 1;
    } else if (std::isupper(static_cast<unsigned char>(c))) {
      // The only two-letter symbols outside brackets are Cl and Br ("Cc1…" is C then c).
      const bool twoLetters = i + 1 < text.size() && ((c == 'C' && text[i + 1] == 'l') ||
                                                      (c == 'B' && text[i + 1] == 'r'));
      const std::string symbol = text.substr(i, twoLetters ? 2 : 1);
      const int z = atomicNumber(symbol.c_str());
      out += "[#" + std::to_string(z) + "]";
      addAtom(z, false);
      i += symbol.size();
    } else if (std::islower(static_cast<unsigned char>(c))) {
      const char upper[2] = {static_cast<char>(std::toupper(static_cast<unsigned char>(c))), 0};
      out += c;
      addAtom(atomicNumber(upper), true);
      ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      out += c;
      if (auto open = openRings.find(c); open != openRings.end()) {
        graph.bonds.emplace_back(open->second.first, previous, open->second.second);
        openRings.erase(open);
      } else {
        openRings[c] = {previous, pending};
      }
      pending = BondClass::singleOrAromatic;
      ++i;
    } else if (c == '(') {
      out += c;
      branches.push_back(previous);
      ++i;
    } else if (c == ')') {
      out += c;
      previous = branches.back();
      branches.pop_back();
      ++i;
    } else {
      pending = bondClass(c);
      if (section6Bonds && c == '-') out += "-,:";
      else if (section6Bonds && c == '=') out += "=,:";
      else out += c;
      ++i;
    }
  }
  return out;
}

struct PatternTable {
  std::vector<Pattern> patterns;
  std::vector<PatternGraph> graphs;
  std::vector<Environment> environments;
  std::vector<size_t> order;  // largest patterns first: a match settles its sub-patterns

  PatternTable() {
    std::map<Environment, size_t> known;
    add(section6, std::size(section6), section6FirstBit, true, known);
    add(section7, std::size(section7), section7FirstBit, false, known);
    environments.resize(known.size());
    for (const auto &[environment, index] : known) environments[index] = environment;
    for (size_t a = 0; a < patterns.size(); ++a) {
      for (size_t b = 0; b < patterns.size(); ++b) {
        if (a != b && Containment(graphs[b], graphs[a]).holds()) {
          patterns[a].contained.push_back(b);
          patterns[b].containing.push_back(a);
        }
      }
    }
    order.resize(patterns.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return graphs[a].atoms.size() > graphs[b].atoms.size();
    });
  }

  void add(const char *const *texts, size_t count, int firstBit, bool section6Bonds,
           std::map<Environment, size_t> &known) {
    for (size_t k = 0; k < count; ++k) {
      Pattern p;
      p.bit = firstBit + static_cast<int>(k);
      PatternGraph graph;
      const std::string smarts = toSmarts(texts[k], section6Bonds, graph);
      p.query.reset(RDKit::SmartsToMol(smarts));
      if (!p.query) throw std::logic_error("PubChem pattern does not parse: " + smarts);
      if (p.query->getNumAtoms() != graph.atoms.size() || p.query->getNumBonds() != graph.bonds.size()) {
        throw std::logic_error("PubChem pattern read differently from RDKit: " + smarts);
      }
      p.needsHydrogens = std::count(graph.atoms.begin(), graph.atoms.end(), 1) > 0;
      std::map<int, int> counts;
      for (int z : graph.atoms) ++counts[z];
      p.required.assign(counts.begin(), counts.end());
      for (size_t a = 0; a < graph.atoms.size(); ++a) {
        Environment e{graph.atoms[a], {}};
        for (const auto &[x, y, bond] : graph.bonds) {
          if (x == static_cast<int>(a)) e.neighbours.push_back({bond, graph.atoms[y]});
          if (y == static_cast<int>(a)) e.neighbours.push_back({bond, graph.atoms[x]});
        }
        std::sort(e.neighbours.begin(), e.neighbours.end(), [](const auto &u, const auto &v) {
          return std::make_pair(u.bond, u.element) < std::make_pair(v.bond, v.element);
        });
        const auto [it, inserted] = known.emplace(std::move(e), known.size());
        p.environments.push_back(it->second);
      }
      patterns.push_back(std::move(p));
      graphs.push_back(std::move(graph));
    }
  }
};

}  // namespace

void setPatternBits(const RDKit::ROMol &mol, const RDKit::ROMol &withHs,
                    const AtomEnvironments &environments, uint8_t *bits) {
  static const PatternTable table;

  std::array<int, maxAtomicNumber> counts{};
  for (const auto *atom : withHs.atoms()) {
    const unsigned z = atom->getAtomicNum();
    if (z < maxAtomicNumber) ++counts[z];
  }
  // Environment presence, decided on first use: -1 unknown, 0 absent, 1 present.
  std::vector<int8_t> present(table.environments.size(), -1);
  auto has = [&](size_t e) {
    if (present[e] < 0) {
      const Environment &environment = table.environments[e];
      present[e] = environments.contains(environment.centre, environment.neighbours);
    }
    return present[e] == 1;
  };

  RDKit::SubstructMatchParameters params;
  params.maxMatches = 1;
  params.uniquify = false;
  params.recursionPossible = false;
  // Per pattern: -1 undecided, 0 absent, 1 present.
  std::vector<int8_t> state(table.patterns.size(), -1);
  for (size_t k : table.order) {
    if (state[k] >= 0) continue;
    const Pattern &p = table.patterns[k];
    bool possible = true;
    for (const auto &[z, count] : p.required) possible = possible && counts[z] >= count;
    for (size_t e : p.environments) possible = possible && has(e);
    const auto &target = p.needsHydrogens ? withHs : mol;
    const bool found = possible && !RDKit::SubstructMatch(target, *p.query, params).empty();
    state[k] = found;
    for (size_t implied : found ? p.contained : p.containing) state[implied] = found;
  }
  for (size_t k = 0; k < state.size(); ++k) bits[table.patterns[k].bit] = state[k] == 1;
}

}  // namespace lgmcl::pubchem
