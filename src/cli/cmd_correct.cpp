// autograde correct IN -o OUT [--luts DIR]: learned auto-correction (src/learn). The network
// predicts one correction LUT per image (per shot for a clip); only the LUT touches pixels.
#include <fmt/format.h>

#include <filesystem>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/learn/clip.hpp"
#include "autograde/learn/corrector.hpp"
#include "autograde/learn/models.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/media/image_io.hpp"
#include "commands.hpp"

namespace autograde::cli {

namespace {

namespace fs = std::filesystem;

void write_lut(const std::string& dir, const std::string& name, const Lut3D& lut, const std::string& title) {
  fs::create_directories(dir);
  // 33^3 for NLEs, sampled (trilinear) from the trained lattice.
  write_cube(learn::resample_trilinear(lut, 33), (fs::path(dir) / name).string(), title);
}

Runner add_correct(CLI::App& app, const GlobalOptions& global) {
  auto* sub = app.add_subcommand("correct", "Fix an image or clip without a reference (learned LUT)");
  struct Opts {
    std::string in, out, luts, defect_model, correction_model;
    bool full = false;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("IN", o->in, "image or video file")->required();
  sub->add_option("-o,--output", o->out, "output file (never the input)")->required();
  sub->add_option("--luts", o->luts, "also write the correction LUT(s) (.cube, 33^3) into this folder");
  sub->add_flag("--full", o->full, "apply the full predicted correction even when the picture looks fine");
  sub->add_option("--defect-model", o->defect_model, "classifier weights");
  sub->add_option("--correction-model", o->correction_model, "corrector weights");
  return [o, &global] {
    refuse_overwrite_input(o->in, o->out);
    const auto analyzer = learn::DefectAnalyzer::load(
        o->defect_model.empty() ? learn::model_path(learn::kDefectModelFile) : o->defect_model);
    const auto corrector = learn::LutCorrector::load(
        o->correction_model.empty() ? learn::model_path(learn::kCorrectionModelFile) : o->correction_model);
    const std::string stem = fs::path(o->out).stem().string();
    if (is_image_path(o->in)) {
      LoadedImage img = read_image(o->in);
      const learn::Analysis a = analyzer.analyze(img.image);
      const float strength = o->full ? 1.f : learn::correction_strength(a);
      const Lut3D lut = corrector.predict(img.image, a, strength);
      if (!o->luts.empty()) write_lut(o->luts, stem + ".cube", lut, "autograde correct " + stem);
      apply_reference(lut, img.image, Interp::Trilinear);
      write_image(o->out, img.image, img.meta);
      if (!global.quiet) fmt::print(stderr, "wrote {} (correction strength {:.2f})\n", o->out, strength);
      return;
    }
    auto plan = learn::plan_clip(o->in, analyzer, &corrector);
    for (auto& s : plan) {
      if (!o->full) {
        // Scale the residual towards identity by the shot's do-no-harm strength.
        s.lut = mix_with_identity(s.lut, learn::correction_strength(s.analysis));
      }
      if (!o->luts.empty()) write_lut(o->luts, fmt::format("{}_shot{:03d}.cube", stem, s.shot), s.lut, "shot " + std::to_string(s.shot));
    }
    learn::correct_clip(o->in, o->out, plan);
    if (!global.quiet) fmt::print(stderr, "wrote {} ({} shots, one LUT each)\n", o->out, plan.size());
  };
}

}  // namespace

AUTOGRADE_COMMAND(61, add_correct);

}  // namespace autograde::cli
