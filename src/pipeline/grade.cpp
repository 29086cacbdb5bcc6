#include "autograde/pipeline/grade.hpp"

#include <OpenColorIO/OpenColorIO.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <future>
#include <map>
#include <set>
#include <opencv2/core/version.hpp>

extern "C" {
#include <libavutil/avutil.h>
}

#include "autograde/core/cleanup.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/engine/region_renderer.hpp"
#include "autograde/engine/renderer.hpp"
#include "autograde/learn/analyzer.hpp"
#include "autograde/learn/corrector.hpp"
#include "autograde/learn/features.hpp"
#include "autograde/learn/models.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/load.hpp"
#include "autograde/lut/lut_write.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/media/image_sequence.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/pipeline/clip_analysis.hpp"
#include "autograde/pipeline/continuity.hpp"
#include "autograde/pipeline/input_colorspace.hpp"
#include "autograde/pipeline/ocio_handoff.hpp"
#include "autograde/pipeline/region_grades.hpp"
#include "autograde/semantic/region_masks.hpp"
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

// The per-shot options, parsed and checked against each other (before any work: the shot
// count is only known after the analysis pass, check_shot_numbers then).
struct ShotControl {
  std::map<int, std::string> refs;  // shot → reference still, as given
  std::set<int> exclude, lock;
};

ShotControl parse_shot_control(const GradeOptions& o) {
  ShotControl c;
  for (const std::string& arg : o.shot_refs) {
    const size_t eq = arg.find('=');
    const std::string num = arg.substr(0, eq);
    int n = -1;
    const auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
    if (eq == std::string::npos || eq + 1 == arg.size() || ec != std::errc() ||
        end != num.data() + num.size() || n < 0)
      throw_usage("--shot-ref '" + arg + "' must be N=IMG, N a shot number (0, 1, ...)");
    if (!c.refs.emplace(n, arg.substr(eq + 1)).second)
      throw_usage(fmt::format("--shot-ref names shot {} twice", n));
  }
  auto collect = [](const std::vector<int>& shots, const char* option, std::set<int>& into) {
    for (int n : shots) {
      if (n < 0) throw_usage(fmt::format("{} {}: shots are numbered from 0", option, n));
      if (!into.insert(n).second) throw_usage(fmt::format("{} names shot {} twice", option, n));
    }
  };
  collect(o.exclude, "--exclude", c.exclude);
  collect(o.lock, "--lock", c.lock);
  for (int n : c.exclude) {
    if (c.lock.count(n))
      throw_usage(fmt::format("--exclude {0} and --lock {0}: an excluded shot gets no grade, a "
                              "locked one keeps the plan's; give one of them",
                              n));
    if (c.refs.count(n))
      throw_usage(fmt::format("--shot-ref {0}=... and --exclude {0}: an excluded shot is not "
                              "matched to anything",
                              n));
  }
  for (int n : c.lock)
    if (c.refs.count(n))
      throw_usage(fmt::format("--shot-ref {0}=... and --lock {0}: a locked shot keeps its look "
                              "and is not matched again",
                              n));
  return c;
}

void check_shot_numbers(const ShotControl& c, size_t shots) {
  auto check = [&](int n, const std::string& option) {
    if (size_t(n) >= shots)
      throw_usage(fmt::format("{} {}: the clip has {} shot{} (numbered from 0: 0..{})", option, n,
                              shots, shots == 1 ? "" : "s", shots - 1));
  };
  for (const auto& [n, img] : c.refs) check(n, "--shot-ref");
  for (int n : c.exclude) check(n, "--exclude");
  for (int n : c.lock) check(n, "--lock");
}

