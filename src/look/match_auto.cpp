// `auto`: the reference's grade, separated from its content by natural-image priors.
//
// Model. A statistic of the reference is r = g(c): the grade g applied to the reference's
// (unknown) content c. Over natural photographs the content statistics scatter around a prior
// mean μ with spread σ (natural_priors.cpp). The deviation d = r - μ therefore mixes the grade
// with content variation. With content c ~ N(μ, Σc) and grade effects δ ~ N(0, Σg) (centred
// on "no grade"), the Bayes estimate of δ is a Wiener filter (natural_priors.cpp uses the
// posterior median under the richer prior below): directions in which photographs vary a lot (warm
// scenes, dark scenes) transfer little; directions content rarely moves but grades do (a green
// cast, lifted blacks, missing chroma) transfer almost fully. A neutrally graded sunset deviates in
// the directions warm scenes span, so little of it transfers. Grade effects are heavy-tailed (most
// looks are gentle, a few are drastic) and lopsided (looks remove chroma far more than they add
// it), so δ is a two-sided scale mixture per statistic and the filter is nonlinear and asymmetric:
// a deviation content rarely reaches (a monochrome reference) passes almost whole, a reference far
// more colourful than photographs usually are (a macro of a leaf) is mostly read as content.
// One exception to the normal content model: a reference whose overall colour lies outside the
// content prior's 99 % region is read as a one-hued scene and none of its colour is transferred
// (see scene_colour below).
//
// The shrunk deviations become targets for the source's statistics (or the prior's when no
// source is given) and an explicit Look is fitted to reach them: tone (black point, fade,
// gain, gamma, contrast) to the tone quantiles, then saturation to the chroma level, then
// temperature/tint and split toning to the per-band chroma offsets.
#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numbers>

#include "image_stats.hpp"
#include "methods.hpp"

