#include "autograde/analysis/color_histogram.hpp"

#include <algorithm>
#include <cmath>

#include "autograde/color/color.hpp"

namespace autograde {

namespace {

// Cb/Cr bin from a colour-difference value in code values (−0.5..0.5). Natural pictures keep
// most chroma within ±0.1, so the edges split near zero rather than evenly over the range.
int chroma_bin(float c) {
  if (c < -0.04f) return 0;
  if (c < 0.f) return 1;
  if (c < 0.04f) return 2;
  return 3;
}

// Linear (tent) vote of a 0..1 value into `bins` bins with centres at (i + 0.5) / bins.
inline void luma_vote(float y, int bins, int& lo, float& w_hi) {
  float x = std::clamp(y, 0.f, 1.f) * bins - 0.5f;
  if (x <= 0.f) {
    lo = 0;
    w_hi = 0.f;
    return;
  }
  if (x >= float(bins - 1)) {
    lo = bins - 1;
    w_hi = 0.f;
    return;
  }
  lo = int(x);
  w_hi = x - float(lo);
}

}  // namespace

ColorHistogram compute_color_histogram(const ImageF& image) {
  ColorHistogram h;
  if (image.empty() || image.channels < 3) return h;
  constexpr int L = ColorHistogram::kLumaBins, C = ColorHistogram::kChromaBins;
  std::array<float, ColorHistogram::kRegions> region_count{};
  double sy = 0, syy = 0;
  for (int y = 0; y < image.height; ++y) {
    const int ry = std::min(3, y * 4 / image.height);
    const float* p = image.row(y);
    for (int x = 0; x < image.width; ++x, p += image.channels) {
      // ITU-R BT.709-6 luma and colour differences (item 3.2/3.3) on code values.
      Vec3 rgb{p[0], p[1], p[2]};
      float Y = rec709_luma(rgb);
      float cb = (rgb[2] - Y) / 1.8556f, cr = (rgb[0] - Y) / 1.5748f;
      sy += Y;
      syy += double(Y) * Y;
      int lo;
      float w;
      luma_vote(Y, L, lo, w);
      const int chroma = chroma_bin(cb) * C + chroma_bin(cr);
      h.color[size_t((lo * C * C) + chroma)] += 1.f - w;
      if (w > 0.f) h.color[size_t(((lo + 1) * C * C) + chroma)] += w;
      const int region = ry * 4 + std::min(3, x * 4 / image.width);
      float* r = h.regions.data() + region * L;
      r[lo] += 1.f - w;
      if (w > 0.f) r[lo + 1] += w;
      region_count[size_t(region)] += 1.f;
    }
  }
  const double n = double(image.pixel_count());
  for (float& v : h.color) v = float(v / n);
  for (int r = 0; r < ColorHistogram::kRegions; ++r)
    if (region_count[size_t(r)] > 0)
      for (int b = 0; b < L; ++b) h.regions[size_t(r * L + b)] /= region_count[size_t(r)];
  h.luma_mean = float(sy / n);
  h.luma_stddev = float(std::sqrt(std::max(0.0, syy / n - (sy / n) * (sy / n))));
  return h;
}

float color_distance(const ColorHistogram& a, const ColorHistogram& b) {
  double s = 0;
  for (size_t i = 0; i < a.color.size(); ++i) s += std::fabs(a.color[i] - b.color[i]);
  return float(0.5 * s);
}

float layout_distance(const ColorHistogram& a, const ColorHistogram& b) {
  double s = 0;
  for (size_t i = 0; i < a.regions.size(); ++i) s += std::fabs(a.regions[i] - b.regions[i]);
  return float(0.5 * s / ColorHistogram::kRegions);
}

float frame_difference(const ColorHistogram& a, const ColorHistogram& b) {
  return 0.5f * (color_distance(a, b) + layout_distance(a, b));
}

}  // namespace autograde
