#pragma once
// Helpers shared by the test suites: where the development media is, and skipping when not.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <optional>
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

// Waits up to `seconds` for child `pid` to end and returns its wait status; a child still
// running then is killed (SIGKILL) and std::nullopt returned, so a hang fails a test instead
// of stalling the suite.
inline std::optional<int> wait_child(pid_t pid, int seconds) {
  int status = 0;
  for (int i = 0; i < seconds * 100; ++i) {
    const pid_t got = ::waitpid(pid, &status, WNOHANG);
    if (got == pid) return status;
    if (got < 0) return std::nullopt;
    ::usleep(10000);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return std::nullopt;
}

}  // namespace autograde::testing

#define AG_REQUIRE_SHARED_DATA()                                                  \
  do {                                                                            \
    if (!autograde::testing::have_shared_data())                                  \
      GTEST_SKIP() << "../shared/data not present; skipping test on dev media";   \
  } while (0)
