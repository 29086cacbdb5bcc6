#include "autograde/pipeline/shot_sampling.hpp"

#include <algorithm>
#include <map>

#include "autograde/media/video_reader.hpp"

namespace autograde {

std::vector<std::vector<SampledFrame>> sample_shots(const std::string& path, const std::vector<ShotRange>& ranges,
                                                    int per_shot, int width,
                                                    const std::function<void(int64_t)>& progress) {
  std::map<int64_t, size_t> wanted;  // frame index → shot
  for (size_t s = 0; s < ranges.size(); ++s)
    for (int64_t i : sample_indices(ranges[s].first, ranges[s].last, per_shot)) wanted.emplace(i, s);
  std::vector<std::vector<SampledFrame>> out(ranges.size());
  VideoReadOptions opt;
  opt.output = FrameOutput::Rgb;
  opt.rgb_width = width;
  VideoReader reader(path, opt);
  for (const auto& [idx, shot] : wanted) {
    while (reader.frames_read() < idx) {
      if (!reader.skip()) return out;
      if (progress) progress(reader.frames_read());
    }
    VideoFrame f;
    if (!reader.next(f)) return out;
    if (progress) progress(reader.frames_read());
    out[shot].push_back({f.index, f.time, std::move(f.rgb)});
  }
  return out;
}

}  // namespace autograde
