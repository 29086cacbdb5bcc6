#include "autograde/pipeline/clip_analysis.hpp"

#include <algorithm>

#include "autograde/core/error.hpp"
#include "autograde/core/progress.hpp"
#include "autograde/media/video_reader.hpp"

namespace autograde {

ClipAnalysis analyze_clip(const std::string& path, const ClipAnalysisOptions& o) {
  if (o.samples_per_shot < 1) throw_usage("samples per shot must be at least 1");
  ClipAnalysis a;
  a.info = VideoReader(path).info();
  VideoReadOptions ropt;
  ropt.rgb_width = std::min(o.sample_width, a.info.width);
  ropt.analysis_width = o.shots.analysis_width;
  VideoReader reader(path, ropt);
  ShotDetector detector(a.info.fps(), o.shots);

  // Whether the sample-width pictures of the whole clip fit the budget (from the container's
  // frame count; a clip that turns out longer stops keeping them and takes the second pass).
  std::vector<ImageF> kept;
  std::vector<double> times;
  size_t kept_bytes = 0;
  bool keep = true;
  {
    ProgressBar bar("analyse", a.info.frame_count, o.quiet);
    VideoFrame f;
    while (reader.next(f)) {
      detector.add(f.analysis, f.time);
      times.push_back(f.time);
      if (keep) {
        kept_bytes += f.rgb.pixels.size() * sizeof(float);
        keep = kept_bytes <= o.sample_budget_bytes;
        if (keep)
          kept.push_back(f.rgb);
        else
          kept.clear();
      }
      bar.update(reader.frames_read());
    }
    bar.finish();
  }
  a.shots = detector.finish();
  if (a.shots.shots.empty()) throw_bad_input(path, "no video frames");

  if (!keep) {
    std::vector<ShotRange> ranges;
    for (const Shot& s : a.shots.shots) ranges.push_back({s.first_frame, s.last_frame});
    a.decode_passes = 2;
    ProgressBar bar("sample", a.info.frame_count, o.quiet);
    a.samples = sample_shots(path, ranges, o.samples_per_shot, ropt.rgb_width,
                             [&](int64_t done) { bar.update(done); });
    return a;
  }
  for (const Shot& s : a.shots.shots) {
    a.samples.emplace_back();
    for (int64_t i : sample_indices(s.first_frame, s.last_frame, o.samples_per_shot))
      if (i < int64_t(kept.size()))
        a.samples.back().push_back({i, times[size_t(i)], kept[size_t(i)]});
  }
  return a;
}

}  // namespace autograde