// The plan a --lock keeps looks from: the existing plan file, for the same input. Read whole
// before anything is written; it is replaced only when the new plan commits.
GradePlan read_lock_plan(const std::string& plan_path, const std::string& input_abs) {
  std::error_code ec;
  if (!fs::exists(plan_path, ec))
    throw_usage("--lock keeps looks from the plan of an earlier grade, but '" + plan_path +
                "' does not exist (name the plan with --plan)");
  GradePlan old = read_plan(plan_path);
  if (fs::path(old.input_path).lexically_normal() != fs::path(input_abs) &&
      !same_file(old.input_path, input_abs))
    throw_usage("--lock: the plan '" + plan_path + "' grades '" + old.input_path + "', not '" +
                input_abs + "'");
  return old;
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
  const ShotControl control = parse_shot_control(o);
  // Without --ref or --prompt each shot needs its own reference, or no matching at all
  // (excluded or locked): checked per shot once the shots are known.
  if (o.reference.empty() && o.prompt.empty() && o.look_lut.empty() && control.refs.empty() &&
      control.exclude.empty() && control.lock.empty())
    throw_usage(
        "grade needs --ref IMG, --lut LOOK.cube and/or --prompt TEXT (or --shot-ref N=IMG per "
        "shot)");
  if (!o.look_lut.empty() && (!o.reference.empty() || !control.refs.empty()))
    throw_usage("--lut gives the look; --ref and --shot-ref give one too: choose one");
  if (o.mattes && o.render_elsewhere)
    throw_usage("--mattes are written by a local render, not on a farm");
  if (!(o.protect_skin >= 0.f && o.protect_skin <= 1.f))
    throw_usage("--protect-skin must be in 0..1");
  for (const std::string& r : o.regions)
    if (r != "sky" && r != "foliage")
      throw_usage("--regions: unknown region '" + r + "' (sky, foliage; skin is --protect-skin)");
  if (o.output.empty()) throw_usage("grade needs -o OUT");
  if (!(o.strength >= 0.f && o.strength <= 1.f)) throw_usage("--strength must be in 0..1");
  if (o.samples_per_shot < 1) throw_usage("samples per shot must be at least 1");
  std::error_code ec;
  if (!fs::exists(o.input, ec)) throw_bad_input(o.input, "no such file");
  if (!o.reference.empty() && !fs::exists(o.reference, ec))
    throw_bad_input(o.reference, "no such file");
  if (!o.look_lut.empty() && !fs::exists(o.look_lut, ec)) throw_bad_input(o.look_lut, "no such file");
  for (const auto& [n, img] : control.refs)
    if (!fs::exists(img, ec)) throw_bad_input(img, fmt::format("no such file (--shot-ref {})", n));
  // Check every option that can fail fast before the long steps.
  if (o.input_colorspace != "auto") (void)parse_input_colorspace(o.input_colorspace);
  // A method that names nothing is refused even when only a prompt is given (it would
  // otherwise be written into the plan and silently ignored).
  const std::string method = resolve_look_method(o.method, o.transfer);
  check_look_method(method);
  if (!(o.transfer >= 0.f && o.transfer <= 1.f)) throw_usage("--transfer must be in 0..1");
  if (o.transfer > 0.f && o.reference.empty() && control.refs.empty())
    throw_usage("--transfer dials how much of the reference's palette to take: give --ref (or --shot-ref)");
  if (o.transfer > 0.f && method != "auto")
    throw_usage("--transfer dials `auto` towards the reference's whole palette; method '" + method +
                "' does not take it (leave --transfer at 0 or use --method auto)");
  // A still graded to a still (render_clip.hpp); a still into a video file stays a one-frame
  // clip that FFmpeg reads, as the server's uploads of stills are.
  const bool still = is_still_path(o.input) && is_still_path(o.output);
  if (is_still_path(o.output) && !is_still_path(o.input))
    throw_usage("-o '" + o.output + "' is a still; '" + o.input +
                "' is a clip (write a video file or an image sequence)");
  if (still) {
    if (!o.report_path.empty() || o.frames || o.split)
      throw_usage("--report, --frames and --split are for clips; '" + o.input + "' is a still");
  } else {
    check_video_output(o.output, write_options(o.encode));
  }
  if (!o.preview_path.empty()) {
    if (!is_image_path(o.preview_path))
      throw_usage("--preview '" + o.preview_path + "' must be an image (.png, .jpg, .tif, ...)");
    if (!o.preview) throw_internal("grade: a preview path without a preview renderer");
    if (!o.report_path.empty())
      throw_usage("--report shows the rendered clip: leave it out with --preview");
  }
  if (o.plan_only && (!o.report_path.empty() || !o.preview_path.empty()))
    throw_usage("a grade that renders nothing has no --report or --preview");
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
  std::vector<std::string> inputs{o.input, o.reference, o.look_lut};
  for (const auto& [n, img] : control.refs) inputs.push_back(img);
  check_not_input(res.output, inputs);
  check_not_input(res.plan_path, inputs);
  if (!o.preview_path.empty()) check_not_input(o.preview_path, inputs);
  if (!res.report_path.empty()) {
    check_not_input(res.report_path, inputs);
    if (!o.report) throw_internal("grade: a report path without a report renderer");
  }
  if (fs::exists(res.luts_dir, ec) && !fs::is_directory(res.luts_dir, ec))
    throw_usage("--luts '" + res.luts_dir + "' is not a folder");
  if (!o.ocio_dir.empty() && fs::exists(o.ocio_dir, ec) && !fs::is_directory(o.ocio_dir, ec))
    throw_usage("--ocio '" + o.ocio_dir + "' is not a folder");
  const std::string input_abs = fs::absolute(o.input).lexically_normal().string();
  std::optional<GradePlan> lock_plan;
  if (!control.lock.empty()) lock_plan = read_lock_plan(res.plan_path, input_abs);

  // 1. Probe (audio-only, unreadable and unknown-codec files fail here, naming the file), then
  // shots and samples from one decode.
  if (!still) {
    const VideoStreamInfo probed = VideoReader(o.input).info();
    if (o.frames) check_frame_range(o.input, *o.frames, probed.frame_count);
  }
  // The stills are read while the clip is analysed: the first image read loads OpenImageIO and
  // its libraries (about 0.7 s of one core), time the analysis pass would otherwise wait for.
  struct Stills {
    LoadedImage reference;
    std::map<int, LoadedImage> shots;
    LutFile look_lut;
  };
  std::future<Stills> reading = std::async(std::launch::async, [&] {
    Stills r;
    if (!o.reference.empty()) r.reference = read_image(o.reference);
    if (!o.look_lut.empty()) r.look_lut = load_lut(o.look_lut);
    for (const auto& [n, img] : control.refs) {
      try {
        r.shots[n] = read_image(img);
      } catch (const Error& e) {
        throw Error(e.kind(), fmt::format("--shot-ref {}: {}", n, e.what()));
      }
    }
    return r;
  });
  ClipAnalysisOptions ao;
  ao.samples_per_shot = o.samples_per_shot;
  ao.sample_width = o.sample_width;
  ao.quiet = o.quiet;
  ClipAnalysis analysed;
  try {
    analysed = still ? analyze_still(o.input, ao) : analyze_clip(o.input, ao);
  } catch (...) {
    (void)reading.get();  // an unreadable still is reported first, as when read before the clip
    throw;
  }
  Stills stills = reading.get();
  const LoadedImage& reference = stills.reference;
  const std::map<int, LoadedImage>& shot_reference = stills.shots;
  const ClipAnalysis& clip = analysed;
  const VideoStreamInfo& info = clip.info;
  const ShotList& shots = clip.shots;
  const std::vector<std::vector<SampledFrame>>& samples = clip.samples;
  check_shot_numbers(control, shots.shots.size());
  if (o.reference.empty() && o.prompt.empty() && o.look_lut.empty()) {
    std::vector<size_t> unmatched;
    for (size_t i = 0; i < shots.shots.size(); ++i)
      if (!control.refs.count(int(i)) && !control.exclude.count(int(i)) &&
          !control.lock.count(int(i)))
        unmatched.push_back(i);
    if (!unmatched.empty())
      throw_usage(fmt::format("shot(s) {} have nothing to match: give --ref IMG or --prompt TEXT "
                              "for them, or --shot-ref N=IMG, --exclude N or --lock N (the clip "
                              "has {} shots, numbered from 0)",
                              fmt::join(unmatched, ", "), shots.shots.size()));
  }
  // A locked shot must be the same stretch of the clip as in the old plan, or its look would be
  // kept on other pictures.
  if (lock_plan)
    for (int n : control.lock) {
      const Shot& now = shots.shots[size_t(n)];
      if (size_t(n) >= lock_plan->shots.size())
        throw_usage(fmt::format("--lock {}: the plan '{}' has {} shots (numbered from 0); the "
                                "shot boundaries changed",
                                n, res.plan_path, lock_plan->shots.size()));
      const ShotPlan& was = lock_plan->shots[size_t(n)];
      if (was.first_frame != now.first_frame || was.last_frame != now.last_frame)
        throw_usage(fmt::format("--lock {}: shot {} is frames {}-{} now but {}-{} in the plan "
                                "'{}' (the shot boundaries changed); a locked shot keeps its "
                                "frames",
                                n, n, now.first_frame, now.last_frame, was.first_frame,
                                was.last_frame, res.plan_path));
    }

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
      // Excluded and locked shots take no new correction.
      if (display[s].empty() || control.exclude.count(int(s)) || control.lock.count(int(s)))
        continue;
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
  plan.input_path = input_abs;
  plan.input_probe = probe_json(info);
  plan.input_colorspace = cs.space;
  plan.colorspace_info = to_json(cs);
  plan.reference = o.reference.empty() ? "" : fs::absolute(o.reference).lexically_normal().string();
  plan.prompt = o.prompt;
  plan.method = !o.look_lut.empty()                           ? "lut"
                : o.reference.empty() && control.refs.empty() ? "prompt"
                                                              : method;
  if (!o.look_lut.empty())
    plan.extra["look_lut"] = fs::absolute(o.look_lut).lexically_normal().string();
  plan.strength = o.strength;
  plan.transfer = o.reference.empty() && control.refs.empty() ? 0.f : o.transfer;
  plan.lut_size = o.lut_size;
  plan.encode = o.encode;
  if (plan.encode.threads <= 0) plan.encode.threads = default_encoder_threads();
  plan.extra["tool"] = tool_versions();
  PromptLook prompt;
  if (lock_plan && lock_plan->input_colorspace != cs.space)
    warn(fmt::format("the locked shot(s) keep their looks, which now follow a {} input conversion "
                     "(the plan had {}): their LUTs change with it",
                     camera_log_name(cs.space), camera_log_name(lock_plan->input_colorspace)));
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
    if (control.exclude.count(int(i))) {
      // No grade: the LUT is the input conversion alone (plan.hpp validates the identity).
      sp.excluded = true;
      sp.look = identity_look();
      plan.shots.push_back(std::move(sp));
      continue;
    }
    if (control.lock.count(int(i))) {
      // The old shot's Look and correction as they were (so its LUT bakes to the same bytes),
      // and how they were found; excluded stays excluded.
      const ShotPlan& was = lock_plan->shots[i];
      sp.look = was.look;
      sp.correction = was.correction;
      sp.excluded = was.excluded;
      sp.locked = true;
      sp.match = was.match;
      sp.match["sample_frames"] = sample_idx;
      sp.match.erase("continuity");  // the old grade's; this one records its own, if any
      plan.shots.push_back(std::move(sp));
      continue;
    }
    const auto own = shot_reference.find(int(i));
    const bool has_ref = own != shot_reference.end() || !o.reference.empty();
    LookRequest q;
    q.reference = own != shot_reference.end() ? &own->second.image
                  : o.reference.empty()       ? nullptr
                                              : &reference.image;
    q.reference_name = own != shot_reference.end() ? control.refs.at(int(i)) : o.reference;
    if (own != shot_reference.end())
      sp.match["reference"] = fs::absolute(q.reference_name).lexically_normal().string();
    q.sources = display[i];
    if (!o.look_lut.empty()) {
      q.look_lut = &stills.look_lut;
      q.look_lut_name = o.look_lut;
    }
    q.prompt = o.prompt.empty() ? nullptr : &prompt;
    q.method = method;
    q.strength = o.strength;
    q.transfer = o.transfer;
    q.lut_size = o.lut_size;
    const FoundLook found = find_look(q);
    sp.look = found.look;
    sp.match["method"] = found.method;
    if (has_ref) {
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
      cshots[i].locked = plan.shots[i].locked;
      cshots[i].excluded = plan.shots[i].excluded;
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

  // 4b. Regions: skin protection where people are, the opt-in region looks where their regions
  // are (region_grades.hpp).
  plan.regions.protect_skin = o.protect_skin;
  plan.regions.classes = o.regions;
  assign_regions(plan, display);

  // 5. Outputs, staged: the LUTs folder may be new.
  CreatedFolder luts_folder(res.luts_dir);  // removed again unless the grade completes
  std::optional<CreatedFolder> ocio_folder;  // the same for --ocio DIR
  if (!o.ocio_dir.empty()) ocio_folder.emplace(o.ocio_dir);

  // luts_dir relative to the plan's folder when it lies inside it (the plan can move with it).
  const fs::path plan_dir = fs::absolute(fs::path(res.plan_path)).parent_path();
  const fs::path luts_abs = fs::absolute(res.luts_dir).lexically_normal();
  const fs::path rel = luts_abs.lexically_relative(plan_dir);
  plan.luts_dir = !rel.empty() && *rel.begin() != ".." ? rel.string() : luts_abs.string();

  StagedOutputs staged;
  const std::string video_tmp =
      o.preview_path.empty() && !o.plan_only ? staged.stage(res.output) : "";
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
  if (!o.ocio_dir.empty()) {
    for (const std::string& p : plan_lut_paths(plan, o.ocio_dir)) check_not_input(p, inputs);
    const OcioHandoffResult h = stage_ocio_config(plan, luts, o.ocio_dir, staged);
    check_not_input(h.config_path, inputs);
    res.ocio_config = h.config_path;
  }

  // 6. Render and measure (one pass); or, for a preview, the contact sheet instead (the plan
  // says how to render later).
  if (o.plan_only) {
    // The plan and the LUTs are the result; whoever renders the plan writes the clip.
  } else if (o.preview_path.empty()) {
    RenderOptions ro;
    ro.quiet = o.quiet;
    ro.measure = o.measure;
    ro.frames = o.frames;
    ro.split = o.split;
    if (o.mattes) ro.mattes_stem = (fs::path(res.luts_dir) / (stem + "_matte")).string();
    if (o.render_elsewhere) {
      if (o.frames || o.split) throw_usage("--frames and --split render here, not on a farm");
      res.render = o.render_elsewhere(plan, video_tmp);
    } else {
      res.render = render_plan(plan, res.output, ro, video_tmp, luts);
    }
    for (const auto& w : res.render.warnings) warn(w);
    res.matte_paths = res.render.mattes;
    for (size_t i = 0; i < plan.shots.size() && i < res.render.shot_metrics.size(); ++i)
      plan.shots[i].metrics = res.render.shot_metrics[i];
  } else {
    GradePreviewInputs pi;
    pi.plan = &plan;
    const std::vector<ShotRegionLuts> regions = plan_region_luts(plan, luts);
    for (size_t s = 0; s < samples.size(); ++s) {
      ImageF before, after;
      if (!samples[s].empty()) {
        const size_t mid = samples[s].size() / 2;
        before = display[s][mid];
        after = samples[s][mid].rgb;
        const PixelFormat format{SampleType::F32, Layout::Packed, after.channels};
        if (s < regions.size() && !regions[s].empty()) {
          // As the render grades the frame: its region masks on the display picture, blended.
          const std::vector<ImageF> mattes =
              region_mattes(compute_region_masks(before, regions[s].regions), regions[s].regions);
          std::vector<const ImageF*> masks;
          for (const ImageF& x : mattes) masks.push_back(&x);
          LutFile base;
          base.cube = luts[s];
          make_region_renderer(base, regions[s].luts, format, plan.interp)
              .apply(after, masks, regions[s].strengths);
        } else {
          make_renderer(luts[s], format, plan.interp).apply(after);
        }
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
  if (ocio_folder) ocio_folder->keep();
  res.plan = std::move(plan);
  return res;
}

}  // namespace autograde
