#include <algorithm>
#include <iostream>
#include <map>

#include "autograde/core/error.hpp"
#include "commands.hpp"

namespace autograde::cli {
std::vector<CommandEntry>& command_registry() {
  static std::vector<CommandEntry> registry;
  return registry;
}
}  // namespace autograde::cli

int main(int argc, char** argv) {
  using namespace autograde;
  CLI::App app{"autograde: automatic colour grading that outputs LUTs", "autograde"};
  app.require_subcommand(1);
  cli::GlobalOptions global;
  app.add_flag("-q,--quiet", global.quiet, "no progress output");
  app.set_version_flag("--version", std::string("autograde ") + AUTOGRADE_VERSION);

  auto entries = cli::command_registry();
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.order < b.order; });
  std::vector<std::pair<CLI::App*, cli::Runner>> runners;
  for (const auto& e : entries) {
    size_t before = app.get_subcommands({}).size();
    cli::Runner run = e.factory(app, global);
    runners.emplace_back(app.get_subcommands({})[before], std::move(run));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : int(ErrorKind::Usage);
  }
  try {
    for (auto& [sub, run] : runners)
      if (sub->parsed()) run();
    return 0;
  } catch (const Error& e) {
    std::cerr << "autograde: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "autograde: internal error: " << e.what() << "\n";
    return int(ErrorKind::Internal);
  }
}
