// Priors of natural-image statistics used by `auto` (image_stats.hpp): the content mean and
// spread of ungraded photographs, and per statistic the Gaussian scale mixture of grade effects
// (weights πk, then scales sk; EM on the observed effects δ = stats(L(image)) - stats(image)).
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

#include "image_stats.hpp"

namespace autograde::look_detail {

float posterior_grade_effect(const NaturalPriors& prior, int i, float d) {
  const double c2 = double(prior.stddev[size_t(i)]) * prior.stddev[size_t(i)];
  std::array<double, kGradeMixture> logw{}, gain{};
  double top = -1e300;
  for (int k = 0; k < kGradeMixture; ++k) {
    const double s2 =
        double(prior.mix_stddev[size_t(i)][size_t(k)]) * prior.mix_stddev[size_t(i)][size_t(k)];
    const double v = s2 + c2;
    // log πk N(d; 0, v), dropping the shared constant.
    logw[size_t(k)] = std::log(std::max(1e-12, double(prior.mix_weight[size_t(i)][size_t(k)]))) -
                      0.5 * std::log(v) - 0.5 * double(d) * d / v;
    gain[size_t(k)] = s2 / v;
    top = std::max(top, logw[size_t(k)]);
  }
  double num = 0, den = 0;
  for (int k = 0; k < kGradeMixture; ++k) {
    const double w = std::exp(logw[size_t(k)] - top);
    num += w * gain[size_t(k)];
    den += w;
  }
  return float(num / den * d);
}

const NaturalPriors& natural_priors() {
  static const NaturalPriors p{
      {0.14985f, 0.20649f, 0.33449f, 0.45514f, 0.58519f, 0.76578f, 0.85175f, 0.00610f, 0.01397f,
       0.00435f, 0.01823f, 0.00203f, 0.02279f, -2.78841f},
      {0.13450f, 0.13738f, 0.14708f, 0.16031f, 0.16921f, 0.16709f, 0.13164f, 0.03242f, 0.04630f,
       0.03293f, 0.04701f, 0.03115f, 0.04623f, 0.46521f},
      {{{0.24043f, 0.36447f, 0.39509f},
        {0.20076f, 0.27480f, 0.52444f},
        {0.24609f, 0.33937f, 0.41454f},
        {0.27275f, 0.35546f, 0.37179f},
        {0.19052f, 0.39764f, 0.41184f},
        {0.09084f, 0.49482f, 0.41434f},
        {0.12022f, 0.55705f, 0.32272f},
        {0.06504f, 0.51615f, 0.41881f},
        {0.13402f, 0.35738f, 0.50860f},
        {0.06703f, 0.45192f, 0.48105f},
        {0.24901f, 0.26002f, 0.49096f},
        {0.06616f, 0.37468f, 0.55916f},
        {0.36074f, 0.23764f, 0.40161f},
        {0.06514f, 0.56997f, 0.36489f}}},
      {{{0.01323f, 0.05517f, 0.12623f},
        {0.01058f, 0.04723f, 0.11453f},
        {0.04324f, 0.04324f, 0.13140f},
        {0.04582f, 0.04582f, 0.13754f},
        {0.04281f, 0.04288f, 0.12470f},
        {0.00017f, 0.04015f, 0.10307f},
        {0.00013f, 0.03844f, 0.09353f},
        {0.00003f, 0.01260f, 0.04399f},
        {0.00736f, 0.01813f, 0.04049f},
        {0.00003f, 0.01117f, 0.03880f},
        {0.00960f, 0.01730f, 0.04123f},
        {0.00003f, 0.00909f, 0.03268f},
        {0.00978f, 0.02625f, 0.04313f},
        {0.00047f, 0.27566f, 1.29339f}}}};
  return p;
}

}  // namespace autograde::look_detail
