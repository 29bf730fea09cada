// Section 2 of the PubChem fingerprint: ring counts in the "extended smallest set of smallest
// rings" (ESSSR). The specification defines an ESSSR ring only by example ("naphthalene has three
// ESSSR rings (two phenyl fragments and the 10-membered envelope), while biphenyl will yield a
// count of only two"). We follow the construction CDK documents for it (TripletShortCycles, its
// non-canonical form, which reproduces PubChem's own fingerprints): the smallest rings, plus, for
// every atom v lying in two or more of them and every pair (u, w) of v's neighbours, every
// shortest cycle through u–v–w, i.e. every shortest u…w path that avoids v, closed through v.
#include "PubChemSections.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <set>
#include <stdexcept>

#include <GraphMol/Atom.h>
#include <GraphMol/Bond.h>
#include <GraphMol/MolOps.h>
#include <GraphMol/RWMol.h>
#include <GraphMol/RingInfo.h>

namespace lgmcl::pubchem {
namespace {

// Enumerating every shortest path can explode in cage compounds; beyond this many per atom
// pair, further equal-length paths are ignored (none of the benchmark molecules comes close).
constexpr size_t maxPathsPerPair = 512;

// The cycle's vertex sequence starting at its smallest vertex, in the direction of the smaller
// neighbour, so that one cycle has one form whatever vertex and direction it was found from.
std::vector<int> canonicalCycle(const std::vector<int> &cycle) {
  const size_t n = cycle.size();
  const size_t start = std::min_element(cycle.begin(), cycle.end()) - cycle.begin();
  const bool reverse = cycle[(start + n - 1) % n] < cycle[(start + 1) % n];
  std::vector<int> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i] = reverse ? cycle[(start + n - i) % n] : cycle[(start + i) % n];
  }
  return out;
}

class ShortestCycleFinder {
 public:
  ShortestCycleFinder(const RDKit::ROMol &mol, const RDKit::RingInfo &rings)
      : atomCount_(mol.getNumAtoms()), adjacency_(atomCount_), distance_(atomCount_) {
    // Only ring atoms can lie on a cycle.
    for (const auto *bond : mol.bonds()) {
      const int a = bond->getBeginAtomIdx(), b = bond->getEndAtomIdx();
      if (rings.numAtomRings(a) > 0 && rings.numAtomRings(b) > 0) {
        adjacency_[a].push_back(b);
        adjacency_[b].push_back(a);
      }
    }
  }

  /// Adds to `cycles` every shortest cycle through u–v–w for each pair (u, w) of v's neighbours.
  void addTripletCycles(int v, std::set<std::vector<int>> &cycles) {
    const auto &ws = adjacency_[v];
    for (size_t i = 0; i < ws.size(); ++i) {
      distancesAvoiding(ws[i], v);
      for (size_t j = i + 1; j < ws.size(); ++j) {
        if (distance_[ws[j]] < 0) continue;
        std::vector<int> path{ws[j]};
        size_t found = 0;
        walkBack(path, ws[i], v, found, cycles);
      }
    }
  }

 private:
  // Breadth-first distances from `source` in the graph without `removed`.
  void distancesAvoiding(int source, int removed) {
    std::fill(distance_.begin(), distance_.end(), -1);
    distance_[source] = 0;
    std::vector<int> queue{source};
    for (size_t head = 0; head < queue.size(); ++head) {
      const int x = queue[head];
      for (int y : adjacency_[x]) {
        if (y == removed || distance_[y] >= 0) continue;
        distance_[y] = distance_[x] + 1;
        queue.push_back(y);
      }
    }
  }

  // Extends `path` (which ends far from the source) one step closer to `source` along every
  // predecessor; each complete path closed through `v` is a cycle.
  void walkBack(std::vector<int> &path, int source, int v, size_t &found,
                std::set<std::vector<int>> &cycles) {
    if (found >= maxPathsPerPair) return;
    const int x = path.back();
    if (x == source) {
      std::vector<int> cycle(path);
      cycle.push_back(v);
      cycles.insert(canonicalCycle(cycle));
      ++found;
      return;
    }
    for (int y : adjacency_[x]) {
      if (y == v || distance_[y] != distance_[x] - 1) continue;
      path.push_back(y);
      walkBack(path, source, v, found, cycles);
      path.pop_back();
    }
  }

  size_t atomCount_;
  std::vector<std::vector<int>> adjacency_;
  std::vector<int> distance_;
};

