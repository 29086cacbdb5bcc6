#include "autograde/pipeline/render_clip.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <optional>

#include "autograde/analysis/masked_difference.hpp"
#include "autograde/analysis/timecode.hpp"
#include "autograde/color/camera_log.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/core/image_ops.hpp"
#include "autograde/core/progress.hpp"
#include "autograde/engine/region_renderer.hpp"
#include "autograde/engine/renderer.hpp"
#include "autograde/engine/yuv_renderer.hpp"
#include "autograde/media/frame_to_rgb.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/media/image_sequence.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/media/y4m.hpp"
#include "autograde/pipeline/shot_lut.hpp"
#include "autograde/semantic/region_masks.hpp"

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

void check_shape(std::span<const FrameRange> shots, std::span<const LutFile> luts,
                 const std::vector<ShotRegionLuts>& regions) {
  if (shots.empty()) throw_usage("render: no shots to render");
  if (shots.size() != luts.size())
    throw_usage("render: " + std::to_string(shots.size()) + " shots but " +
                std::to_string(luts.size()) + " LUTs");
  if (!regions.empty() && regions.size() != shots.size())
    throw_usage("render: " + std::to_string(shots.size()) + " shots but region grades for " +
                std::to_string(regions.size()));
}

// The region grades (render_clip.hpp): per shot a region renderer over the shot's LUT, and the
// frame's masks, computed on a small display-referred copy and kept steady within the shot.
class RegionPass {
 public:
  RegionPass(std::span<const LutFile> luts, const std::vector<ShotRegionLuts>& regions,
             Interp interp, CameraLog input, int mask_width, int channels = 3)
      : regions_(regions), input_(input), mask_width_(std::max(16, mask_width)) {
    for (size_t s = 0; s < regions.size(); ++s) {
      const ShotRegionLuts& r = regions[s];
      std::optional<RegionRenderer> renderer;
      if (!r.empty()) {
        if (r.luts.size() != r.regions.size() || r.strengths.size() != r.regions.size())
          throw_usage("render: shot " + std::to_string(s) +
                      ": its regions, region LUTs and strengths disagree");
        renderer.emplace(make_region_renderer(
            luts[s], r.luts, PixelFormat{SampleType::F32, Layout::Packed, channels}, interp));
      }
      renderers_.push_back(std::move(renderer));
    }
  }
  bool any() const {
    return std::any_of(renderers_.begin(), renderers_.end(),
                       [](const auto& r) { return r.has_value(); });
  }
  bool has(size_t shot) const { return shot < renderers_.size() && renderers_[shot].has_value(); }

  // Grades `rgb` (input code values, in place) with shot `shot`'s regions; `new_shot` restarts
  // the masks' smoothing.
  void apply(size_t shot, bool new_shot, ImageF& rgb) {
    const int w = std::min(mask_width_, rgb.width);
    const int h = std::max(1, int(std::lround(double(rgb.height) * w / rgb.width)));
    small_ = area_average(rgb, {.width = w, .height = h});
    if (small_.channels == 4) {  // alpha plays no part in what the picture shows
      ImageF three(small_.width, small_.height, 3);
      for (size_t i = 0; i < small_.pixel_count(); ++i)
        std::copy_n(&small_.pixels[4 * i], 3, &three.pixels[3 * i]);
      small_ = std::move(three);
    }
    to_display(input_, small_);
    if (new_shot) tracker_.restart();
    const RegionMasks& m = tracker_.update(compute_region_masks(small_, regions_[shot].regions));
    mattes_ = region_mattes(m, regions_[shot].regions);
    masks_.clear();
    for (const ImageF& x : mattes_) masks_.push_back(&x);
    renderers_[shot]->apply(rgb, masks_, regions_[shot].strengths);
    last_ = &m;
  }
  // The masks of the frame apply() last graded.
  const RegionMasks* last() const { return last_; }
  // Every region class some shot has, in first-seen order.
  std::vector<Region> classes() const {
    std::vector<Region> out;
    for (const ShotRegionLuts& r : regions_)
      for (Region c : r.regions)
        if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    return out;
  }

 private:
  const std::vector<ShotRegionLuts>& regions_;
  CameraLog input_;
  int mask_width_;
  std::vector<std::optional<RegionRenderer>> renderers_;
  MaskTracker tracker_;
  ImageF small_;
  std::vector<ImageF> mattes_;
  std::vector<const ImageF*> masks_;
  const RegionMasks* last_ = nullptr;
};

