#pragma once
// Each subcommand registers itself on the app and returns the function that runs it. The
// functions only parse, call the library and print (DESIGN.md: the CLI is thin).
#include <CLI/CLI.hpp>
#include <functional>

namespace autograde::cli {

using Runner = std::function<void()>;

struct GlobalOptions {
  bool quiet = false;
  bool json = false;
};

Runner add_apply(CLI::App& app, const GlobalOptions& global);
Runner add_lut_info(CLI::App& app, const GlobalOptions& global);

}  // namespace autograde::cli
