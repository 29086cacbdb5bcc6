// Spatial feature block; layout and sources in spatial_features.hpp.
#include "autograde/learn/spatial_features.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"

namespace autograde::learn {

namespace {

float log2_ratio(double num, double den, double eps) {
  return float(std::log2((num + eps) / (den + eps)));
}

}  // namespace

std::vector<float> spatial_features(const ImageF& img) {
  const int W = img.width, H = img.height;
  if (W < 3 || H < 3) throw_internal("spatial_features: image smaller than 3x3");
  const size_t n = size_t(W) * size_t(H);
  // Planes: code values R, G, B, luma Y (Rec.709 weights on code values), and linear R, G, B.
  std::array<std::vector<float>, 3> code, lin;
  std::vector<float> luma(n), lin_luma(n);
  for (auto& v : code) v.resize(n);
  for (auto& v : lin) v.resize(n);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const float* p = img.at(x, y);
      const size_t i = size_t(y) * size_t(W) + size_t(x);
      Vec3 rgb;
      for (int c = 0; c < 3; ++c) {
        rgb[c] = std::clamp(p[c], 0.f, 1.f);
        code[size_t(c)][i] = rgb[c];
        lin[size_t(c)][i] = srgb_to_linear(rgb[c]);
      }
      luma[i] = rec709_luma(rgb);
      lin_luma[i] = rec709_luma({lin[0][i], lin[1][i], lin[2][i]});
    }
  auto at = [W](const std::vector<float>& v, int x, int y) {
    return v[size_t(y) * size_t(W) + size_t(x)];
  };
  auto grad = [&](const std::vector<float>& v, int x, int y) {
    const float gx = 0.5f * (at(v, x + 1, y) - at(v, x - 1, y));
    const float gy = 0.5f * (at(v, x, y + 1) - at(v, x, y - 1));
    return std::hypot(gx, gy);
  };
  auto laplacian = [&](const std::vector<float>& v, int x, int y) {
    return std::abs(at(v, x + 1, y) + at(v, x - 1, y) + at(v, x, y + 1) + at(v, x, y - 1) -
                    4.f * at(v, x, y));
  };

  std::array<double, 3> edge1{}, edge6{}, lap1{}, sog6{};
  double wsum = 0, wlr = 0, wlb = 0;
  double gy_sum = 0, gchroma_sum = 0;
  std::array<double, 8> bin_g{}, bin_n{};
  double flat_dark = 0, flat_bright = 0, flat_all = 0;
  size_t m = 0;
  for (int y = 1; y + 1 < H; ++y)
    for (int x = 1; x + 1 < W; ++x) {
      ++m;
      const size_t i = size_t(y) * size_t(W) + size_t(x);
      float gmax_code = 0.f;
      for (size_t c = 0; c < 3; ++c) {
        const double g = grad(lin[c], x, y);
        edge1[c] += g;
        edge6[c] += std::pow(g, 6.0);
        lap1[c] += laplacian(lin[c], x, y);
        gmax_code = std::max(gmax_code, grad(code[c], x, y));
      }
      const double w = grad(lin_luma, x, y);
      wsum += w;
      wlr += w * std::log2((lin[0][i] + 0.01) / (lin[1][i] + 0.01));
      wlb += w * std::log2((lin[2][i] + 0.01) / (lin[1][i] + 0.01));
      const double gy = grad(luma, x, y);
      gy_sum += gy;
      const size_t bin = size_t(std::clamp(int(luma[i] * 8.f), 0, 7));
      bin_g[bin] += gy;
      bin_n[bin] += 1;
      // Chroma detail: gradients of the colour-difference planes R - Y and B - Y.
      auto diff_grad = [&](size_t c) {
        const float gx = 0.5f * ((at(code[c], x + 1, y) - at(luma, x + 1, y)) -
                                 (at(code[c], x - 1, y) - at(luma, x - 1, y)));
        const float gyy = 0.5f * ((at(code[c], x, y + 1) - at(luma, x, y + 1)) -
                                  (at(code[c], x, y - 1) - at(luma, x, y - 1)));
        return double(std::hypot(gx, gyy));
      };
      gchroma_sum += diff_grad(0) + diff_grad(2);
      if (gmax_code < 0.5f / 255.f) {
        flat_all += 1;
        if (luma[i] < 0.1f) flat_dark += 1;
        if (luma[i] > 0.9f) flat_bright += 1;
      }
    }
  const double md = double(m);

  // Whole-picture sums.
  double sum_y = 0, sum_y2 = 0, chroma_abs = 0, any_low = 0, any_high = 0;
  for (size_t i = 0; i < n; ++i) {
    sum_y += luma[i];
    sum_y2 += double(luma[i]) * luma[i];
    chroma_abs += std::abs(code[0][i] - luma[i]) + std::abs(code[2][i] - luma[i]);
    float lo = 1.f, hi = 0.f;
    for (size_t c = 0; c < 3; ++c) {
      sog6[c] += std::pow(double(lin[c][i]), 6.0);
      lo = std::min(lo, code[c][i]);
      hi = std::max(hi, code[c][i]);
    }
    any_low += lo <= 0.5f / 255.f;
    any_high += hi >= 254.5f / 255.f;
  }
  const double mean_y = sum_y / double(n);
  const double std_y = std::sqrt(std::max(0.0, sum_y2 / double(n) - mean_y * mean_y));

