// The transfer dial (MatchOptions::transfer, issue 25): T = 0 is `auto` unchanged; T = 1 takes
// the reference's whole colour distribution, judged by an independent sliced Wasserstein
// distance in CIELAB against MKL and Reinhard on pictures whose palettes are not Gaussian, while
// staying smooth, monotone in luminance and keeping black where the reference has black.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <random>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/look/match.hpp"
#include "autograde/lut/interpolate.hpp"

using namespace autograde;

namespace {

// A picture whose colours come from a few tight clusters (each a colour and its share): a
// palette no single Gaussian describes, which is where a full transfer beats MKL's.
ImageF clustered(int w, int h, const std::vector<std::pair<Rgb, double>>& clusters, double spread, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> n;
  std::uniform_real_distribution<double> u;
  ImageF img(w, h, 3);
  for (size_t i = 0; i < img.pixel_count(); ++i) {
    double pick = u(rng);
    size_t k = 0;
    while (k + 1 < clusters.size() && pick > clusters[k].second) pick -= clusters[k++].second;
    const double shade = n(rng) * spread;  // brightness varies within a cluster, as in a scene
    for (int c = 0; c < 3; ++c)
      img.pixels[3 * i + size_t(c)] = float(std::clamp(clusters[k].first[size_t(c)] + shade + 0.3 * spread * n(rng), 0.0, 1.0));
  }
  return img;
}

std::vector<Eigen::Vector3d> lab(const ImageF& im) {
  std::vector<Eigen::Vector3d> v(im.pixel_count());
  for (size_t i = 0; i < v.size(); ++i) {
    const Vec3 l = srgb_to_lab({im.pixels[3 * i], im.pixels[3 * i + 1], im.pixels[3 * i + 2]});
    v[i] = {l[0], l[1], l[2]};
  }
  return v;
}

// Sliced W1 (Rabin, Peyré, Delon & Bernot 2011) in ΔE*ab units over 48 random directions.
double sliced_w1(const std::vector<Eigen::Vector3d>& a, const std::vector<Eigen::Vector3d>& b) {
  std::mt19937 rng(99);
  std::normal_distribution<double> g;
  double total = 0;
  constexpr int kDirs = 48, kQ = 200;
  std::vector<double> pa(a.size()), pb(b.size());
  for (int d = 0; d < kDirs; ++d) {
    const Eigen::Vector3d dir = Eigen::Vector3d(g(rng), g(rng), g(rng)).normalized();
    for (size_t i = 0; i < a.size(); ++i) pa[i] = a[i].dot(dir);
    for (size_t i = 0; i < b.size(); ++i) pb[i] = b[i].dot(dir);
    std::sort(pa.begin(), pa.end());
    std::sort(pb.begin(), pb.end());
    for (int q = 0; q < kQ; ++q) {
      const double u = (q + 0.5) / kQ;
      total += std::abs(pa[size_t(u * double(pa.size() - 1))] - pb[size_t(u * double(pb.size() - 1))]);
    }
  }
  return total / (kDirs * kQ);
}

ImageF graded(const Lut3D& lut, ImageF img) {
  apply_reference(lut, img, Interp::Tetrahedral);
  return img;
}

Lut3D matched(const ImageF& ref, const ImageF& src, const std::string& method, float transfer) {
  MatchOptions o;
  o.method = method;
  o.transfer = transfer;
  return match_reference(ref, std::span<const ImageF>(&src, 1), o).lut;
}

double second_difference_p99(const Lut3D& lut) {
  std::vector<float> d;
  const int n = lut.size;
  for (int b = 1; b + 1 < n; ++b)
    for (int g = 1; g + 1 < n; ++g)
      for (int r = 1; r + 1 < n; ++r)
        for (int axis = 0; axis < 3; ++axis) {
          const int step[3] = {axis == 0, axis == 1, axis == 2};
          const float* lo = lut.at(r - step[0], g - step[1], b - step[2]);
          const float* mid = lut.at(r, g, b);
          const float* hi = lut.at(r + step[0], g + step[1], b + step[2]);
          for (int c = 0; c < 3; ++c) d.push_back(std::abs(lo[c] - 2 * mid[c] + hi[c]));
        }
  std::sort(d.begin(), d.end());
  return d[size_t(0.99 * double(d.size() - 1))];
}

// Teal shadows and orange highlights against a source of greens and greys: two different
// palettes, each with its own spread of brightness.
const ImageF kSource = clustered(96, 64, {{{0.35, 0.5, 0.3}, 0.4}, {{0.6, 0.6, 0.6}, 0.35}, {{0.2, 0.25, 0.3}, 0.25}}, 0.07, 1);
const ImageF kReference =
    clustered(96, 64, {{{0.1, 0.3, 0.35}, 0.5}, {{0.9, 0.6, 0.35}, 0.3}, {{0.5, 0.45, 0.4}, 0.2}}, 0.06, 2);

}  // namespace

