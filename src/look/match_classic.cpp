// The four classic distribution-transfer baselines, each evaluated on the LUT lattice.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <random>

#include "autograde/color/color.hpp"
#include "lattice_fit.hpp"
#include "methods.hpp"

namespace autograde::look_detail {

namespace {

// ---- Reinhard, Ashikhmin, Gooch & Shirley 2001, "Color Transfer between Images" ----------
// RGB -> LMS (their eq. 4, the RGB->XYZ->LMS product for linear RGB), log10, then the
// decorrelating lαβ matrix (their eq. 6). Inputs are sRGB-decoded to linear first, as the
// paper's matrices assume linear RGB.
const Eigen::Matrix3d kRgbToLms = (Eigen::Matrix3d() << 0.3811, 0.5783, 0.0402, 0.1967, 0.7244, 0.0782,
                                   0.0241, 0.1288, 0.8444).finished();
const Eigen::Matrix3d kLmsToLab =
    (Eigen::Matrix3d() << 1 / std::sqrt(3.0), 0, 0, 0, 1 / std::sqrt(6.0), 0, 0, 0, 1 / std::sqrt(2.0)).finished() *
    (Eigen::Matrix3d() << 1, 1, 1, 1, 1, -2, 1, -1, 0).finished();
constexpr double kLogFloor = 1e-4;  // log10 of 0 is undefined; the paper's data never held 0

Eigen::Vector3d to_lalphabeta(const Rgb& p) {
  Eigen::Vector3d lin(srgb_to_linear(p[0]), srgb_to_linear(p[1]), srgb_to_linear(p[2]));
  Eigen::Vector3d lms = kRgbToLms * lin;
  for (int c = 0; c < 3; ++c) lms[c] = std::log10(std::max(lms[c], kLogFloor));
  return kLmsToLab * lms;
}
Rgb from_lalphabeta(const Eigen::Vector3d& lab) {
  static const Eigen::Matrix3d lab_to_lms = kLmsToLab.inverse();
  static const Eigen::Matrix3d lms_to_rgb = kRgbToLms.inverse();
  Eigen::Vector3d lms = lab_to_lms * lab;
  for (int c = 0; c < 3; ++c) lms[c] = std::pow(10.0, std::clamp(lms[c], -6.0, 2.0));
  Eigen::Vector3d lin = lms_to_rgb * lms;
  return {linear_to_srgb(float(std::clamp(lin[0], 0.0, 1.0))), linear_to_srgb(float(std::clamp(lin[1], 0.0, 1.0))),
          linear_to_srgb(float(std::clamp(lin[2], 0.0, 1.0)))};
}

void mean_std(const std::vector<Eigen::Vector3d>& v, Eigen::Vector3d& mean, Eigen::Vector3d& sd) {
  mean.setZero();
  for (const auto& x : v) mean += x;
  mean /= double(std::max<size_t>(1, v.size()));
  Eigen::Vector3d var = Eigen::Vector3d::Zero();
  for (const auto& x : v) var += (x - mean).cwiseProduct(x - mean);
  sd = (var / double(std::max<size_t>(1, v.size()))).cwiseSqrt();
}

// ---- per-channel CDF matching -------------------------------------------------------------
constexpr int kCurve = 1024;

std::vector<float> sorted_channel(const std::vector<Rgb>& px, int c) {
  std::vector<float> v(px.size());
  for (size_t i = 0; i < px.size(); ++i) v[i] = px[i][c];
  std::sort(v.begin(), v.end());
  return v;
}
float quantile(const std::vector<float>& sorted, double q) {
  const double pos = std::clamp(q, 0.0, 1.0) * double(sorted.size() - 1);
  const size_t i = size_t(pos);
  const double f = pos - double(i);
  return float(sorted[i] + (i + 1 < sorted.size() ? f * (sorted[i + 1] - sorted[i]) : 0.0));
}
// Mid-rank CDF of a value in a sorted sample.
double cdf(const std::vector<float>& sorted, float x) {
  const auto lo = std::lower_bound(sorted.begin(), sorted.end(), x);
  const auto hi = std::upper_bound(sorted.begin(), sorted.end(), x);
  const double rank = 0.5 * double((lo - sorted.begin()) + (hi - sorted.begin()));
  return sorted.size() > 1 ? std::clamp(rank / double(sorted.size() - 1), 0.0, 1.0) : 0.5;
}

// Monotone, lightly smoothed transfer curve src -> ref sampled at kCurve points on 0..1.
std::vector<float> transfer_curve(const std::vector<float>& src, const std::vector<float>& ref) {
  std::vector<float> curve(kCurve);
  for (int i = 0; i < kCurve; ++i) curve[size_t(i)] = quantile(ref, cdf(src, float(i) / (kCurve - 1)));
  // Gaussian smoothing (sigma ~ 1/100 of the range) removes the staircase of a finite sample;
  // the result stays monotone because it is a positive average of a monotone sequence.
  const int radius = 30;
  const double sigma = 10.0;
  std::vector<float> smooth(kCurve);
  for (int i = 0; i < kCurve; ++i) {
    double acc = 0, wsum = 0;
    for (int k = -radius; k <= radius; ++k) {
      const int j = std::clamp(i + k, 0, kCurve - 1);
      const double w = std::exp(-0.5 * k * k / (sigma * sigma));
      acc += w * curve[size_t(j)];
      wsum += w;
    }
    smooth[size_t(i)] = float(acc / wsum);
  }
  return smooth;
}
float eval_curve(const std::vector<float>& curve, float x) {
  const float pos = std::clamp(x, 0.f, 1.f) * (kCurve - 1);
  const int i = std::min(kCurve - 2, int(pos));
  const float f = pos - float(i);
  return curve[size_t(i)] + f * (curve[size_t(i) + 1] - curve[size_t(i)]);
}

}  // namespace

Lut3D reinhard_lut(const std::vector<Rgb>& source, const std::vector<Rgb>& reference, int size) {
  std::vector<Eigen::Vector3d> s, r;
  for (const auto& p : source) s.push_back(to_lalphabeta(p));
  for (const auto& p : reference) r.push_back(to_lalphabeta(p));
  Eigen::Vector3d ms, ss, mr, sr;
  mean_std(s, ms, ss);
  mean_std(r, mr, sr);
  // Reinhard eq. 7-8: subtract the source mean, scale by sigma_ref / sigma_src, add the
  // reference mean. A flat source channel (sigma 0) keeps scale 1 rather than dividing by 0.
  Eigen::Vector3d scale;
  for (int c = 0; c < 3; ++c) scale[c] = ss[c] > 1e-6 ? sr[c] / ss[c] : 1.0;
  return lut_from_function(size, [&](Rgb x) {
    Eigen::Vector3d v = to_lalphabeta(x);
    return from_lalphabeta((v - ms).cwiseProduct(scale) + mr);
  });
}

Lut3D mkl_lut(const std::vector<Rgb>& source, const std::vector<Rgb>& reference, int size) {
  // Pitié & Kokaram 2007, eq. (the MKL solution): T = Σs^-1/2 (Σs^1/2 Σr Σs^1/2)^1/2 Σs^-1/2,
  // x -> T (x - μs) + μr, in RGB code values as in the paper. A small ridge keeps degenerate
  // (e.g. monochrome) covariances invertible.
  auto moments = [](const std::vector<Rgb>& px, Eigen::Vector3d& mu, Eigen::Matrix3d& cov) {
    mu.setZero();
    for (const auto& p : px) mu += Eigen::Vector3d(p[0], p[1], p[2]);
    mu /= double(std::max<size_t>(1, px.size()));
    cov.setZero();
    for (const auto& p : px) {
      Eigen::Vector3d d = Eigen::Vector3d(p[0], p[1], p[2]) - mu;
      cov += d * d.transpose();
    }
    cov /= double(std::max<size_t>(1, px.size()));
    cov += 1e-5 * Eigen::Matrix3d::Identity();
  };
  Eigen::Vector3d ms, mr;
  Eigen::Matrix3d cs, cr;
  moments(source, ms, cs);
  moments(reference, mr, cr);
  const Eigen::Matrix3d T = mkl_transform(cs, cr);
  return lut_from_function(size, [&](Rgb x) {
    Eigen::Vector3d v = T * (Eigen::Vector3d(x[0], x[1], x[2]) - ms) + mr;
    return Rgb{float(v[0]), float(v[1]), float(v[2])};
  });
}

Eigen::Matrix3d mkl_transform(const Eigen::Matrix3d& cs, const Eigen::Matrix3d& cr) {
  auto sqrt_sym = [](const Eigen::Matrix3d& m, bool inverse) {
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> es(m);
    Eigen::Vector3d ev = es.eigenvalues().cwiseMax(1e-12);
    Eigen::Vector3d d = ev.cwiseSqrt();
    if (inverse) d = d.cwiseInverse();
    return Eigen::Matrix3d(es.eigenvectors() * d.asDiagonal() * es.eigenvectors().transpose());
  };
  const Eigen::Matrix3d s_half = sqrt_sym(cs, false), s_inv_half = sqrt_sym(cs, true);
  const Eigen::Matrix3d mid = sqrt_sym(s_half * cr * s_half, false);
  return s_inv_half * mid * s_inv_half;
}

Lut3D hist_lut(const std::vector<Rgb>& source, const std::vector<Rgb>& reference, int size) {
  std::array<std::vector<float>, 3> curves;
  for (int c = 0; c < 3; ++c) curves[size_t(c)] = transfer_curve(sorted_channel(source, c), sorted_channel(reference, c));
  return lut_from_function(size, [&](Rgb x) {
    return Rgb{eval_curve(curves[0], x[0]), eval_curve(curves[1], x[1]), eval_curve(curves[2], x[2])};
  });
}

void sliced_transport(std::vector<Eigen::Vector3d>& cur, const std::vector<Eigen::Vector3d>& ref, int iterations,
                      unsigned seed) {
  std::mt19937 rng(seed);  // fixed by the caller: the same inputs give the same LUT
  std::normal_distribution<double> gauss;
  std::vector<double> ps(cur.size()), pr(ref.size());
  std::vector<size_t> order(cur.size());
  for (int it = 0; it < iterations; ++it) {
    Eigen::Matrix3d m;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) m(i, j) = gauss(rng);
    const Eigen::Matrix3d rot = Eigen::HouseholderQR<Eigen::Matrix3d>(m).householderQ();
    for (int axis = 0; axis < 3; ++axis) {
      const Eigen::Vector3d dir = rot.col(axis);
      for (size_t i = 0; i < cur.size(); ++i) ps[i] = cur[i].dot(dir);
      for (size_t i = 0; i < ref.size(); ++i) pr[i] = ref[i].dot(dir);
      std::sort(pr.begin(), pr.end());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ps[a] < ps[b]; });
      for (size_t rank = 0; rank < order.size(); ++rank) {
        const double q = order.size() > 1 ? double(rank) / double(order.size() - 1) : 0.5;
        const double pos = q * double(pr.size() - 1);
        const size_t k = size_t(pos);
        const double target = pr[k] + (k + 1 < pr.size() ? (pos - double(k)) * (pr[k + 1] - pr[k]) : 0.0);
        const size_t i = order[rank];
        cur[i] += (target - ps[i]) * dir;
      }
    }
  }
}

