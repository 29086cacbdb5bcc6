// Priors of natural-image statistics used by `auto` (image_stats.hpp): the content mean and
// spread of ungraded photographs, and per statistic the two-sided scale mixture of grade
// effects (weights πk⁻, πk⁺, then scales sk⁻, sk⁺; EM on each side of the observed effects
// δ = stats(L(image)) - stats(image)).
// Fitted by `bench_match --fit-priors` on held-in halves only: content statistics from the
// even-indexed files of ../shared/data/images (Kodak, scikit-image, Debian wallpapers),
// grade effects from the even-indexed creative LUTs of ../shared/data/luts applied to those
// images. Statistics are treated independently (too few LUTs for cross terms).
// `bench_match --half odd` checks on the other images and LUTs.
// Order: 7 tone quantiles (grey code value at 1/5/25/50/75/95/99 %), the band OKLab (a, b)
// means as cast, split and bend (a, b each; see flatten in image_stats.hpp), log(mean OKLab
// chroma + 0.01).
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
      // A scale of zero (a point mass at no change) is kept just above it so m / sd is defined.
      const double s = std::max(double(prior.grade_stddev[I][size_t(side)][size_t(k)]), 1e-6 * c);
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
      {0.14985f, 0.20649f, 0.33449f, 0.45514f, 0.58519f, 0.76578f, 0.85175f, 0.0041605f, 0.018332f,
       -0.0040707f, 0.0088243f, 0.00028738f, -0.00014758f, -2.7884f},
      {0.1345f, 0.13738f, 0.14708f, 0.16031f, 0.16921f, 0.16709f, 0.13164f, 0.031784f, 0.045667f,
       0.012001f, 0.021297f, 0.0021331f, 0.0034993f, 0.46521f},
      {{{{{0.06889f, 0.34013f, 0.14591f}, {0.13368f, 0.17331f, 0.13809f}}},
        {{{0.064888f, 0.24657f, 0.26525f}, {0.062255f, 0.064784f, 0.29626f}}},
        {{{0.065268f, 0.21427f, 0.22614f}, {0.11355f, 0.20851f, 0.17227f}}},
        {{{0.062636f, 0.23612f, 0.17094f}, {0.1414f, 0.2372f, 0.15171f}}},
        {{{0.067089f, 0.21251f, 0.14085f}, {0.10838f, 0.30384f, 0.16733f}}},
        {{{0.081485f, 0.20942f, 0.19205f}, {0.082534f, 0.34756f, 0.086949f}}},
        {{{0.10675f, 0.26523f, 0.17348f}, {0.10083f, 0.22198f, 0.13174f}}},
        {{{0.063448f, 0.18624f, 0.26262f}, {0.058106f, 0.2324f, 0.19718f}}},
        {{{0.060501f, 0.26648f, 0.26866f}, {0.063826f, 0.1644f, 0.17613f}}},
        {{{0.062975f, 0.21978f, 0.16327f}, {0.058558f, 0.18234f, 0.31308f}}},
        {{{0.059413f, 0.20849f, 0.14024f}, {0.060347f, 0.19965f, 0.33186f}}},
        {{{0.057837f, 0.18804f, 0.23992f}, {0.062452f, 0.32954f, 0.12222f}}},
        {{{0.060595f, 0.25113f, 0.15513f}, {0.067703f, 0.24551f, 0.21993f}}},
        {{{0.28037f, 0.13442f, 0.15812f}, {0.059282f, 0.19225f, 0.17555f}}}}},
      {{{{{0.0001355f, 0.03954f, 0.098051f}, {0.0084757f, 0.12638f, 0.12638f}}},
        {{{0.00013838f, 0.034288f, 0.09478f}, {0.00013838f, 0.013274f, 0.12099f}}},
        {{{0.00014808f, 0.037537f, 0.11191f}, {0.047531f, 0.047531f, 0.15027f}}},
        {{{0.00016131f, 0.037171f, 0.13034f}, {0.053257f, 0.053257f, 0.15289f}}},
        {{{0.00017021f, 0.032554f, 0.13186f}, {0.055428f, 0.055428f, 0.13603f}}},
        {{{0.00016809f, 0.0298f, 0.095317f}, {0.00016809f, 0.059785f, 0.13615f}}},
        {{{0.00013264f, 0.036501f, 0.087842f}, {0.00013264f, 0.039224f, 0.097399f}}},
        {{{3.2784e-05f, 0.010635f, 0.040386f}, {3.2784e-05f, 0.010012f, 0.033161f}}},
        {{{4.6667e-05f, 0.017266f, 0.036345f}, {4.6667e-05f, 0.011776f, 0.045816f}}},
        {{{1.3001e-05f, 0.0046546f, 0.02042f}, {1.3001e-05f, 0.0052779f, 0.018823f}}},
        {{{2.2297e-05f, 0.0073556f, 0.025649f}, {2.2297e-05f, 0.0081954f, 0.027122f}}},
        {{{3.1331e-06f, 0.0008966f, 0.0031122f}, {3.1331e-06f, 0.0012233f, 0.0048711f}}},
        {{{4.4993e-06f, 0.0014459f, 0.0066106f}, {4.4993e-06f, 0.0017607f, 0.0039786f}}},
        {{{0.2191f, 1.3707f, 1.3707f}, {0.00046621f, 0.2327f, 0.50841f}}}}}};
  return p;
}

}  // namespace autograde::look_detail
