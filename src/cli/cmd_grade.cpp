// autograde grade IN (--ref IMG | --prompt TEXT)... -o OUT [...]: grade a clip end to end
// (src/pipeline/grade.hpp).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <memory>

#include "autograde/color/camera_log.hpp"
#include "autograde/core/error.hpp"
#include "autograde/look/look.hpp"
#include "autograde/lut/lut_write.hpp"
#include "autograde/pipeline/grade.hpp"
#include "autograde/pipeline/render_clip.hpp"
#include "autograde/pipeline/shot_look.hpp"
#include "autograde/report/contact_sheet.hpp"
#include "autograde/report/report_format.hpp"
#include "commands.hpp"

namespace autograde::cli {

namespace {

Runner add_grade(CLI::App& app, const GlobalOptions& global) {
  auto* sub =
      app.add_subcommand("grade", "Grade a clip to match a reference still and/or a text prompt");
  sub->footer(
      "Shots are numbered from 0, as in `scenes`, the plan, refine --shot and these options.");
  auto o = std::make_shared<GradeOptions>();
  sub->add_option("IN", o->input, "video file")->required();
  sub->add_option("--ref", o->reference,
                  "reference still to match (every shot without its own --shot-ref)");
  sub->add_option("--shot-ref", o->shot_refs,
                  "N=IMG: match shot N (from 0) to the still IMG instead of --ref; repeatable")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_option("--exclude", o->exclude,
                  "leave shot N (from 0) ungraded (input conversion only); repeatable")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_option("--lock", o->lock,
                  "keep shot N's (from 0) look from the existing plan (--plan or the default) of "
                  "the same input; repeatable")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_option("--prompt", o->prompt, "text prompt, e.g. \"warm summer evening\"");
  sub->add_option("--lut", o->look_lut,
                  "a creative LUT as the look (.cube, .3dl, Hald CLUT image, ...): applied to every "
                  "shot, with skin protected where people are; not with --ref");
  sub->add_option("--protect-skin", o->protect_skin,
                  "0..1, how much of the look's colour is kept off skin where people are found "
                  "(0 = off; the look's exposure and contrast still reach the face)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--regions", o->regions,
                  "opt-in region looks: sky (deeper, cleaner blue), foliage (rich greens, free of "
                  "the look's cast); comma-separated")
      ->delimiter(',')
      ->check(CLI::IsMember({"sky", "foliage"}));
  sub->add_flag("--mattes", o->mattes,
                "also write each region's matte (grey FFV1 .mkv, the clip's size) into the LUT "
                "folder, for an editor's own qualifiers");
  sub->add_option("-o,--output", o->output, "graded clip, or image sequence (out/shot.%07d.exr)")
      ->required();
  sub->add_option("--plan", o->plan_path, "plan file (default: OUT's folder/<stem>.plan.json)");
  sub->add_option("--luts", o->luts_dir,
                  "folder for the per-shot .cube files (default: <stem>_luts)");
  sub->add_option("--report", o->report_path,
                  "write a report with before/after frames and scopes: .pdf or .html");
  sub->add_option("--preview", o->preview_path,
                  "analyse and match only: write the plan, the LUTs and this contact sheet "
                  "(before | after per shot), render nothing (`render` the plan later)");
  sub->add_option("--lut-size", o->lut_size, "points per axis of the per-shot LUTs (17, 33, 65; 2..129)")
      ->check(CLI::Range(2, 129));
  sub->add_option("--lut-formats", o->lut_formats,
                  "per-shot LUT formats besides .cube, comma-separated (e.g. 3dl,clf):\n" +
                      lut_output_formats_help())
      ->delimiter(',');
  sub->add_option("--ocio", o->ocio_dir,
                  "also write an OpenColorIO config (DIR/config.ocio, one look per shot: "
                  "shot_000, ...) with the shots' .cube files into DIR");
  sub->add_flag("--cdl", o->cdl,
                "also write each shot's grade as ASC CDL (.cdl, shots.ccc) with the LUT to apply "
                "after it, and OUT's EDL (<stem>.edl) carrying them");
  sub->add_option("--input-colorspace", o->input_colorspace,
                  "auto, rec709, slog3, logc3, logc4, vlog, clog3 or log3g10");
  std::vector<std::string> methods;
  for (const LookMethod& m : look_methods()) methods.push_back(m.name);
  sub->add_option("--method", o->method, "matching method: " + look_method_help())
      ->check(CLI::IsMember(methods));
  sub->add_flag("--auto-correct", o->auto_correct,
                "fix each shot first (learned correction, models/), then match the look");
  sub->add_option("--strength", o->strength, "0..1, mix of the look with the input")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--transfer", o->transfer,
                  "auto's dial (picks auto when --method is not given): 0..1, how much of the reference's own palette and tone to take: 0 only the grade "
                  "separated from its content (default), 1 its whole colour distribution")
      ->check(CLI::Range(0.0, 1.0));
  auto* continuity =
      sub->add_flag("--continuity", o->continuity, "match every shot of a scene to its hero shot");
  sub->add_option("--hero-shot", o->hero_shot,
                  "with --continuity: the shot (0-based, as in the plan) its scene matches; "
                  "default: the scene's longest locked shot, else its longest shot")
      ->check(CLI::Range(0, 1000000))
      ->needs(continuity);
  sub->add_option(
         "--scene-threshold", o->scene_threshold,
         "colour-histogram distance (0..1) below which shots share a scene; >= 1: one scene")
      ->check(CLI::Range(0.001, 1.0));
  sub->add_option(
         "--continuity-target", o->continuity_target,
         "balance shots on their near-neutral pixels (neutral) or on whole-frame means (mean)")
      ->check(CLI::IsMember({"neutral", "mean"}));
  sub->add_option("--codec", o->encode.codec, codec_help())
      ->check(CLI::IsMember(video_codec_names()));
  auto frames = std::make_shared<std::string>();
  sub->add_option(
      "--frames", *frames,
      "render only frames A-B (inclusive, 0-based as in the plan); audio is cut to match");
  sub->add_flag("--split", o->split,
                "render a before | after review: left of a mid-grey divider the source after the "
                "input colour-space conversion, right of it the grade");
  sub->add_option("--crf", o->encode.crf, "H.264/HEVC quality (lower is better)")
      ->check(CLI::Range(0, 51));
  sub->add_option("--samples", o->samples_per_shot, "frames sampled per shot")
      ->check(CLI::Range(1, 64));
  auto farm = std::make_shared<FarmArgs>();
  add_farm_options(sub, *farm);
  return [o, frames, farm, &global] {
    o->quiet = global.quiet;
    if (farm->on_slurm()) {
      if (!frames->empty() || o->split || !o->preview_path.empty())
        throw_usage("--frames, --split and --preview render here: leave them out with --farm slurm");
      FarmRenderOptions fo = farm->options;
      fo.quiet = global.quiet;
      // The farm writes where grade stages its output; grade publishes it with the rest.
      o->render_elsewhere = [fo](const GradePlan& plan, const std::string& path) {
        const FarmRenderResult f = render_on_slurm(plan, path, fo);
        RenderResult r;
        r.frames = f.frames;
        r.pixel_path = "farm";
        r.warnings = f.warnings;
        return r;
      };
    }
    if (!frames->empty()) o->frames = parse_frame_range(*frames);
    // The format follows the extension; an unknown one is a usage error before any work.
    if (!o->report_path.empty()) o->report = report_renderer_for(o->report_path);
    o->preview = [](const GradePreviewInputs& in) { return grade_contact_sheet(in); };
    if (o->input_colorspace != "auto") (void)parse_input_colorspace(o->input_colorspace);
    const GradeResult r = grade_clip(
        *o, [](const std::string& w) { fmt::print(stderr, "autograde: warning: {}\n", w); });
    // -q silences progress and the per-shot table, never the list of what was written.
    if (r.preview_path.empty())
      fmt::print("graded {} frames in {} shot(s) ({} path)\n", r.render.frames,
                 r.plan.shots.size(), r.render.pixel_path);
    else
      fmt::print("previewed {} shot(s); nothing rendered (render the plan to grade the clip)\n",
                 r.plan.shots.size());
    std::vector<int> near_source;
    for (const auto& s : r.plan.shots) {
      if (global.quiet) break;
      std::string m;
      if (s.metrics) {
        if (s.metrics->consistency)
          m += fmt::format("  stability ΔE00 {:.3f}", s.metrics->consistency->mean_de2000);
        m += fmt::format("  warp error in {:.2f} out {:.2f}", s.metrics->warp.input,
                         s.metrics->warp.output);
        m += fmt::format("  Δmean Lab in {:.2f} out {:.2f}", s.metrics->lab_change_input.mean,
                         s.metrics->lab_change_output.mean);
      }
      fmt::print("  shot {:2d}: frames {:5d}-{:5d}  {}{}\n", s.index, s.first_frame, s.last_frame,
                 s.lut_file, m);
      std::string conf;
      if (s.match.contains("confidence") && s.match["confidence"].is_number())
        conf = r.plan.transfer > 0.f
                   ? fmt::format(" (match confidence {:.2f}, transfer {:.2g})", s.match["confidence"].get<double>(),
                                 r.plan.transfer)
                   : fmt::format(" (match confidence {:.2f})", s.match["confidence"].get<double>());
      if (s.excluded) {
        fmt::print("           look: none (excluded{})\n", s.locked ? ", locked" : "");
        continue;
      }
      fmt::print("           look: {}{}{}\n", look_summary(s.look), conf,
                 s.locked ? " (locked: kept from the plan)" : "");
      const bool matched = s.match.contains("reference") || !o->reference.empty();
      if (matched && !s.locked && o->transfer == 0.f && look_mean_change(s.look) < 0.01f) near_source.push_back(s.index);
    }
    if (!near_source.empty())
      fmt::print(
          "note: shot(s) {} stay close to the source: the reference reads mostly as its scene's own "
          "colour rather than a grade, and `{}` only takes over the grade. For more of its palette, "
          "dial --transfer up{} (0.5 takes half of its palette and tone, 1 all of it).\n",
          fmt::join(near_source, ", "), r.plan.method, r.plan.method == "auto" ? "" : " (which picks --method auto)");
    if (r.plan.continuity && !global.quiet)
      for (const ContinuityScene& sc : r.plan.continuity->scenes)
        fmt::print(
            "  scene shots {}: hero {}, spread of mean a*b* {:.2f} -> {:.2f} (input {:.2f}); of {} "
            "a*b* {:.2f} -> {:.2f}\n",
            nlohmann::json(sc.shots).dump(), sc.hero, sc.ab_spread_before, sc.ab_spread_after,
            sc.ab_spread_input, r.plan.continuity->target == "mean" ? "frame" : "near-neutral",
            sc.solved_ab_spread_before, sc.solved_ab_spread_after);
    if (r.preview_path.empty()) fmt::print("clip:   {}\n", r.output);
    else fmt::print("sheet:  {}\n", r.preview_path);
    fmt::print("luts:   {}/ ({} files)\nplan:   {}\n", r.luts_dir, r.lut_paths.size(), r.plan_path);
    for (const std::string& m : r.matte_paths) fmt::print("matte:  {}\n", m);
    if (!r.report_path.empty()) fmt::print("report: {}\n", r.report_path);
    if (!r.edl_path.empty()) fmt::print("edl:    {}\n", r.edl_path);
    if (!r.ocio_config.empty()) fmt::print("ocio:   {}\n", r.ocio_config);
  };
}

}  // namespace

AUTOGRADE_COMMAND(40, add_grade);

}  // namespace autograde::cli
