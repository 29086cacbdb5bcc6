#pragma once
// Rendering a plan: decode → one LUT per shot (shot_lut.hpp) → encode, streaming (one frame
// in memory at a time), audio and subtitles carried over by the video writer. The grade
// changes only at the plan's shot boundaries. Deterministic: the same plan renders the same
// bytes (same LUTs, same encoder settings, same single code path).
//
// Pixel path: when the input is planar Y'CbCr in BT.709 limited range with 8-16 bit samples
// and at most 2:1 subsampling, the fused engine path (engine/yuv_renderer.hpp) grades the
// decoded planes directly; otherwise frames go through float R'G'B' (the reader converts with
// the stream's own matrix and range) and the RGB engine.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "autograde/lut/lut.hpp"
#include "autograde/pipeline/plan.hpp"

namespace autograde {

struct RenderOptions {
  bool quiet = false;
  bool measure = true;      // run the temporal metrics pass on the written output
  int metrics_width = 320;  // analysis width of that pass (never above the clip's width)
};

struct RenderResult {
  int64_t frames = 0;
  std::string pixel_path;          // "yuv" (fused) or "rgb"
  std::vector<nlohmann::json> shot_metrics;  // per shot (empty when !measure)
  std::vector<std::string> warnings;
};

// The per-shot LUTs of a plan.
std::vector<Lut3D> plan_luts(const GradePlan& plan);

// Renders `plan` into `output_path`, which must not be the plan's input (Error(Usage)).
// The file appears only when complete (written inside a staging folder registered for
// Ctrl-C/crash cleanup, then renamed). `staged_path`, when not empty, is where to write
// instead (the caller owns the staging and the rename).
RenderResult render_plan(const GradePlan& plan, const std::string& output_path, const RenderOptions& options,
                         const std::string& staged_path = "");

// The metrics pass alone: reads input and output in lockstep (RGB at `width`) and measures
// every shot (temporal_metrics.hpp). Error(BadInput) when the two differ in frame count.
std::vector<nlohmann::json> measure_plan_output(const GradePlan& plan, const std::string& output_path, int width,
                                                bool quiet);

}  // namespace autograde
