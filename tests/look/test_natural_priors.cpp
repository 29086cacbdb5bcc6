// `auto`'s grade-effect estimate (src/look/image_stats.hpp, posterior_grade_effect): the closed
// form E[δ | d] for a Gaussian-scale-mixture grade prior and Gaussian content is checked
// against brute-force numerical integration of the posterior over δ, for every statistic of
// the shipped priors, and against the behaviour the model promises (no deviation, no change;
// odd and monotone in d; large deviations pass almost whole).
#include <gtest/gtest.h>

#include <cmath>

#include "image_stats.hpp"

using namespace autograde::look_detail;

namespace {

// ∫ δ p(δ) N(d - δ; 0, σc²) dδ / ∫ p(δ) N(d - δ; 0, σc²) dδ on a fine grid.
double posterior_mean_by_quadrature(const NaturalPriors& p, int i, double d) {
  double smax = p.stddev[size_t(i)];
  for (float s : p.mix_stddev[size_t(i)]) smax = std::max(smax, double(s));
  const double lo = -12 * smax + std::min(0.0, d), hi = 12 * smax + std::max(0.0, d);
  const int n = 200000;
  const double h = (hi - lo) / n, c2 = double(p.stddev[size_t(i)]) * p.stddev[size_t(i)];
  double num = 0, den = 0;
  for (int k = 0; k <= n; ++k) {
    const double delta = lo + h * k;
    double prior = 0;
    for (int m = 0; m < kGradeMixture; ++m) {
      const double s = p.mix_stddev[size_t(i)][size_t(m)];
      prior += p.mix_weight[size_t(i)][size_t(m)] / s * std::exp(-0.5 * delta * delta / (s * s));
    }
    const double like = std::exp(-0.5 * (d - delta) * (d - delta) / c2);
    num += delta * prior * like;
    den += prior * like;
  }
  return num / den;
}

}  // namespace

TEST(NaturalPriors, PosteriorGradeEffectMatchesNumericalIntegration) {
  const NaturalPriors& p = natural_priors();
  for (int i = 0; i < kStatCount; ++i)
    for (double z : {-4.0, -1.5, -0.3, 0.2, 1.0, 2.5, 6.0}) {
      const double d = z * p.stddev[size_t(i)];
      const double want = posterior_mean_by_quadrature(p, i, d);
      EXPECT_NEAR(posterior_grade_effect(p, i, float(d)), want, 1e-4 * std::abs(d) + 1e-6)
          << "stat " << i << " d " << d;
    }
}

TEST(NaturalPriors, ShrinkageIsOddMonotoneAndPassesLargeDeviations) {
  const NaturalPriors& p = natural_priors();
  for (int i = 0; i < kStatCount; ++i) {
    const float sc = p.stddev[size_t(i)];
    EXPECT_EQ(posterior_grade_effect(p, i, 0.f), 0.f);
    float last = -1e9f;
    for (float z = -8.f; z <= 8.f; z += 0.25f) {
      const float e = posterior_grade_effect(p, i, z * sc);
      EXPECT_NEAR(e, -posterior_grade_effect(p, i, -z * sc), 1e-6f);
      EXPECT_GE(e, last - 1e-7f) << "stat " << i << " z " << z;
      EXPECT_LE(std::abs(e), std::abs(z * sc) + 1e-7f) << "never more than the deviation itself";
      last = e;
    }
    // The share that passes grows with the deviation (heavy-tailed grades): a deviation of
    // 6σc passes at least as large a share as one of 0.5σc.
    const float small = posterior_grade_effect(p, i, 0.5f * sc) / (0.5f * sc);
    const float large = posterior_grade_effect(p, i, 6.f * sc) / (6.f * sc);
    EXPECT_GE(large, small - 1e-6f) << "stat " << i;
  }
}