// The mattes (ClipRenderOptions::mattes_stem): one grey FFV1 file per region class.
class MatteWriters {
 public:
  MatteWriters(const std::string& stem, const std::vector<Region>& classes,
               const VideoStreamInfo& info) {
    VideoWriteOptions wo;
    // FFV1 in the clip's own Y'CbCr layout (the writer takes no grey format): the matte is the
    // luma, the chroma neutral, lossless.
    wo.codec = "ffv1";
    wo.copy_audio = false;
    wo.copy_subtitles = false;
    for (Region c : classes) {
      paths_.push_back(stem + "_" + region_name(c) + ".mkv");
      writers_.emplace_back(paths_.back(), info, wo);
      classes_.push_back(c);
    }
  }
  // The frame's mattes, as the grade blends by them (null: none of the classes in this shot),
  // at the frame's size.
  void write(const RegionMasks* m, int width, int height, int64_t pts) {
    const std::vector<ImageF> mattes = m ? region_mattes(*m, classes_) : std::vector<ImageF>{};
    for (size_t k = 0; k < writers_.size(); ++k) {
      const ImageF* mask = m ? &mattes[k] : nullptr;
      const ImageF full = mask && !mask->empty() ? resize_mask(*mask, width, height)
                                                 : ImageF(width, height, 1);
      grey_.width = width, grey_.height = height, grey_.channels = 3;
      grey_.pixels.resize(full.pixels.size() * 3);
      for (size_t i = 0; i < full.pixels.size(); ++i)
        grey_.pixels[3 * i] = grey_.pixels[3 * i + 1] = grey_.pixels[3 * i + 2] = full.pixels[i];
      writers_[k].write(grey_, pts);
    }
  }
  std::vector<std::string> finish() {
    for (VideoWriter& w : writers_) w.finish();
    return paths_;
  }

 private:
  std::vector<std::string> paths_;
  std::vector<VideoWriter> writers_;
  std::vector<Region> classes_;
  ImageF grey_;
};

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

// The split review (render_clip.hpp): left of the divider the "before" picture, the divider
// mid grey, right of it the graded picture already in `graded`.
void compose_split(const ImageF& before, ImageF& graded) {
  const SplitDivider d = split_divider(graded.width);
  const int c = graded.channels;
  for (int y = 0; y < graded.height; ++y) {
    float* row = graded.pixels.data() + size_t(y) * size_t(graded.width) * size_t(c);
    const float* src = before.pixels.data() + size_t(y) * size_t(before.width) * size_t(c);
    std::copy(src, src + size_t(d.first) * size_t(c), row);
    std::fill(row + size_t(d.first) * size_t(c), row + size_t(d.first + d.width) * size_t(c), 0.5f);
  }
}

// Where an image sequence's numbers and header timecodes start: the source's start timecode
// counted at its rate, 0 when it has none.
struct SequenceClock {
  TimecodeRate rate;
  int64_t start = 0;
  explicit SequenceClock(const VideoStreamInfo& info)
      : rate(timecode_rate(info.fps(), info.timecode.find(';') != std::string::npos)) {
    if (!info.timecode.empty()) start = std::max<int64_t>(0, parse_timecode(info.timecode, rate));
  }
};

[[noreturn]] void range_outside(const std::string& input, const FrameRange& r, int64_t count) {
  throw_usage(fmt::format("--frames {}-{} is outside '{}', which has {} frames (0-{})", r.first,
                          r.last, input, count, count - 1));
}

}  // namespace

void check_frame_range(const std::string& input, const FrameRange& r, int64_t frame_count) {
  if (r.first < 0 || r.last < r.first)
    throw_usage(fmt::format("--frames {}-{} is empty", r.first, r.last));
  if (frame_count > 0 && r.last >= frame_count) range_outside(input, r, frame_count);
}

SplitDivider split_divider(int w) {
  SplitDivider d;
  d.width = std::min(w, std::max(2, (w / 240) & ~1));
  d.first = std::max(0, w / 2 - d.width / 2);
  return d;
}

