#include <OpenImageIO/imageio.h>

#include <iostream>
#include <map>

#include "autograde/core/error.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace autograde;
  CLI::App app{"autograde: automatic colour grading that outputs LUTs", "autograde"};
  app.require_subcommand(1);
  cli::GlobalOptions global;
  app.add_flag("--quiet", global.quiet, "no progress output");
  app.set_version_flag("--version", std::string("autograde ") + AUTOGRADE_VERSION);

  std::map<CLI::App*, cli::Runner> runners;
  auto add = [&](cli::Runner (*factory)(CLI::App&, const cli::GlobalOptions&)) {
    size_t before = app.get_subcommands({}).size();
    cli::Runner r = factory(app, global);
    runners[app.get_subcommands({})[before]] = std::move(r);
  };
  add(cli::add_apply);
  add(cli::add_lut_info);

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
