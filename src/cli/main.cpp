#include <algorithm>
#include <iostream>
#include <map>
#include <string_view>

#include "autograde/core/error.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/media/video_writer.hpp"
#include "commands.hpp"

namespace autograde::cli {
std::vector<CommandEntry>& command_registry() {
  static std::vector<CommandEntry> registry;
  return registry;
}

std::string codec_help() {
  std::string h = "video codec:";
  for (const auto& [name, what] : video_codecs()) h += "\n  " + name + ": " + what;
  return h + "\n(an image sequence such as out/shot.%07d.exr takes its format from the extension)";
}
namespace {

// Levenshtein distance, for "did you mean" on a mistyped subcommand.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

// The first word that is not an option, when it names no subcommand: the closest name within
// two edits, or "".
std::string suggest_subcommand(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word.empty() || word[0] == '-') continue;
    std::string best;
    size_t best_d = 3;
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (sub->get_name() == word) return "";
      const size_t d = edit_distance(word, sub->get_name());
      if (d < best_d) best_d = d, best = sub->get_name();
    }
    return best.empty() ? "" : "unknown command '" + std::string(word) + "'; did you mean '" +
                                   best + "'?";
  }
  return "";
}

}  // namespace
}  // namespace autograde::cli

int main(int argc, char** argv) {
  using namespace autograde;
  CLI::App app{"autograde: automatic colour grading that outputs LUTs", "autograde"};
  app.require_subcommand(1);
  // Global options (-q, --max-image-megapixels) work after the subcommand too: subcommands
  // inherit this and pass options they do not know up to the app.
  app.fallthrough();
  cli::GlobalOptions global;
  app.add_flag("-q,--quiet", global.quiet, "no progress output");
  app.set_version_flag("--version", std::string("autograde ") + AUTOGRADE_VERSION);
  double max_megapixels = double(kDefaultMaxImagePixels) / 1e6;
  app.add_option("--max-image-megapixels", max_megapixels,
                 "refuse stills larger than this before decoding them (default 100)")
      ->check(CLI::Range(1.0, 10000.0));

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
    if (const std::string hint = cli::suggest_subcommand(app, argc, argv); !hint.empty()) {
      std::cerr << "autograde: " << hint << "\n";
      return int(ErrorKind::Usage);
    }
    int code = app.exit(e);
    return code == 0 ? 0 : int(ErrorKind::Usage);
  }
  set_max_image_pixels(std::uint64_t(max_megapixels * 1e6));
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
