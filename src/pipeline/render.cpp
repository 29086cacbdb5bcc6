#include "autograde/pipeline/render.hpp"

#include <filesystem>
#include <optional>

#include "autograde/core/cleanup.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/pipeline/region_grades.hpp"
#include "autograde/pipeline/render_clip.hpp"
#include "autograde/pipeline/shot_lut.hpp"

namespace fs = std::filesystem;

namespace autograde {

VideoWriteOptions write_options(const EncodeSettings& e) {
  VideoWriteOptions w;
  w.codec = e.codec;
  w.crf = e.crf;
  w.preset = e.preset;
  w.threads = e.threads;
  return w;
}

std::vector<int64_t> encode_chunk_starts(const GradePlan& plan) {
  std::vector<int64_t> starts;
  if (plan.encode.chunk_frames < 0) return starts;
  for (const auto& s : plan.shots) {
    starts.push_back(s.first_frame);
    if (plan.encode.chunk_frames > 0)
      for (int64_t f = s.first_frame + plan.encode.chunk_frames; f <= s.last_frame;
           f += plan.encode.chunk_frames)
        starts.push_back(f);
  }
  return starts;
}

std::vector<Lut3D> plan_luts(const GradePlan& plan) {
  std::vector<Lut3D> luts;
  luts.reserve(plan.shots.size());
  for (const auto& s : plan.shots)
    luts.push_back(bake_shot_lut(plan.input_colorspace, s.look, plan.lut_size,
                                 s.correction ? &*s.correction : nullptr));
  return luts;
}

RenderResult render_plan(const GradePlan& plan, const std::string& output_path,
                         const RenderOptions& options, const std::string& staged_path,
                         std::span<const Lut3D> baked) {
  if (plan.shots.empty()) throw_bad_input("plan", "has no shots");
  check_input_file(plan.input_path, UINT64_MAX, "clip");
  refuse_overwrite_input(plan.input_path, output_path);
  if (!baked.empty() && baked.size() != plan.shots.size())
    throw_internal("render_plan: one LUT per shot expected");

  std::vector<LutFile> luts(plan.shots.size());
  std::vector<FrameRange> ranges;
  const std::vector<Lut3D> own = baked.empty() ? plan_luts(plan) : std::vector<Lut3D>{};
  const std::span<const Lut3D> cubes = baked.empty() ? std::span<const Lut3D>(own) : baked;
  for (size_t i = 0; i < plan.shots.size(); ++i) {
    luts[i].cube = cubes[i];
    ranges.push_back({plan.shots[i].first_frame, plan.shots[i].last_frame});
  }

  // Checked on the name the user gave, before the staging name hides it in messages.
  VideoWriteOptions encode = write_options(plan.encode);
  encode.segment_of = options.segment_of;
  if (!is_y4m_path(output_path) && !is_still_path(output_path))
    check_video_output(output_path, encode);
  std::optional<StagedOutputs> staging;
  std::string target = staged_path;
  if (target.empty()) {
    staging.emplace();
    target = staging->stage(output_path);
  }
  ClipRenderOptions ro;
  ro.interp = plan.interp;
  ro.encode = encode;
  ro.chunk_starts = encode_chunk_starts(plan);
  ro.quiet = options.quiet;
  ro.measure = options.measure;
  ro.measure_width = options.metrics_width;
  ro.input_colorspace = plan.input_colorspace;
  ro.frames = options.frames;
  ro.split = options.split;
  ro.regions = plan_region_luts(plan, cubes);
  ro.mask_width = plan.regions.mask_width;
  ro.mattes_stem = options.mattes_stem;
  ClipRenderResult r = render_clip(plan.input_path, target, ranges, luts, ro);
  RenderResult result;
  result.frames = r.frames;
  result.pixel_path = r.pixel_path;
  result.shot_metrics = std::move(r.shot_metrics);
  result.warnings = std::move(r.warnings);
  result.mattes = std::move(r.mattes);
  if (staging) staging->commit_all();
  return result;
}

}  // namespace autograde
