#pragma once
// Running the built `autograde` executable from a test as a user would: the command line,
// its exit code and everything it printed.
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace autograde::testing {

struct CliRun {
  int code = -1;
  std::string out;  // stdout + stderr
};

// Any shell command: its exit status and everything it printed (stdout + stderr).
inline CliRun run_shell(const std::string& cmd) {
  CliRun r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
  const int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// `args` ending in " --quiet" gets the (global) flag moved before the subcommand.
// `shell_prefix` runs first in the same shell (e.g. "ulimit -v N; ").
inline CliRun run_cli(std::string args, const std::string& shell_prefix = "") {
  const std::string quiet = " --quiet";
  std::string global;
  if (args.size() > quiet.size() &&
      args.compare(args.size() - quiet.size(), quiet.size(), quiet) == 0) {
    args.resize(args.size() - quiet.size());
    global = "--quiet ";
  }
  return run_shell(shell_prefix + std::string(AUTOGRADE_CLI) + " " + global + args);
}

// A shell command, output discarded; true on exit status 0.
inline bool sh(const std::string& cmd) {
  return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
}

inline std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

// Files and folders in `dir` (names, sorted), to check nothing is left behind.
inline std::vector<std::string> listing(const std::filesystem::path& dir) {
  std::vector<std::string> v;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    v.push_back(e.path().filename().string());
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace autograde::testing
