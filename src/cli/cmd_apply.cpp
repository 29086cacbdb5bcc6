#include <fmt/format.h>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/load.hpp"
#include "autograde/media/image_io.hpp"
#include "commands.hpp"

namespace autograde::cli {

namespace {
Runner add_apply(CLI::App& app, const GlobalOptions& global) {
  auto* sub = app.add_subcommand("apply", "Apply a LUT to an image");
  struct Opts {
    std::string lut, in, out, interp = "tetrahedral";
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("LUT", o->lut, "LUT file (.cube, Hald/strip image, any OCIO format)")->required();
  sub->add_option("IN", o->in, "input image")->required();
  sub->add_option("-o,--output", o->out, "output image (never the input)")->required();
  sub->add_option("--interp", o->interp, "tetrahedral|trilinear")
      ->check(CLI::IsMember({"tetrahedral", "trilinear"}));
  return [o, &global] {
    refuse_overwrite_input(o->in, o->out);
    const Interp interp = parse_interp(o->interp);
    LutFile lut = load_lut(o->lut);
    LoadedImage img = read_image(o->in);
    apply_reference(lut, img.image, interp);
    write_image(o->out, img.image, img.meta);
    if (!global.quiet) fmt::print(stderr, "wrote {}\n", o->out);
  };
}

}  // namespace

AUTOGRADE_COMMAND(10, add_apply);

}  // namespace autograde::cli
