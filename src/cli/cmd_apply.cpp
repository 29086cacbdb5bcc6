#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <vector>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/engine/renderer.hpp"
#include "autograde/engine/yuv_renderer.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/load.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/media/video_writer.hpp"
#include "autograde/media/y4m.hpp"
#include "autograde/pipeline/progress.hpp"
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

// Y'CbCr frames straight through the fused engine path (BT.709, limited range), a few frames in
// memory at a time: the next frames are read and the last ones written on background threads
// while the renderer works on this one, from the reader's buffer into the writer's (no copies).
int apply_y4m(const LutFile& lut, Interp interp, const std::string& in, const std::string& out) {
  Y4mReader reader(in);
  const Y4mFormat& f = reader.format();
  if (f.other_params.find("XCOLORRANGE=FULL") != std::string::npos)
    throw_bad_input(in,
                    "full-range Y'CbCr is not supported (the fused path is BT.709 limited range)");
  const YuvLutRenderer renderer =
      make_yuv_renderer(lut, YuvFormat{f.bit_depth, f.log2_chroma_w, f.log2_chroma_h}, interp);
  Y4mWriter writer(out, f);
  Y4mReadAhead source(reader);
  Y4mWriteBehind sink(writer);
  // A frame's planes (Y, Cb, Cr back to back, tightly packed) as a ConstYuvImage / YuvImage.
  auto planes = [&f](auto* frame, auto& image) {
    image.width = f.width;
    image.height = f.height;
    for (int p = 0; p < 3; ++p) {
      image.planes[p] = frame + f.plane_offset(p);
      image.strides[p] = std::ptrdiff_t(f.plane_width(p) * f.sample_bytes());
    }
  };
  while (const std::uint8_t* frame = source.next()) {
    ConstYuvImage src;
    YuvImage dst;
    planes(frame, src);
    planes(sink.buffer(), dst);
    renderer.apply(src, dst);
    sink.commit();
  }
  if (reader.frames_read() == 0) throw_bad_input(in == "-" ? "<stdin>" : in, "no frames");
  sink.finish();
  return reader.frames_read();
}

// A clip through FFmpeg: decode, LUT, encode (audio and subtitles copied). BT.709 limited-range
// planar Y'CbCr (what H.264/HEVC/ProRes carry) goes through the fused engine path on the
// decoder's own planes: no RGB frame, no swscale pass. Anything else is decoded to float RGB
// display code values and takes the RGB engine.
int apply_video(const LutFile& lut, Interp interp, const std::string& in, const std::string& out,
                const VideoWriteOptions& wopt, bool quiet) {
  VideoReadOptions ropt;
  const VideoStreamInfo info = VideoReader(in, ropt).info();
  const bool fused = !info.is_rgb && info.effective.matrix == kH273Bt709 &&
                     info.effective.range == ColorRange::Limited &&
                     (info.bit_depth == 8 || info.bit_depth == 10 || info.bit_depth == 12 ||
                      info.bit_depth == 16) &&
                     info.chroma_shift_x <= 1 && info.chroma_shift_y <= 1;
  ropt.output = fused ? FrameOutput::Yuv : FrameOutput::Rgb;
  VideoReader reader(in, ropt);
  VideoWriter writer(out, info, wopt);
  std::optional<YuvLutRenderer> yuv;
  std::optional<LutRenderer> rgb;
  if (fused)
    yuv.emplace(make_yuv_renderer(
        lut, YuvFormat{info.bit_depth, info.chroma_shift_x, info.chroma_shift_y}, interp));
  else
    rgb.emplace(make_renderer(lut, PixelFormat{SampleType::F32, Layout::Packed, 3}, interp));
  ProgressBar bar("apply", info.frame_count, quiet);
  // The fused path renders straight into the encoder's frame when it takes the source's layout
  // (the usual case); otherwise into planes of the source's layout that write() converts.
  const VideoTargetFormat& target = writer.target();
  const bool into_encoder = fused && target.bit_depth == info.bit_depth &&
                            target.chroma_shift_x == info.chroma_shift_x &&
                            target.chroma_shift_y == info.chroma_shift_y;
  std::array<std::vector<std::uint8_t>, 3> planes;
  VideoFrame frame;
  int frames = 0;
  while (reader.next(frame)) {
    if (fused) {
      const YuvPlanes& s = frame.yuv;
      ConstYuvImage src;
      YuvImage dst;
      src.width = dst.width = s.width;
      src.height = dst.height = s.height;
      YuvPlanesMut out = into_encoder ? writer.frame_buffer() : YuvPlanesMut{};
      YuvPlanes view = s;
      for (int p = 0; p < 3; ++p) {
        src.planes[p] = s.data[p];
        src.strides[p] = s.stride[p];
        if (into_encoder) {
          dst.planes[p] = out.data[p];
          dst.strides[p] = out.stride[p];
          continue;
        }
        const int w = (p == 0 ? s.width : s.chroma_width()) * s.bytes_per_sample();
        const int h = p == 0 ? s.height : s.chroma_height();
        planes[p].resize(size_t(w) * size_t(h));
        dst.planes[p] = planes[p].data();
        dst.strides[p] = w;
        view.data[p] = planes[p].data();
        view.stride[p] = w;
      }
      yuv->apply(src, dst);
      if (into_encoder)
        writer.submit_frame(frame.pts);
      else
        writer.write(view, frame.pts);
    } else {
      rgb->apply(frame.rgb);
      writer.write(frame.rgb, frame.pts);
    }
    bar.update(++frames);
  }
  bar.finish();
  writer.finish();
  if (!quiet)
    for (const std::string& w : writer.warnings()) fmt::print(stderr, "warning: {}\n", w);
  return frames;
}

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
  sub->add_option("--codec", o->video.codec, "clips: auto|h264|hevc|prores|ffv1")
      ->check(CLI::IsMember({"auto", "h264", "hevc", "prores", "ffv1"}));
  sub->add_option("--crf", o->video.crf, "clips: H.264/HEVC quality (default 18 / 20)")
      ->check(CLI::Range(0, 51));
  sub->add_option("--preset", o->video.preset, "clips: libx264/libx265 preset (default medium)");
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
    if (!is_image_path(o->in)) {
      const LutFile lut = load_lut(o->lut);
      const int frames = apply_video(lut, interp, o->in, o->out, o->video, global.quiet);
      if (!global.quiet) fmt::print(stderr, "wrote {} frames to {}\n", frames, o->out);
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
