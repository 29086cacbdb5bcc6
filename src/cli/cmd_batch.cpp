// autograde batch CLIPS... (--ref IMG | --prompt TEXT)... -o OUTDIR [--farm slurm]: grade many
// clips with one look (src/farm/batch.hpp).
#include <fmt/format.h>

#include <memory>

#include "autograde/farm/batch.hpp"
#include "autograde/look/look.hpp"
#include "autograde/media/video_writer.hpp"
#include "autograde/pipeline/shot_look.hpp"
#include "commands.hpp"

namespace autograde::cli {

namespace {

struct BatchArgs {
  std::vector<std::string> inputs;
  BatchOptions options;
  FarmArgs farm;
};

Runner add_batch(CLI::App& app, const GlobalOptions& global) {
  auto* sub = app.add_subcommand(
      "batch", "Grade many clips (files, folders, .txt lists) to one reference and/or prompt");
  auto a = std::make_shared<BatchArgs>();
  GradeOptions& g = a->options.grade;
  sub->add_option("CLIPS", a->inputs,
                  "video files, folders of them (.mp4 .mov .m4v .mkv .mxf) or .txt lists (a path "
                  "per line)")
      ->required();
  sub->add_option("-o,--output", a->options.output_dir,
                  "folder for each clip's graded file (<stem> and the input's container), plan "
                  "(<stem>.plan.json) and LUTs (<stem>_luts/)")
      ->required();
  sub->add_option("--ref", g.reference, "reference still to match");
  sub->add_option("--prompt", g.prompt, "text prompt, e.g. \"warm summer evening\"");
  std::vector<std::string> methods;
  for (const LookMethod& m : look_methods()) methods.push_back(m.name);
  sub->add_option("--method", g.method, "matching method: " + look_method_help())
      ->check(CLI::IsMember(methods));
  sub->add_option("--strength", g.strength, "0..1, mix of the look with the input")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--transfer", g.transfer, "auto's dial: 0..1, as for grade")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--input-colorspace", g.input_colorspace,
                  "auto, rec709, slog3, logc3, logc4, vlog, clog3 or log3g10");
  sub->add_option("--codec", g.encode.codec, codec_help())
      ->check(CLI::IsMember(video_codec_names()));
  sub->add_option("--crf", g.encode.crf, "H.264/HEVC quality (lower is better)")
      ->check(CLI::Range(0, 51));
  add_farm_options(sub, a->farm);
  return [a, &global] {
    a->options.grade.quiet = global.quiet;
    a->options.farm = a->farm.farm;
    a->options.farm_options = a->farm.options;
    a->options.farm_options.quiet = global.quiet;
    const std::vector<std::string> clips = batch_inputs(a->inputs);
    const std::vector<BatchItem> done = grade_batch(
        clips, a->options, [](const std::string& w) { fmt::print(stderr, "autograde: warning: {}\n", w); });
    for (const BatchItem& it : done)
      fmt::print("graded {} ({} frames, {} shot(s)) to {}; plan {}\n", it.input, it.frames, it.shots,
                 it.output, it.plan_path);
  };
}

}  // namespace

AUTOGRADE_COMMAND(46, add_batch);

}  // namespace autograde::cli