  // Nearly achromatic pixels: the 10 % lowest code-value saturation among mid-to-bright pixels.
  std::vector<std::pair<float, size_t>> sat;
  for (size_t i = 0; i < n; ++i) {
    if (luma[i] < 0.15f || luma[i] > 0.95f) continue;
    const float mx = std::max({code[0][i], code[1][i], code[2][i]});
    const float mn = std::min({code[0][i], code[1][i], code[2][i]});
    sat.emplace_back((mx - mn) / (mx + 1e-3f), i);
  }
  double grey_lr = 0, grey_lb = 0;
  if (!sat.empty()) {
    const size_t k = std::max<size_t>(1, sat.size() / 10);
    std::nth_element(sat.begin(), sat.begin() + long(k - 1), sat.end());
    for (size_t j = 0; j < k; ++j) {
      const size_t i = sat[j].second;
      grey_lr += std::log2((lin[0][i] + 0.01) / (lin[1][i] + 0.01));
      grey_lb += std::log2((lin[2][i] + 0.01) / (lin[1][i] + 0.01));
    }
    grey_lr /= double(k);
    grey_lb /= double(k);
  }

  // Mean local (8x8 block) standard deviation of luma.
  double block_sd = 0;
  int blocks = 0;
  for (int by = 0; by + 8 <= H; by += 8)
    for (int bx = 0; bx + 8 <= W; bx += 8) {
      double s = 0, s2 = 0;
      for (int y = by; y < by + 8; ++y)
        for (int x = bx; x < bx + 8; ++x) {
          const double v = at(luma, x, y);
          s += v;
          s2 += v * v;
        }
      block_sd += std::sqrt(std::max(0.0, s2 / 64.0 - (s / 64.0) * (s / 64.0)));
      ++blocks;
    }
  block_sd /= std::max(blocks, 1);

  // 3x3 box-blurred extremes (interior pixels).
  std::array<float, 3> bmin{1.f, 1.f, 1.f}, bmax{0.f, 0.f, 0.f};
  float ymax = 0.f;
  auto box = [&](const std::vector<float>& v, int x, int y) {
    float s = 0.f;
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) s += at(v, x + dx, y + dy);
    return s / 9.f;
  };
  for (int y = 1; y + 1 < H; ++y)
    for (int x = 1; x + 1 < W; ++x) {
      for (size_t c = 0; c < 3; ++c) {
        const float b = box(code[c], x, y);
        bmin[c] = std::min(bmin[c], b);
        bmax[c] = std::max(bmax[c], b);
      }
      ymax = std::max(ymax, box(luma, x, y));
    }

  std::vector<float> f;
  f.reserve(kSpatialFeatureCount);
  const double e = 1e-4;
  std::array<double, 3> e1, e6, l1, s6;
  for (size_t c = 0; c < 3; ++c) {
    e1[c] = edge1[c] / md;
    e6[c] = std::pow(edge6[c] / md, 1.0 / 6.0);
    l1[c] = lap1[c] / md;
    s6[c] = std::pow(sog6[c] / double(n), 1.0 / 6.0);
  }
  for (const auto* v : {&e1, &e6, &l1, &s6}) {
    f.push_back(log2_ratio((*v)[0], (*v)[1], e));
    f.push_back(log2_ratio((*v)[2], (*v)[1], e));
  }
  f.push_back(float(wsum > 0 ? wlr / wsum : 0.0));
  f.push_back(float(wsum > 0 ? wlb / wsum : 0.0));
  f.push_back(float(grey_lr));
  f.push_back(float(grey_lb));
  const double mean_g = gy_sum / md;
  for (size_t b = 0; b < 8; ++b)
    f.push_back(bin_n[b] > 0 ? log2_ratio(bin_g[b] / bin_n[b], mean_g, 1e-3) : 0.f);
  f.push_back(float(std::log2(mean_g + 1e-3)));
  f.push_back(float(flat_dark / md));
  f.push_back(float(flat_bright / md));
  f.push_back(float(flat_all / md));
  f.push_back(float(any_low / double(n)));
  f.push_back(float(any_high / double(n)));
  f.push_back(log2_ratio(gchroma_sum / md, mean_g, 1e-3));
  f.push_back(log2_ratio(chroma_abs / double(n), std_y, 1e-3));
  f.push_back(log2_ratio(mean_g, std_y, 1e-3));
  f.push_back(log2_ratio(block_sd, std_y, 1e-3));
  for (size_t c = 0; c < 3; ++c) f.push_back(bmin[c]);
  f.push_back(ymax);
  f.push_back((bmax[0] + bmax[1] + bmax[2]) / 3.f);
  if (f.size() != size_t(kSpatialFeatureCount)) throw_internal("spatial_features: layout mismatch");
  return f;
}

}  // namespace autograde::learn
