#pragma once
// Helpers shared by the test suites: where the development media is, and skipping when not.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace autograde::testing {

inline std::filesystem::path shared_data() { return AUTOGRADE_SHARED_DATA; }
inline std::filesystem::path source_dir() { return AUTOGRADE_SOURCE_DIR; }
inline bool have_shared_data() {
  std::error_code ec;
  return std::filesystem::is_directory(shared_data() / "luts", ec);
}

// A fresh empty folder under the build tree for one test's outputs. CTest runs every test case
// as its own process, several at once, so the folder is private to this process.
inline std::filesystem::path scratch_dir(const std::string& name) {
  auto p = std::filesystem::path(AUTOGRADE_BINARY_DIR) / "test_scratch" /
           (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

}  // namespace autograde::testing

#define AG_REQUIRE_SHARED_DATA()                                                  \
  do {                                                                            \
    if (!autograde::testing::have_shared_data())                                  \
      GTEST_SKIP() << "../shared/data not present; skipping test on dev media";   \
  } while (0)
