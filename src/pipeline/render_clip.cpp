#include "autograde/pipeline/render_clip.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "autograde/color/camera_log.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/core/progress.hpp"
#include "autograde/engine/renderer.hpp"
#include "autograde/engine/yuv_renderer.hpp"
#include "autograde/learn/image_ops.hpp"
#include "autograde/media/frame_to_rgb.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/media/y4m.hpp"
#include "autograde/pipeline/shot_lut.hpp"

namespace autograde {

namespace {

bool fused_path_ok(const VideoStreamInfo& info) {
  return !info.is_rgb && info.effective.matrix == kH273Bt709 &&
         info.effective.range == ColorRange::Limited &&
         (info.bit_depth == 8 || info.bit_depth == 10 || info.bit_depth == 12 ||
          info.bit_depth == 16) &&
         info.chroma_shift_x <= 1 && info.chroma_shift_y <= 1;
}

// Which shot a frame belongs to; frames past the last range stay with the last shot.
class ShotCursor {
 public:
  explicit ShotCursor(std::span<const FrameRange> shots) : shots_(shots) {}
  // Frames arrive in increasing order.
  size_t at(int64_t frame) {
    while (current_ + 1 < shots_.size() && frame > shots_[current_].last) ++current_;
    return current_;
  }

 private:
  std::span<const FrameRange> shots_;
  size_t current_ = 0;
};

// Planes in the source's layout for the fused path's output, allocated once.
struct OwnedYuv {
  std::array<std::vector<uint8_t>, 3> data;
  YuvPlanesMut planes;
  void shape_like(const YuvPlanes& src) {
    planes = {src.width, src.height, src.bit_depth, src.chroma_shift_x, src.chroma_shift_y,
              {},        {},         src.tags};
    const int bps = src.bytes_per_sample();
    for (size_t p = 0; p < 3; ++p) {
      const int w = (p == 0 ? src.width : src.chroma_width()) * bps;
      const int h = p == 0 ? src.height : src.chroma_height();
      data[p].resize(size_t(w) * size_t(h));
      planes.data[p] = data[p].data();
      planes.stride[p] = w;
    }
  }
};

// The engine's view of decoded (const) or writable planes.
template <typename Byte>
auto engine_view(const BasicYuvPlanes<Byte>& s) {
  std::conditional_t<std::is_const_v<Byte>, ConstYuvImage, YuvImage> v;
  v.width = s.width;
  v.height = s.height;
  for (size_t p = 0; p < 3; ++p) {
    v.planes[p] = s.data[p];
    v.strides[p] = s.stride[p];
  }
  return v;
}

void check_shape(std::span<const FrameRange> shots, std::span<const LutFile> luts) {
  if (shots.empty()) throw_usage("render: no shots to render");
  if (shots.size() != luts.size())
    throw_usage("render: " + std::to_string(shots.size()) + " shots but " +
                std::to_string(luts.size()) + " LUTs");
}

ClipRenderResult render_y4m(const std::string& in, const std::string& out,
                            std::span<const FrameRange> shots, std::span<const LutFile> luts,
                            const ClipRenderOptions& o) {
  Y4mReader reader(in);
  const Y4mFormat& f = reader.format();
  if (f.other_params.find("XCOLORRANGE=FULL") != std::string::npos)
    throw_bad_input(in == "-" ? "<stdin>" : in,
                    "full-range Y'CbCr is not supported (the fused path is BT.709 limited range)");
  const YuvFormat format{f.bit_depth, f.log2_chroma_w, f.log2_chroma_h};
  std::vector<YuvLutRenderer> renderers;
  for (const LutFile& lut : luts) renderers.push_back(make_yuv_renderer(lut, format, o.interp));
  Y4mWriter writer(out, f);
  // The next frame is read and the last one written on background threads while this one is
  // rendered, from the reader's buffer into the writer's: no copies, I/O overlapped.
  Y4mReadAhead source(reader);
  Y4mWriteBehind sink(writer);
  // A frame's planes (Y, Cb, Cr back to back, tightly packed) as a ConstYuvImage / YuvImage.
  auto planes = [&f](auto* frame, auto& image) {
    image.width = f.width;
    image.height = f.height;
    for (int p = 0; p < 3; ++p) {
      image.planes[size_t(p)] = frame + f.plane_offset(p);
      image.strides[size_t(p)] = std::ptrdiff_t(f.plane_width(p) * f.sample_bytes());
    }
  };
  ShotCursor cursor(shots);
  ClipRenderResult r;
  r.pixel_path = "y4m";
  while (const std::uint8_t* frame = source.next()) {
    ConstYuvImage src;
    YuvImage dst;
    planes(frame, src);
    planes(sink.buffer(), dst);
    renderers[cursor.at(r.frames)].apply(src, dst);
    sink.commit();
    ++r.frames;
  }
  if (r.frames == 0) throw_bad_input(in == "-" ? "<stdin>" : in, "no frames");
  sink.finish();
  return r;
}

}  // namespace

bool is_y4m_path(const std::string& path) {
  if (path == "-") return true;  // pipes carry raw YUV4MPEG2
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return lower.size() > 4 && lower.compare(lower.size() - 4, 4, ".y4m") == 0;
}

ClipRenderResult render_clip(const std::string& input, const std::string& output,
                             std::span<const FrameRange> shots, std::span<const LutFile> luts,
                             const ClipRenderOptions& o) {
  check_shape(shots, luts);
  if (input != "-" && output != "-") refuse_overwrite_input(input, output);
  if (is_y4m_path(input) || is_y4m_path(output)) {
    if (!is_y4m_path(input) || !is_y4m_path(output))
      throw_usage("a .y4m input needs a .y4m output and vice versa");
    return render_y4m(input, output, shots, luts, o);
  }
  check_video_output(output, o.encode);

  VideoReadOptions ropt;
  const VideoStreamInfo info = VideoReader(input, ropt).info();
  const bool fused = fused_path_ok(info);
  ropt.output = fused ? FrameOutput::Yuv : FrameOutput::Rgb;
  const int measure_width = std::min(o.measure_width, info.width);
  if (o.measure) ropt.analysis_width = measure_width;
  VideoReader reader(input, ropt);
  VideoWriter writer(output, info, o.encode);

  std::vector<YuvLutRenderer> yuv;
  std::vector<LutRenderer> rgb;
  const YuvFormat yuv_format{info.bit_depth, info.chroma_shift_x, info.chroma_shift_y};
  for (const LutFile& lut : luts) {
    if (fused)
      yuv.push_back(make_yuv_renderer(lut, yuv_format, o.interp));
    else
      rgb.push_back(make_renderer(lut, PixelFormat{SampleType::F32, Layout::Packed, 3}, o.interp));
  }
  std::vector<ShotTemporalMeter> meters;
  if (o.measure)
    for (const FrameRange& s : shots)
      meters.emplace_back(s.first, s.last, int(std::max<int64_t>(1, (s.last - s.first + 1) / 24)));

  // The fused path renders straight into the encoder's frame when the encoder takes the source's
  // layout (the usual case); otherwise into planes of the source's layout that write() converts.
  const VideoTargetFormat& target = writer.target();
  const bool into_encoder = fused && target.bit_depth == info.bit_depth &&
                            target.chroma_shift_x == info.chroma_shift_x &&
                            target.chroma_shift_y == info.chroma_shift_y;
  ClipRenderResult result;
  result.pixel_path = fused ? "yuv" : "rgb";
  ProgressBar bar(o.label, info.frame_count, o.quiet);
  ShotCursor cursor(shots);
  OwnedYuv graded;
  FrameToRgb to_rgb;
  ImageF in_display, out_small;
  VideoFrame frame;
  while (reader.next(frame)) {
    const size_t s = cursor.at(frame.index);
    if (into_encoder) {
      const YuvPlanesMut out = writer.frame_buffer();
      yuv[s].apply(engine_view(frame.yuv), engine_view(out));
      if (o.measure) to_rgb.convert(out, measure_width, frame.analysis.height, out_small);
      writer.submit_frame(frame.pts);
    } else if (fused) {
      graded.shape_like(frame.yuv);
      yuv[s].apply(engine_view(frame.yuv), engine_view(graded.planes));
      writer.write(YuvPlanes(graded.planes), frame.pts);
      if (o.measure) to_rgb.convert(graded.planes, measure_width, frame.analysis.height, out_small);
    } else {
      rgb[s].apply(frame.rgb);
      writer.write(frame.rgb, frame.pts);
      if (o.measure)
        out_small = learn::resize_area(frame.rgb, frame.analysis.width, frame.analysis.height);
    }
    if (o.measure) {
      in_display = frame.analysis;
      to_display(o.input_colorspace, in_display);
      meters[s].add(frame.index, frame.analysis, in_display, out_small);
    }
    ++result.frames;
    bar.update(result.frames);
  }
  bar.finish();
  writer.finish();
  result.warnings = writer.warnings();
  for (const ShotTemporalMeter& m : meters) result.shot_metrics.push_back(m.result());
  return result;
}

}  // namespace autograde
