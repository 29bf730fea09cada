#ifndef LGMCL_CCRYPTO_SHIM_H
#define LGMCL_CCRYPTO_SHIM_H
// OpenSSL's libcrypto: SHA-256 of vocabularies (one call) and of downloaded files (streamed
// through EVP, the interface OpenSSL 3 keeps undeprecated).
#include <openssl/sha.h>
#include <openssl/evp.h>
#endif