TEST(Transfer, ZeroIsAutoUnchanged) {
  MatchOptions plain;
  const MatchResult a = match_reference(kReference, std::span<const ImageF>(&kSource, 1), plain);
  const Lut3D dialled = matched(kReference, kSource, "auto", 0.f);
  EXPECT_EQ(a.lut.table, dialled.table);
  EXPECT_TRUE(a.look.has_value());
}

TEST(Transfer, FullTransferIsCloserToTheReferenceThanMklAndReinhard) {
  const auto ref = lab(kReference);
  const double full = sliced_w1(lab(graded(matched(kReference, kSource, "auto", 1.f), kSource)), ref);
  const double half = sliced_w1(lab(graded(matched(kReference, kSource, "auto", 0.5f), kSource)), ref);
  const double none = sliced_w1(lab(graded(matched(kReference, kSource, "auto", 0.f), kSource)), ref);
  const double mkl = sliced_w1(lab(graded(matched(kReference, kSource, "mkl", 0.f), kSource)), ref);
  const double reinhard = sliced_w1(lab(graded(matched(kReference, kSource, "reinhard", 0.f), kSource)), ref);
  EXPECT_LT(full, mkl);
  EXPECT_LT(full, reinhard);
  // The dial moves steadily from auto's grade to the reference's palette.
  EXPECT_LT(full, half);
  EXPECT_LT(half, none);
  EXPECT_LT(full, 0.5 * sliced_w1(lab(kSource), ref));
}

TEST(Transfer, FullTransferIsSmoothAndMonotoneInLuminance) {
  const Lut3D lut = matched(kReference, kSource, "auto", 1.f);
  EXPECT_LE(second_difference_p99(lut), 0.025);
  EXPECT_TRUE(grey_axis_monotone(lut));
  // Along every lattice line of R, G or B, display luminance may dip only by rounding.
  const int n = lut.size;
  for (int b = 0; b < n; ++b)
    for (int g = 0; g < n; ++g)
      for (int r = 0; r < n; ++r)
        for (int axis = 0; axis < 3; ++axis) {
          int hi[3] = {r, g, b};
          if (++hi[axis] >= n) continue;
          const float* e0 = lut.at(r, g, b);
          const float* e1 = lut.at(hi[0], hi[1], hi[2]);
          ASSERT_GE(display_luminance({e1[0], e1[1], e1[2]}), display_luminance({e0[0], e0[1], e0[2]}) - 2e-3f)
              << "axis " << axis << " at " << r << "," << g << "," << b;
        }
}

TEST(Transfer, KeepsBlackWhereTheReferenceHasBlackAndLiftsItWhereItIsFaded) {
  // Letterbox bars: a tenth of the reference is pure black.
  ImageF bars = kReference;
  for (int y = 0; y < bars.height / 10; ++y)
    for (int x = 0; x < bars.width; ++x)
      for (int c = 0; c < 3; ++c) bars.pixels[(size_t(y) * bars.width + size_t(x)) * 3 + size_t(c)] = 0.f;
  const Lut3D keep = matched(bars, kSource, "auto", 1.f);
  const float* k = keep.at(0, 0, 0);
  EXPECT_LT(srgb_to_lab({k[0], k[1], k[2]})[0], 1.f) << "black must stay black";
  // A faded reference (nothing below about L* 25) lifts black on purpose.
  ImageF faded = kReference;
  for (float& v : faded.pixels) v = 0.25f + 0.7f * v;
  const Lut3D lifted = matched(faded, kSource, "auto", 1.f);
  const float* l = lifted.at(0, 0, 0);
  EXPECT_GT(srgb_to_lab({l[0], l[1], l[2]})[0], 15.f);
}

TEST(Transfer, NeedsASourceAndTheAutoMethod) {
  MatchOptions o;
  o.transfer = 0.5f;
  try {
    match_reference(kReference, {}, o);
    FAIL() << "a transfer without sources must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
  o.method = "mkl";
  EXPECT_THROW(match_reference(kReference, std::span<const ImageF>(&kSource, 1), o), Error);
  o.method = "auto";
  o.transfer = 1.5f;
  EXPECT_THROW(match_reference(kReference, std::span<const ImageF>(&kSource, 1), o), Error);
}