FrameRange parse_frame_range(const std::string& text) {
  const size_t dash = text.find('-', 1);
  auto bad = [&] {
    throw_usage("--frames '" + text +
                "': write FIRST-LAST, inclusive 0-based frame numbers (e.g. 48-95)");
  };
  if (dash == std::string::npos || dash + 1 >= text.size()) bad();
  FrameRange r;
  try {
    size_t used = 0;
    r.first = std::stoll(text.substr(0, dash), &used);
    if (used != dash) bad();
    r.last = std::stoll(text.substr(dash + 1), &used);
    if (used != text.size() - dash - 1) bad();
  } catch (const std::logic_error&) {
    bad();
  }
  if (r.first < 0 || r.last < r.first) bad();
  return r;
}

bool is_still_path(const std::string& path) {
  return is_image_path(path) && !is_image_sequence_path(path);
}

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
  check_shape(shots, luts, o.regions);
  if (input != "-" && output != "-") refuse_overwrite_input(input, output);
  // A still to a still; a still into a video file is a one-frame clip (FFmpeg reads it).
  if (is_still_path(output)) {
    if (!is_still_path(input))
      throw_usage("a still output needs a still input ('" + input + "' → '" + output + "')");
    if (o.frames || o.split) throw_usage("--frames and --split are for clips, not stills");
    LoadedImage still = read_image(input);
    RegionPass pass(luts, o.regions, o.interp, o.input_colorspace, o.mask_width,
                    still.image.channels);
    if (pass.has(0))
      pass.apply(0, true, still.image);
    else
      make_renderer(luts[0], PixelFormat{SampleType::F32, Layout::Packed, still.image.channels},
                    o.interp)
          .apply(still.image);
    write_image(output, still.image, still.meta);
    ClipRenderResult r;
    r.frames = 1;
    r.pixel_path = "still";
    return r;
  }
  RegionPass regions(luts, o.regions, o.interp, o.input_colorspace, o.mask_width);
  if (is_y4m_path(input) || is_y4m_path(output)) {
    if (regions.any()) throw_usage("region grades need a video file; a .y4m stream takes one LUT");
    if (!is_y4m_path(input) || !is_y4m_path(output))
      throw_usage("a .y4m input needs a .y4m output and vice versa");
    if (o.frames || o.split)
      throw_usage("--frames and --split need a video file; a .y4m stream is graded as it comes");
    return render_y4m(input, output, shots, luts, o);
  }
  check_video_output(output, o.encode);
  const bool sequence = is_image_sequence_path(output);

  VideoReadOptions ropt;
  const VideoStreamInfo info = VideoReader(input, ropt).info();
  if (o.frames) check_frame_range(input, *o.frames, info.frame_count);
  const int64_t first = o.frames ? o.frames->first : 0;
  const int64_t last = o.frames ? o.frames->last : std::numeric_limits<int64_t>::max();
  // The split view and image sequences are made of float RGB frames.
  const bool fused = fused_path_ok(info) && !o.split && !sequence && !regions.any();
  const bool measure = o.measure && !o.split && !o.frames;
  ropt.output = fused ? FrameOutput::Yuv : FrameOutput::Rgb;
  const int measure_width = std::min(o.measure_width, info.width);
  if (measure) ropt.analysis_width = measure_width;
  VideoReader reader(input, ropt);
  const SequenceClock clock(info);
  std::optional<VideoWriter> video;
  std::optional<ImageSequenceWriter> stills;
  if (sequence) {
    stills.emplace(output, info.fps_num, info.fps_den);
  } else {
    VideoStreamInfo shown = info;
    VideoWriteOptions wo = o.encode;
    for (int64_t f : o.chunk_starts)
      if (f > first && f <= last) wo.restart_at.push_back(f - first);
    if (o.frames && wo.segment_of.empty()) {
      wo.trim_to_video = true;
      // The output's timecode is its first frame's.
      if (!info.timecode.empty()) shown.timecode = format_timecode(clock.start + first, clock.rate);
    }
    video.emplace(output, shown, wo);
  }

  std::vector<YuvLutRenderer> yuv;
  std::vector<LutRenderer> rgb;
  const YuvFormat yuv_format{info.bit_depth, info.chroma_shift_x, info.chroma_shift_y};
  for (const LutFile& lut : luts) {
    if (fused)
      yuv.push_back(make_yuv_renderer(lut, yuv_format, o.interp));
    else
      rgb.push_back(make_renderer(lut, PixelFormat{SampleType::F32, Layout::Packed, 3}, o.interp));
  }
  std::optional<MatteWriters> mattes;
  if (!o.mattes_stem.empty() && regions.any()) {
    VideoStreamInfo plain = info;
    plain.audio_streams = plain.subtitle_streams = 0;
    mattes.emplace(o.mattes_stem, regions.classes(), plain);
  }
  std::vector<ShotTemporalMeter> meters;
  if (measure)
    for (const FrameRange& s : shots)
      meters.emplace_back(s.first, s.last, int(std::max<int64_t>(1, (s.last - s.first + 1) / 24)));

  // The fused path renders straight into the encoder's frame when the encoder takes the source's
  // layout (the usual case); otherwise into planes of the source's layout that write() converts.
  const bool into_encoder = fused && video->target().bit_depth == info.bit_depth &&
                            video->target().chroma_shift_x == info.chroma_shift_x &&
                            video->target().chroma_shift_y == info.chroma_shift_y;
  ClipRenderResult result;
  result.pixel_path = fused ? "yuv" : "rgb";
  const int64_t expected = o.frames ? o.frames->last - o.frames->first + 1 : info.frame_count;
  ProgressBar bar(o.label, expected, o.quiet);
  ShotCursor cursor(shots);
  size_t last_shot = SIZE_MAX;  // the masks restart with every shot (and the range's first frame)
  OwnedYuv graded;
  FrameToRgb to_rgb;
  ImageF in_display, out_small, before;
  VideoFrame frame;
  // Frames before the range are decoded but not converted.
  while (reader.frames_read() < first && reader.skip()) {
  }
  while (reader.frames_read() <= last && reader.next(frame)) {
    const size_t s = cursor.at(frame.index);
    if (into_encoder) {
      const YuvPlanesMut out = video->frame_buffer();
      yuv[s].apply(engine_view(frame.yuv), engine_view(out));
      if (measure) to_rgb.convert(out, measure_width, frame.analysis.height, out_small);
      video->submit_frame(frame.pts);
    } else if (fused) {
      graded.shape_like(frame.yuv);
      yuv[s].apply(engine_view(frame.yuv), engine_view(graded.planes));
      video->write(YuvPlanes(graded.planes), frame.pts);
      if (measure) to_rgb.convert(graded.planes, measure_width, frame.analysis.height, out_small);
    } else {
      if (o.split) {
        before = frame.rgb;
        to_display(o.input_colorspace, before);
      }
      if (regions.has(s)) {
        // The masks restart at each shot and each encode chunk, so a farm task that renders a
        // chunk alone computes the same masks as a render of the whole clip.
        const bool chunk_start = std::binary_search(o.chunk_starts.begin(), o.chunk_starts.end(),
                                                    frame.index);
        regions.apply(s, s != last_shot || chunk_start, frame.rgb);
      }
      else
        rgb[s].apply(frame.rgb);
      last_shot = s;
      if (mattes)
        mattes->write(regions.has(s) ? regions.last() : nullptr, frame.rgb.width,
                      frame.rgb.height, frame.pts);
      if (o.split) compose_split(before, frame.rgb);
      if (stills) {
        const int64_t number = clock.start + frame.index;
        stills->write(frame.rgb, number, format_timecode(number, clock.rate));
        if (result.sequence_numbers.empty()) result.sequence_numbers = {number, number};
        result.sequence_numbers[1] = number;
      } else {
        video->write(frame.rgb, frame.pts);
      }
      if (measure)
        out_small = area_average(frame.rgb,
                                 {.width = frame.analysis.width, .height = frame.analysis.height});
    }
    if (measure) {
      in_display = frame.analysis;
      to_display(o.input_colorspace, in_display);
      meters[s].add(frame.index, frame.analysis, in_display, out_small);
    }
    ++result.frames;
    bar.update(result.frames);
  }
  // An estimated frame count can be too high: the range is checked again on what was decoded.
  if (o.frames && result.frames < expected) range_outside(input, *o.frames, reader.frames_read());
  bar.finish();
  if (stills) {
    stills->finish();
  } else {
    video->finish();
    result.warnings = video->warnings();
  }
  if (mattes) result.mattes = mattes->finish();
  for (const ShotTemporalMeter& m : meters) result.shot_metrics.push_back(m.result());
  return result;
}

}  // namespace autograde
