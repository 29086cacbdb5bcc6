// autograde analyze IN [--json]: what is wrong with an image or, per shot, a clip (src/learn).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "autograde/learn/analyzer.hpp"
#include "autograde/learn/models.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/pipeline/correct_clip.hpp"
#include "commands.hpp"

namespace autograde::cli {

namespace {

void print_analysis(const learn::Analysis& a, const std::string& indent) {
  if (a.fine()) {
    fmt::print("{}fine (confidence {:.0f}%)\n", indent, 100.f * a.fine_confidence);
    return;
  }
  for (const auto& f : a.defects) {
    const std::string range = f.severity_low == f.severity_high
                                  ? std::string()
                                  : fmt::format("; {}-{}% with {:.0f}% probability",
                                                learn::severity_percent(f.severity_low),
                                                learn::severity_percent(f.severity_high),
                                                100.f * learn::kSeverityRangeMass);
    fmt::print("{}{} {}% ({}{}): present {:.0f}%, severity confidence {:.0f}%\n", indent,
               learn::family_description(f.family), learn::severity_percent(f.severity),
               learn::family_name(f.family), range, 100.f * f.presence, 100.f * f.confidence);
  }
}

Runner add_analyze(CLI::App& app, const GlobalOptions& global) {
  auto* sub = app.add_subcommand("analyze", "Say what is wrong with an image or clip (per shot)");
  struct Opts {
    std::string in, model, colorspace = "auto";
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("IN", o->in, "image or video file")->required();
  sub->add_flag("--json", o->json, "machine-readable output");
  sub->add_option("--input-colorspace", o->colorspace,
                  "clips: auto, rec709, slog3, logc3, logc4, vlog, clog3 or log3g10");
  sub->add_option("--model", o->model,
                  "defect classifier weights (default: models/defect_classifier.agnn)");
  return [o, &global] {
    const std::string model =
        o->model.empty() ? learn::model_path(learn::kDefectModelFile) : o->model;
    const auto analyzer = learn::DefectAnalyzer::load(model);
    if (is_image_path(o->in)) {
      const learn::Analysis a = analyzer.analyze(read_image(o->in).image);
      if (o->json) {
        nlohmann::json j = learn::to_json(a);
        j["input"] = o->in;
        j["kind"] = "image";
        fmt::print("{}\n", j.dump(2));
      } else {
        fmt::print("{}:\n", o->in);
        print_analysis(a, "  ");
      }
      return;
    }
    ClipCorrectionOptions co;
    co.input_colorspace = o->colorspace;
    co.quiet = global.quiet || o->json;
    const ClipCorrection clip = plan_clip_correction(o->in, analyzer, nullptr, co);
    if (!clip.colorspace.warning.empty())
      fmt::print(stderr, "autograde: warning: {}\n", clip.colorspace.warning);
    const auto& plan = clip.shots;
    if (o->json) {
      nlohmann::json shots = nlohmann::json::array();
      for (const auto& s : plan) {
        nlohmann::json j = learn::to_json(s.analysis);
        j["shot"] = s.shot;
        j["first_frame"] = s.first_frame;
        j["last_frame"] = s.last_frame;
        shots.push_back(j);
      }
      fmt::print("{}\n", nlohmann::json{{"input", o->in},
                                        {"kind", "clip"},
                                        {"input_colorspace", to_json(clip.colorspace)},
                                        {"shots", shots}}
                             .dump(2));
      return;
    }
    for (const auto& s : plan) {
      fmt::print("shot {} (frames {}-{}):\n", s.shot, s.first_frame, s.last_frame);
      print_analysis(s.analysis, "  ");
    }
  };
}

}  // namespace

AUTOGRADE_COMMAND(60, add_analyze);

}  // namespace autograde::cli
