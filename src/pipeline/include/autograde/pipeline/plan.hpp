#pragma once
// plan.json: every decision of a grade, so it can be refined and re-rendered (DESIGN.md data
// flow; issue 4). The pipeline owns the format (issue 19); the refinement loop
// (refine_plan.hpp) edits ShotPlan::look and appends to "history" (its entries are documented
// there), and every top-level key plan_from_json does not know is kept in `extra`.
//
//   {
//     "version": 1,                          // schema version (kPlanVersion)
//     "tool": {"name": "autograde", "version": ..., "ffmpeg": ..., "opencolorio": ..., ...},
//     "input": {"path": absolute, "path_as_given": ..., "probe": {codec, size, fps, frames, ...}},
//     "input_colorspace": {"name": "rec709"|"slog3"|..., "source": "flag"|"stream tags"|"default",
//                          "log_suspected": bool, "reason": "..."},
//     "reference": path or "", "prompt": text or "",
//     "method": "auto", "strength": 1, "transfer": 0 (match.hpp; absent in older plans = 0),
//     "lut_size": 33, "interp": "tetrahedral",
//     "luts_dir": folder of the .cube files (relative to the plan's folder when possible),
//     "encode": {"codec": "auto"|"h264"|"h264_10"|"hevc"|"hevc_10"|"prores"|"prores4444"|
//                "dnxhr_hq"|"dnxhr_hqx"|"ffv1" (media/video_writer.hpp), "crf": -1,
//                "preset": "medium",
//                "threads": encoder threads (grade writes 1..4; 0 = encoder's choice)},
//     "continuity": {"enabled": false} or continuity.hpp's continuity_plan_json,
//     "shots": [{"index", "first_frame", "last_frame" (inclusive), "start_time", "end_time",
//                "starts_with", "scene", "look": to_json(Look), "lut": "shot_000.cube",
//                "match": {...}, "metrics": temporal_metrics.hpp's to_json or {},
//                "excluded": true (only when set), "locked": true (only when set),
//                "regions": [{"class": "skin"|"sky"|"foliage", "strength": 0..1,
//                             "lut": "shot_000_skin.cube"}] (only when the shot has any)}, ...],
//     "regions": {"protect_skin": 0..1, "classes": ["sky", "foliage"], "mask_width": 512},
//     "history": []
//   }
//
// Shots are numbered from 0 (their place in "shots"), as everywhere else (scenes, --shot, ...).
// "excluded" (grade --exclude N): the shot gets no grade; its Look is the identity and it has no
// correction, so its LUT is the input conversion alone; refine leaves it alone. "locked" (grade
// --lock N): the shot's Look was kept from the plan a re-grade replaced. Both are absent (false)
// in plans written before them.
//
// Regions (issue 21; absent in older plans = none): a shot's region is graded with a LUT of its
// own blended over the shot's LUT by the region's soft mask at `strength`
// (engine/region_renderer.hpp). The region LUT is derived from the shot's LUT whenever the plan
// is rendered (semantic/region_luts.hpp), so a refined Look carries its skin protection along;
// "lut" names its hand-off copy in luts_dir. The masks are computed from each frame brought to
// "mask_width" pixels wide, the same way at every render. "protect_skin" and "classes" record
// what grade was asked for: skin protection goes to the shots where people were found.
//
// Encodings: every Look in the plan works on Rec.709 display code values; the shot's LUT is
// input code values (the input colour space) → Rec.709 display code values.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "autograde/analysis/temporal_metrics.hpp"
#include "autograde/color/camera_log.hpp"
#include "autograde/look/look.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/pipeline/continuity.hpp"

