#ifndef LGMCL_CRDKIT_H
#define LGMCL_CRDKIT_H
// The only door to RDKit's C++ API. Every function catches every C++ exception: failures come
// back as a NULL result plus a message in a caller-owned buffer (or a malloc'ed string the
// caller frees with crdkit_free_string).
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct crdkit_mol crdkit_mol;

/// RDKit's version string, e.g. "2022.09.3". Static storage; never freed.
const char *crdkit_version(void);

/// Silences RDKit's own logging (rdApp.*), which would otherwise flood stderr with one line per
/// bad molecule. Idempotent.
void crdkit_disable_logging(void);

/// Parses and sanitizes a SMILES. On failure returns NULL and, when `error` is non-NULL, a
/// malloc'ed reason the caller frees with crdkit_free_string.
crdkit_mol *crdkit_mol_from_smiles(const char *smiles, char **error);

void crdkit_mol_free(crdkit_mol *mol);

/// RDKit canonical SMILES (isomeric). malloc'ed; free with crdkit_free_string. NULL on failure.
char *crdkit_mol_to_smiles(const crdkit_mol *mol, char **error);

unsigned crdkit_mol_num_atoms(const crdkit_mol *mol);
unsigned crdkit_mol_num_bonds(const crdkit_mol *mol);

void crdkit_free_string(char *s);

#ifdef __cplusplus
}
#endif
#endif
