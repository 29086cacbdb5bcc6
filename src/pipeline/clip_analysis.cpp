#include "autograde/pipeline/clip_analysis.hpp"

#include <algorithm>
#include <cmath>

#include "autograde/core/error.hpp"
#include "autograde/core/image_ops.hpp"
#include "autograde/core/progress.hpp"
#include "autograde/media/image_io.hpp"
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

ClipAnalysis analyze_still(const std::string& path, const ClipAnalysisOptions& o) {
  const LoadedImage img = read_image(path);
  ClipAnalysis a;
  a.info.path = path;
  a.info.container = "image";
  a.info.codec = "still";
  a.info.width = img.image.width;
  a.info.height = img.image.height;
  a.info.fps_num = 1;
  a.info.frame_count = 1;
  a.info.frame_count_exact = true;
  a.info.duration = 1;
  a.info.is_rgb = true;
  // Integer stills hold sRGB-encoded display code values; float formats (OpenEXR) are read as
  // the same code values (values above 1 meet the LUT's domain edge), there being no scene-
  // linear input conversion among the camera encodings.
  a.info.tags.transfer = 13;  // H.273 IEC 61966-2-1 (sRGB)
  a.shots.fps = 1;
  a.shots.frame_count = 1;
  Shot shot;
  shot.end_time = 1;
  a.shots.shots.push_back(shot);
  const int w = std::min(o.sample_width, img.image.width);
  const int h = std::max(1, int(std::lround(double(img.image.height) * w / img.image.width)));
  ImageF small = area_average(img.image, {.width = w, .height = h});
  if (small.channels == 4) {
    ImageF rgb(small.width, small.height, 3);
    for (size_t i = 0; i < small.pixel_count(); ++i)
      std::copy_n(&small.pixels[4 * i], 3, &rgb.pixels[3 * i]);
    small = std::move(rgb);
  }
  a.samples.push_back({SampledFrame{0, 0.0, std::move(small)}});
  return a;
}

}  // namespace autograde
