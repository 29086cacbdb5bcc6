#pragma once
// Each subcommand lives in its own cmd_*.cpp and registers itself with AUTOGRADE_COMMAND; its
// factory adds the subcommand's options to the app and returns the function that runs it.
// Command functions only parse, call the library and print (DESIGN.md: the CLI is thin).
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "autograde/farm/slurm.hpp"

namespace autograde::cli {

struct GlobalOptions {
  bool quiet = false;
};

using Runner = std::function<void()>;
using CommandFactory = Runner (*)(CLI::App& app, const GlobalOptions& global);

struct CommandEntry {
  int order;  // position in --help
  CommandFactory factory;
};

std::vector<CommandEntry>& command_registry();

// The --codec help of the commands that encode video: every name with its line.
std::string codec_help();

// --farm and its settings, on the commands that render a plan (grade, render): cmd_farm.cpp.
struct FarmArgs {
  std::string farm = "local";
  FarmRenderOptions options;
  bool on_slurm() const;
};
void add_farm_options(CLI::App* sub, FarmArgs& args);

struct CommandRegistrar {
  CommandRegistrar(int order, CommandFactory f) { command_registry().push_back({order, f}); }
};

}  // namespace autograde::cli

#define AUTOGRADE_COMMAND(order, factory) \
  static const ::autograde::cli::CommandRegistrar ag_registrar_##factory(order, factory)
