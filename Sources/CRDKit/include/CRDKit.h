#ifndef LGMCL_CRDKIT_H
#define LGMCL_CRDKIT_H
// The only door to RDKit's C++ API. Every function catches every C++ exception: failures come
// back as a NULL (or negative) result plus a message in a malloc'ed string the caller frees with
// crdkit_free_string. Handles are immutable after creation, so distinct handles may be used from
// distinct threads.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct crdkit_mol crdkit_mol;
typedef struct crdkit_pattern crdkit_pattern;

/// RDKit's version string, e.g. "2022.09.3". Static storage; never freed.
const char *crdkit_version(void);

/// Silences RDKit's own logging (rdApp.*), which would otherwise flood stderr with one line per
/// bad molecule. Idempotent.
void crdkit_disable_logging(void);

void crdkit_free_string(char *s);

// MARK: Molecules

/// Parses and sanitizes a SMILES (RDKit defaults: sanitized, implicit hydrogens). On failure
/// returns NULL and, when `error` is non-NULL, RDKit's reason: the exception text for
/// sanitization failures, the parser's log lines for syntax errors.
crdkit_mol *crdkit_mol_from_smiles(const char *smiles, char **error);

/// The largest fragment as RDKit's MolStandardize::LargestFragmentChooser picks it (most atoms
/// counting hydrogens, then highest molecular weight, then SMILES order). A new handle.
crdkit_mol *crdkit_mol_largest_fragment(const crdkit_mol *mol, char **error);

void crdkit_mol_free(crdkit_mol *mol);

/// RDKit canonical SMILES (isomeric). malloc'ed; free with crdkit_free_string. NULL on failure.
char *crdkit_mol_to_smiles(const crdkit_mol *mol, char **error);

/// `count` randomized (non-canonical, isomeric) SMILES from RDKit's MolToRandomSmilesVect seeded
/// with `seed` (1 ... 2^31-1; RDKit treats 0 as "unseeded"), joined with '\n'. Reproducible: the
/// shared generator RDKit uses is reseeded under a lock on every call.
char *crdkit_mol_random_smiles(const crdkit_mol *mol, unsigned count, unsigned seed, char **error);

/// A 2D depiction of the molecule as SVG text (RDKit's MolDraw2DSVG, coordinates from its
/// depictor), each atom highlighted in the colour rgb[3a], rgb[3a+1], rgb[3a+2] (0...1) when rgb
/// is not NULL, `legend` below. malloc'ed; free with crdkit_free_string. NULL on failure.
char *crdkit_mol_draw_svg(const crdkit_mol *mol, unsigned width, unsigned height, const double *rgb, const char *legend,
                          char **error);

unsigned crdkit_mol_num_atoms(const crdkit_mol *mol);
unsigned crdkit_mol_num_bonds(const crdkit_mol *mol);

// MARK: Graph facts (the raw RDKit values the featurizer encodes)

/// The RDKit enum values the featurizer distinguishes (checked against RDKit's headers at compile
/// time in GraphFacts.cpp).
enum {
  CRDKIT_HYBRIDIZATION_SP = 2,
  CRDKIT_HYBRIDIZATION_SP2 = 3,
  CRDKIT_HYBRIDIZATION_SP3 = 4,
  CRDKIT_HYBRIDIZATION_SP3D = 6,
  CRDKIT_HYBRIDIZATION_SP3D2 = 7,
  CRDKIT_BOND_SINGLE = 1,
  CRDKIT_BOND_DOUBLE = 2,
  CRDKIT_BOND_TRIPLE = 3,
  CRDKIT_BOND_AROMATIC = 12,
  CRDKIT_BOND_DIR_ENDDOWNRIGHT = 3,
  CRDKIT_BOND_DIR_ENDUPRIGHT = 4,
};

typedef struct crdkit_atom_facts {
  int32_t atomic_number;
  int32_t degree;            // GetDegree
  int32_t formal_charge;
  int32_t radical_electrons;
  int32_t hybridization;     // RDKit's HybridizationType value (UNSPECIFIED 0, S, SP, SP2, SP3, SP2D, SP3D, SP3D2, OTHER)
  int32_t is_aromatic;
  int32_t total_hs;          // GetTotalNumHs()
  int32_t implicit_valence;
  int32_t chiral_tag;        // RDKit's ChiralType value
  int32_t in_ring;
  int32_t ring_sizes;        // bit n set when IsInRingSize(n), for n = 3...8
  double mass;               // GetMass
} crdkit_atom_facts;

