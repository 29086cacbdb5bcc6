#include "image_stats.hpp"

#include <algorithm>
#include <cmath>

#include "autograde/core/error.hpp"

namespace autograde::look_detail {

std::vector<Rgb> pixels_of(const ImageF& image) {
  std::vector<Rgb> px(image.pixel_count());
  for (size_t i = 0; i < px.size(); ++i)
    for (int c = 0; c < 3; ++c)
      px[i][c] = std::clamp(image.pixels[i * size_t(image.channels) + c], 0.f, 1.f);
  return px;
}

std::array<float, kBands> band_weights(float L) {
  const float t = std::clamp(L, 0.f, 1.f);
  return {(1 - t) * (1 - t), 2 * t * (1 - t), t * t};
}

GradeStats grade_stats(const std::vector<Rgb>& pixels) {
  GradeStats s;
  if (pixels.empty()) return s;
  std::vector<float> grey;
  grey.reserve(pixels.size());
  double band_w[kBands] = {0, 0, 0}, band_a[kBands] = {0, 0, 0}, band_b[kBands] = {0, 0, 0};
  double chroma = 0;
  for (const Rgb& p : pixels) {
    const Vec3 lab =
        linear_srgb_to_oklab({srgb_to_linear(p[0]), srgb_to_linear(p[1]), srgb_to_linear(p[2])});
    const float L = std::clamp(lab[0], 0.f, 1.f);
    grey.push_back(linear_to_srgb(L * L * L));  // OKLab grey has linear Y = L^3
    const auto w = band_weights(L);
    for (int k = 0; k < kBands; ++k) {
      band_w[k] += w[k];
      band_a[k] += w[k] * lab[1];
      band_b[k] += w[k] * lab[2];
    }
    chroma += std::hypot(lab[1], lab[2]);
  }
  std::sort(grey.begin(), grey.end());
  for (int q = 0; q < kToneQuantiles; ++q) {
    const float pos = kToneLevels[q] * float(grey.size() - 1);
    const size_t i = size_t(pos);
    const float f = pos - float(i);
    s.tone[q] = grey[i] + (i + 1 < grey.size() ? f * (grey[i + 1] - grey[i]) : 0.f);
  }
  for (int k = 0; k < kBands; ++k) {
    s.band_ab[k][0] = band_w[k] > 1e-9 ? float(band_a[k] / band_w[k]) : 0.f;
    s.band_ab[k][1] = band_w[k] > 1e-9 ? float(band_b[k] / band_w[k]) : 0.f;
  }
  s.log_chroma = float(std::log(chroma / double(pixels.size()) + 0.01));
  return s;
}

std::array<float, kStatCount> flatten(const GradeStats& s) {
  std::array<float, kStatCount> v{};
  int i = 0;
  for (float t : s.tone) v[i++] = t;
  const auto& b = s.band_ab;  // [shadows, midtones, highlights][a, b]
  for (int c = 0; c < 2; ++c) v[i + c] = (b[0][c] + b[1][c] + b[2][c]) / 3.f;
  for (int c = 0; c < 2; ++c) v[i + 2 + c] = b[2][c] - b[0][c];
  for (int c = 0; c < 2; ++c) v[i + 4 + c] = b[1][c] - 0.5f * (b[0][c] + b[2][c]);
  i += 2 * kBands;
  v[i++] = s.log_chroma;
  return v;
}

std::array<std::array<float, 2>, kBands> band_ab_of(const float* u) {
  std::array<std::array<float, 2>, kBands> b{};
  for (int c = 0; c < 2; ++c) {
    const float cast = u[c], split = u[2 + c], bend = u[4 + c];
    b[0][c] = cast - bend / 3.f - 0.5f * split;
    b[1][c] = cast + 2.f * bend / 3.f;
    b[2][c] = cast - bend / 3.f + 0.5f * split;
  }
  return b;
}

}  // namespace autograde::look_detail
