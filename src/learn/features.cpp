// Feature layout documented in features.hpp.
#include "autograde/learn/features.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/image_ops.hpp"
#include "autograde/learn/spatial_features.hpp"

namespace autograde::learn {

namespace {

// Linear interpolation between order statistics (Hyndman & Fan 1996, definition 7).
float percentile_sorted(const std::vector<float>& s, float pct) {
  if (s.empty()) return 0.f;
  const double pos = double(pct) / 100.0 * double(s.size() - 1);
  const size_t i = size_t(std::floor(pos));
  const size_t j = std::min(i + 1, s.size() - 1);
  const double f = pos - double(i);
  return float(s[i] * (1.0 - f) + s[j] * f);
}

}  // namespace

std::vector<float> thumbnail_features(const ImageF& img) {
  const size_t n = img.pixel_count();
  if (n == 0) throw_internal("thumbnail_features: empty image");
  const int ch = img.channels;
  std::array<std::vector<float>, 4> chan;  // R, G, B, luma
  for (auto& v : chan) v.resize(n);
  std::vector<float> a(n), b(n), chroma(n), lstar(n);
  for (size_t i = 0; i < n; ++i) {
    const float* p = img.pixels.data() + i * size_t(ch);
    const Vec3 rgb{std::clamp(p[0], 0.f, 1.f), std::clamp(p[1], 0.f, 1.f),
                   std::clamp(p[2], 0.f, 1.f)};
    chan[0][i] = rgb[0];
    chan[1][i] = rgb[1];
    chan[2][i] = rgb[2];
    chan[3][i] = rec709_luma(rgb);
    const Vec3 lab = srgb_to_lab(rgb);
    lstar[i] = lab[0];
    a[i] = lab[1];
    b[i] = lab[2];
    chroma[i] = std::hypot(lab[1], lab[2]);
  }
  std::vector<float> f;
  f.reserve(kFeatureCount);

  // Per-pixel sums that need the unsorted order, before the channels get sorted.
  std::array<double, 5> band_n{}, band_a{}, band_b{}, band_c{};
  double mean_a = 0, mean_b = 0, lr = 0, lb = 0, ln = 0;
  std::array<double, 16> hist{};
  for (size_t i = 0; i < n; ++i) {
    const int band = std::clamp(int(lstar[i] / 20.f), 0, 4);
    band_n[size_t(band)] += 1;
    band_a[size_t(band)] += a[i];
    band_b[size_t(band)] += b[i];
    band_c[size_t(band)] += chroma[i];
    mean_a += a[i];
    mean_b += b[i];
    hist[size_t(std::clamp(int(chan[3][i] * 16.f), 0, 15))] += 1;
    if (chan[3][i] >= 0.1f && chan[3][i] <= 0.9f) {
      lr += std::log2((chan[0][i] + 0.02) / (chan[1][i] + 0.02));
      lb += std::log2((chan[2][i] + 0.02) / (chan[1][i] + 0.02));
      ln += 1;
    }
  }
  // Brightest / darkest 5 % by luma.
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  const size_t k = std::max<size_t>(1, n / 20);
  std::nth_element(order.begin(), order.begin() + long(k), order.end(),
                   [&](size_t x, size_t y) { return chan[3][x] < chan[3][y]; });
  std::array<double, 3> dark{}, bright{};
  for (size_t i = 0; i < k; ++i)
    for (int c = 0; c < 3; ++c) dark[size_t(c)] += chan[size_t(c)][order[i]];
  std::nth_element(order.begin(), order.begin() + long(k), order.end(),
                   [&](size_t x, size_t y) { return chan[3][x] > chan[3][y]; });
  for (size_t i = 0; i < k; ++i)
    for (int c = 0; c < 3; ++c) bright[size_t(c)] += chan[size_t(c)][order[i]];

  constexpr std::array<float, 11> kPct{0.2f, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.8f};
  for (auto& v : chan) {
    std::sort(v.begin(), v.end());
    for (float p : kPct) f.push_back(percentile_sorted(v, p));
  }
  for (auto& v : chan) {
    const auto lo = std::upper_bound(v.begin(), v.end(), 0.5f / 255.f) - v.begin();
    const auto hi = v.end() - std::lower_bound(v.begin(), v.end(), 254.5f / 255.f);
    f.push_back(float(lo) / float(n));
    f.push_back(float(hi) / float(n));
  }
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::sort(chroma.begin(), chroma.end());
  for (float p : {5.f, 25.f, 50.f, 75.f, 95.f}) f.push_back(percentile_sorted(a, p) / 100.f);
  for (float p : {5.f, 25.f, 50.f, 75.f, 95.f}) f.push_back(percentile_sorted(b, p) / 100.f);
  for (float p : {10.f, 50.f, 90.f, 99.f}) f.push_back(percentile_sorted(chroma, p) / 100.f);
  f.push_back(float(mean_a / double(n) / 100.0));
  f.push_back(float(mean_b / double(n) / 100.0));
  for (size_t i = 0; i < 5; ++i) {
    const double m = std::max(band_n[i], 1.0);
    f.push_back(float(band_n[i] / double(n)));
    f.push_back(float(band_a[i] / m / 100.0));
    f.push_back(float(band_b[i] / m / 100.0));
    f.push_back(float(band_c[i] / m / 100.0));
  }
  for (double h : hist) f.push_back(float(h / double(n)));
  for (int c = 0; c < 3; ++c) f.push_back(float(bright[size_t(c)] / double(k)));
  for (int c = 0; c < 3; ++c) f.push_back(float(dark[size_t(c)] / double(k)));
  f.push_back(float(ln > 0 ? lr / ln : 0.0));
  f.push_back(float(ln > 0 ? lb / ln : 0.0));
  if (f.size() != size_t(kGlobalFeatureCount))
    throw_internal("thumbnail_features: layout mismatch");
  const auto spatial = spatial_features(img);
  f.insert(f.end(), spatial.begin(), spatial.end());
  if (f.size() != size_t(kFeatureCount)) throw_internal("thumbnail_features: layout mismatch");
  return f;
}

void require_feature_version(int found, const std::string& source_name, const std::string& model) {
  if (found != kFeatureVersion)
    throw_bad_input(
        source_name,
        model + " was trained on image features version " + std::to_string(found) +
            " but this build computes version " + std::to_string(kFeatureVersion) + " (" +
            std::to_string(kFeatureCount) +
            " features); retrain it (make train) or use the weights shipped with this build");
}

std::vector<float> image_features(const ImageF& image) {
  return thumbnail_features(area_average(image, {.max_side = kFeatureSide}));
}

std::vector<float> mean_image_features(const std::vector<ImageF>& frames) {
  std::vector<float> mean(size_t(kFeatureCount), 0.f);
  for (const auto& f : frames) {
    const auto feat = image_features(f);
    for (size_t i = 0; i < mean.size(); ++i) mean[i] += feat[i] / float(frames.size());
  }
  return mean;
}

}  // namespace autograde::learn
