// autograde masks IN -o DIR [--classes ...] [--json]: the region masks of a still or a clip
// (pipeline/mask_export.hpp).
#include <fmt/format.h>

#include <memory>

#include "autograde/pipeline/mask_export.hpp"
#include "commands.hpp"

namespace autograde::cli {

namespace {

struct MasksArgs {
  std::string input, dir, input_colorspace = "auto";
  std::vector<std::string> classes;
  int mask_width = 512;
  bool json = false;
};

Runner add_masks(CLI::App& app, const GlobalOptions& global) {
  auto* sub = app.add_subcommand(
      "masks", "Write the region masks (person, face, skin, sky, foliage) of a still or a clip");
  sub->footer("8-bit grey, 255 = inside, the input's size: DIR/<class>.png for a still, "
              "DIR/<class>/<class>.NNNNNN.png per frame (from 0) for a clip.");
  auto a = std::make_shared<MasksArgs>();
  sub->add_option("IN", a->input, "still image or video file")->required();
  sub->add_option("-o,--output", a->dir, "output folder")->required();
  sub->add_option("--classes", a->classes, "which masks (default: all); comma-separated")
      ->delimiter(',')
      ->check(CLI::IsMember({"person", "face", "skin", "sky", "foliage"}));
  sub->add_option("--mask-width", a->mask_width,
                  "width the masks are computed at, then upsampled to the full size (64..4096)")
      ->check(CLI::Range(64, 4096))
      ->capture_default_str();
  sub->add_option("--input-colorspace", a->input_colorspace,
                  "clips: the footage's encoding, as for grade (default: auto)");
  sub->add_flag("--json", a->json,
                "print what was found (faces with boxes and scores, coverage per class) as JSON");
  return [a, &global] {
    MaskExportOptions mo;
    if (!a->classes.empty()) {
      mo.classes.clear();
      for (const std::string& c : a->classes) mo.classes.push_back(*region_from_name(c));
    }
    mo.mask_width = a->mask_width;
    mo.input_colorspace = a->input_colorspace;
    mo.quiet = global.quiet || a->json;
    const MaskExportResult r = export_masks(a->input, a->dir, mo);
    if (a->json) {
      fmt::print("{}\n", r.info.dump(2));
    } else {
      for (const std::string& f : r.files) fmt::print("{}\n", f);
    }
  };
}

}  // namespace

AUTOGRADE_COMMAND(62, add_masks);

}  // namespace autograde::cli
