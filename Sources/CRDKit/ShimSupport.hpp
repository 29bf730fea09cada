// Internal to CRDKit: strings and errors across the C boundary.
#pragma once
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

namespace crdkit {

inline char *copyString(const std::string &s) {
  char *out = static_cast<char *>(std::malloc(s.size() + 1));
  if (out) std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

inline void setError(char **error, const std::string &message) {
  if (error) *error = copyString(message);
}

/// Runs `body`, turning any C++ exception into `error` and `failure`: nothing thrown by RDKit
/// ever unwinds into Swift.
template <class Body, class Result>
Result guarded(char **error, Result failure, Body body) {
  if (error) *error = nullptr;
  try {
    return body();
  } catch (const std::exception &e) {
    setError(error, e.what());
  } catch (...) {
    setError(error, "unknown RDKit exception");
  }
  return failure;
}

}  // namespace crdkit
