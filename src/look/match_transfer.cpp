// The transfer dial (match.hpp, MatchOptions::transfer): the reference's whole colour
// distribution carried onto the source as a smooth LUT, and the perceptual blend between that
// and `auto`'s grade.
//
// Why this shape. The classic transfers each fail one way a colourist sees at once: MKL
// (Pitié & Kokaram 2007) matches only the RGB mean and covariance, so a skewed palette comes
// out as the wrong hues and any affine stretch of a small-variance source amplifies noise;
// Reinhard et al. 2001 shift means in lαβ, which lifts black when the reference's mean is
// brighter (letterbox bars turn brown); per-sample optimal transport (IDT, Pitié et al. 2005)
// matches the distribution but maps neighbouring colours apart (posterisation). So:
//   1. tone: L* is matched by its quantiles (a monotone curve whose slope is bounded, so no
//      tone band is stretched into banding or crushed into a flat), which makes the output's
//      lightness monotone in the input's by construction;
//   2. colour: sliced optimal transport in CIELAB (the same iterated 1-D quantile matching
//      along random rotations as IDT, but in a perceptual space, so equal steps are equal
//      visible differences), after which L* is reset to the tone curve's value;
//   3. smoothness: the transported samples define the map only where the source has colours;
//      a quadratic-plus-smooth-lattice fit (lattice_fit.hpp) turns them into a LUT that is
//      smooth everywhere; each entry then takes its L* from the tone curve again (the fit
//      could dip where there are no samples), out-of-gamut colours are brought in at constant
//      L* and hue, and a light Gaussian pass over the table rounds off the kinks the gamut
//      boundary and the tone curve's knees leave;
//   4. black and white: source black and white are pinned to the reference's own darkest and
//      brightest colours (the mean of its extreme 0.5 % by L*), so black stays black where the
//      reference has black, and a faded reference lifts it on purpose.
// regularise_lut (match.cpp) still checks the grey axis afterwards, as for every method.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "autograde/color/color.hpp"
#include "lattice_fit.hpp"
#include "methods.hpp"