struct RingFacts {
  size_t size = 0;
  bool carbonOnly = true;
  bool hasNitrogen = false;
  bool hasHeteroatom = false;
  bool saturated = true;  // every bond single or aromatic
  bool aromatic = true;   // every bond aromatic
};

RingFacts ringFacts(const RDKit::ROMol &mol, const std::vector<int> &cycle) {
  RingFacts facts;
  facts.size = cycle.size();
  for (size_t i = 0; i < cycle.size(); ++i) {
    const int z = mol.getAtomWithIdx(cycle[i])->getAtomicNum();
    facts.carbonOnly = facts.carbonOnly && z == 6;
    facts.hasNitrogen = facts.hasNitrogen || z == 7;
    facts.hasHeteroatom = facts.hasHeteroatom || (z != 6 && z != 1);
    const auto *bond = mol.getBondBetweenAtoms(cycle[i], cycle[(i + 1) % cycle.size()]);
    if (!bond) throw std::logic_error("PubChem rings: ring atoms out of ring order");
    const bool aromatic = bond->getIsAromatic();
    facts.aromatic = facts.aromatic && aromatic;
    facts.saturated = facts.saturated && (aromatic || bond->getBondType() == RDKit::Bond::SINGLE);
  }
  return facts;
}

// Per ring size: first bit and how many count thresholds (>= 1, >= 2, …) the specification has.
struct SizeBlock {
  size_t size;
  int firstBit;
  int thresholds;
};
constexpr std::array<SizeBlock, 8> sizeBlocks{{
    {3, 115, 2}, {4, 129, 2}, {5, 143, 5}, {6, 178, 5}, {7, 213, 2}, {8, 227, 2}, {9, 241, 1},
    {10, 248, 1},
}};
constexpr int aromaticFirstBit = 255;

}  // namespace

std::vector<std::vector<int>> extendedSmallestRings(const RDKit::ROMol &mol) {
  // Sanitized molecules carry RDKit's (symmetrized) smallest set of smallest rings; others get
  // one computed on a copy, so the caller's molecule is never modified.
  std::unique_ptr<RDKit::RWMol> copy;
  const RDKit::ROMol *source = &mol;
  if (!mol.getRingInfo()->isInitialized()) {
    copy = std::make_unique<RDKit::RWMol>(mol);
    RDKit::MolOps::symmetrizeSSSR(*copy);
    source = copy.get();
  }
  const RDKit::RingInfo &rings = *source->getRingInfo();

  std::set<std::vector<int>> cycles;
  for (const auto &ring : rings.atomRings()) cycles.insert(canonicalCycle(ring));

  ShortestCycleFinder finder(*source, rings);
  for (unsigned v = 0; v < source->getNumAtoms(); ++v) {
    if (rings.numAtomRings(v) > 1) finder.addTripletCycles(static_cast<int>(v), cycles);
  }
  return {cycles.begin(), cycles.end()};
}

void setRingBits(const RDKit::ROMol &mol, uint8_t *bits) {
  // counts[size][category]: any, saturated-or-aromatic {C only, with N, with heteroatom},
  // unsaturated non-aromatic {C only, with N, with heteroatom}.
  std::array<std::array<int, 7>, 11> counts{};
  int aromatic = 0, heteroaromatic = 0;
  for (const auto &cycle : extendedSmallestRings(mol)) {
    const RingFacts f = ringFacts(mol, cycle);
    if (f.aromatic) {
      ++aromatic;
      if (!f.carbonOnly) ++heteroaromatic;
    }
    if (f.size > 10) continue;
    auto &c = counts[f.size];
    ++c[0];
    const int offset = f.saturated ? 1 : 4;  // aromatic rings are saturated in this sense
    c[offset] += f.carbonOnly;
    c[offset + 1] += f.hasNitrogen;
    c[offset + 2] += f.hasHeteroatom;
  }
  for (const auto &block : sizeBlocks) {
    for (int t = 0; t < block.thresholds; ++t) {
      for (int category = 0; category < 7; ++category) {
        bits[block.firstBit + 7 * t + category] = counts[block.size][category] >= t + 1;
      }
    }
  }
  for (int t = 0; t < 4; ++t) {
    bits[aromaticFirstBit + 2 * t] = aromatic >= t + 1;
    bits[aromaticFirstBit + 2 * t + 1] = heteroaromatic >= t + 1;
  }
}

}  // namespace lgmcl::pubchem
