#include "CRDKit.h"
#include "MolHandle.hpp"
#include "ShimSupport.hpp"

#include <memory>
#include <mutex>
#include <sstream>
#include <string>

#include <GraphMol/GraphMol.h>
#include <GraphMol/MolStandardize/Fragment.h>
#include <GraphMol/SmilesParse/SmilesParse.h>
#include <GraphMol/SmilesParse/SmilesWrite.h>
#include <RDGeneral/RDLog.h>
#include <RDGeneral/versions.h>

using crdkit::copyString;
using crdkit::guarded;
using crdkit::setError;

namespace {
std::mutex logCaptureLock;

/// RDKit reports SMILES syntax errors only to its error log and returns NULL. To hand that reason
/// to the caller, the failed parse is repeated with the error log pointed at a private buffer.
/// Failures are rare, so the lock costs nothing on the fast path.
std::string parserReason(const std::string &smiles) {
  std::lock_guard<std::mutex> lock(logCaptureLock);
  if (!rdErrorLog) RDLog::InitLogs();
  auto &logger = *rdErrorLog;
  std::ostringstream captured;
  auto *savedDest = logger.dp_dest;
  auto *savedTee = logger.teestream;
  bool savedEnabled = logger.df_enabled;
  logger.dp_dest = &captured;
  logger.teestream = nullptr;
  logger.df_enabled = true;
  try {
    std::unique_ptr<RDKit::RWMol> again(RDKit::SmilesToMol(smiles));
  } catch (...) {
  }
  logger.dp_dest = savedDest;
  logger.teestream = savedTee;
  logger.df_enabled = savedEnabled;

  // Lines look like "[21:07:21] SMILES Parse Error: unclosed ring for input: 'C1CC'".
  std::string reason;
  std::istringstream lines(captured.str());
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line[0] == '[') {
      auto close = line.find("] ");
      if (close != std::string::npos) line = line.substr(close + 2);
    }
    const std::string prefix = "SMILES Parse Error: ";
    if (line.compare(0, prefix.size(), prefix) == 0) line = line.substr(prefix.size());
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (line.empty()) continue;
    if (!reason.empty()) reason += "; ";
    reason += line;
  }
  return reason.empty() ? "SMILES parse error" : reason;
}

crdkit_mol *wrap(RDKit::ROMol *mol) {
  auto *out = new crdkit_mol;
  out->mol.reset(mol);
  return out;
}
}  // namespace

extern "C" const char *crdkit_version(void) { return RDKit::rdkitVersion; }

extern "C" void crdkit_disable_logging(void) {
  try {
    if (!rdErrorLog) RDLog::InitLogs();
    boost::logging::disable_logs("rdApp.*");
  } catch (...) {
  }
}

extern "C" void crdkit_free_string(char *s) { std::free(s); }

extern "C" crdkit_mol *crdkit_mol_from_smiles(const char *smiles, char **error) {
  return guarded(error, static_cast<crdkit_mol *>(nullptr), [&]() -> crdkit_mol * {
    if (!smiles) {
      setError(error, "no SMILES given");
      return nullptr;
    }
    std::string text(smiles);
    std::unique_ptr<RDKit::RWMol> mol(RDKit::SmilesToMol(text));
    if (!mol) {
      setError(error, parserReason(text));
      return nullptr;
    }
    return wrap(mol.release());
  });
}

extern "C" crdkit_mol *crdkit_mol_largest_fragment(const crdkit_mol *mol, char **error) {
  return guarded(error, static_cast<crdkit_mol *>(nullptr), [&]() -> crdkit_mol * {
    RDKit::MolStandardize::LargestFragmentChooser chooser;
    std::unique_ptr<RDKit::ROMol> largest(chooser.choose(*mol->mol));
    if (!largest) {
      setError(error, "RDKit found no largest fragment");
      return nullptr;
    }
    return wrap(largest.release());
  });
}

extern "C" void crdkit_mol_free(crdkit_mol *mol) { delete mol; }

extern "C" char *crdkit_mol_to_smiles(const crdkit_mol *mol, char **error) {
  return guarded(error, static_cast<char *>(nullptr),
                 [&] { return copyString(RDKit::MolToSmiles(*mol->mol)); });
}

namespace {
// RDKit's MolToRandomSmilesVect reseeds one process-wide generator.
std::mutex randomSmilesLock;
}  // namespace

extern "C" char *crdkit_mol_random_smiles(const crdkit_mol *mol, unsigned count, unsigned seed,
                                          char **error) {
  return guarded(error, static_cast<char *>(nullptr), [&]() -> char * {
    if (seed == 0 || seed > 0x7fffffffu) {
      setError(error, "random SMILES seed must be in 1...2147483647");
      return nullptr;
    }
    std::vector<std::string> all;
    {
      std::lock_guard<std::mutex> lock(randomSmilesLock);
      all = RDKit::MolToRandomSmilesVect(*mol->mol, count, seed);
    }
    std::string joined;
    for (size_t i = 0; i < all.size(); ++i) {
      if (i) joined += '\n';
      joined += all[i];
    }
    return copyString(joined);
  });
}

extern "C" unsigned crdkit_mol_num_atoms(const crdkit_mol *mol) { return mol->mol->getNumAtoms(); }
extern "C" unsigned crdkit_mol_num_bonds(const crdkit_mol *mol) { return mol->mol->getNumBonds(); }
