#ifndef LGMCL_CCRYPTO_SHIM_H
#define LGMCL_CCRYPTO_SHIM_H
// OpenSSL's libcrypto, for SHA-256 of vocabularies.
#include <openssl/sha.h>
#endif
