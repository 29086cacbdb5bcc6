// Levenberg–Marquardt fit of a Look's parameters to before/after pixel pairs (look_fit.hpp).
#include "autograde/look/look_fit.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "autograde/core/error.hpp"

namespace autograde {

namespace {

constexpr int kSplitBase = 18 + 2 * kHueSectors;  // after the hue-vs-hue / hue-vs-sat points
constexpr int kParams = kSplitBase + 5;
using Vec = Eigen::Matrix<double, kParams, 1>;
constexpr double kRadToDeg = 180.0 / std::numbers::pi;

// Parameter vector → Look. Multiplicative parameters are log2 so zero is "no change"
// everywhere; hue shifts are in tens of degrees so every parameter moves the pixels by a
// comparable amount per unit.
Look to_look(const Vec& p, bool per_channel) {
  Look l;
  l.black_point = float(p[0]);
  l.white_point = float(1.0 + p[1]);
  l.exposure = float(p[2]);
  l.temperature = float(p[3]);
  l.tint = float(p[4]);
  l.contrast = float(std::exp2(p[5]));
  for (int c = 0; c < 3; ++c) {
    const int k = per_channel ? c : 0;
    l.lift[size_t(c)] = float(p[6 + k]);
    l.gamma[size_t(c)] = float(std::exp2(p[9 + k]));
    l.gain[size_t(c)] = float(std::exp2(p[12 + k]));
  }
  l.fade = float(std::max(0.0, p[15]));
  l.saturation = float(std::exp2(p[16]));
  l.vibrance = float(p[17]);
  for (int k = 0; k < kHueSectors; ++k) {
    l.hue_shift_deg[size_t(k)] = float(10.0 * p[18 + k]);
    l.hue_saturation[size_t(k)] = float(p[18 + kHueSectors + k]);
  }
  const double sa = p[kSplitBase], sb = p[kSplitBase + 1], ha = p[kSplitBase + 2],
               hb = p[kSplitBase + 3];
  l.split.shadow_amount = float(std::hypot(sa, sb));
  l.split.shadow_hue_deg = float(std::fmod(std::atan2(sb, sa) * kRadToDeg + 360.0, 360.0));
  l.split.highlight_amount = float(std::hypot(ha, hb));
  l.split.highlight_hue_deg = float(std::fmod(std::atan2(hb, ha) * kRadToDeg + 360.0, 360.0));
  l.split.balance = float(p[kSplitBase + 4]);
  return l;
}

}  // namespace

LookPairFit fit_look_to_pairs(const std::vector<Rgb>& before, const std::vector<Rgb>& after,
                              size_t max_samples, const LookFitParts& parts) {
  if (before.size() != after.size())
    throw Error(ErrorKind::BadInput, "look fit: before and after have different pixel counts");
  if (before.size() < 16) throw Error(ErrorKind::BadInput, "look fit: fewer than 16 pixel pairs");
  std::vector<Rgb> x, y;
  const size_t n = std::min(before.size(), std::max<size_t>(16, max_samples));
  const double stride = double(before.size()) / double(n);
  for (size_t k = 0; k < n; ++k) {
    x.push_back(before[size_t(double(k) * stride)]);
    y.push_back(after[size_t(double(k) * stride)]);
  }
  const Eigen::Index m = Eigen::Index(3 * n);
  std::array<bool, kParams> free{};
  free.fill(true);
  if (!parts.per_channel)
    for (int q : {7, 8, 10, 11, 13, 14}) free[size_t(q)] = false;
  if (!parts.hue_controls)
    for (int q = 18; q < kSplitBase; ++q) free[size_t(q)] = false;
  auto residual_of = [&](const Look& l) {
    Eigen::VectorXd r(m);
    for (size_t i = 0; i < n; ++i) {
      const Rgb o = apply_look(l, x[i]);
      for (int c = 0; c < 3; ++c)
        r[Eigen::Index(3 * i) + c] = double(o[size_t(c)]) - double(y[i][size_t(c)]);
    }
    return r;
  };
  auto residual = [&](const Vec& p) { return residual_of(to_look(p, parts.per_channel)); };
  // Ridge towards "no change": weak next to any parameter the pixels constrain (the data term is a
  // sum over n pixels), decisive for one they do not. The fine controls pay more, so a grade is
  // read with the broad ones first, as a colourist would dial it: per-channel lift / gamma / gain
  // pay for differing between channels (a common part costs what any parameter costs), the
  // hue-vs-hue / hue-vs-sat points pay for existing at all.
  const double base = 1e-4 * double(n), fine = 3e-3 * double(n);
  Eigen::Matrix<double, kParams, kParams> R =
      Eigen::Matrix<double, kParams, kParams>::Identity() * base;
  for (int first : {6, 9, 12})
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b)
        R(first + a, first + b) += fine * ((a == b ? 1.0 : 0.0) - 1.0 / 3.0);
  for (int q = 18; q < kSplitBase; ++q) R(q, q) += fine;
  auto cost = [&](const Vec& p, const Eigen::VectorXd& r) {
    return r.squaredNorm() + p.dot(R * p);
  };
  Vec p = Vec::Zero();
  Eigen::VectorXd r = residual(p);
  double c0 = cost(p, r), lambda = 1e-2;
  Eigen::MatrixXd J(m, kParams);
  for (int it = 0; it < 40; ++it) {
    for (int q = 0; q < kParams; ++q) {
      if (!free[size_t(q)]) {
        J.col(q).setZero();  // with the ridge, a column of zeros keeps the parameter at 0
        continue;
      }
      Vec pq = p;
      const double h = 1e-3;
      pq[q] += h;
      J.col(q) = (residual(pq) - r) / h;
    }
    const Eigen::Matrix<double, kParams, kParams> JtJ = J.transpose() * J;
    const Vec g = J.transpose() * r + R * p;
    bool improved = false;
    for (int tries = 0; tries < 8 && !improved; ++tries) {
      Eigen::Matrix<double, kParams, kParams> A = JtJ;
      A += R;
      A.diagonal() += lambda * (JtJ.diagonal() + Vec::Constant(1e-9));
      const Vec next = p - A.ldlt().solve(g);
      const Eigen::VectorXd rn = residual(next);
      const double cn = cost(next, rn);
      if (cn < c0) {
        improved = c0 - cn > 1e-10 * c0;
        p = next;
        r = rn;
        c0 = cn;
        lambda = std::max(1e-7, lambda / 3);
        if (!improved) break;
      } else {
        lambda *= 4;
      }
    }
    if (!improved) break;
  }
  // Occam: parameters are set back to "no change" one at a time while the error stays within 1 %
  // of the full fit's (plus 1e-4 RMS, a fortieth of an 8-bit step), so the reading lists what the
  // grade does and not the rounding of every control.
  {
    const double allowed =
        std::pow(std::sqrt(r.squaredNorm() / double(m)) * 1.01 + 1e-4, 2) * double(m);
    for (int q = 0; q < kParams; ++q) {
      if (p[q] == 0.0) continue;
      Vec pq = p;
      pq[q] = 0.0;
      if (residual(pq).squaredNorm() <= allowed) p = pq;
    }
  }
  LookPairFit fit;
  fit.look = clamp_to_limits(to_look(p, parts.per_channel));
  fit.rms = std::sqrt(residual_of(fit.look).squaredNorm() / double(m));
  return fit;
}

