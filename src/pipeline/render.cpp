#include "autograde/pipeline/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/engine/renderer.hpp"
#include "autograde/engine/yuv_renderer.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/media/video_writer.hpp"
#include "autograde/pipeline/cleanup.hpp"
#include "autograde/pipeline/progress.hpp"
#include "autograde/pipeline/shot_lut.hpp"
#include "autograde/pipeline/temporal_metrics.hpp"

namespace fs = std::filesystem;

namespace autograde {

namespace {

bool fused_path_ok(const VideoStreamInfo& info) {
  return !info.is_rgb && info.effective.matrix == kH273Bt709 &&
         info.effective.range == ColorRange::Limited &&
         (info.bit_depth == 8 || info.bit_depth == 10 || info.bit_depth == 12 ||
          info.bit_depth == 16) &&
         info.chroma_shift_x <= 1 && info.chroma_shift_y <= 1;
}

int shot_for(const GradePlan& plan, int64_t frame) {
  const int s = shot_of_frame(plan, frame);
  return s < 0 ? int(plan.shots.size()) - 1 : s;
}

// Owns planes in the source's layout for the fused path's output.
struct OwnedYuv {
  std::array<std::vector<uint8_t>, 3> data;
  YuvPlanesMut planes;
  void shape_like(const YuvPlanes& src) {
    planes.width = src.width;
    planes.height = src.height;
    planes.bit_depth = src.bit_depth;
    planes.chroma_shift_x = src.chroma_shift_x;
    planes.chroma_shift_y = src.chroma_shift_y;
    planes.tags = src.tags;
    const int bps = src.bytes_per_sample();
    for (int p = 0; p < 3; ++p) {
      const int w = p == 0 ? src.width : src.chroma_width();
      const int h = p == 0 ? src.height : src.chroma_height();
      const size_t need = size_t(w) * bps * h;
      if (data[p].size() != need) data[p].assign(need, 0);
      planes.data[p] = data[p].data();
      planes.stride[p] = w * bps;
    }
  }
  YuvPlanes view() const {
    YuvPlanes v;
    v.width = planes.width;
    v.height = planes.height;
    v.bit_depth = planes.bit_depth;
    v.chroma_shift_x = planes.chroma_shift_x;
    v.chroma_shift_y = planes.chroma_shift_y;
    v.tags = planes.tags;
    for (int p = 0; p < 3; ++p) {
      v.data[p] = planes.data[p];
      v.stride[p] = planes.stride[p];
    }
    return v;
  }
};

}  // namespace

std::vector<Lut3D> plan_luts(const GradePlan& plan) {
  std::vector<Lut3D> luts;
  luts.reserve(plan.shots.size());
  for (const auto& s : plan.shots)
    luts.push_back(bake_shot_lut(plan.input_colorspace, s.look, plan.lut_size,
                                 s.correction ? &*s.correction : nullptr));
  return luts;
}

RenderResult render_plan(const GradePlan& plan, const std::string& output_path,
                         const RenderOptions& options, const std::string& staged_path) {
  if (plan.shots.empty()) throw_bad_input("plan", "has no shots");
  std::error_code ec;
  if (!fs::exists(plan.input_path, ec)) throw_bad_input(plan.input_path, "input clip not found");
  refuse_overwrite_input(plan.input_path, output_path);

  const std::vector<Lut3D> luts = plan_luts(plan);
  VideoReadOptions ropt;
  VideoReader probe(plan.input_path, ropt);
  const VideoStreamInfo info = probe.info();
  const bool fused = fused_path_ok(info);
  ropt.output = fused ? FrameOutput::Yuv : FrameOutput::Rgb;
  VideoReader reader(plan.input_path, ropt);

  std::optional<StagedOutputs> staging;
  std::string target = staged_path;
  if (target.empty()) {
    staging.emplace();
    target = staging->stage(output_path);
  }
  VideoWriteOptions wopt;
  wopt.codec = plan.encode.codec;
  wopt.crf = plan.encode.crf;
  wopt.preset = plan.encode.preset;
  wopt.threads = plan.encode.threads;
  RenderResult result;
  result.pixel_path = fused ? "yuv" : "rgb";
  {
    VideoWriter writer(target, info, wopt);
    ProgressBar bar("render", info.frame_count, options.quiet);
    int current = -1;
    std::optional<LutRenderer> rgb_renderer;
    std::optional<YuvLutRenderer> yuv_renderer;
    const YuvFormat yuv_format{info.bit_depth, info.chroma_shift_x, info.chroma_shift_y};
    OwnedYuv out_planes;
    VideoFrame frame;
    while (reader.next(frame)) {
      const int s = shot_for(plan, frame.index);
      if (s != current) {
        current = s;
        if (fused) {
          LutFile lf;
          lf.cube = luts[size_t(s)];
          yuv_renderer.emplace(make_yuv_renderer(lf, yuv_format, plan.interp));
        } else {
          rgb_renderer.emplace(make_renderer(
              luts[size_t(s)], PixelFormat{SampleType::F32, Layout::Packed, 3}, plan.interp));
        }
      }
      if (fused) {
        out_planes.shape_like(frame.yuv);
        ConstYuvImage src;
        YuvImage dst;
        src.width = dst.width = frame.yuv.width;
        src.height = dst.height = frame.yuv.height;
        for (int p = 0; p < 3; ++p) {
          src.planes[p] = frame.yuv.data[p];
          src.strides[p] = frame.yuv.stride[p];
          dst.planes[p] = out_planes.planes.data[p];
          dst.strides[p] = out_planes.planes.stride[p];
        }
        yuv_renderer->apply(src, dst);
        writer.write(out_planes.view(), frame.pts);
      } else {
        rgb_renderer->apply(frame.rgb);
        writer.write(frame.rgb, frame.pts);
      }
      ++result.frames;
      bar.update(result.frames);
    }
    bar.finish();
    writer.finish();
    result.warnings = writer.warnings();
  }
  if (options.measure)
    result.shot_metrics = measure_plan_output(plan, target, options.metrics_width, options.quiet);
  if (staging) staging->commit_all();
  return result;
}

std::vector<nlohmann::json> measure_plan_output(const GradePlan& plan,
                                                const std::string& output_path, int width,
                                                bool quiet) {
  VideoReadOptions ropt;
  ropt.output = FrameOutput::Rgb;
  {
    VideoReader probe(plan.input_path);
    ropt.rgb_width = std::min(width, probe.info().width);
  }
  VideoReader in(plan.input_path, ropt), out(output_path, ropt);
  std::vector<ShotTemporalMeter> meters;
  for (const auto& s : plan.shots) {
    const int64_t frames = s.last_frame - s.first_frame + 1;
    meters.emplace_back(s.first_frame, s.last_frame, int(std::max<int64_t>(1, frames / 24)));
  }
  ProgressBar bar("measure", in.info().frame_count, quiet);
  VideoFrame a, b;
  int64_t n = 0;
  ImageF display;
  while (true) {
    const bool ha = in.next(a);
    const bool hb = out.next(b);
    if (ha != hb)
      throw_bad_input(output_path, fmt::format("has {} frames where the input has {}",
                                               ha ? n : n + 1, ha ? n + 1 : n));
    if (!ha) break;
    display = a.rgb;
    to_display(plan.input_colorspace, display);
    meters[size_t(shot_for(plan, a.index))].add(a.index, a.rgb, display, b.rgb);
    bar.update(++n);
  }
  std::vector<nlohmann::json> result;
  for (const auto& m : meters) result.push_back(m.result());
  return result;
}

}  // namespace autograde
