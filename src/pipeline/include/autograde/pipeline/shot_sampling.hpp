#pragma once
// Frames spread across each shot, for matching and for the report, read in one streaming pass
// over the clip (frames in between are skipped without pixel conversion).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde {

struct ShotRange {
  int64_t first = 0, last = 0;  // inclusive frame indices
};

struct SampledFrame {
  int64_t index = 0;
  double time = 0;
  ImageF rgb;  // display code values of the file (input encoding), downscaled
};

// `per_shot` frames per range (evenly spread, ends included, fewer for short shots), RGB
// `width` pixels wide (0 = native). Result[i] holds the frames of ranges[i].
std::vector<std::vector<SampledFrame>> sample_shots(const std::string& path, const std::vector<ShotRange>& ranges,
                                                    int per_shot, int width,
                                                    const std::function<void(int64_t)>& progress = {});

}  // namespace autograde
