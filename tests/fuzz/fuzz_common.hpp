#pragma once
// Shared by the libFuzzer targets: an input may parse, or be rejected with
// autograde::Error(BadInput); anything else (another error kind, another exception, a
// sanitizer report) is a bug the fuzzer must report, so it aborts.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "autograde/core/error.hpp"

namespace autograde::fuzz {

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz target: %s\n", what);
  std::fflush(stderr);
  std::abort();
}

// Runs `body`; returns true when it returned, false when it rejected the input as BadInput.
// AUTOGRADE_FUZZ_VERBOSE=1 prints each rejection (handy when writing seeds).
template <class F>
bool accepts(F&& body) {
  try {
    body();
    if (std::getenv("AUTOGRADE_FUZZ_VERBOSE")) std::fprintf(stderr, "accepted\n");
    return true;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::BadInput) fail(e.what());
    if (std::getenv("AUTOGRADE_FUZZ_VERBOSE")) std::fprintf(stderr, "rejected: %s\n", e.what());
    return false;
  } catch (const std::exception& e) {
    fail(e.what());
  } catch (...) {
    fail("non-std exception");
  }
}

// A property every accepted input must have.
inline void require(bool ok, const char* what) {
  if (!ok) fail(what);
}

}  // namespace autograde::fuzz