namespace autograde::look_detail {

namespace {

using Lab = Eigen::Vector3d;

Lab lab_of(const Rgb& p) {
  const Vec3 v = srgb_to_lab({std::clamp(p[0], 0.f, 1.f), std::clamp(p[1], 0.f, 1.f), std::clamp(p[2], 0.f, 1.f)});
  return {v[0], v[1], v[2]};
}
// Back to sRGB code values, out-of-gamut colours brought in by lowering chroma at constant L*
// and hue (bisection on the a*b* scale). Clipping channels instead would change lightness and
// hue, and along the grey axis of a strongly tinted transfer would make luminance dip.
Rgb rgb_of(const Lab& l) {
  auto convert = [&](double k) {
    return lab_to_srgb({float(std::clamp(l[0], 0.0, 100.0)), float(k * l[1]), float(k * l[2])});
  };
  auto inside = [](const Vec3& v) {
    return v[0] >= -1e-4f && v[0] <= 1.0001f && v[1] >= -1e-4f && v[1] <= 1.0001f && v[2] >= -1e-4f && v[2] <= 1.0001f;
  };
  Vec3 v = convert(1.0);
  if (!inside(v)) {
    double lo = 0, hi = 1;
    for (int it = 0; it < 14; ++it) {
      const double mid = 0.5 * (lo + hi);
      (inside(convert(mid)) ? lo : hi) = mid;
    }
    v = convert(lo);
  }
  return {std::clamp(v[0], 0.f, 1.f), std::clamp(v[1], 0.f, 1.f), std::clamp(v[2], 0.f, 1.f)};
}

// Evenly strided subset of at most `n` samples (the transport's cost grows with n log n per
// slice; a few tens of thousands of colours describe a distribution well).
std::vector<Rgb> subsample(const std::vector<Rgb>& px, size_t n) {
  if (px.size() <= n) return px;
  std::vector<Rgb> out(n);
  const double step = double(px.size()) / double(n);
  for (size_t k = 0; k < n; ++k) out[k] = px[size_t(double(k) * step)];
  return out;
}

double quantile_sorted(const std::vector<double>& s, double q) {
  const double pos = std::clamp(q, 0.0, 1.0) * double(s.size() - 1);
  const size_t i = size_t(pos);
  return s[i] + (i + 1 < s.size() ? (pos - double(i)) * (s[i + 1] - s[i]) : 0.0);
}

// The L* tone curve, source → reference quantiles, on kTone points over 0..100.
constexpr int kTone = 512;
std::vector<double> tone_curve(std::vector<double> src_l, std::vector<double> ref_l, const TransferTuning& t) {
  std::sort(src_l.begin(), src_l.end());
  std::sort(ref_l.begin(), ref_l.end());
  const double step = 100.0 / (kTone - 1);
  std::vector<double> curve(kTone);
  for (int i = 0; i < kTone; ++i) {
    const double x = i * step;
    const auto lo = std::lower_bound(src_l.begin(), src_l.end(), x);
    const auto hi = std::upper_bound(src_l.begin(), src_l.end(), x);
    const double rank = 0.5 * double((lo - src_l.begin()) + (hi - src_l.begin()));
    curve[size_t(i)] = quantile_sorted(ref_l, rank / double(std::max<size_t>(1, src_l.size() - 1)));
  }
  // Slope bounds: each step of the curve rises by between min_slope and max_slope times the
  // input step (a histogram spike in the source would otherwise become a cliff). Integrate the
  // clamped slopes, then spread what the clamping lost or gained evenly so the curve still
  // reaches the reference's extremes where the tone matching put them.
  std::vector<double> d(kTone - 1);
  for (int i = 0; i + 1 < kTone; ++i)
    d[size_t(i)] = std::clamp(curve[size_t(i) + 1] - curve[size_t(i)], t.min_slope * step, t.max_slope * step);
  std::vector<double> out(kTone);
  out[0] = curve[0];
  for (int i = 0; i + 1 < kTone; ++i) out[size_t(i) + 1] = out[size_t(i)] + d[size_t(i)];
  const double target_span = curve.back() - curve.front(), span = out.back() - out.front();
  if (span > 1e-9)
    for (int i = 0; i < kTone; ++i) out[size_t(i)] = curve[0] + (out[size_t(i)] - curve[0]) * target_span / span;
  // Light smoothing removes the finite sample's staircase; a positive average of a monotone
  // sequence stays monotone.
  const int radius = t.tone_smooth_radius;
  std::vector<double> smooth(kTone);
  for (int i = 0; i < kTone; ++i) {
    double acc = 0, wsum = 0;
    for (int k = -radius; k <= radius; ++k) {
      const int j = std::clamp(i + k, 0, kTone - 1);
      const double w = std::exp(-0.5 * double(k * k) / std::max(1.0, double(radius * radius) / 9.0));
      acc += w * out[size_t(j)];
      wsum += w;
    }
    smooth[size_t(i)] = acc / wsum;
  }
  return smooth;
}

double eval_tone(const std::vector<double>& curve, double l) {
  const double pos = std::clamp(l, 0.0, 100.0) / 100.0 * (kTone - 1);
  const int i = std::min(kTone - 2, int(pos));
  return curve[size_t(i)] + (pos - i) * (curve[size_t(i) + 1] - curve[size_t(i)]);
}

// Mean CIELAB colour of the samples whose L* lies at or beyond the `q` quantile from the dark
// (q < 0.5) or bright (q > 0.5) end.
Lab extreme_colour(const std::vector<Lab>& px, double q) {
  std::vector<double> l(px.size());
  for (size_t i = 0; i < px.size(); ++i) l[i] = px[i][0];
  std::sort(l.begin(), l.end());
  const double cut = quantile_sorted(l, q);
  Lab acc = Lab::Zero();
  double n = 0;
  for (const Lab& p : px)
    if (q < 0.5 ? p[0] <= cut : p[0] >= cut) {
      acc += p;
      n += 1;
    }
  return n > 0 ? Lab(acc / n) : Lab(cut, 0, 0);
}

// Separable Gaussian smoothing of the table (sigma in lattice steps). Past each face the table
// is continued by odd reflection (2 e[0] - e[k]), which an affine map satisfies exactly, so
// smoothing leaves affine maps — and the cube's corners — where they were and only rounds off
// curvature: the kinks a steep tone curve or the gamut boundary leave behind.
void smooth_table(Lut3D& lut, double sigma) {
  if (sigma <= 0) return;
  const int n = lut.size, radius = std::max(1, int(std::ceil(3 * sigma)));
  std::vector<double> w(size_t(2 * radius + 1));
  double wsum = 0;
  for (int k = -radius; k <= radius; ++k) wsum += w[size_t(k + radius)] = std::exp(-0.5 * k * k / (sigma * sigma));
  for (double& x : w) x /= wsum;
  std::vector<double> line(static_cast<size_t>(n)), out(static_cast<size_t>(n));
  for (int axis = 0; axis < 3; ++axis)
    for (int u = 0; u < n; ++u)
      for (int v = 0; v < n; ++v)
        for (int c = 0; c < 3; ++c) {
          auto entry = [&](int i) -> float& {
            const int p[3] = {axis == 0 ? i : u, axis == 1 ? i : (axis == 0 ? u : v), axis == 2 ? i : v};
            return lut.at(p[0], p[1], p[2])[c];
          };
          for (int i = 0; i < n; ++i) line[size_t(i)] = entry(i);
          auto at = [&](int i) {
            if (i < 0) return 2 * line[0] - line[size_t(std::min(n - 1, -i))];
            if (i >= n) return 2 * line[size_t(n - 1)] - line[size_t(std::max(0, 2 * (n - 1) - i))];
            return line[size_t(i)];
          };
          for (int i = 0; i < n; ++i) {
            double acc = 0;
            for (int k = -radius; k <= radius; ++k) acc += w[size_t(k + radius)] * at(i + k);
            out[size_t(i)] = acc;
          }
          for (int i = 0; i < n; ++i) entry(i) = float(std::clamp(out[size_t(i)], 0.0, 1.0));
        }
}

}  // namespace

Lut3D full_transfer_lut(const std::vector<Rgb>& source, const std::vector<Rgb>& reference, int size,
                        const TransferTuning& t) {
  const std::vector<Rgb> src = subsample(source, t.max_samples), ref_rgb = subsample(reference, t.max_samples);
  std::vector<Lab> s(src.size()), r(ref_rgb.size());
  for (size_t i = 0; i < src.size(); ++i) s[i] = lab_of(src[i]);
  for (size_t i = 0; i < ref_rgb.size(); ++i) r[i] = lab_of(ref_rgb[i]);

  std::vector<double> sl(s.size()), rl(r.size());
  for (size_t i = 0; i < s.size(); ++i) sl[i] = s[i][0];
  for (size_t i = 0; i < r.size(); ++i) rl[i] = r[i][0];
  const std::vector<double> tone = tone_curve(sl, rl, t);

  std::vector<Lab> cur = s;
  for (Lab& p : cur) p[0] = eval_tone(tone, p[0]);
  sliced_transport(cur, r, t.iterations, 20261206);
  for (size_t i = 0; i < cur.size(); ++i) cur[i][0] = eval_tone(tone, s[i][0]);

  std::vector<Rgb> out(cur.size());
  for (size_t i = 0; i < cur.size(); ++i) out[i] = rgb_of(cur[i]);
  LatticeFitOptions fo;
  fo.out_size = size;
  fo.fit_size = t.fit_size;
  fo.smoothness = t.smoothness;
  Lut3D lut = fit_lattice(src, out, std::vector<float>(src.size(), 1.f), fo).lut;

  // Lightness is the tone curve's, exactly: the fit smooths the transported colours, but L*
  // taken from it could dip where the source has no samples, so each entry keeps the fit's
  // a*b* and gets L* = tone(L* of its input). Output lightness is then monotone in input
  // lightness everywhere in the cube, not only on the grey axis.
  // Black and white: the tone curve already takes L* = 0 and 100 to the reference's extremes;
  // their a*b* are pinned to the reference's darkest and brightest colours (the mean of its
  // extreme `extreme_quantile` by L*) by an offset that fades smoothly to nothing
  // `anchor_reach` away from the corner (by the largest channel for black, the smallest for
  // white), so a neutral black stays neutral and a tinted one is kept tinted.
  const Lab black = extreme_colour(r, t.extreme_quantile), white = extreme_colour(r, 1.0 - t.extreme_quantile);
  const int n = lut.size;
  auto lab_at = [&](int i, int j, int k) {
    const float* e = lut.at(i, j, k);
    return lab_of({e[0], e[1], e[2]});
  };
  const Lab black_now = lab_at(0, 0, 0), white_now = lab_at(n - 1, n - 1, n - 1);
  auto fade = [&](double d) {
    const double u = std::clamp(1.0 - d / t.anchor_reach, 0.0, 1.0);
    return u * u * (3 - 2 * u);  // smoothstep: zero slope where the offset ends
  };
  for (int b = 0; b < n; ++b)
    for (int g = 0; g < n; ++g)
      for (int rr = 0; rr < n; ++rr) {
        const Rgb x{float(rr) / float(n - 1), float(g) / float(n - 1), float(b) / float(n - 1)};
        const double wb = fade(std::max({x[0], x[1], x[2]}));
        const double ww = fade(1.0 - std::min({x[0], x[1], x[2]}));
        Lab v = lab_at(rr, g, b);
        v[0] = eval_tone(tone, lab_of(x)[0]);
        for (int c = 1; c < 3; ++c) v[c] += wb * (black[c] - black_now[c]) + ww * (white[c] - white_now[c]);
        const Rgb o = rgb_of(v);
        float* e = lut.at(rr, g, b);
        for (int c = 0; c < 3; ++c) e[c] = o[c];
      }
  // Sigma is given for a 33-point table; other sizes scale it to the same code-value width.
  smooth_table(lut, t.table_smoothing * double(n - 1) / 32.0);
  return lut;
}

Lut3D blend_perceptual(const Lut3D& a, const Lut3D& b, float t) {
  Lut3D out = a;
  if (t <= 0.f) return out;
  for (size_t i = 0; i + 2 < a.table.size(); i += 3) {
    auto oklab = [](const float* e) {
      return linear_srgb_to_oklab({srgb_to_linear(std::clamp(e[0], 0.f, 1.f)), srgb_to_linear(std::clamp(e[1], 0.f, 1.f)),
                                   srgb_to_linear(std::clamp(e[2], 0.f, 1.f))});
    };
    const Vec3 la = oklab(&a.table[i]), lb = oklab(&b.table[i]);
    Vec3 m;
    for (int c = 0; c < 3; ++c) m[c] = la[c] + t * (lb[c] - la[c]);
    const Vec3 lin = oklab_to_linear_srgb(m);
    for (int c = 0; c < 3; ++c) out.table[i + size_t(c)] = linear_to_srgb(std::clamp(lin[c], 0.f, 1.f));
  }
  return out;
}

}  // namespace autograde::look_detail
