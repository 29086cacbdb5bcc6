// `auto`'s grade-effect estimate (src/look/image_stats.hpp, posterior_grade_effect): the
// posterior median of δ given d for a two-sided scale-mixture grade prior and Gaussian content
// (closed-form CDF, bisection) is checked
// against brute-force numerical integration of the posterior over δ, for every statistic of
// the shipped priors, and against the behaviour the model promises (no deviation, no change;
// monotone in d; never a larger change than the deviation plus the prior's own bias; large
// deviations pass almost whole; a lopsided prior shrinks one side harder than the other).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "image_stats.hpp"

using namespace autograde::look_detail;

namespace {

double normal(double x, double s) { return std::exp(-0.5 * x * x / (s * s)) / s; }

// The median of p(δ) N(d - δ; 0, σc²), straight from the densities: every grade component and
// side gets its own midpoint grid (each density is smooth on its half-line; the step is well
// below the narrowest scale involved), the masses of all cells are sorted by δ and summed.
double posterior_median_by_quadrature(const NaturalPriors& p, int i, double d) {
  const auto I = size_t(i);
  const double c = p.stddev[I];
  std::vector<std::pair<double, double>> cells;  // (δ, posterior mass)
  for (size_t side = 0; side < 2; ++side)
    for (int m = 0; m < kGradeMixture; ++m) {
      const double s = p.grade_stddev[I][side][size_t(m)], w = p.grade_weight[I][side][size_t(m)];
      const double len = std::min(14 * s, std::abs(d) + 14 * c), h = std::min(s, c) / 400;
      for (double u = 0.5 * h; u < len; u += h) {
        const double delta = side ? u : -u;
        cells.emplace_back(delta, w * 2 * normal(delta, s) * normal(d - delta, c) * h);
      }
    }
  std::sort(cells.begin(), cells.end());
  double total = 0;
  for (const auto& cell : cells) total += cell.second;
  double run = 0;
  for (const auto& [delta, mass] : cells)
    if ((run += mass) >= 0.5 * total) return delta;
  return cells.back().first;
}

}  // namespace

TEST(NaturalPriors, PosteriorGradeEffectMatchesNumericalIntegration) {
  const NaturalPriors& p = natural_priors();
  for (int i = 0; i < kStatCount; ++i)
    for (double z : {-4.0, -1.5, -0.3, 0.0, 0.2, 1.0, 2.5, 6.0}) {
      const double d = z * p.stddev[size_t(i)];
      const double want = posterior_median_by_quadrature(p, i, d);
      const double tol = 2e-3 * std::abs(d) + 2e-3 * p.stddev[size_t(i)];
      EXPECT_NEAR(posterior_median_effect(p, i, d), want, tol) << "stat " << i << " d " << d;
      EXPECT_NEAR(posterior_grade_effect(p, i, float(d)),
                  want - posterior_median_by_quadrature(p, i, 0.0), 2 * tol)
          << "stat " << i << " d " << d;
    }
}

TEST(NaturalPriors, ShrinkageIsMonotoneCentredAndPassesLargeDeviations) {
  const NaturalPriors& p = natural_priors();
  for (int i = 0; i < kStatCount; ++i) {
    const float sc = p.stddev[size_t(i)];
    EXPECT_EQ(posterior_grade_effect(p, i, 0.f), 0.f) << "an average reference changes nothing";
    const float bias = float(std::abs(posterior_median_effect(p, i, 0.0)));
    float last = -1e9f;
    for (float z = -8.f; z <= 8.f; z += 0.25f) {
      const float e = posterior_grade_effect(p, i, z * sc);
      EXPECT_GE(e, last - 1e-7f) << "stat " << i << " z " << z;
      EXPECT_LE(std::abs(e), std::abs(z * sc) + bias + 1e-6f) << "stat " << i << " z " << z;
      last = e;
    }
    // Heavy-tailed grades: on either side, a deviation of 6σc passes at least as large a share
    // as one of 0.5σc.
    for (double sign : {-1.0, 1.0}) {
      const double small = posterior_grade_effect(p, i, float(sign * 0.5 * sc)) / (sign * 0.5 * sc);
      const double large = posterior_grade_effect(p, i, float(sign * 6.0 * sc)) / (sign * 6.0 * sc);
      EXPECT_GE(large, small - 1e-6) << "stat " << i << " sign " << sign;
    }
  }
}

TEST(NaturalPriors, ChromaIsLostByLooksMoreReadilyThanGained) {
  // Monochrome and bleach looks remove most of the chroma; hardly any look triples it. The
  // fitted prior says so, and the estimate follows: a reference 2σc more colourful than
  // photographs usually are is shrunk harder than one 2σc greyer.
  const NaturalPriors& p = natural_priors();
  const int chroma = kStatCount - 1;
  const float sc = p.stddev[size_t(chroma)];
  const float up = posterior_grade_effect(p, chroma, 2.f * sc);
  const float down = -posterior_grade_effect(p, chroma, -2.f * sc);
  EXPECT_GT(up, 0.f);
  EXPECT_LT(up, 0.8f * down);
}

// The band colour statistics are re-expressed as cast / split / bend per OKLab channel; the
// inverse gives the band means back (it is what turns estimated effects into band targets).
TEST(GradeStats, CastSplitBendRoundTripsTheBandMeans) {
  GradeStats s;
  s.band_ab = {{{0.03f, -0.02f}, {0.01f, 0.005f}, {-0.04f, 0.06f}}};
  const auto flat = flatten(s);
  EXPECT_NEAR(flat[kCastStat], (0.03f + 0.01f - 0.04f) / 3.f, 1e-7f);  // cast a
  EXPECT_NEAR(flat[kCastStat + 3], 0.06f + 0.02f, 1e-7f);              // split b = h - s
  const auto back = band_ab_of(flat.data() + kCastStat);
  for (int k = 0; k < kBands; ++k)
    for (int c = 0; c < 2; ++c)
      EXPECT_NEAR(back[size_t(k)][size_t(c)], s.band_ab[size_t(k)][size_t(c)], 1e-6f);
}
