#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/engine/renderer.hpp"
#include "autograde/engine/yuv_renderer.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/load.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/media/y4m.hpp"
#include "commands.hpp"

namespace autograde::cli {

namespace {

bool is_y4m(const std::string& path) {
  if (path == "-") return true;  // pipes carry raw YUV4MPEG2
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return lower.size() > 4 && lower.compare(lower.size() - 4, 4, ".y4m") == 0;
}

// Y'CbCr frames straight through the fused engine path (BT.709, limited range), one frame in
// memory at a time.
int apply_y4m(const LutFile& lut, Interp interp, const std::string& in, const std::string& out) {
  Y4mReader reader(in);
  const Y4mFormat& f = reader.format();
  if (f.other_params.find("XCOLORRANGE=FULL") != std::string::npos)
    throw_bad_input(in,
                    "full-range Y'CbCr is not supported (the fused path is BT.709 limited range)");
  const YuvLutRenderer renderer =
      make_yuv_renderer(lut, YuvFormat{f.bit_depth, f.log2_chroma_w, f.log2_chroma_h}, interp);
  Y4mWriter writer(out, f);
  std::vector<std::uint8_t> frame;
  YuvImage view;
  view.width = f.width;
  view.height = f.height;
  while (reader.read_frame(frame)) {
    std::size_t offset = 0;
    for (int p = 0; p < 3; ++p) {
      view.planes[p] = frame.data() + offset;
      view.strides[p] = std::ptrdiff_t(f.plane_width(p) * f.sample_bytes());
      offset += f.plane_bytes(p);
    }
    renderer.apply(view);
    writer.write_frame(frame.data());
  }
  if (reader.frames_read() == 0) throw_bad_input(in == "-" ? "<stdin>" : in, "no frames");
  writer.finish();
  return reader.frames_read();
}

Runner add_apply(CLI::App& app, const GlobalOptions& global) {
  auto* sub = app.add_subcommand("apply", "Apply a LUT to an image or a raw .y4m stream");
  struct Opts {
    std::string lut, in, out, interp = "tetrahedral";
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("LUT", o->lut, "LUT file (.cube, Hald/strip image, any OCIO format)")->required();
  sub->add_option("IN", o->in, "input image, or .y4m stream ('-' = .y4m on stdin)")->required();
  sub->add_option("-o,--output", o->out, "output (never the input; '-' = .y4m on stdout)")
      ->required();
  sub->add_option("--interp", o->interp, "tetrahedral|trilinear")
      ->check(CLI::IsMember({"tetrahedral", "trilinear"}));
  return [o, &global] {
    if (o->in != "-" && o->out != "-") refuse_overwrite_input(o->in, o->out);
    const Interp interp = parse_interp(o->interp);
    if (is_y4m(o->in) || is_y4m(o->out)) {
      if (!is_y4m(o->in) || !is_y4m(o->out))
        throw_usage("a .y4m input needs a .y4m output and vice versa");
      const LutFile lut = load_lut(o->lut);
      const int frames = apply_y4m(lut, interp, o->in, o->out);
      if (!global.quiet)
        fmt::print(stderr, "wrote {} frames to {}\n", frames, o->out == "-" ? "stdout" : o->out);
      return;
    }
    const LutFile lut = load_lut(o->lut);
    LoadedImage img = read_image(o->in);
    make_renderer(lut, PixelFormat{SampleType::F32, Layout::Packed, img.image.channels}, interp)
        .apply(img.image);
    write_image(o->out, img.image, img.meta);
    if (!global.quiet) fmt::print(stderr, "wrote {}\n", o->out);
  };
}

}  // namespace

AUTOGRADE_COMMAND(10, add_apply);

}  // namespace autograde::cli
