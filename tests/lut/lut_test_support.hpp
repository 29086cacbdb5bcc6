#pragma once
// Helpers shared by the LUT tests: reproducible random colours and a per-colour max difference.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde::testing {

// `count` colours uniform in lo..hi per channel, the same for the same `seed`.
inline std::vector<Rgb> random_colours(int count, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<Rgb> out(static_cast<size_t>(count));
  for (auto& c : out) c = {u(rng), u(rng), u(rng)};
  return out;
}

inline float max_diff(Rgb a, Rgb b) {
  return std::max({std::abs(a[0] - b[0]), std::abs(a[1] - b[1]), std::abs(a[2] - b[2])});
}

}  // namespace autograde::testing
