#include "autograde/learn/clip.hpp"

#include <algorithm>

#include "autograde/analysis/shots.hpp"
#include "autograde/core/error.hpp"
#include "autograde/engine/renderer.hpp"
#include "autograde/learn/features.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/media/video_writer.hpp"

namespace autograde::learn {

std::vector<ShotCorrection> plan_clip(const std::string& path, const DefectAnalyzer& analyzer,
                                      const LutCorrector* corrector, int frames_per_shot) {
  const ShotList shots = detect_shots(path, ShotDetectOptions{});
  std::vector<ShotCorrection> plan;
  VideoReadOptions ro;
  ro.rgb_width = 2 * kFeatureSide;
  for (const auto& shot : shots.shots) {
    const auto frames = sample_frames(path, shot.first_frame, shot.last_frame, frames_per_shot, ro);
    if (frames.empty()) throw_bad_input(path, "shot " + std::to_string(shot.index) + " has no decodable frame");
    std::vector<ImageF> pictures;
    for (const auto& f : frames) pictures.push_back(f.rgb);
    const std::vector<float> mean = mean_image_features(pictures);
    ShotCorrection sc;
    sc.shot = shot.index;
    sc.first_frame = shot.first_frame;
    sc.last_frame = shot.last_frame;
    sc.analysis = analyzer.analyze_features(mean);
    if (corrector) sc.lut = corrector->predict_features(mean, sc.analysis);
    plan.push_back(std::move(sc));
  }
  return plan;
}

void correct_clip(const std::string& in, const std::string& out, const std::vector<ShotCorrection>& plan) {
  if (plan.empty()) throw_bad_input(in, "no shots to correct");
  VideoReader reader(in);
  VideoWriter writer(out, reader.info());
  std::vector<LutRenderer> renderers;
  for (const auto& s : plan)
    renderers.push_back(make_renderer(s.lut, PixelFormat{SampleType::F32, Layout::Packed, 3}, Interp::Trilinear));
  VideoFrame frame;
  size_t shot = 0;
  while (reader.next(frame)) {
    while (shot + 1 < plan.size() && frame.index > plan[shot].last_frame) ++shot;
    ImageF rgb = frame.rgb;
    renderers[shot].apply(rgb);
    writer.write(rgb, frame.pts);
  }
  writer.finish();
}

}  // namespace autograde::learn