namespace autograde::look_detail {

namespace {

constexpr float kRadToDeg = 180.f / std::numbers::pi_v<float>;
// Safety bound: a fitted Look never moves a tone quantile by more than this (code values), so
// a hostile reference (near black, clipped) cannot wipe out the user's picture.
constexpr float kMaxToneShift = 0.25f;

std::vector<Rgb> subsample(const std::vector<Rgb>& px, size_t n) {
  if (px.size() <= n) return px;
  std::vector<Rgb> out;
  out.reserve(n);
  const double step = double(px.size()) / double(n);
  for (size_t k = 0; k < n; ++k) out.push_back(px[size_t(double(k) * step)]);
  return out;
}

std::vector<Rgb> apply_to_all(const Look& look, const std::vector<Rgb>& px) {
  std::vector<Rgb> out(px.size());
  for (size_t i = 0; i < px.size(); ++i) out[i] = apply_look(look, px[i]);
  return out;
}

// ---- tone ----
constexpr int kToneParams = 5;  // black_point, fade, log2 gain, log2 gamma, log2 contrast
Look with_tone(Look l, const Eigen::Matrix<double, kToneParams, 1>& t) {
  (void)t[0];  // black point stays 0: with fade it is degenerate (one crushes what the other lifts)
  l.fade = float(std::max(0.0, t[1]));
  const float g = float(std::exp2(t[2])), gm = float(std::exp2(t[3]));
  l.gain = {g, g, g};
  l.gamma = {gm, gm, gm};
  l.contrast = float(std::exp2(t[4]));
  return clamp_to_limits(l);
}

Eigen::Matrix<double, kToneParams, 1> fit_tone(const std::array<float, kToneQuantiles>& from,
                                               const std::array<float, kToneQuantiles>& to,
                                               float pivot) {
  using Vec = Eigen::Matrix<double, kToneParams, 1>;
  Look base;
  base.pivot = pivot;
  auto residual = [&](const Vec& t) {
    const Look l = with_tone(base, t);
    Eigen::Matrix<double, kToneQuantiles, 1> r;
    for (int k = 0; k < kToneQuantiles; ++k)
      r[k] = apply_look(l, {from[k], from[k], from[k]})[0] - to[k];
    return r;
  };
  // A small ridge keeps parameters that the quantiles cannot tell apart near identity.
  const double ridge = 1e-2;
  Vec t = Vec::Zero();
  for (int it = 0; it < 25; ++it) {
    const auto r0 = residual(t);
    Eigen::Matrix<double, kToneQuantiles, kToneParams> J;
    for (int p = 0; p < kToneParams; ++p) {
      Vec tp = t;
      tp[p] += 1e-3;
      J.col(p) = (residual(tp) - r0) / 1e-3;
    }
    Eigen::Matrix<double, kToneParams, kToneParams> A =
        J.transpose() * J + ridge * Eigen::Matrix<double, kToneParams, kToneParams>::Identity();
    Vec step = A.ldlt().solve(-(J.transpose() * r0 + ridge * t));
    Vec next = t + step;
    next[1] = std::max(0.0, next[1]);
    if ((residual(next).squaredNorm() + ridge * next.squaredNorm()) <
        r0.squaredNorm() + ridge * t.squaredNorm())
      t = next;
    else
      break;
  }
  return t;
}

// ---- colour ----
constexpr int kColourParams = 6;  // temperature, tint, shadow (a, b), highlight (a, b)
Look with_colour(Look l, const Eigen::Matrix<double, kColourParams, 1>& c) {
  l.temperature = float(c[0]);
  l.tint = float(c[1]);
  l.split.shadow_amount = float(std::hypot(c[2], c[3]));
  l.split.shadow_hue_deg = float(std::atan2(c[3], c[2])) * kRadToDeg;
  l.split.highlight_amount = float(std::hypot(c[4], c[5]));
  l.split.highlight_hue_deg = float(std::atan2(c[5], c[4])) * kRadToDeg;
  if (l.split.shadow_hue_deg < 0) l.split.shadow_hue_deg += 360.f;
  if (l.split.highlight_hue_deg < 0) l.split.highlight_hue_deg += 360.f;
  return l;
}

Eigen::Matrix<double, 2 * kBands, 1> band_vector(const GradeStats& s) {
  Eigen::Matrix<double, 2 * kBands, 1> v;
  for (int k = 0; k < kBands; ++k) {
    v[2 * k] = s.band_ab[k][0];
    v[2 * k + 1] = s.band_ab[k][1];
  }
  return v;
}

}  // namespace

AutoFit fit_auto_look(const std::vector<Rgb>& source_px, const std::vector<Rgb>& reference_px,
                      const std::vector<Rgb>* known_content) {
  AutoFit fit;
  const NaturalPriors& prior = natural_priors();
  const GradeStats ref = grade_stats(reference_px);
  const auto r = flatten(ref);
  const bool have_source = !source_px.empty();
  const auto base = have_source ? flatten(grade_stats(source_px)) : prior.mean;
  // Pixels the Look is evaluated on when fitting: the source's, else the reference's own.
  const std::vector<Rgb> proxy = subsample(have_source ? source_px : reference_px, 3000);
  const GradeStats proxy_stats = grade_stats(proxy);

  // Deviation from natural content and its Wiener (linear MMSE) estimate of the grade effect.
  std::array<float, kStatCount> d{}, e{};
  const auto content = known_content ? flatten(grade_stats(*known_content)) : prior.mean;
  for (int i = 0; i < kStatCount; ++i) d[i] = r[i] - content[i];
  // The scene's colour, not a grade: a reference whose overall colour (the cast statistic,
  // OKLab a and b) lies outside the content prior's 99 % region (2-D normal: radius
  // sqrt(chi2_2(0.99)) = 3.03 sd). The normal content model is wrong out there, real content is
  // heavy-tailed: of the 66 ungraded pictures in ../shared/data/images, 5 one-hued scenes lie
  // outside it, not the 1 % the normal predicts (kodim02's red door; mate Blinds, FreshFlower,
  // GreenMeadow, RainDrops), while grades of other pictures stay inside (the 32 creative LUTs of
  // ../shared/data/luts on the 61 other pictures: 11 of 1952 graded references outside it,
  // 0.6 %, warm looks on warm scenes such as coffee; on the five one-hued ones, 88 of 160). Beyond
  // it the reference's colour says little about its grade, and the normal model would read it as an
  // extreme one (the red door turned coffee blood red: 15.9 mean CIEDE2000 against 6.8 for doing
  // nothing). So its colour effects are set to none and only its tone is matched: a rejection at
  // the 99 % radius, like a redescending M-estimator.
  const float za = d[kCastStat] / prior.stddev[kCastStat];
  const float zb = d[kCastStat + 1] / prior.stddev[kCastStat + 1];
  const bool scene_colour = !known_content && std::hypot(za, zb) > 3.03f;
  double dz = 0, ez = 0;
  for (int i = 0; i < kStatCount; ++i) {
    e[i] = known_content                    ? d[i]
           : scene_colour && i >= kCastStat ? 0.f
                                            : posterior_grade_effect(prior, i, d[i]);
    const double s2 = std::max(1e-12, double(prior.stddev[i]) * prior.stddev[i]);
    dz += d[i] * d[i] / s2;
    ez += e[i] * e[i] / s2;
  }

  // Tone: one shrinkage per quantile.
  std::array<float, kToneQuantiles> from{}, to{};
  for (int k = 0; k < kToneQuantiles; ++k) {
    from[k] = base[k];
    to[k] = std::clamp(base[k] + std::clamp(e[k], -kMaxToneShift, kMaxToneShift), 0.f, 1.f);
  }
  for (int k = 1; k < kToneQuantiles; ++k) to[k] = std::max(to[k], to[k - 1]);
  const float pivot = std::clamp(from[3], 0.15f, 0.85f);
  Look look;
  look.pivot = pivot;
  look = with_tone(look, fit_tone(from, to, pivot));

  // Chroma level: log mean chroma.
  const int ci = kStatCount - 1;
  const float want_log_chroma = e[ci];
  {
    auto chroma_change = [&](const Look& l) {
      return grade_stats(apply_to_all(l, proxy)).log_chroma - proxy_stats.log_chroma;
    };
    // log(C + 0.01) is not linear in saturation: two secant-free multiplicative corrections.
    for (int it = 0; it < 3; ++it) {
      const float now = chroma_change(look);
      const float mean_c = std::exp(proxy_stats.log_chroma + now) - 0.01f;
      const float want_c = std::exp(proxy_stats.log_chroma + want_log_chroma) - 0.01f;
      if (mean_c <= 1e-5f) break;
      look.saturation = std::clamp(look.saturation * std::max(0.f, want_c) / mean_c, 0.f, 2.5f);
    }
  }
  if (ref.log_chroma < std::log(0.003f + 0.01f))
    fit.notes.push_back("reference is (nearly) monochrome");
  if (scene_colour) {
    float hue = std::atan2(r[kCastStat + 1], r[kCastStat]) * kRadToDeg;
    if (hue < 0) hue += 360.f;
    fit.notes.push_back(fmt::format(
        "reference's overall colour (OKLab hue {:.0f} deg) is {:.1f} sd from typical "
        "photographs, where a scene's own colour is far likelier than a grade: only its tone "
        "is matched (for its colour, give a before/after pair or a prompt)",
        hue, std::hypot(za, zb)));
  }

  // Per-band chroma offsets.
  Eigen::Matrix<double, 2 * kBands, 1> target;
  const auto band_effect = band_ab_of(e.data() + kCastStat);
  for (int k = 0; k < kBands; ++k) {
    target[2 * k] = band_effect[size_t(k)][0];
    target[2 * k + 1] = band_effect[size_t(k)][1];
  }
  // Colour parameters: Gauss-Newton with a numerical Jacobian and a ridge.
  const auto proxy_bands = band_vector(proxy_stats);
  using CVec = Eigen::Matrix<double, kColourParams, 1>;
  CVec c = CVec::Zero();
  auto predicted = [&](const CVec& cv) {
    return Eigen::Matrix<double, 2 * kBands, 1>(
        band_vector(grade_stats(apply_to_all(with_colour(look, cv), proxy))) - proxy_bands);
  };
  // Tone and saturation already rescale the source's own chroma; the estimated band offsets are
  // the grade's additive tint on top of that, so they are fitted relative to the look so far.
  target += predicted(c);
  for (int it = 0; it < 3; ++it) {
    const auto p0 = predicted(c);
    Eigen::Matrix<double, 2 * kBands, kColourParams> J;
    for (int q = 0; q < kColourParams; ++q) {
      CVec cq = c;
      const double h = q < 2 ? 0.02 : 0.005;
      cq[q] += h;
      J.col(q) = (predicted(cq) - p0) / h;
    }
    // Ridge relative to the Jacobian's scale: parameters the bands cannot separate (e.g. the
    // highlight tint of a dark source) stay small instead of cancelling each other at the limits.
    const Eigen::Matrix<double, kColourParams, kColourParams> JtJ = J.transpose() * J;
    const double ridge = 0.2 * JtJ.trace() / kColourParams + 1e-9;
    Eigen::Matrix<double, kColourParams, kColourParams> A =
        JtJ + ridge * Eigen::Matrix<double, kColourParams, kColourParams>::Identity();
    c += A.ldlt().solve(J.transpose() * (target - p0) - ridge * c);
  }
  look = clamp_to_limits(with_colour(look, c));
  fit.look = look;
  // How much of the reference's (standardised) deviation was attributed to the grade.
  fit.confidence = dz > 1e-12 ? float(std::min(1.0, std::sqrt(ez / dz))) : 0.f;
  return fit;
}

}  // namespace autograde::look_detail
