// Orbit coordinates of the clip-free scaling defects (defect_orbit.hpp).
#include "autograde/training/defect_orbit.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "autograde/color/color.hpp"

namespace autograde::learn {

namespace {

// The per-pixel quantity each family scales, pooled over pixels (and channels where the
// scaling is per channel). Saturation: sum over channels of |x - Y|; contrast: |x - 0.5| per
// channel; exposure: -ln x per channel over the values above 0 (black is a fixed point of every
// gamma and carries no scale).
std::vector<double> scaled_quantity(const ImageF& image, Family f) {
  std::vector<double> q;
  q.reserve(image.pixel_count() * 3);
  for (size_t i = 0; i < image.pixel_count(); ++i) {
    const float* p = image.pixels.data() + i * size_t(image.channels);
    switch (f) {
      case Family::SaturationLow:
      case Family::SaturationHigh: {
        const float y = rec709_luma(Vec3{p[0], p[1], p[2]});
        q.push_back(std::abs(p[0] - y) + std::abs(p[1] - y) + std::abs(p[2] - y));
        break;
      }
      case Family::ContrastLow:
      case Family::ContrastHigh:
        for (int c = 0; c < 3; ++c) q.push_back(std::abs(p[c] - 0.5f));
        break;
      case Family::ExposureDark:
      case Family::ExposureBright:
        for (int c = 0; c < 3; ++c)
          if (p[c] > 0.f) q.push_back(-std::log(double(p[c])));
        break;
      default:
        throw std::invalid_argument("orbit: defect family is not a clip-free scaling");
    }
  }
  return q;
}

bool uses_median(Family f) { return f == Family::ExposureDark || f == Family::ExposureBright; }

double quantile(std::vector<double> v, double p) {
  const size_t k = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
  return v[k];
}

// The scale the coordinate is the log2 of: the mean (a mean of a scaled quantity scales
// exactly), or for exposure the median (-ln x is unbounded at black, a mean would be ruled by
// the darkest pixels).
double scale_of(const std::vector<double>& q, Family f) {
  if (q.empty()) return 0.0;
  if (uses_median(f)) return quantile(q, 0.5);
  double s = 0;
  for (double v : q) s += v;
  return s / double(q.size());
}

double checked_scale(const std::vector<double>& q, Family f) {
  const double s = scale_of(q, f);
  if (!(s > 1e-9))
    throw std::invalid_argument("orbit: picture has no spread in the scaled quantity");
  return s;
}

}  // namespace

std::optional<double> orbit_step(Family f) {
  switch (f) {
    case Family::SaturationLow:
      return -0.9;
    case Family::ContrastLow:
      return -0.6;
    case Family::ExposureDark:
      return 0.8;
    case Family::ExposureBright:
      return -0.8;
    default:
      return std::nullopt;
  }
}

double orbit_coordinate(const ImageF& image, Family f) {
  return std::log2(checked_scale(scaled_quantity(image, f), f));
}

std::vector<double> orbit_invariants(const ImageF& image, Family f) {
  const auto q = scaled_quantity(image, f);
  const double s = checked_scale(q, f);
  std::vector<double> out;
  for (double p : {0.1, 0.25, 0.75, 0.9}) out.push_back(quantile(q, p) / s);
  if (uses_median(f)) return out;
  // Chroma-weighted hue sectors: the hue of (x - Y) in the plane orthogonal to grey.
  std::array<double, 6> sector{};
  double total = 0;
  for (size_t i = 0; i < image.pixel_count(); ++i) {
    const float* p = image.pixels.data() + i * size_t(image.channels);
    const float y = rec709_luma(Vec3{p[0], p[1], p[2]});
    const double r = p[0] - y, g = p[1] - y, b = p[2] - y;
    const double u = (2 * r - g - b) / 2, v = std::sqrt(3.0) / 2 * (g - b);
    const double c = std::hypot(u, v);
    if (c <= 0) continue;
    double h = std::atan2(v, u) / (2 * std::numbers::pi);
    if (h < 0) h += 1;
    sector[std::min<size_t>(5, size_t(h * 6))] += c;
    total += c;
  }
  for (double w : sector) out.push_back(total > 0 ? w / total : 0.0);
  return out;
}

}  // namespace autograde::learn