LookPairFit fit_look_to_images(std::span<const ImageF> before, std::span<const ImageF> after,
                               size_t max_samples) {
  if (before.size() != after.size() || before.empty())
    throw Error(ErrorKind::BadInput, "look fit: give as many after stills as before stills");
  size_t total = 0;
  for (size_t k = 0; k < before.size(); ++k) {
    const ImageF& a = before[k];
    const ImageF& b = after[k];
    if (a.width != b.width || a.height != b.height || a.channels < 3 || b.channels < 3)
      throw Error(ErrorKind::BadInput, "look fit: a before/after pair differs in size");
    total += a.pixel_count();
  }
  // Gather a strided subset (an 8K pair would otherwise be copied whole to use 2000 pixels).
  const size_t stride = std::max<size_t>(1, total / std::max<size_t>(1, 4 * max_samples));
  std::vector<Rgb> x, y;
  for (size_t k = 0; k < before.size(); ++k) {
    const ImageF& a = before[k];
    const ImageF& b = after[k];
    for (size_t i = 0; i < a.pixel_count(); i += stride) {
      const float* p = a.pixels.data() + i * size_t(a.channels);
      const float* q = b.pixels.data() + i * size_t(b.channels);
      x.push_back(
          {std::clamp(p[0], 0.f, 1.f), std::clamp(p[1], 0.f, 1.f), std::clamp(p[2], 0.f, 1.f)});
      y.push_back(
          {std::clamp(q[0], 0.f, 1.f), std::clamp(q[1], 0.f, 1.f), std::clamp(q[2], 0.f, 1.f)});
    }
  }
  return fit_look_to_pairs(x, y, max_samples);
}

LookPairFit fit_look_to_grade(const Look& grade, int n) {
  if (n < 3) throw_internal("fit_look_to_grade: lattice below 3");
  Look whole = grade;
  whole.strength = 1.f;
  std::vector<Rgb> before, after;
  for (int b = 0; b < n; ++b)
    for (int g = 0; g < n; ++g)
      for (int r = 0; r < n; ++r) {
        const Rgb x{r / float(n - 1), g / float(n - 1), b / float(n - 1)};
        before.push_back(x);
        after.push_back(apply_look(whole, x));
      }
  return fit_look_to_pairs(before, after, before.size());
}

}  // namespace autograde
