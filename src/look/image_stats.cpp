#include "image_stats.hpp"

#include <algorithm>
#include <cmath>

#include "autograde/core/error.hpp"

namespace autograde::look_detail {

ImageF analysis_image(const ImageF& image, int max_side, const std::string& name) {
  if (image.empty() || image.width <= 0 || image.height <= 0 || image.channels < 3)
    throw_bad_input(name, "image is empty or has fewer than 3 channels");
  const int long_side = std::max(image.width, image.height);
  const int factor = std::max(1, (long_side + max_side - 1) / std::max(1, max_side));
  const int w = std::max(1, image.width / factor), h = std::max(1, image.height / factor);
  ImageF out(w, h, 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      double acc[3] = {0, 0, 0};
      int n = 0;
      for (int yy = y * factor; yy < std::min(image.height, (y + 1) * factor); ++yy)
        for (int xx = x * factor; xx < std::min(image.width, (x + 1) * factor); ++xx) {
          const float* p = image.at(xx, yy);
          for (int c = 0; c < 3; ++c) {
            if (!std::isfinite(p[c]))
              throw_bad_input(name, "pixel (" + std::to_string(xx) + "," + std::to_string(yy) +
                                        ") holds NaN or infinity");
            acc[c] += p[c];
          }
          ++n;
        }
      float* o = out.at(x, y);
      for (int c = 0; c < 3; ++c) o[c] = float(acc[c] / std::max(1, n));
    }
  return out;
}

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
    const Vec3 lab = linear_srgb_to_oklab({srgb_to_linear(p[0]), srgb_to_linear(p[1]), srgb_to_linear(p[2])});
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
