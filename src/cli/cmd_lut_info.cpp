#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "autograde/lut/inspect.hpp"
#include "autograde/lut/load.hpp"
#include "commands.hpp"

namespace autograde::cli {

namespace {
Runner add_lut_info(CLI::App& app, const GlobalOptions&) {
  auto* sub = app.add_subcommand("lut-info", "Describe a LUT file (.cube, Hald/strip image, OCIO formats)");
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  sub->add_option("LUT", *path, "LUT file")->required();
  sub->add_flag("--json", *json, "machine-readable output");
  return [path, json] {
    LutFile lut = load_lut(*path);
    LutFacts f = inspect(lut);
    nlohmann::json j;
    j["file"] = *path;
    j["title"] = lut.title;
    if (lut.shaper) {
      j["shaper"] = {{"size", lut.shaper->size},
                     {"domain_min", lut.shaper->domain_min},
                     {"domain_max", lut.shaper->domain_max}};
    }
    if (lut.cube) {
      j["cube"] = {{"size", lut.cube->size},
                   {"domain_min", lut.cube->domain_min},
                   {"domain_max", lut.cube->domain_max}};
    }
    j["identity"] = f.identity;
    j["max_identity_error"] = f.max_identity_error;
    j["neutral_axis_monotone"] = f.neutral_monotone;
    j["value_range"] = {f.min_value, f.max_value};
    if (*json) {
      fmt::print("{}\n", j.dump(2));
      return;
    }
    fmt::print("file:      {}\n", *path);
    if (!lut.title.empty()) fmt::print("title:     {}\n", lut.title);
    if (lut.shaper)
      fmt::print("1D table:  {} entries, input {:.6g}..{:.6g}\n", lut.shaper->size,
                 lut.shaper->domain_min[0], lut.shaper->domain_max[0]);
    if (lut.cube)
      fmt::print("3D table:  {}^3, domain [{:.6g} {:.6g} {:.6g}]..[{:.6g} {:.6g} {:.6g}]\n",
                 lut.cube->size, lut.cube->domain_min[0], lut.cube->domain_min[1],
                 lut.cube->domain_min[2], lut.cube->domain_max[0], lut.cube->domain_max[1],
                 lut.cube->domain_max[2]);
    fmt::print("identity:  {} (max deviation {:.6g})\n", f.identity ? "yes" : "no",
               f.max_identity_error);
    fmt::print("neutral axis monotone: {}\n", f.neutral_monotone ? "yes" : "no");
    fmt::print("values:    {:.6g} .. {:.6g}\n", f.min_value, f.max_value);
  };
}

}  // namespace

AUTOGRADE_COMMAND(90, add_lut_info);

}  // namespace autograde::cli
