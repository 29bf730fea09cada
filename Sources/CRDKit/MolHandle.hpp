// Internal to CRDKit: the C handle's layout, shared by the shim's .cpp files. Never included
// from the public header, so Swift sees only an opaque pointer.
#pragma once
#include <memory>
#include <GraphMol/ROMol.h>

struct crdkit_mol {
  std::unique_ptr<RDKit::ROMol> mol;
};
