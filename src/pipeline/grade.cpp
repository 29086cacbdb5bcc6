#include "autograde/pipeline/grade.hpp"

#include <OpenColorIO/OpenColorIO.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/core/version.hpp>

extern "C" {
#include <libavutil/avutil.h>
}

#include "autograde/core/cleanup.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/engine/renderer.hpp"
#include "autograde/learn/analyzer.hpp"
#include "autograde/learn/corrector.hpp"
#include "autograde/learn/features.hpp"
#include "autograde/learn/models.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/lut_write.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/media/image_sequence.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/pipeline/clip_analysis.hpp"
#include "autograde/pipeline/continuity.hpp"
#include "autograde/pipeline/input_colorspace.hpp"
#include "autograde/pipeline/shot_look.hpp"
#include "autograde/pipeline/shot_lut.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace autograde {

namespace {

json probe_json(const VideoStreamInfo& i) {
  return {{"container", i.container},
          {"codec", i.codec},
          {"width", i.width},
          {"height", i.height},
          {"fps", i.fps()},
          {"fps_rational", fmt::format("{}/{}", i.fps_num, i.fps_den)},
          {"frames", i.frame_count},
          {"frames_exact", i.frame_count_exact},
          {"duration", i.duration},
          {"pixel_format", i.pixel_format},
          {"bit_depth", i.bit_depth},
          {"color_primaries", color_primaries_name(i.tags.primaries)},
          {"color_transfer", color_transfer_name(i.tags.transfer)},
          {"color_matrix", color_matrix_name(i.tags.matrix)},
          {"color_range", color_range_name(i.tags.range)},
          {"timecode", i.timecode},
          {"rotation", i.rotation},
          {"audio_streams", i.audio_streams},
          {"subtitle_streams", i.subtitle_streams}};
}

std::string boundary_name(BoundaryKind k) { return boundary_kind_name(k); }

void check_not_input(const std::string& out, const std::vector<std::string>& inputs) {
  for (const auto& in : inputs)
    if (!in.empty()) refuse_overwrite_input(in, out);
}

}  // namespace

json tool_versions() {
  return {{"autograde", AUTOGRADE_VERSION},
          {"ffmpeg", av_version_info()},
          {"opencolorio", OCIO_NAMESPACE::GetVersion()},
          {"opencv", CV_VERSION}};
}

