// autograde scenes IN [--format csv|edl|json] [-o FILE]: shot detection (src/analysis).
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "autograde/analysis/shot_export.hpp"
#include "autograde/analysis/shots.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/core/progress.hpp"
#include "autograde/media/video_reader.hpp"
#include "commands.hpp"

namespace autograde::cli {

namespace {

struct ScenesArgs {
  std::string input;
  std::string format = "csv";
  std::string output;
  std::string signal;
  double min_shot = 0.3;
};

Runner add_scenes(CLI::App& app, const GlobalOptions& global) {
  auto* sub = app.add_subcommand("scenes", "Detect shots (cuts and fades) in a clip");
  sub->footer("Shots are numbered from 0 (CSV, JSON), as in plans and every --shot option; EDL "
              "events from 001 (CMX 3600).");
  auto a = std::make_shared<ScenesArgs>();
  sub->add_option("IN", a->input, "video file")->required();
  sub->add_option("--format", a->format, "csv, edl (CMX 3600) or json")
      ->check(CLI::IsMember({"csv", "edl", "json"}));
  sub->add_option("-o,--output", a->output, "write to this file instead of stdout");
  sub->add_option("--min-shot", a->min_shot, "shortest shot in seconds (0.01..60)")
      ->check(CLI::Range(0.01, 60.0));
  sub->add_option("--signal", a->signal,
                  "also write the per-frame difference and threshold as CSV");
  return [a, &global] {
    if (!a->output.empty()) refuse_overwrite_input(a->input, a->output);
    if (!a->signal.empty()) refuse_overwrite_input(a->input, a->signal);
    ShotDetectOptions opt;
    opt.min_shot_seconds = a->min_shot;
    ProgressBar bar("scenes", 0, global.quiet);
    auto progress = [&](int64_t done, int64_t total) {
      bar.set_total(total > 0 && done <= total ? total : 0);
      bar.update(done);
    };
    ShotList shots = detect_shots(a->input, opt, progress);
    bar.finish();
    ShotExportContext ctx;
    ctx.source_path = a->input;
    ctx.start_timecode = VideoReader(a->input).info().timecode;
    std::string text = a->format == "json"  ? shots_to_json(shots, ctx)
                       : a->format == "edl" ? shots_to_edl(shots, ctx)
                                            : shots_to_csv(shots, ctx);
    if (!a->signal.empty()) {
      std::string sig = "frame,difference,threshold\n";
      for (size_t i = 0; i < shots.difference.size(); ++i)
        sig += fmt::format("{},{:.5f},{:.5f}\n", i, shots.difference[i], shots.threshold[i]);
      write_file_atomic(a->signal, sig);
    }
    if (a->output.empty())
      fmt::print("{}", text);
    else
      write_file_atomic(a->output, text);
  };
}

}  // namespace

AUTOGRADE_COMMAND(60, add_scenes);

}  // namespace autograde::cli