typedef struct crdkit_bond_facts {
  int32_t begin_atom;
  int32_t end_atom;
  int32_t bond_type;         // RDKit's BondType value (SINGLE 1, DOUBLE 2, TRIPLE 3, AROMATIC 12 …)
  int32_t direction;         // RDKit's BondDir value (NONE 0 … ENDDOWNRIGHT 3, ENDUPRIGHT 4 …)
  int32_t is_conjugated;
  int32_t in_ring;
  int32_t stereo;            // RDKit's BondStereo value (NONE 0, ANY, Z, E, CIS, TRANS)
} crdkit_bond_facts;

/// Fills `out[0 ..< num_atoms]`. Returns 0, or -1 with `error` set.
int crdkit_mol_atom_facts(const crdkit_mol *mol, crdkit_atom_facts *out, char **error);

/// Fills `out[0 ..< num_bonds]` in RDKit's bond order. Returns 0, or -1 with `error` set.
int crdkit_mol_bond_facts(const crdkit_mol *mol, crdkit_bond_facts *out, char **error);

// MARK: Substructure patterns

/// Compiles a SMARTS query. NULL with `error` set when RDKit rejects it.
crdkit_pattern *crdkit_pattern_from_smarts(const char *smarts, char **error);
void crdkit_pattern_free(crdkit_pattern *pattern);

/// Sets `flags[i] = 1` for every atom i that takes part in a match of `pattern` (RDKit's
/// GetSubstructMatches defaults: uniquified, at most 1000 matches); other entries are left as
/// they are. Returns the number of matches, or -1 with `error` set.
int crdkit_mol_mark_matches(const crdkit_mol *mol, const crdkit_pattern *pattern, uint8_t *flags,
                            char **error);

/// The number of unique matches of `pattern` (RDKit's GetSubstructMatches defaults), or -1.
int crdkit_mol_count_matches(const crdkit_mol *mol, const crdkit_pattern *pattern, char **error);

// MARK: Fingerprints

/// RDKit's MACCS keys: writes 167 values 0/1 (bit 0 is always 0). Returns 0, or -1.
int crdkit_mol_maccs(const crdkit_mol *mol, uint8_t *out, char **error);

/// The number of values of an ErG fingerprint: 21 pharmacophore-type pairs per path length.
size_t crdkit_erg_length(unsigned min_path, unsigned max_path);

/// RDKit's ErG fingerprint (getErGFingerprint with the default atom types) into
/// `out[0 ..< crdkit_erg_length(min_path, max_path)]`. Returns 0, or -1.
int crdkit_mol_erg(const crdkit_mol *mol, double fuzz_increment, unsigned min_path,
                   unsigned max_path, double *out, char **error);

// MARK: Descriptors

typedef struct crdkit_descriptors {
  double mol_wt;             // Descriptors.MolWt (average, implicit Hs included)
  double log_p;              // Crippen MolLogP
  double tpsa;               // TPSA (N and O only, RDKit default)
  int32_t h_bond_donors;     // Lipinski.NumHDonors (CalcNumHBD)
  int32_t h_bond_acceptors;  // Lipinski.NumHAcceptors (CalcNumHBA)
  int32_t rotatable_bonds;   // CalcNumRotatableBonds, RDKit default (strict)
  int32_t formal_charge;     // GetFormalCharge
  int32_t aromatic_rings;    // CalcNumAromaticRings
  int32_t heavy_atoms;       // GetNumHeavyAtoms
  int32_t rings;             // CalcNumRings (SSSR)
  int32_t stereocentres;     // CalcNumAtomStereoCenters
} crdkit_descriptors;

int crdkit_mol_descriptors(const crdkit_mol *mol, crdkit_descriptors *out, char **error);

// MARK: Scaffolds

/// Bemis–Murcko scaffold as RDKit's MurckoScaffold.MurckoScaffoldSmiles writes it (MurckoDecompose,
/// non-isomeric canonical SMILES; "" for acyclic molecules). With `generic`, the scaffold is
/// first made generic as MurckoScaffold.MakeScaffoldGeneric does (every heavy atom carbon, every
/// bond single). malloc'ed; NULL on failure.
char *crdkit_mol_murcko_scaffold(const crdkit_mol *mol, int generic, char **error);

#ifdef __cplusplus
}
#endif

// CRDKit.h is the module's umbrella header: the other public headers are included from here.
#include "CRDKitPubChem.h"
#endif
