#pragma once
// Grading a clip end to end (DESIGN.md data flow):
//   one analysis pass (clip_analysis.hpp: shots and frames sampled across each) → input colour
//   space (flag / tags / log check) → one Look per shot (shot_look.hpp: the reference matched
//   with the shot's frames as sources, and/or a text prompt) → optional continuity across each
//   scene → bake one .cube per shot, once (input colour space → Rec.709 → Look) → render with
//   the temporal metrics measured in the same pass (render.hpp) → plan.json (+ report). The
//   clip is decoded twice in all: analysis and render. Every output is staged and appears only
//   when all are complete.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "autograde/pipeline/handoff.hpp"
#include "autograde/pipeline/plan.hpp"
#include "autograde/pipeline/render.hpp"

namespace autograde {

struct GradeReportInputs;
// Renders the report of a finished grade (src/report's HTML report): passed in by the caller, so
// the pipeline does not depend on the report layer above it.
using ReportRenderer = std::function<std::string(const GradeReportInputs&)>;
struct GradePreviewInputs;
// Draws the preview contact sheet (report/contact_sheet.hpp); set by the CLI like `report`.
using PreviewRenderer = std::function<ImageF(const GradePreviewInputs&)>;

// Renders a plan somewhere other than this process (the farm, issue 23) into `path` (the staged
// output); returns what render_plan would (no metrics: a farm task holds part of a shot).
using PlanRenderer = std::function<RenderResult(const GradePlan& plan, const std::string& path)>;

struct GradeOptions {
  std::string input;
  std::string reference;    // still image; may be empty when prompt is set
  std::string prompt;       // text; may be empty when reference is set
  // A creative LUT as the look (shot_look.hpp LookRequest::look_lut); not with `reference`.
  std::string look_lut;
  std::string output;       // graded clip
  std::string plan_path;    // "" → <output folder>/<output stem>.plan.json
  std::string luts_dir;     // "" → <output folder>/<output stem>_luts
  std::string report_path;  // "" → no report
  ReportRenderer report;    // needed when report_path is set
  // Preview (issue 25): analyse and match, write the plan, the LUTs and this contact sheet
  // (a still: before | after per shot), and render nothing; `render` the plan later.
  std::string preview_path;
  PreviewRenderer preview;  // needed when preview_path is set
  std::string input_colorspace = "auto";
  // A name of shot_look.hpp's method table; empty: resolve_look_method's choice (`learned`, or
  // `auto` with a transfer above 0).
  std::string method;
  float strength = 1.f;
  // 0..1, with --ref and `auto` (match.hpp MatchOptions::transfer): 0 the grade separated from
  // the reference's content, 1 the reference's whole palette, in between an OKLab blend.
  float transfer = 0.f;
  // Correct each shot first (learn/corrector.hpp, one correction per shot, scaled by the
  // classifier's do-no-harm strength); the look is then matched on the corrected frames.
  bool auto_correct = false;
  // Skin protection (issue 21): the strength of the skin region grade in shots where people are
  // found (region_grades.hpp); 0 = off. Default 1, the full skin LUT inside the skin matte: that
  // LUT already lets part of the look's lightness change reach the face (kSkinToneFollow: the
  // look still reads), and on the fairness bench's validation portraits 0.8 cuts the skin shift
  // by 60-61 % in every tone group, 1 by 72-75 % (bench/fairness.cpp).
  float protect_skin = 1.f;
  // Opt-in region looks: "sky", "foliage".
  std::vector<std::string> regions;
  // Also write each region's matte beside the LUTs: <luts_dir>/<stem>_matte_<class>.mkv (grey
  // FFV1, render_clip.hpp), so an editor can rebuild the grade with its own qualifiers.
  bool mattes = false;
  bool continuity = false;
  double scene_threshold = 0.45;
  std::string continuity_target = "neutral";  // continuity.hpp: "neutral" or "mean"
  int hero_shot = -1;  // continuity: the 0-based shot the others of its scene match; -1 longest
  EncodeSettings encode;
  int samples_per_shot = 8;
  int sample_width = 256;
  int lut_size = 33;
  std::vector<std::string> lut_formats{"cube"};  // per-shot LUT files: .cube plus these
  bool cdl = false;  // also hand off ASC CDL per shot + EDL (handoff.hpp stage_cdl_handoff)
  // Per-shot control (issue 25); shots are numbered from 0, as in the plan.
  // "N=IMG": shot N is matched to IMG instead of `reference` (which may then be empty when
  // every other shot has its own, is excluded or locked, or a prompt is given).
  std::vector<std::string> shot_refs;
  std::vector<int> exclude;  // no grade: identity Look (the input conversion only)
  // Keep the Look (and correction) these shots have in the existing plan at plan_path, which
  // must be a plan of the same input whose shot has the same frames.
  std::vector<int> lock;
  std::string ocio_dir;  // "" → none; else the OCIO config hand-off (ocio_handoff.hpp) there
  bool quiet = false;
  bool measure = true;
  // Previews of the render (render_clip.hpp): only these frames / the before | after split.
  std::optional<FrameRange> frames;
  bool split = false;
  PlanRenderer render_elsewhere;  // empty: render here (render_plan)
  // Analyse and match, write the plan and the LUTs, render nothing: for a batch whose plans a
  // farm renders together (farm/batch.hpp). No --report, no --preview.
  bool plan_only = false;
};

struct GradeResult {
  GradePlan plan;
  nlohmann::json plan_json;
  std::string output, plan_path, luts_dir, report_path;
  std::string edl_path;  // --cdl: the EDL with each shot's CDL (else empty)
  std::string ocio_config;  // --ocio: DIR/config.ocio (else empty)
  std::string preview_path;  // the contact sheet written instead of a render (else empty)
  std::vector<std::string> lut_paths;
  std::vector<std::string> matte_paths;
  RenderResult render;
  std::vector<std::string> warnings;  // for the user (log footage suspected, streams dropped)
};

// What the preview contact sheet is made from: per shot its representative sample frame (the
// middle one, sample width), as displayed before the grade and through the shot's LUT.
struct GradePreviewInputs {
  const GradePlan* plan = nullptr;
  std::vector<ImageF> before, after;  // per shot, display code values
};

// What the report of a grade is made from.
struct GradeReportInputs {
  const GradePlan* plan = nullptr;
  const std::vector<Lut3D>* luts = nullptr;  // per shot (shot_lut.hpp)
  const ImageF* reference = nullptr;         // display code values; may be null
  std::string output_path;                   // the rendered clip to read frames from
  std::string output_name;                   // how the report names it
  std::vector<int64_t> sample_frames;        // per shot: the frame to show (-1: the middle)
};

// Error(Usage) for bad options (no reference and no prompt, an output that is an input,
// unknown method / colour space, a per-shot option naming a shot the clip does not have or a
// shot twice, --lock without a plan of the same input or on a shot whose frames changed); Error(BadInput) naming the file (and frame/time) for a
// missing, audio-only, empty, corrupt or truncated input or an unreadable reference.
// `on_warning` is called as soon as a warning is known (before the long steps).
GradeResult grade_clip(const GradeOptions& options,
                       const std::function<void(const std::string&)>& on_warning = {});

// Versions of the tools a grade ran with (autograde, FFmpeg, OpenColorIO, OpenCV).
nlohmann::json tool_versions();

}  // namespace autograde
