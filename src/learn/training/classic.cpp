#include "autograde/training/classic.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "autograde/color/color.hpp"
#include "autograde/core/image_ops.hpp"
#include "autograde/learn/features.hpp"

namespace autograde::learn {

Lut3D classic_auto_correct_lut(const ImageF& image, int size) {
  const ImageF small = area_average(image, {.max_side = 256});
  const size_t n = small.pixel_count();
  // Grey world in linear light: gains that make the channel means equal to their average.
  double sum[3] = {0, 0, 0};
  for (size_t i = 0; i < n; ++i)
    for (int c = 0; c < 3; ++c)
      sum[c] += srgb_to_linear(std::clamp(small.pixels[3 * i + size_t(c)], 0.f, 1.f));
  const double grey = (sum[0] + sum[1] + sum[2]) / 3.0;
  float gain[3];
  for (int c = 0; c < 3; ++c) gain[c] = float(sum[c] > 1e-9 ? grey / sum[c] : 1.0);
  auto balance = [&](Rgb x) {
    for (int c = 0; c < 3; ++c)
      x[size_t(c)] = linear_to_srgb(
          std::min(1.f, srgb_to_linear(std::clamp(x[size_t(c)], 0.f, 1.f)) * gain[c]));
    return x;
  };
  // Auto-levels on the balanced image's luma.
  std::vector<float> luma(n);
  for (size_t i = 0; i < n; ++i) {
    const Rgb b =
        balance(Rgb{small.pixels[3 * i], small.pixels[3 * i + 1], small.pixels[3 * i + 2]});
    luma[i] = rec709_luma(b);
  }
  std::sort(luma.begin(), luma.end());
  const float lo = luma[size_t(0.005 * double(n - 1))];
  const float hi = luma[size_t(0.995 * double(n - 1))];
  const float range = std::max(hi - lo, 0.05f);
  Lut3D lut = Lut3D::identity(size);
  for (int b = 0; b < size; ++b)
    for (int g = 0; g < size; ++g)
      for (int r = 0; r < size; ++r) {
        float* p = lut.at(r, g, b);
        Rgb x = balance(Rgb{p[0], p[1], p[2]});
        for (int c = 0; c < 3; ++c) p[c] = std::clamp((x[size_t(c)] - lo) / range, 0.f, 1.f);
      }
  return lut;
}

}  // namespace autograde::learn
