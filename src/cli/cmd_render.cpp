// autograde render plan.json -o OUT [--luts DIR]: re-render a (possibly edited) plan
// (src/pipeline/render.hpp).
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "autograde/core/cleanup.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/media/image_sequence.hpp"
#include "autograde/media/video_writer.hpp"
#include "autograde/pipeline/grade.hpp"
#include "autograde/pipeline/ocio_handoff.hpp"
#include "autograde/pipeline/render.hpp"
#include "autograde/pipeline/render_clip.hpp"
#include "commands.hpp"

namespace autograde::cli {

namespace {

struct RenderArgs {
  std::string plan;
  std::string output;
  std::string luts;
  bool measure = false;
  std::vector<std::string> lut_formats{"cube"};
  std::string codec;  // "" = the plan's encode.codec
  std::string frames;
  bool split = false;
  std::string ocio;
  FarmArgs farm;
  bool no_wait = false;
};

Runner add_render(CLI::App& app, const GlobalOptions& global) {
  auto* sub = app.add_subcommand("render", "Render a clip from a plan.json (after refining it)");
  auto a = std::make_shared<RenderArgs>();
  sub->add_option("PLAN", a->plan, "plan file written by grade or refine")->required();
  sub->add_option("-o,--output", a->output, "graded clip, or image sequence (out/shot.%07d.exr)")
      ->required();
  sub->add_option("--luts", a->luts, "also write the plan's per-shot .cube files into this folder");
  sub->add_option("--lut-formats", a->lut_formats,
                  "with --luts: formats besides .cube, comma-separated (e.g. 3dl,clf)")
      ->delimiter(',');
  sub->add_option("--ocio", a->ocio,
                  "also write an OpenColorIO config (DIR/config.ocio, one look per shot: "
                  "shot_000, ...) with the shots' .cube files into DIR");
  sub->add_flag("--metrics", a->measure, "measure temporal consistency of the output and print it");
  sub->add_option("--codec", a->codec, "instead of the plan's encode.codec: " + codec_help())
      ->check(CLI::IsMember(video_codec_names()));
  sub->add_option(
      "--frames", a->frames,
      "render only frames A-B (inclusive, 0-based as in the plan); audio is cut to match");
  sub->add_flag("--split", a->split,
                "render a before | after review: left of a mid-grey divider the source after the "
                "input colour-space conversion, right of it the grade");
  add_farm_options(sub, a->farm);
  sub->add_flag("--no-wait", a->no_wait,
                "with --farm slurm: submit and return at once (then `autograde farm status DIR`)");
  return [a, &global] {
    refuse_overwrite_input(a->plan, a->output);
    if (a->no_wait && !a->farm.on_slurm()) throw_usage("--no-wait is for --farm slurm");
    if (a->farm.on_slurm() && (!a->frames.empty() || a->split || a->measure))
      throw_usage("--frames, --split and --metrics render here: leave them out with --farm slurm");
    GradePlan plan = read_plan(a->plan);
    if (!a->codec.empty()) plan.encode.codec = a->codec;
    // An image sequence's format is its extension: the plan's video codec does not apply.
    else if (is_image_sequence_path(a->output)) plan.encode.codec = "auto";
    RenderOptions ro;
    ro.quiet = global.quiet;
    ro.measure = a->measure;
    if (!a->frames.empty()) ro.frames = parse_frame_range(a->frames);
    ro.split = a->split;
    if ((ro.frames || ro.split) && a->measure)
      throw_usage("--metrics measures whole shots: leave it out with --frames or --split");
    // As grade does: a missing --luts folder is created (and removed again on failure), and
    // every LUT's destination is checked before the long render.
    std::optional<CreatedFolder> folder, ocio_folder;
    std::error_code ec;
    if (!a->ocio.empty()) {
      if (std::filesystem::exists(a->ocio, ec) && !std::filesystem::is_directory(a->ocio, ec))
        throw_usage("--ocio '" + a->ocio + "' is not a folder");
      ocio_folder.emplace(a->ocio);
      std::vector<std::string> outs = plan_lut_paths(plan, a->ocio);
      outs.push_back((std::filesystem::path(a->ocio) / "config.ocio").string());
      for (const std::string& p : outs)
        for (const std::string& in : {a->plan, plan.input_path}) refuse_overwrite_input(in, p);
    }
    // Staged (and checked through OCIO) before the long render, published after it.
    StagedOutputs ocio_staged;
    std::string ocio_config;
    if (ocio_folder) ocio_config = stage_ocio_config(plan, plan_luts(plan), a->ocio, ocio_staged).config_path;
    if (!a->luts.empty()) {
      (void)check_lut_formats(a->lut_formats);
      folder.emplace(a->luts);
      (void)plan_lut_paths(plan, a->luts);
    }
    RenderResult r;
    if (a->farm.on_slurm()) {
      FarmRenderOptions fo = a->farm.options;
      fo.wait = !a->no_wait;
      fo.quiet = global.quiet;
      const FarmRenderResult f = render_on_slurm(plan, a->output, fo);
      if (!f.waited) {
        fmt::print("submitted to Slurm: job folder {} (the join is Slurm job {}); "
                   "`autograde farm status {}` tells how it goes\n",
                   f.job_dir, f.join_id, f.job_dir);
        return;
      }
      r.frames = f.frames;
      r.pixel_path = "farm";
      r.warnings = f.warnings;
    } else {
      r = render_plan(plan, a->output, ro);
    }
    for (const auto& w : r.warnings) fmt::print(stderr, "autograde: warning: {}\n", w);
    if (folder) {
      write_plan_luts(plan, plan_luts(plan), a->luts, a->lut_formats);
      folder->keep();
    }
    if (ocio_folder) {
      ocio_staged.commit_all();
      ocio_folder->keep();
    }
    fmt::print("rendered {} frames in {} shot(s) ({} path) to {}\n", r.frames, plan.shots.size(),
               r.pixel_path, a->output);
    for (size_t i = 0; i < r.shot_metrics.size() && !global.quiet; ++i)
      fmt::print("  shot {}: {}\n", i, to_json(r.shot_metrics[i]).dump());
    if (!ocio_config.empty()) fmt::print("ocio:   {}\n", ocio_config);
  };
}

}  // namespace

AUTOGRADE_COMMAND(47, add_render);

}  // namespace autograde::cli