Lut3D idt_lut(const std::vector<Rgb>& source, const std::vector<Rgb>& reference, int size) {
  // Pitié, Kokaram & Dahyot 2005/2007: repeat { pick a random rotation; match the 1D marginals
  // of the current samples to the reference's along each rotated axis; rotate back }. The
  // transported samples define the mapping at the source colours; the regularising step (the
  // paper's "grain reducing" smoothing) is done here by fitting a smooth lattice to it.
  std::vector<Eigen::Vector3d> cur(source.size()), ref(reference.size());
  for (size_t i = 0; i < source.size(); ++i) cur[i] = {source[i][0], source[i][1], source[i][2]};
  for (size_t i = 0; i < reference.size(); ++i) ref[i] = {reference[i][0], reference[i][1], reference[i][2]};
  sliced_transport(cur, ref, 20, 12345);
  std::vector<Rgb> out(cur.size());
  for (size_t i = 0; i < cur.size(); ++i) out[i] = {float(cur[i][0]), float(cur[i][1]), float(cur[i][2])};
  LatticeFitOptions fo;
  fo.out_size = size;
  fo.fit_size = 17;
  fo.smoothness = 0.1f;
  return fit_lattice(source, out, std::vector<float>(source.size(), 1.f), fo).lut;
}

}  // namespace autograde::look_detail
