// `auto`'s grade-effect estimate (src/look/image_stats.hpp, posterior_grade_effect): the closed
// form E[δ | d] for a two-sided scale-mixture grade prior and Gaussian content is checked
// against brute-force numerical integration of the posterior over δ, for every statistic of
// the shipped priors, and against the behaviour the model promises (no deviation, no change;
// monotone in d; never a larger change than the deviation plus the prior's own bias; large
// deviations pass almost whole; a lopsided prior shrinks one side harder than the other).
#include <gtest/gtest.h>

#include <cmath>

#include "image_stats.hpp"

using namespace autograde::look_detail;

namespace {

double normal(double x, double s) { return std::exp(-0.5 * x * x / (s * s)) / s; }

// ∫ δ p(δ) p_c(d - δ) dδ / ∫ p(δ) p_c(d - δ) dδ by the midpoint rule, straight from the
// densities: one integral per grade component and side (each smooth on its half-line, with a
// step well below the narrowest scale involved).
double posterior_mean_by_quadrature(const NaturalPriors& p, int i, double d) {
  const auto I = size_t(i);
  const double c = p.stddev[I];
  double num = 0, den = 0;
  for (size_t side = 0; side < 2; ++side)
    for (int m = 0; m < kGradeMixture; ++m) {
      const double s = p.grade_stddev[I][side][size_t(m)], w = p.grade_weight[I][side][size_t(m)];
      const double len = 12 * std::max(s, c) + std::abs(d), h = std::min(s, c) / 40;
      const long n = long(std::ceil(len / h));
      for (long k = 0; k < n; ++k) {
        const double u = (double(k) + 0.5) * h, delta = side ? u : -u;
        const double weight = w * 2 * normal(delta, s) * normal(d - delta, c) * h;
        num += delta * weight;
        den += weight;
      }
    }
  return num / den;
}

}  // namespace

TEST(NaturalPriors, PosteriorGradeEffectMatchesNumericalIntegration) {
  const NaturalPriors& p = natural_priors();
  for (int i = 0; i < kStatCount; ++i)
    for (double z : {-4.0, -1.5, -0.3, 0.0, 0.2, 1.0, 2.5, 6.0}) {
      const double d = z * p.stddev[size_t(i)];
      const double want = posterior_mean_by_quadrature(p, i, d);
      EXPECT_NEAR(posterior_mean_effect(p, i, d), want,
                  2e-4 * std::abs(d) + 2e-5 * p.stddev[size_t(i)])
          << "stat " << i << " d " << d;
      EXPECT_NEAR(posterior_grade_effect(p, i, float(d)),
                  want - posterior_mean_by_quadrature(p, i, 0.0),
                  2e-4 * std::abs(d) + 4e-5 * p.stddev[size_t(i)])
          << "stat " << i << " d " << d;
    }
}

TEST(NaturalPriors, ShrinkageIsMonotoneCentredAndPassesLargeDeviations) {
  const NaturalPriors& p = natural_priors();
  for (int i = 0; i < kStatCount; ++i) {
    const float sc = p.stddev[size_t(i)];
    EXPECT_EQ(posterior_grade_effect(p, i, 0.f), 0.f) << "an average reference changes nothing";
    const float bias = float(std::abs(posterior_mean_effect(p, i, 0.0)));
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