namespace autograde {

constexpr int kPlanVersion = 1;

struct ShotRegion {
  std::string region;  // "skin", "sky" or "foliage"
  float strength = 1.f;
  std::string lut_file;  // hand-off copy inside luts_dir
};

struct RegionSettings {
  float protect_skin = 0.f;
  std::vector<std::string> classes;  // opt-in region looks: "sky", "foliage"
  int mask_width = 512;
};

struct ShotPlan {
  int index = 0;
  int64_t first_frame = 0, last_frame = 0;  // inclusive, decode order
  double start_time = 0, end_time = 0;      // seconds
  std::string starts_with = "start";        // "start", "cut" or "fade"
  int scene = 0;
  Look look;  // display-referred, after the input conversion
  // --auto-correct: the learned correction (learn/corrector.hpp) as an identity Look whose
  // residual is the correction lattice, applied to the display values before `look`.
  std::optional<Look> correction;
  std::string lut_file;                             // file name inside luts_dir
  nlohmann::json match = nlohmann::json::object();  // how the look was found
  std::optional<TemporalMetrics> metrics;           // temporal metrics (grade fills them)
  bool excluded = false;  // no grade: identity Look, no correction (validated)
  bool locked = false;    // Look (and correction) kept from the previous plan on a re-grade
  std::vector<ShotRegion> regions;
};

struct EncodeSettings {
  std::string codec = "auto";  // a video_codecs() name (media/video_writer.hpp)
  int crf = -1;                // -1: the encoder's default (18 for H.264, 20 for HEVC)
  std::string preset = "medium";
  // Encoder threads, pinned in the plan so a re-render is byte-identical on any machine (x264's
  // output depends on its thread count, and its default follows the core count). grade fills
  // it with default_encoder_threads(); 0 = the encoder's choice (plans written before it).
  int threads = 0;
  // The encoder restarts at every shot's first frame and every `chunk_frames` frames within a
  // shot (0: at shot starts only; -1: never, plans written before issue 23): closed chunks that a farm renders apart and joins into the
  // same bytes as a local render (media/video_writer.hpp VideoWriteOptions::restart_at). 250 is
  // x264's default keyframe interval, so a long shot gets no more keyframes than it had.
  int chunk_frames = 250;
};

// x264's own default for this machine (1.5 threads per core), capped at 4: each frame thread
// holds frames in flight, and at 4K more than 4 would take grade past its 2 GiB budget.
int default_encoder_threads();

struct GradePlan {
  int version = kPlanVersion;
  std::string input_path;  // absolute
  nlohmann::json input_probe = nlohmann::json::object();
  CameraLog input_colorspace = CameraLog::Rec709;
  nlohmann::json colorspace_info = nlohmann::json::object();
  std::string reference, prompt;
  std::string method = "auto";
  float strength = 1.f;
  float transfer = 0.f;  // the dial the looks were matched with (a record; the looks hold it)
  int lut_size = 33;
  Interp interp = Interp::Tetrahedral;
  std::string luts_dir;
  EncodeSettings encode;
  RegionSettings regions;
  std::optional<ContinuityResult> continuity;  // set when the grade matched shots in scenes
  std::vector<ShotPlan> shots;
  nlohmann::json history = nlohmann::json::array();
  nlohmann::json extra = nlohmann::json::object();  // keys this version does not know, kept
};

nlohmann::json plan_to_json(const GradePlan& plan);
// The one plan validator (render, refine and the server read plans through it): every field
// with its type and range, defaults as GradePlan declares them for absent optional fields,
// and Error(BadInput) "<source_name>: <field path>: <what is wrong / allowed>" otherwise —
// missing keys, shots that overlap, leave gaps or reach past an exactly counted input, a newer
// version, unknown keys inside "encode" or a shot (a typo would otherwise be ignored), a Look
// out of its range, a LUT file name that is not a plain "*.cube" name or is used twice.
// Unknown top-level keys are kept in `extra`.
GradePlan plan_from_json(const nlohmann::json& j, const std::string& source_name = "plan");
// The plan file's JSON, read within input_limits::kPlanBytes (Error(BadInput) naming the file).
nlohmann::json read_plan_json(const std::string& path);
// Reads and validates a plan file; a relative luts_dir is resolved against the plan's folder.
GradePlan read_plan(const std::string& path);
// Error(BadInput) naming `source` unless `name` is a plain file name ending in ".cube" (no
// folder, no "..", not absolute): a plan names its LUT files inside the folder they go to.
void check_lut_file_name(const std::string& name, const std::string& source);

// The shot whose range holds `frame` (shots sorted and contiguous); -1 past the end.
int shot_of_frame(const GradePlan& plan, int64_t frame);

}  // namespace autograde
