#include "engine_test_luts.hpp"

#include <cmath>
#include <random>

namespace autograde::testing {

Lut3D make_test_cube(int size, unsigned seed, bool odd_domain) {
  Lut3D lut = Lut3D::identity(size);
  if (odd_domain) {
    lut.domain_min = {-0.1f, 0.f, 0.05f};
    lut.domain_max = {1.2f, 1.f, 0.9f};
  }
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> noise(-0.02f, 0.02f);
  for (int b = 0; b < size; ++b)
    for (int g = 0; g < size; ++g)
      for (int r = 0; r < size; ++r) {
        const float x[3] = {float(r) / float(size - 1), float(g) / float(size - 1),
                            float(b) / float(size - 1)};
        float* e = lut.at(r, g, b);
        for (int c = 0; c < 3; ++c) {
          const float s = x[c] * x[c] * (3.f - 2.f * x[c]);  // smoothstep contrast
          const float mix = 0.75f * s + 0.25f * x[(c + 1) % 3];
          e[c] = 1.1f * mix - 0.05f + noise(rng);  // reaches slightly below 0 and above 1
        }
      }
  return lut;
}

Lut1D make_test_shaper(int size, bool odd_domain) {
  Lut1D s = Lut1D::identity(size);
  if (odd_domain) s.domain_max = {2.f, 1.5f, 1.f};
  for (int i = 0; i < size; ++i) {
    const float x = float(i) / float(size - 1);
    s.table[3 * i + 0] = std::pow(x, 0.8f);
    s.table[3 * i + 1] = std::pow(x, 1.2f);
    s.table[3 * i + 2] = 0.02f + 0.96f * std::sqrt(x);
  }
  return s;
}

}  // namespace autograde::testing
