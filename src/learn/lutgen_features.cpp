// Colour-statistics tokens of the learned LUT generator (layout in lutgen_features.hpp).
#include "autograde/learn/lutgen_features.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/image_ops.hpp"

namespace autograde::learn {

namespace {

float percentile_of(std::vector<float>& v, float q) {
  if (v.empty()) return 0.5f;
  const size_t k = std::min(v.size() - 1, size_t(q * float(v.size() - 1) + 0.5f));
  std::nth_element(v.begin(), v.begin() + long(k), v.end());
  return v[k];
}

}  // namespace

LutgenTokens lutgen_tokens(std::span<const Rgb> pixels) {
  if (pixels.empty()) {
    const std::vector<Rgb> grey{Rgb{0.5f, 0.5f, 0.5f}};
    return lutgen_tokens(grey);
  }
  LutgenTokens t;
  // Weighted sums per band: w, L, a, b, L², a², b², C, R, G, B.
  std::array<std::array<double, 11>, kLutgenBands> acc{};
  std::array<double, 16> hist_l{};
  std::array<double, 12> hist_a{}, hist_b{};
  std::array<double, 8> hist_hue{};
  std::array<std::vector<float>, 3> channel;
  for (auto& c : channel) c.reserve(pixels.size());
  double sum_c = 0, sum_c2 = 0, neutral = 0;
  for (const Rgb& raw : pixels) {
    const Rgb p{std::clamp(raw[0], 0.f, 1.f), std::clamp(raw[1], 0.f, 1.f),
                std::clamp(raw[2], 0.f, 1.f)};
    const Vec3 lab = srgb_to_lab({p[0], p[1], p[2]});
    const float L = std::clamp(lab[0], 0.f, 100.f), a = lab[1], b = lab[2];
    const float C = std::hypot(a, b);
    // Triangular bands over L*/100 with centres k/4: weights sum to one.
    const float u = L / 100.f * float(kLutgenBands - 1);
    const int k0 = std::min(kLutgenBands - 2, int(u));
    const float f = u - float(k0);
    const float w[2] = {1.f - f, f};
    for (int j = 0; j < 2; ++j) {
      auto& s = acc[size_t(k0 + j)];
      const double wj = w[j];
      const double v[11] = {1,
                            L / 100.0,
                            a / 100.0,
                            b / 100.0,
                            (L / 100.0) * (L / 100.0),
                            (a / 100.0) * (a / 100.0),
                            (b / 100.0) * (b / 100.0),
                            C / 100.0,
                            p[0],
                            p[1],
                            p[2]};
      for (int q = 0; q < 11; ++q) s[size_t(q)] += wj * v[q];
    }
    hist_l[size_t(std::clamp(int(L / 100.f * 16.f), 0, 15))] += 1;
    hist_a[size_t(std::clamp(int((a + 60.f) / 120.f * 12.f), 0, 11))] += 1;
    hist_b[size_t(std::clamp(int((b + 60.f) / 120.f * 12.f), 0, 11))] += 1;
    if (C > 1e-3f) {
      double h = std::atan2(double(b), double(a));
      if (h < 0) h += 2 * std::numbers::pi;
      hist_hue[size_t(std::clamp(int(h / (2 * std::numbers::pi) * 8.0 + 0.5) % 8, 0, 7))] += C;
    }
    for (int c = 0; c < 3; ++c) channel[size_t(c)].push_back(p[size_t(c)]);
    sum_c += C;
    sum_c2 += double(C) * C;
    if (C < 5.f) neutral += 1;
  }
  const double n = std::max<double>(1.0, double(pixels.size()));
  for (int k = 0; k < kLutgenBands; ++k) {
    auto s = acc[size_t(k)];
    // One pseudo-sample of neutral grey at the band centre keeps empty bands defined.
    const double centre = double(k) / double(kLutgenBands - 1);
    const double grey_code =
        std::clamp(lab_to_srgb({float(100.0 * centre), 0.f, 0.f})[0], 0.f, 1.f);
    const double prior[11] = {1, centre, 0,         0,         centre * centre, 0,
                              0, 0,      grey_code, grey_code, grey_code};
    const double eps = 1e-3 * n / 100.0 + 1e-6;
    for (int q = 1; q < 11; ++q) s[size_t(q)] += eps * prior[q];
    const double wsum = s[0] + eps;
    auto& o = t.band[size_t(k)];
    const double share = s[0] / n;
    o[0] = float(share);
    for (int q = 0; q < 3; ++q) {
      const double mean = s[size_t(1 + q)] / wsum;
      const double var = std::max(0.0, s[size_t(4 + q)] / wsum - mean * mean);
      o[size_t(1 + q)] = float(mean);
      o[size_t(4 + q)] = float(std::sqrt(var));
    }
    o[7] = float(s[7] / wsum);
    for (int c = 0; c < 3; ++c) o[size_t(8 + c)] = float(s[size_t(8 + c)] / wsum);
    o[11] = float(std::log2(share + 1e-3));
  }
  auto& g = t.global;
  for (int i = 0; i < 16; ++i) g[size_t(i)] = float(hist_l[size_t(i)] / n);
  for (int i = 0; i < 12; ++i) g[size_t(16 + i)] = float(hist_a[size_t(i)] / n);
  for (int i = 0; i < 12; ++i) g[size_t(28 + i)] = float(hist_b[size_t(i)] / n);
  double hue_total = 0;
  for (double h : hist_hue) hue_total += h;
  for (int i = 0; i < 8; ++i)
    g[size_t(40 + i)] = hue_total > 1e-6 ? float(hist_hue[size_t(i)] / hue_total) : 0.f;
  constexpr float kQ[7] = {0.01f, 0.05f, 0.25f, 0.5f, 0.75f, 0.95f, 0.99f};
  for (int c = 0; c < 3; ++c)
    for (int q = 0; q < 7; ++q)
      g[size_t(48 + 7 * c + q)] = percentile_of(channel[size_t(c)], kQ[q]);
  const double mc = sum_c / n;
  g[69] = float(mc / 100.0);
  g[70] = float(std::sqrt(std::max(0.0, sum_c2 / n - mc * mc)) / 100.0);
  g[71] = float(neutral / n);
  return t;
}

std::vector<LutgenPatch> lutgen_patch_tokens(const ImageF& img) {
  const int W = img.width, H = img.height, G = kLutgenPatchGrid;
  if (img.channels < 3) throw_internal("lutgen_patch_tokens: needs an RGB thumbnail");
  std::vector<float> y(size_t(W) * size_t(H));
  for (int yy = 0; yy < H; ++yy)
    for (int x = 0; x < W; ++x) {
      const float* p = img.at(x, yy);
      y[size_t(yy) * size_t(W) + size_t(x)] = 0.2126f * std::clamp(p[0], 0.f, 1.f) +
                                              0.7152f * std::clamp(p[1], 0.f, 1.f) +
                                              0.0722f * std::clamp(p[2], 0.f, 1.f);
    }
  auto Y = [&](int x, int yy) { return y[size_t(yy) * size_t(W) + size_t(x)]; };
  // Per cell: n, L, a, b, L², a², b², C; then gradient sums over interior pixels: m, |dx|, |dy|,
  // |laplacian|.
  std::vector<std::array<double, 12>> acc(size_t(kLutgenPatches), std::array<double, 12>{});
  for (int yy = 0; yy < H; ++yy)
    for (int x = 0; x < W; ++x) {
      auto& s = acc[size_t(std::min(G - 1, yy * G / H) * G + std::min(G - 1, x * G / W))];
      const float* p = img.at(x, yy);
      const Vec3 lab = srgb_to_lab(
          {std::clamp(p[0], 0.f, 1.f), std::clamp(p[1], 0.f, 1.f), std::clamp(p[2], 0.f, 1.f)});
      const double L = lab[0] / 100.0, a = lab[1] / 100.0, b = lab[2] / 100.0;
      s[0] += 1, s[1] += L, s[2] += a, s[3] += b;
      s[4] += L * L, s[5] += a * a, s[6] += b * b, s[7] += std::hypot(a, b);
      if (x > 0 && x < W - 1 && yy > 0 && yy < H - 1) {
        const double dx = 0.5 * (Y(x + 1, yy) - Y(x - 1, yy)),
                     dy = 0.5 * (Y(x, yy + 1) - Y(x, yy - 1));
        const double lap =
            Y(x + 1, yy) + Y(x - 1, yy) + Y(x, yy + 1) + Y(x, yy - 1) - 4.0 * Y(x, yy);
        s[8] += 1, s[9] += std::abs(dx), s[10] += std::abs(dy), s[11] += std::abs(lap);
      }
    }
  std::vector<LutgenPatch> out(static_cast<size_t>(kLutgenPatches));
  for (size_t k = 0; k < out.size(); ++k) {
    const auto& s = acc[k];
    auto& o = out[k];
    const double n = std::max(1.0, s[0]), m = std::max(1.0, s[8]);
    for (int c = 0; c < 3; ++c) {
      const double mean = s[size_t(1 + c)] / n;
      o[size_t(c)] = float(mean);
      o[size_t(3 + c)] = float(std::sqrt(std::max(0.0, s[size_t(4 + c)] / n - mean * mean)));
    }
    o[6] = float(s[7] / n);
    const double gx = s[9] / m, gy = s[10] / m;
    o[7] = float(std::log2(gx + gy + 1e-3));
    o[8] = float(std::log2((gx + 1e-3) / (gy + 1e-3)));
    o[9] = float(std::log2(s[11] / m + 1e-3));
  }
  return out;
}

ImageF lutgen_thumbnail(const ImageF& image, const std::string& name) {
  // Whole k x k blocks, not the exact area: the shipped lutgen weights were trained on these
  // thumbnails, and the exact grid would change the features.
  ImageF out = area_average(
      image, {.max_side = kLutgenThumbSide, .grid = AreaGrid::WholeBlocks, .name = name});
  for (float& v : out.pixels) v = std::clamp(v, 0.f, 1.f);
  return out;
}

namespace {

// A thumbnail's pixels (three channels, lutgen_thumbnail) appended to `px`.
void append_pixels(const ImageF& thumb, std::vector<Rgb>& px) {
  for (size_t k = 0; k < thumb.pixel_count(); ++k)
    px.push_back({thumb.pixels[3 * k], thumb.pixels[3 * k + 1], thumb.pixels[3 * k + 2]});
}

}  // namespace

LutgenTokens lutgen_reference_tokens(const ImageF& image, const std::string& name, bool patches) {
  const ImageF thumb = lutgen_thumbnail(image, name);
  std::vector<Rgb> px;
  append_pixels(thumb, px);
  LutgenTokens t = lutgen_tokens(px);
  if (patches) t.patches = lutgen_patch_tokens(thumb);
  return t;
}

std::vector<Rgb> lutgen_pooled_pixels(std::span<const ImageF> images, const std::string& name) {
  std::vector<Rgb> px;
  for (size_t i = 0; i < images.size(); ++i) {
    append_pixels(
        lutgen_thumbnail(images[i], images.size() == 1 ? name : name + " " + std::to_string(i + 1)),
        px);
  }
  return px;
}

}  // namespace autograde::learn