GradeResult grade_clip(const GradeOptions& o,
                       const std::function<void(const std::string&)>& on_warning) {
  GradeResult res;
  auto warn = [&](const std::string& w) {
    res.warnings.push_back(w);
    if (on_warning) on_warning(w);
  };
  if (o.reference.empty() && o.prompt.empty())
    throw_usage("grade needs --ref IMG and/or --prompt TEXT");
  if (o.output.empty()) throw_usage("grade needs -o OUT");
  if (!(o.strength >= 0.f && o.strength <= 1.f)) throw_usage("--strength must be in 0..1");
  if (o.samples_per_shot < 1) throw_usage("samples per shot must be at least 1");
  std::error_code ec;
  if (!fs::exists(o.input, ec)) throw_bad_input(o.input, "no such file");
  if (!o.reference.empty() && !fs::exists(o.reference, ec))
    throw_bad_input(o.reference, "no such file");
  // Check every option that can fail fast before the long steps.
  if (o.input_colorspace != "auto") (void)parse_input_colorspace(o.input_colorspace);
  // A method that names nothing is refused even when only a prompt is given (it would
  // otherwise be written into the plan and silently ignored).
  check_look_method(o.method);
  if (!(o.transfer >= 0.f && o.transfer <= 1.f)) throw_usage("--transfer must be in 0..1");
  if (o.transfer > 0.f && o.reference.empty())
    throw_usage("--transfer dials how much of the reference's palette to take: give --ref");
  if (o.transfer > 0.f && o.method != "auto")
    throw_usage("--transfer dials `auto` towards the reference's whole palette; method '" + o.method +
                "' does not take it (leave --transfer at 0 or use --method auto)");
  check_video_output(o.output, write_options(o.encode));
  if (!o.preview_path.empty()) {
    if (!is_image_path(o.preview_path))
      throw_usage("--preview '" + o.preview_path + "' must be an image (.png, .jpg, .tif, ...)");
    if (!o.preview) throw_internal("grade: a preview path without a preview renderer");
    if (!o.report_path.empty())
      throw_usage("--report shows the rendered clip: leave it out with --preview");
  }
  if (!o.report_path.empty() && (o.frames || o.split || is_image_sequence_path(o.output)))
    throw_usage(
        "--report reads the whole graded clip: leave it out with --frames, --split or an "
        "image sequence");
  (void)check_lut_formats(o.lut_formats);
  if (o.lut_size < 2 || o.lut_size > 129) throw_usage("LUT size must be 2..129");

  const fs::path out(o.output);
  const fs::path out_dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  res.output = o.output;
  const std::string stem = output_stem(o.output);  // "shot.%07d.exr" → "shot"
  res.plan_path = !o.plan_path.empty() ? o.plan_path : (out_dir / (stem + ".plan.json")).string();
  res.luts_dir = !o.luts_dir.empty() ? o.luts_dir : (out_dir / (stem + "_luts")).string();
  res.report_path = o.report_path;
  const std::vector<std::string> inputs{o.input, o.reference};
  check_not_input(res.output, inputs);
  check_not_input(res.plan_path, inputs);
  if (!o.preview_path.empty()) check_not_input(o.preview_path, inputs);
  if (!res.report_path.empty()) {
    check_not_input(res.report_path, inputs);
    if (!o.report) throw_internal("grade: a report path without a report renderer");
  }
  if (fs::exists(res.luts_dir, ec) && !fs::is_directory(res.luts_dir, ec))
    throw_usage("--luts '" + res.luts_dir + "' is not a folder");

  // 1. Probe (audio-only, unreadable and unknown-codec files fail here, naming the file), then
  // shots and samples from one decode.
  const VideoStreamInfo probed = VideoReader(o.input).info();
  if (o.frames) check_frame_range(o.input, *o.frames, probed.frame_count);
  LoadedImage reference;
  if (!o.reference.empty()) reference = read_image(o.reference);
  ClipAnalysisOptions ao;
  ao.samples_per_shot = o.samples_per_shot;
  ao.sample_width = o.sample_width;
  ao.quiet = o.quiet;
  const ClipAnalysis clip = analyze_clip(o.input, ao);
  const VideoStreamInfo& info = clip.info;
  const ShotList& shots = clip.shots;
  const std::vector<std::vector<SampledFrame>>& samples = clip.samples;

  // 2. Input colour space.
  const InputColorspaceChoice cs =
      choose_input_colorspace(o.input_colorspace, info, shots.frame_stats);
  if (!cs.warning.empty()) warn(cs.warning);
  std::vector<std::vector<ImageF>> display(samples.size());
  for (size_t s = 0; s < samples.size(); ++s)
    for (auto& f : samples[s]) {
      display[s].push_back(f.rgb);
      to_display(cs.space, display[s].back());
    }

  // 2b. Auto-correction: one correction per shot from the mean features of its samples.
  std::vector<std::optional<Look>> corrections(samples.size());
  std::vector<json> correction_info(samples.size());
  if (o.auto_correct) {
    const learn::DefectAnalyzer analyzer =
        learn::DefectAnalyzer::load(learn::model_path(learn::kDefectModelFile));
    const learn::LutCorrector corrector =
        learn::LutCorrector::load(learn::model_path(learn::kCorrectionModelFile));
    for (size_t s = 0; s < display.size(); ++s) {
      if (display[s].empty()) continue;
      const std::vector<float> mean = learn::mean_image_features(display[s]);
      const learn::Analysis a = analyzer.analyze_features(mean);
      const float k = learn::correction_strength(a);
      // Stored in the plan as a 17³ residual (resampled trilinearly, the interpolation the
      // corrector's lattices are made for): small enough for plan.json, and the correction is
      // smooth (an inverse of parametric defects), so 17³ holds it closely.
      Look c = identity_look();
      c.residual = learn::resample_trilinear(corrector.predict_features(mean, a, k), 17);
      for (auto& f : display[s]) apply_reference(*c.residual, f, Interp::Tetrahedral);
      corrections[s] = std::move(c);
      correction_info[s] = {{"strength", k}, {"analysis", learn::to_json(a)}};
    }
  }

  // 3. One Look per shot.
  GradePlan plan;
  plan.input_path = fs::absolute(o.input).lexically_normal().string();
  plan.input_probe = probe_json(info);
  plan.input_colorspace = cs.space;
  plan.colorspace_info = to_json(cs);
  plan.reference = o.reference.empty() ? "" : fs::absolute(o.reference).lexically_normal().string();
  plan.prompt = o.prompt;
  plan.method = o.reference.empty() ? "prompt" : o.method;
  plan.strength = o.strength;
  plan.transfer = o.reference.empty() ? 0.f : o.transfer;
  plan.lut_size = o.lut_size;
  plan.encode = o.encode;
  if (plan.encode.threads <= 0) plan.encode.threads = default_encoder_threads();
  plan.extra["tool"] = tool_versions();
  PromptLook prompt;
  if (!o.prompt.empty()) {
    prompt = read_prompt(o.prompt);
    if (!prompt.explanation.unknown.empty()) {
      std::string words;
      for (const auto& w : prompt.explanation.unknown) words += (words.empty() ? "" : ", ") + w;
      warn("prompt words not understood: " + words);
    }
  }
  std::vector<std::string> said;  // matching notes already warned about
  for (size_t i = 0; i < shots.shots.size(); ++i) {
    const Shot& s = shots.shots[i];
    ShotPlan sp;
    sp.index = int(i);
    sp.first_frame = s.first_frame;
    sp.last_frame = s.last_frame;
    sp.start_time = s.start_time;
    sp.end_time = s.end_time;
    sp.starts_with = boundary_name(s.starts_with);
    sp.lut_file = fmt::format("shot_{:03d}.cube", i);
    json sample_idx = json::array();
    for (const auto& f : samples[i]) sample_idx.push_back(f.index);
    sp.match["sample_frames"] = sample_idx;
    LookRequest q;
    q.reference = o.reference.empty() ? nullptr : &reference.image;
    q.reference_name = o.reference;
    q.sources = display[i];
    q.prompt = o.prompt.empty() ? nullptr : &prompt;
    q.method = o.method;
    q.strength = o.strength;
    q.transfer = o.transfer;
    q.lut_size = o.lut_size;
    const FoundLook found = find_look(q);
    sp.look = found.look;
    sp.match["method"] = found.method;
    if (!o.reference.empty()) {
      sp.match["confidence"] = found.confidence;
      sp.match["notes"] = found.notes;
      for (const auto& n : found.notes)  // said once per run, not once per shot
        if (std::find(said.begin(), said.end(), n) == said.end()) warn(n), said.push_back(n);
      sp.match["look_is_parametric"] = found.parametric;
    }
    if (!o.prompt.empty()) sp.match["prompt"] = format_explanation(prompt.explanation);
    if (corrections[i]) {
      sp.correction = corrections[i];
      sp.match["auto_correct"] = correction_info[i];
    }
    plan.shots.push_back(std::move(sp));
  }

  // 4. Continuity.
  if (o.continuity) {
    std::vector<ContinuityShot> cshots(plan.shots.size());
    for (size_t i = 0; i < cshots.size(); ++i) {
      cshots[i].frames = display[i];
      cshots[i].frame_count = plan.shots[i].last_frame - plan.shots[i].first_frame + 1;
      cshots[i].look = plan.shots[i].look;
    }
    ContinuityOptions co;
    co.scene_threshold = o.scene_threshold;
    co.target = o.continuity_target;
    co.hero_shot = o.hero_shot;
    ContinuityResult c = match_continuity(cshots, co);
    for (size_t i = 0; i < cshots.size(); ++i) {
      plan.shots[i].look = cshots[i].look;
      plan.shots[i].scene = cshots[i].scene;
      plan.shots[i].match["continuity"] = to_json(c.shots[i]);
    }
    plan.continuity = std::move(c);
  }

  // 5. Outputs, staged: the LUTs folder may be new.
  CreatedFolder luts_folder(res.luts_dir);  // removed again unless the grade completes

  // luts_dir relative to the plan's folder when it lies inside it (the plan can move with it).
  const fs::path plan_dir = fs::absolute(fs::path(res.plan_path)).parent_path();
  const fs::path luts_abs = fs::absolute(res.luts_dir).lexically_normal();
  const fs::path rel = luts_abs.lexically_relative(plan_dir);
  plan.luts_dir = !rel.empty() && *rel.begin() != ".." ? rel.string() : luts_abs.string();

  StagedOutputs staged;
  const std::string video_tmp = o.preview_path.empty() ? staged.stage(res.output) : "";
  const std::vector<Lut3D> luts = plan_luts(plan);
  for (const std::string& p : plan_lut_paths(plan, res.luts_dir)) check_not_input(p, inputs);
  res.lut_paths = stage_plan_luts(plan, luts, res.luts_dir, o.lut_formats, staged);
  if (o.cdl) {
    res.edl_path = (out_dir / (stem + ".edl")).string();
    check_not_input(res.edl_path, inputs);
    const CdlHandoffResult h = stage_cdl_handoff(plan, luts, res.luts_dir, res.edl_path, shots,
                                                 {o.input, info.timecode}, staged);
    res.lut_paths.insert(res.lut_paths.end(), h.paths.begin(), h.paths.end() - 1);
    for (const std::string& w : h.warnings) warn(w);
  }

  // 6. Render and measure (one pass); or, for a preview, the contact sheet instead (the plan
  // says how to render later).
  if (o.preview_path.empty()) {
    RenderOptions ro;
    ro.quiet = o.quiet;
    ro.measure = o.measure;
    ro.frames = o.frames;
    ro.split = o.split;
    res.render = render_plan(plan, res.output, ro, video_tmp, luts);
    for (const auto& w : res.render.warnings) warn(w);
    for (size_t i = 0; i < plan.shots.size() && i < res.render.shot_metrics.size(); ++i)
      plan.shots[i].metrics = res.render.shot_metrics[i];
  } else {
    GradePreviewInputs pi;
    pi.plan = &plan;
    for (size_t s = 0; s < samples.size(); ++s) {
      ImageF before, after;
      if (!samples[s].empty()) {
        const size_t mid = samples[s].size() / 2;
        before = display[s][mid];
        after = samples[s][mid].rgb;
        make_renderer(luts[s], PixelFormat{SampleType::F32, Layout::Packed, after.channels},
                      plan.interp)
            .apply(after);
      }
      pi.before.push_back(std::move(before));
      pi.after.push_back(std::move(after));
    }
    ImageMeta meta;
    meta.format = SampleFormat::U8;
    write_image(staged.stage(o.preview_path), o.preview(pi), meta);
    res.preview_path = o.preview_path;
  }

  // 7. Plan and report (never with a preview: refused up front).
  res.plan_json = plan_to_json(plan);
  write_file_atomic(staged.stage(res.plan_path), res.plan_json.dump(2) + "\n");
  if (!res.report_path.empty()) {
    GradeReportInputs ri;
    ri.plan = &plan;
    ri.luts = &luts;
    ri.reference = o.reference.empty() ? nullptr : &reference.image;
    ri.output_path = video_tmp;
    ri.output_name = res.output;
    for (size_t s = 0; s < samples.size(); ++s)
      ri.sample_frames.push_back(samples[s].empty() ? -1 : samples[s][samples[s].size() / 2].index);
    write_file_atomic(staged.stage(res.report_path), o.report(ri));
  }
  staged.commit_all();
  luts_folder.keep();
  res.plan = std::move(plan);
  return res;
}

}  // namespace autograde
