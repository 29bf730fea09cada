#include "CRDKit.h"
#include "MolHandle.hpp"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include <GraphMol/GraphMol.h>
#include <GraphMol/SmilesParse/SmilesParse.h>
#include <GraphMol/SmilesParse/SmilesWrite.h>
#include <RDGeneral/RDLog.h>
#include <RDGeneral/versions.h>

namespace {
char *copyString(const std::string &s) {
  char *out = static_cast<char *>(std::malloc(s.size() + 1));
  if (out) std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

void setError(char **error, const std::string &message) {
  if (error) *error = copyString(message);
}
}  // namespace

extern "C" const char *crdkit_version(void) { return RDKit::rdkitVersion; }

extern "C" void crdkit_disable_logging(void) {
  try {
    boost::logging::disable_logs("rdApp.*");
  } catch (...) {
  }
}

extern "C" crdkit_mol *crdkit_mol_from_smiles(const char *smiles, char **error) {
  if (error) *error = nullptr;
  if (!smiles) {
    setError(error, "no SMILES given");
    return nullptr;
  }
  try {
    std::unique_ptr<RDKit::RWMol> mol(RDKit::SmilesToMol(std::string(smiles)));
    if (!mol) {
      setError(error, "SMILES parse error");
      return nullptr;
    }
    auto *out = new crdkit_mol;
    out->mol.reset(mol.release());
    return out;
  } catch (const std::exception &e) {
    setError(error, e.what());
  } catch (...) {
    setError(error, "unknown RDKit exception");
  }
  return nullptr;
}

extern "C" void crdkit_mol_free(crdkit_mol *mol) { delete mol; }

extern "C" char *crdkit_mol_to_smiles(const crdkit_mol *mol, char **error) {
  if (error) *error = nullptr;
  try {
    return copyString(RDKit::MolToSmiles(*mol->mol));
  } catch (const std::exception &e) {
    setError(error, e.what());
  } catch (...) {
    setError(error, "unknown RDKit exception");
  }
  return nullptr;
}

extern "C" unsigned crdkit_mol_num_atoms(const crdkit_mol *mol) { return mol->mol->getNumAtoms(); }
extern "C" unsigned crdkit_mol_num_bonds(const crdkit_mol *mol) { return mol->mol->getNumBonds(); }

extern "C" void crdkit_free_string(char *s) { std::free(s); }
