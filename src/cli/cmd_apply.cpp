#include <fmt/format.h>

#include <limits>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/engine/renderer.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/load.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/pipeline/render_clip.hpp"
#include "commands.hpp"

namespace autograde::cli {

namespace {

Runner add_apply(CLI::App& app, const GlobalOptions& global) {
  auto* sub = app.add_subcommand("apply", "Apply a LUT to an image, a clip or a raw .y4m stream");
  struct Opts {
    std::string lut, in, out, interp = "tetrahedral";
    VideoWriteOptions video;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("LUT", o->lut, "LUT file (.cube, Hald/strip image, any OCIO format)")->required();
  sub->add_option("IN", o->in, "input image, clip, or .y4m stream ('-' = .y4m on stdin)")
      ->required();
  sub->add_option("-o,--output", o->out, "output (never the input; '-' = .y4m on stdout)")
      ->required();
  sub->add_option("--interp", o->interp, "tetrahedral|trilinear")
      ->check(CLI::IsMember({"tetrahedral", "trilinear"}));
  sub->add_option("--codec", o->video.codec, "clips: " + codec_help())
      ->check(CLI::IsMember(video_codec_names()));
  sub->add_option("--crf", o->video.crf, "clips: H.264/HEVC quality (default 18 / 20)")
      ->check(CLI::Range(0, 51));
  sub->add_option("--preset", o->video.preset, "clips: libx264/libx265 preset (default medium)");
  return [o, &global] {
    if (o->in != "-" && o->out != "-") refuse_overwrite_input(o->in, o->out);
    const Interp interp = parse_interp(o->interp);
    if (is_y4m_path(o->in) || is_y4m_path(o->out) || !is_image_path(o->in)) {
      // A clip or a raw stream is one shot with one LUT for the one clip renderer.
      const FrameRange whole{0, std::numeric_limits<int64_t>::max()};
      const LutFile lut = load_lut(o->lut);
      ClipRenderOptions ro;
      ro.interp = interp;
      ro.encode = o->video;
      ro.quiet = global.quiet;
      ro.label = "apply";
      const ClipRenderResult r = render_clip(o->in, o->out, {&whole, 1}, {&lut, 1}, ro);
      for (const std::string& w : r.warnings) fmt::print(stderr, "autograde: warning: {}\n", w);
      fmt::print(stderr, "wrote {} frames to {}\n", r.frames, o->out == "-" ? "stdout" : o->out);
      return;
    }
    const LutFile lut = load_lut(o->lut);
    LoadedImage img = read_image(o->in);
    make_renderer(lut, PixelFormat{SampleType::F32, Layout::Packed, img.image.channels}, interp)
        .apply(img.image);
    write_image(o->out, img.image, img.meta);
    fmt::print(stderr, "wrote {}\n", o->out);
  };
}

}  // namespace

AUTOGRADE_COMMAND(10, add_apply);

}  // namespace autograde::cli
