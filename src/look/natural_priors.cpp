// Priors of natural-image statistics used by `auto` (image_stats.hpp): the content mean and
// spread of ungraded photographs, and per statistic the two-sided scale mixture of grade
// effects (weights πk⁻, πk⁺, then scales sk⁻, sk⁺; EM on each side of the observed effects
// δ = stats(L(image)) - stats(image)). Statistics are treated independently.
// Order: 7 tone quantiles (grey code value at 1/5/25/50/75/95/99 %), the band OKLab (a, b)
// means as cast, split and bend (a, b each; see flatten in image_stats.hpp), log(mean OKLab
// chroma + 0.01).
// Both printed by `bench_match --fit-priors`; where each comes from, and why the two differ in
// source, is in models/auto.md:
// - content (first two rows): the even-indexed files of ../shared/data/images (Kodak,
//   scikit-image, Debian wallpapers; 33 images), `bench_match --fit-priors`;
// - grade effects (last two rows): the 165 creative LUTs of the corpus's training split, each on
//   24 of its 1,852 training photos (3,960 pairs), `bench_match --split train --fit-priors`.
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
      {{{{{0.13397f, 0.256f, 0.063569f}, {0.19505f, 0.18284f, 0.16857f}}},
        {{{0.18099f, 0.26611f, 0.060858f}, {0.1328f, 0.17906f, 0.18018f}}},
        {{{0.14225f, 0.27917f, 0.057743f}, {0.14103f, 0.22431f, 0.15549f}}},
        {{{0.13624f, 0.17939f, 0.051792f}, {0.21801f, 0.30027f, 0.11429f}}},
        {{{0.087404f, 0.082517f, 0.14712f}, {0.26165f, 0.33963f, 0.081675f}}},
        {{{0.10621f, 0.12642f, 0.16775f}, {0.18036f, 0.28979f, 0.12947f}}},
        {{{0.16193f, 0.18045f, 0.18704f}, {0.093746f, 0.2766f, 0.10024f}}},
        {{{0.063364f, 0.31433f, 0.073066f}, {0.19996f, 0.16454f, 0.18474f}}},
        {{{0.1638f, 0.27276f, 0.034146f}, {0.205f, 0.21599f, 0.1083f}}},
        {{{0.19804f, 0.20351f, 0.089108f}, {0.059849f, 0.38302f, 0.066471f}}},
        {{{0.10036f, 0.18144f, 0.12451f}, {0.16994f, 0.29576f, 0.12799f}}},
        {{{0.21318f, 0.18033f, 0.032999f}, {0.15604f, 0.31184f, 0.1056f}}},
        {{{0.14449f, 0.27603f, 0.070384f}, {0.25562f, 0.24418f, 0.0092933f}}},
        {{{0.16198f, 0.164f, 0.14043f}, {0.12379f, 0.16792f, 0.24188f}}}}},
      {{{{{0.028088f, 0.039533f, 0.083938f}, {0.024282f, 0.10217f, 0.22197f}}},
        {{{0.033761f, 0.050041f, 0.10877f}, {0.023738f, 0.068989f, 0.20022f}}},
        {{{0.033351f, 0.063456f, 0.14251f}, {0.05091f, 0.060492f, 0.17012f}}},
        {{{0.031413f, 0.079946f, 0.15053f}, {0.074072f, 0.074072f, 0.17276f}}},
        {{{0.025079f, 0.040052f, 0.12123f}, {0.078539f, 0.078539f, 0.17956f}}},
        {{{0.022027f, 0.036426f, 0.12288f}, {0.063752f, 0.064306f, 0.12836f}}},
        {{{0.021793f, 0.039644f, 0.12894f}, {0.033482f, 0.057699f, 0.1154f}}},
        {{{0.0033381f, 0.01561f, 0.047372f}, {0.0078042f, 0.015904f, 0.037935f}}},
        {{{0.0077341f, 0.029988f, 0.076488f}, {0.0090427f, 0.034341f, 0.058853f}}},
        {{{0.0049128f, 0.013683f, 0.031937f}, {0.0026985f, 0.010762f, 0.034875f}}},
        {{{0.0049352f, 0.011996f, 0.029138f}, {0.007385f, 0.02497f, 0.051238f}}},
        {{{0.00093131f, 0.003744f, 0.013615f}, {0.00080926f, 0.0024083f, 0.0089857f}}},
        {{{0.00079131f, 0.0037565f, 0.012072f}, {0.0014936f, 0.0054111f, 0.018772f}}},
        {{{0.14984f, 1.2406f, 1.2406f}, {0.14312f, 0.39777f, 0.71101f}}}}}};
  return p;
}

}  // namespace autograde::look_detail
