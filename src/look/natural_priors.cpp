// Priors of natural-image statistics used by `auto` (image_stats.hpp): the content mean and
// spread of ungraded photographs, and per statistic the two-sided scale mixture of grade
// effects (weights πk⁻, πk⁺, then scales sk⁻, sk⁺; EM on each side of the observed effects
// δ = stats(L(image)) - stats(image)).
// Fitted by `bench_match --fit-priors` on held-in halves only: content statistics from the
// even-indexed files of ../shared/data/images (Kodak, scikit-image, Debian wallpapers),
// grade effects from the even-indexed creative LUTs of ../shared/data/luts applied to those
// images. Statistics are treated independently (too few LUTs for cross terms).
// `bench_match --half odd` checks on the other images and LUTs.
// Order: 7 tone quantiles (grey code value at 1/5/25/50/75/95/99 %), OKLab (a, b) means for
// shadows / midtones / highlights, log(mean OKLab chroma + 0.01).
// content: 33 images; grade: 528 (LUT, image) pairs from 16 LUTs
#include <algorithm>
#include <cmath>
#include <numbers>

#include "image_stats.hpp"

namespace autograde::look_detail {

namespace {

// log Φ(t) of the standard normal, stable far into the lower tail (asymptotic series below
// t = -30, where erfc underflows).
double log_normal_cdf(double t) {
  if (t > -30) return std::log(0.5 * std::erfc(-t / std::numbers::sqrt2));
  return -0.5 * t * t - std::log(-t) - 0.5 * std::log(2 * std::numbers::pi) +
         std::log1p(-1 / (t * t));
}

// The posterior of δ given d: one normal N(m, sd²) truncated to its side per grade component,
// with normalised weights.
struct Truncated {
  double weight, m, sd, sign, log_mass;  // log_mass = log Φ(sign·m/sd)
};
std::array<Truncated, 2 * kGradeMixture> posterior(const NaturalPriors& prior, int i, double d) {
  const auto I = size_t(i);
  const double c = prior.stddev[I];
  std::array<Truncated, 2 * kGradeMixture> post{};
  double top = -1e300;
  for (int side = 0, n = 0; side < 2; ++side)
    for (int k = 0; k < kGradeMixture; ++k, ++n) {
      Truncated& p = post[size_t(n)];
      p.sign = side ? 1.0 : -1.0;
      const double s = prior.grade_stddev[I][size_t(side)][size_t(k)];
      const double vd = s * s + c * c;
      p.m = s * s / vd * d;
      p.sd = s * c / std::sqrt(vd);
      p.log_mass = log_normal_cdf(p.sign * p.m / p.sd);
      // log of πk · 2N(d; 0, vd) · Φ(sign·m/sd), dropping the shared constant.
      p.weight = std::log(std::max(1e-12, double(prior.grade_weight[I][size_t(side)][size_t(k)]))) -
                 0.5 * std::log(vd) - 0.5 * d * d / vd + p.log_mass;
      top = std::max(top, p.weight);
    }
  double total = 0;
  for (auto& p : post) total += p.weight = std::exp(p.weight - top);
  for (auto& p : post) p.weight /= total;
  return post;
}

// P(δ ≤ x | d). Each truncated piece is written as a ratio of lower-tail probabilities, so
// pieces whose untruncated mean lies deep on the other side of zero stay accurate.
double posterior_cdf(const std::array<Truncated, 2 * kGradeMixture>& post, double x) {
  double f = 0;
  for (const auto& p : post) {
    if (p.sign < 0)  // support δ < 0: P(δ ≤ x) = Φ((x - m)/sd) / Φ(-m/sd) below zero
      f += p.weight * (x >= 0 ? 1.0 : std::exp(log_normal_cdf((x - p.m) / p.sd) - p.log_mass));
    else  // support δ > 0: P(δ > x) = Φ((m - x)/sd) / Φ(m/sd) above zero
      f +=
          p.weight * (x <= 0 ? 0.0 : 1.0 - std::exp(log_normal_cdf((p.m - x) / p.sd) - p.log_mass));
  }
  return f;
}

}  // namespace

double posterior_median_effect(const NaturalPriors& prior, int i, double d) {
  const auto post = posterior(prior, i, d);
  double spread = prior.stddev[size_t(i)];
  for (const auto& side : prior.grade_stddev[size_t(i)])
    for (float s : side) spread = std::max(spread, double(s));
  double lo = std::min(0.0, d) - 12 * spread, hi = std::max(0.0, d) + 12 * spread;
  for (int it = 0; it < 80; ++it) {
    const double mid = 0.5 * (lo + hi);
    (posterior_cdf(post, mid) < 0.5 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

float posterior_grade_effect(const NaturalPriors& prior, int i, float d) {
  return float(posterior_median_effect(prior, i, d) - posterior_median_effect(prior, i, 0.0));
}

const NaturalPriors& natural_priors() {
  static const NaturalPriors p{
      {0.14985f, 0.20649f, 0.33449f, 0.45514f, 0.58519f, 0.76578f, 0.85175f, 0.00610f, 0.01397f,
       0.00435f, 0.01823f, 0.00203f, 0.02279f, -2.78841f},
      {0.13450f, 0.13738f, 0.14708f, 0.16031f, 0.16921f, 0.16709f, 0.13164f, 0.03242f, 0.04630f,
       0.03293f, 0.04701f, 0.03115f, 0.04623f, 0.46521f},
      {{{{{0.06889f, 0.34013f, 0.14591f}, {0.13368f, 0.17331f, 0.13809f}}},
        {{{0.06489f, 0.24657f, 0.26525f}, {0.06226f, 0.06478f, 0.29626f}}},
        {{{0.06527f, 0.21427f, 0.22614f}, {0.11355f, 0.20851f, 0.17227f}}},
        {{{0.06264f, 0.23612f, 0.17094f}, {0.14140f, 0.23720f, 0.15171f}}},
        {{{0.06709f, 0.21251f, 0.14085f}, {0.10838f, 0.30384f, 0.16733f}}},
        {{{0.08148f, 0.20942f, 0.19205f}, {0.08253f, 0.34756f, 0.08695f}}},
        {{{0.10675f, 0.26523f, 0.17348f}, {0.10083f, 0.22198f, 0.13174f}}},
        {{{0.06194f, 0.23331f, 0.25116f}, {0.05909f, 0.25510f, 0.13940f}}},
        {{{0.06122f, 0.20604f, 0.35111f}, {0.05879f, 0.19669f, 0.12616f}}},
        {{{0.06257f, 0.17821f, 0.26773f}, {0.06044f, 0.23803f, 0.19301f}}},
        {{{0.05854f, 0.25144f, 0.28187f}, {0.09548f, 0.13391f, 0.17875f}}},
        {{{0.05970f, 0.13799f, 0.27674f}, {0.06152f, 0.18232f, 0.28173f}}},
        {{{0.16480f, 0.32568f, 0.06918f}, {0.06025f, 0.13432f, 0.24577f}}},
        {{{0.28037f, 0.13442f, 0.15812f}, {0.05928f, 0.19225f, 0.17555f}}}}},
      {{{{{0.00014f, 0.03954f, 0.09805f}, {0.00848f, 0.12638f, 0.12638f}}},
        {{{0.00014f, 0.03429f, 0.09478f}, {0.00014f, 0.01327f, 0.12099f}}},
        {{{0.00015f, 0.03754f, 0.11191f}, {0.04753f, 0.04753f, 0.15027f}}},
        {{{0.00016f, 0.03717f, 0.13034f}, {0.05326f, 0.05326f, 0.15289f}}},
        {{{0.00017f, 0.03255f, 0.13186f}, {0.05543f, 0.05543f, 0.13603f}}},
        {{{0.00017f, 0.02980f, 0.09532f}, {0.00017f, 0.05978f, 0.13615f}}},
        {{{0.00013f, 0.03650f, 0.08784f}, {0.00013f, 0.03922f, 0.09740f}}},
        {{{0.00003f, 0.01386f, 0.04418f}, {0.00003f, 0.01168f, 0.04409f}}},
        {{{0.00005f, 0.02150f, 0.03450f}, {0.00005f, 0.01505f, 0.05215f}}},
        {{{0.00003f, 0.01119f, 0.04109f}, {0.00003f, 0.01097f, 0.03467f}}},
        {{{0.00005f, 0.01745f, 0.03702f}, {0.00992f, 0.01004f, 0.04692f}}},
        {{{0.00003f, 0.00791f, 0.03679f}, {0.00003f, 0.00934f, 0.02607f}}},
        {{{0.00746f, 0.02615f, 0.05400f}, {0.00005f, 0.01118f, 0.04224f}}},
        {{{0.21910f, 1.37075f, 1.37075f}, {0.00047f, 0.23270f, 0.50841f}}}}}};
  return p;
}

}  // namespace autograde::look_detail
