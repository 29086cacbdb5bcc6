#include "autograde/lut/inspect.hpp"

#include <algorithm>
#include <cmath>

#include "autograde/color/color.hpp"
#include "autograde/lut/interpolate.hpp"

namespace autograde {

LutFacts inspect(const LutFile& lut, float tol) {
  LutFacts f;
  f.min_value = 1e30f;
  f.max_value = -1e30f;
  auto scan = [&](const std::vector<float>& t) {
    for (float v : t) f.min_value = std::min(f.min_value, v), f.max_value = std::max(f.max_value, v);
  };
  if (lut.shaper) scan(lut.shaper->table);
  if (lut.cube) scan(lut.cube->table);
  // Identity: the whole file, sampled on a lattice through its domain, returns its input.
  const int n = lut.cube ? lut.cube->size : std::min(lut.shaper->size, 64);
  const Rgb lo = lut.shaper ? lut.shaper->domain_min : lut.cube->domain_min;
  const Rgb hi = lut.shaper ? lut.shaper->domain_max : lut.cube->domain_max;
  float err = 0.f;
  for (int b = 0; b < n; ++b)
    for (int g = 0; g < n; ++g)
      for (int r = 0; r < n; ++r) {
        Rgb in{lo[0] + (hi[0] - lo[0]) * r / float(n - 1), lo[1] + (hi[1] - lo[1]) * g / float(n - 1),
               lo[2] + (hi[2] - lo[2]) * b / float(n - 1)};
        Rgb out = sample(lut, in, Interp::Tetrahedral);
        for (int c = 0; c < 3; ++c) err = std::max(err, std::abs(out[c] - in[c]));
      }
  f.max_identity_error = err;
  f.identity = err <= tol;
  // Neutral axis: 1024 steps along the grey diagonal of the input domain.
  float prev = -1e30f;
  for (int i = 0; i <= 1024; ++i) {
    float t = float(i) / 1024.f;
    Rgb in{lo[0] + (hi[0] - lo[0]) * t, lo[1] + (hi[1] - lo[1]) * t, lo[2] + (hi[2] - lo[2]) * t};
    Rgb out = sample(lut, in, Interp::Tetrahedral);
    const float y = display_luminance({out[0], out[1], out[2]});
    if (y < prev - 1e-5f) f.neutral_monotone = false;
    prev = std::max(prev, y);
  }
  return f;
}

}  // namespace autograde
