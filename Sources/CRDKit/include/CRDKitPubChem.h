#ifndef LGMCL_CRDKIT_PUBCHEM_H
#define LGMCL_CRDKIT_PUBCHEM_H
// PubChem's 881-bit substructure fingerprint (PubChem Substructure Fingerprint V1.3,
// ftp.ncbi.nlm.nih.gov/pubchem/specifications/pubchem_fingerprints.txt) over RDKit.
#include <stddef.h>
#include <stdint.h>

#include "CRDKit.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Number of bits in the PubChem substructure fingerprint.
#define CRDKIT_PUBCHEM_BITS 881

/// Writes the 881 bits of `mol` into `out881`, one byte (0 or 1) per bit, in the
/// specification's bit order. Hydrogens count as atoms (the molecule with explicit hydrogens).
/// Returns 0 on success; on failure returns -1 and, when `error` is non-NULL, a malloc'ed reason
/// the caller frees with crdkit_free_string. Safe to call from several threads at once.
int crdkit_pubchem_fingerprint(const crdkit_mol *mol, uint8_t *out881, char **error);

#ifdef __cplusplus
}
#endif
#endif
