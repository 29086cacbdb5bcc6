// LUT extraction from a before/after pair (model in extract.hpp).
#include "autograde/look/extract.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "autograde/core/error.hpp"
#include "lattice_fit.hpp"
#include "thin_plate_lattice.hpp"

namespace autograde {

namespace {

using look_detail::Sample;
using look_detail::ThinPlateLattice;

// Affine map out = M [in; 1] (display code values), fitted by weighted least squares with a
// ridge pulling M towards identity, so directions the samples do not span stay unchanged.
struct Affine {
  Eigen::Matrix<double, 3, 4> m = Eigen::Matrix<double, 3, 4>::Zero();
  Rgb operator()(const Rgb& x) const {
    Eigen::Vector4d v(x[0], x[1], x[2], 1.0);
    const Eigen::Vector3d o = m * v;
    return {float(o[0]), float(o[1]), float(o[2])};
  }
};

Affine fit_affine(const std::vector<Sample>& s, double ridge) {
  Eigen::Matrix4d ata = Eigen::Matrix4d::Zero();
  Eigen::Matrix<double, 4, 3> aty = Eigen::Matrix<double, 4, 3>::Zero();
  double wsum = 0;
  for (const auto& x : s) {
    const Eigen::Vector4d v(x.in[0], x.in[1], x.in[2], 1.0);
    ata.noalias() += x.weight * v * v.transpose();
    for (int c = 0; c < 3; ++c) aty.col(c) += x.weight * double(x.target[size_t(c)]) * v;
    wsum += x.weight;
  }
  Affine a;
  a.m.leftCols<3>().setIdentity();
  if (wsum <= 0) return a;
  ata /= wsum;
  aty /= wsum;
  // Ridge on the linear part only (the offset is always determined by the mean).
  Eigen::Matrix4d reg = Eigen::Matrix4d::Zero();
  reg.topLeftCorner<3, 3>().setIdentity();
  Eigen::Matrix<double, 4, 3> prior = Eigen::Matrix<double, 4, 3>::Zero();
  prior.topRows<3>().setIdentity();
  const Eigen::Matrix<double, 4, 3> sol = (ata + ridge * reg).ldlt().solve(aty + ridge * reg * prior);
  a.m = sol.transpose();
  return a;
}

struct Model {
  Affine base;
  std::vector<Rgb> residual;
};

Model fit_model(const ThinPlateLattice& lat, std::vector<Sample> s, const ExtractOptions& o,
                double bending, double tension) {
  Model m;
  if (o.base_ridge >= 0) m.base = fit_affine(s, o.base_ridge);
  else m.base.m.leftCols<3>().setIdentity();
  for (auto& x : s) {
    const Rgb g = m.base(x.in);
    for (int c = 0; c < 3; ++c) x.target[size_t(c)] -= g[size_t(c)];
  }
  m.residual = lat.fit(s, bending, tension, o.ridge);
  return m;
}

Rgb eval(const ThinPlateLattice& lat, const Model& m, const Rgb& x) {
  const Rgb g = m.base(x), r = lat.eval(m.residual, x);
  Rgb o;
  for (int c = 0; c < 3; ++c) {
    o[size_t(c)] = g[size_t(c)] + r[size_t(c)];
    if (!std::isfinite(o[size_t(c)])) o[size_t(c)] = x[size_t(c)];
  }
  return o;
}

// Colour-block cross-validation: samples are grouped by an 8×8×8 partition of the RGB cube and
// the blocks dealt into `folds` folds; each candidate bending is fitted without one fold and
// scored on it. Holding out whole blocks of colour (not random pixels, whose neighbours would
// stay in the fit) asks the question extraction has to answer: how well does the fit predict
// colours the pair does not show? Returns the candidate with the least held-out error, or
// `fallback` when the samples fill fewer than two folds.
double choose_bending(const ThinPlateLattice& lat, const std::vector<Sample>& s, const ExtractOptions& o,
                      const std::vector<double>& candidates, double fallback, std::vector<double>* errors) {
  constexpr int kBlocks = 8, kFolds = 4;
  std::vector<int> fold(s.size());
  std::vector<int> filled(kFolds, 0);
  for (size_t i = 0; i < s.size(); ++i) {
    uint32_t b = 0;
    for (int c = 0; c < 3; ++c) b = b * kBlocks + uint32_t(std::min(kBlocks - 1, int(s[i].in[size_t(c)] * kBlocks)));
    // A fixed integer hash spreads neighbouring blocks over different folds.
    b = (b ^ 61u) ^ (b >> 16);
    b *= 9u;
    b ^= b >> 4;
    b *= 0x27d4eb2du;
    b ^= b >> 15;
    fold[i] = int(b % kFolds);
    filled[size_t(fold[i])] = 1;
  }
  if (std::count(filled.begin(), filled.end(), 1) < 2) return fallback;
  double best = fallback, best_err = 1e300;
  for (double cand : candidates) {
    double err = 0;
    for (int f = 0; f < kFolds; ++f) {
      if (!filled[size_t(f)]) continue;
      std::vector<Sample> train, test;
      for (size_t i = 0; i < s.size(); ++i) (fold[i] == f ? test : train).push_back(s[i]);
      const Model m = fit_model(lat, train, o, cand, o.tension);
      for (const auto& x : test) {
        const Rgb p = eval(lat, m, x.in);
        for (int c = 0; c < 3; ++c) {
          const double d = std::clamp(p[size_t(c)], o.clamp_lo, o.clamp_hi) - x.target[size_t(c)];
          err += x.weight * d * d;
        }
      }
    }
    if (errors) errors->push_back(err);
    if (err < best_err) best_err = err, best = cand;
  }
  return best;
}

}  // namespace

Lut3D extract_lut(const ImageF& before, const ImageF& after, const ExtractOptions& options,
                  ExtractReport* report, const std::string& before_name, const std::string& after_name) {
  if (before.empty() || before.channels < 3) throw_bad_input(before_name, "image is empty or not RGB");
  if (after.empty() || after.channels < 3) throw_bad_input(after_name, "image is empty or not RGB");
  if (before.width != after.width || before.height != after.height)
    throw_bad_input(after_name, "size " + std::to_string(after.width) + "x" + std::to_string(after.height) +
                                    " differs from " + before_name + " (" + std::to_string(before.width) +
                                    "x" + std::to_string(before.height) + "); a before/after pair must share framing");
  if (options.lut_size < 2 || options.lut_size > 129) throw_usage("LUT size must be 2..129");
  // Distinct input colours (quantised to 1/1023) with their mean output and count.
  struct Acc {
    double in[3] = {0, 0, 0}, out[3] = {0, 0, 0};
    double n = 0;
  };
  std::unordered_map<uint32_t, Acc> bins;
  const size_t count = before.pixel_count();
  const size_t stride = std::max<size_t>(1, count / size_t(std::max(1, options.max_samples)));
  for (size_t i = 0; i < count; i += stride) {
    const float* b = before.pixels.data() + i * size_t(before.channels);
    const float* a = after.pixels.data() + i * size_t(after.channels);
    bool finite = true;
    for (int c = 0; c < 3; ++c) finite = finite && std::isfinite(b[c]) && std::isfinite(a[c]);
    if (!finite) throw_bad_input(std::isfinite(b[0] + b[1] + b[2]) ? after_name : before_name,
                                 "pixel " + std::to_string(i) + " holds NaN or infinity");
    uint32_t key = 0;
    for (int c = 0; c < 3; ++c) key = key * 1024u + uint32_t(std::lround(std::clamp(b[c], 0.f, 1.f) * 1023.f));
    Acc& acc = bins[key];
    for (int c = 0; c < 3; ++c) {
      acc.in[c] += std::clamp(b[c], 0.f, 1.f);
      acc.out[c] += a[c];
    }
    acc.n += 1;
  }
  std::vector<Sample> samples;
  samples.reserve(bins.size());
  for (const auto& [key, acc] : bins) {
    Sample s;
    for (int c = 0; c < 3; ++c) {
      s.in[size_t(c)] = float(acc.in[c] / acc.n);
      s.target[size_t(c)] = float(acc.out[c] / acc.n);
    }
    s.weight = std::pow(acc.n, double(options.weight_power));
    samples.push_back(s);
  }
  double bending = options.bending;
  if (bending < 0) {
    const ThinPlateLattice cv_lat(options.cv_size);
    bending = choose_bending(cv_lat, samples, options, {1e-8, 1e-7, 1e-6, 1e-5, 1e-4}, 1e-7, nullptr);
  }
  const ThinPlateLattice lat(options.fit_size);
  const Model m = fit_model(lat, samples, options, bending, options.tension);
  Lut3D lut = Lut3D::identity(options.lut_size);
  for (size_t i = 0; i < lut.table.size(); i += 3) {
    Rgb o = eval(lat, m, {lut.table[i], lut.table[i + 1], lut.table[i + 2]});
    for (int c = 0; c < 3; ++c) lut.table[i + size_t(c)] = std::clamp(o[size_t(c)], options.clamp_lo, options.clamp_hi);
  }
  if (report) {
    double se = 0, wsum = 0;
    for (const auto& s : samples) {
      const Rgb o = eval(lat, m, s.in);
      for (int c = 0; c < 3; ++c) se += s.weight * double(o[size_t(c)] - s.target[size_t(c)]) * double(o[size_t(c)] - s.target[size_t(c)]);
      wsum += s.weight;
    }
    report->fit_rms = float(std::sqrt(se / std::max(1e-12, 3 * wsum)));
    report->samples = samples.size();
    report->bending = float(bending);
    std::vector<char> touched(size_t((lat.size() - 1) * (lat.size() - 1) * (lat.size() - 1)), 0);
    for (const auto& s : samples) {
      int k = 0;
      for (int c = 2; c >= 0; --c) k = k * (lat.size() - 1) + std::min(lat.size() - 2, int(s.in[size_t(c)] * float(lat.size() - 1)));
      touched[size_t(k)] = 1;
    }
    report->coverage = float(std::count(touched.begin(), touched.end(), 1)) / float(touched.size());
  }
  return lut;
}

}  // namespace autograde
