#include "autograde/pipeline/correct_clip.hpp"

#include "autograde/core/error.hpp"
#include "autograde/learn/features.hpp"
#include "autograde/pipeline/clip_analysis.hpp"
#include "autograde/pipeline/render_clip.hpp"
#include "autograde/pipeline/shot_lut.hpp"

namespace autograde {

ClipCorrection plan_clip_correction(const std::string& path, const learn::DefectAnalyzer& analyzer,
                                    const learn::LutCorrector* corrector,
                                    const ClipCorrectionOptions& o) {
  if (o.input_colorspace != "auto") (void)parse_input_colorspace(o.input_colorspace);
  ClipAnalysisOptions ao;
  ao.samples_per_shot = o.frames_per_shot;
  ao.sample_width = 2 * learn::kFeatureSide;
  ao.quiet = o.quiet;
  const ClipAnalysis clip = analyze_clip(path, ao);
  ClipCorrection plan;
  plan.colorspace = choose_input_colorspace(o.input_colorspace, clip.info, clip.shots.frame_stats);
  const CameraLog space = plan.colorspace.space;
  if (space != CameraLog::Rec709) plan.interp = Interp::Tetrahedral;
  for (size_t s = 0; s < clip.shots.shots.size(); ++s) {
    const Shot& shot = clip.shots.shots[s];
    if (clip.samples[s].empty())
      throw_bad_input(path, "shot " + std::to_string(shot.index) + " has no decodable frame");
    std::vector<ImageF> pictures;
    for (const SampledFrame& f : clip.samples[s]) {
      pictures.push_back(f.rgb);
      to_display(space, pictures.back());
    }
    const std::vector<float> mean = learn::mean_image_features(pictures);
    ShotCorrection sc;
    sc.shot = shot.index;
    sc.first_frame = shot.first_frame;
    sc.last_frame = shot.last_frame;
    sc.analysis = analyzer.analyze_features(mean);
    sc.strength = o.full ? 1.f : learn::correction_strength(sc.analysis);
    if (corrector) {
      const Lut3D correction =
          mix_with_identity(corrector->predict_features(mean, sc.analysis), sc.strength);
      if (space == CameraLog::Rec709) {
        sc.lut = correction;
      } else {
        Look c = identity_look();
        c.residual = correction;
        sc.lut = bake_shot_lut(space, identity_look(), 33, &c);
      }
    }
    plan.shots.push_back(std::move(sc));
  }
  return plan;
}

void correct_clip(const std::string& in, const std::string& out, const ClipCorrection& plan,
                  bool quiet) {
  if (plan.shots.empty()) throw_bad_input(in, "no shots to correct");
  std::vector<FrameRange> ranges;
  std::vector<LutFile> luts(plan.shots.size());
  for (size_t i = 0; i < plan.shots.size(); ++i) {
    ranges.push_back({plan.shots[i].first_frame, plan.shots[i].last_frame});
    luts[i].cube = plan.shots[i].lut;
  }
  ClipRenderOptions ro;
  ro.interp = plan.interp;
  ro.quiet = quiet;
  ro.label = "correct";
  render_clip(in, out, ranges, luts, ro);
}

}  // namespace autograde
