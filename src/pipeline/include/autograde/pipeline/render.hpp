#pragma once
// Rendering a plan: its per-shot LUTs (shot_lut.hpp) through the one clip renderer
// (render_clip.hpp), with the plan's encoder settings and interpolation. The grade changes only
// at the plan's shot boundaries. Deterministic: the same plan renders the same bytes.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "autograde/analysis/temporal_metrics.hpp"
#include "autograde/lut/lut.hpp"
#include "autograde/media/video_writer.hpp"
#include "autograde/pipeline/plan.hpp"
#include "autograde/pipeline/render_clip.hpp"

namespace autograde {

struct RenderOptions {
  bool quiet = false;
  bool measure = true;      // temporal metrics of every shot, in the render pass
  int metrics_width = 320;  // analysis width of that pass (never above the clip's width)
  // Previews (render_clip.hpp): only these frames, and/or the before | after split view. Either
  // one measures nothing (the metrics describe whole shots of the graded clip).
  std::optional<FrameRange> frames;
  bool split = false;
  // A farm segment of this video file (render_clip.hpp): `frames` is rendered to a .agseg
  // segment, video only, for the join to put together.
  std::string segment_of;
  // The regions' mattes (render_clip.hpp ClipRenderOptions::mattes_stem); empty: none.
  std::string mattes_stem;
};

struct RenderResult {
  int64_t frames = 0;
  std::string pixel_path;                     // "yuv" (fused) or "rgb"
  std::vector<TemporalMetrics> shot_metrics;  // per shot (empty when !measure)
  std::vector<std::string> warnings;
  std::vector<std::string> mattes;  // matte files written
};

// The per-shot LUTs of a plan.
std::vector<Lut3D> plan_luts(const GradePlan& plan);

// The frames where the plan's encoder restarts (EncodeSettings::chunk_frames), increasing:
// empty for chunk_frames -1, else every shot's first frame and every chunk_frames-th frame of a
// shot after it.
std::vector<int64_t> encode_chunk_starts(const GradePlan& plan);

// The plan's encoder settings as the video writer takes them.
VideoWriteOptions write_options(const EncodeSettings& encode);

// Renders `plan` into `output_path`, which must not be the plan's input (Error(Usage)).
// The file appears only when complete (written inside a staging folder registered for
// Ctrl-C/crash cleanup, then renamed). `staged_path`, when not empty, is where to write
// instead (the caller owns the staging and the rename). `luts`: the plan's LUTs when the caller
// has baked them already (plan_luts), else empty.
RenderResult render_plan(const GradePlan& plan, const std::string& output_path,
                         const RenderOptions& options, const std::string& staged_path = "",
                         std::span<const Lut3D> luts = {});

}  // namespace autograde
