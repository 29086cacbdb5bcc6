// Residual-lattice fit used by the distribution-transfer baselines (model in lattice_fit.hpp).
#include <Eigen/Dense>
#include <Eigen/IterativeLinearSolvers>
#include <Eigen/Sparse>
#include <algorithm>
#include <cmath>

#include "lattice_fit.hpp"
#include "thin_plate_lattice.hpp"

namespace autograde {
namespace look_detail {

namespace {

constexpr int kPolyTerms = 10;  // 1, r, g, b, r², g², b², rg, rb, gb

std::array<double, kPolyTerms> poly_features(const Rgb& x) {
  const double r = x[0], g = x[1], b = x[2];
  return {1.0, r, g, b, r * r, g * g, b * b, r * g, r * b, g * b};
}

}  // namespace

LatticeFitResult fit_lattice(const std::vector<Rgb>& in, const std::vector<Rgb>& out,
                             const std::vector<float>& weights, const LatticeFitOptions& opt) {
  const int F = std::clamp(opt.fit_size, 2, 65);
  const size_t n = in.size();
  // 1. Global quadratic polynomial, weighted least squares with a tiny ridge.
  Eigen::Matrix<double, kPolyTerms, kPolyTerms> ata = Eigen::Matrix<double, kPolyTerms, kPolyTerms>::Zero();
  Eigen::Matrix<double, kPolyTerms, 3> aty = Eigen::Matrix<double, kPolyTerms, 3>::Zero();
  double wsum = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto f = poly_features(in[i]);
    Eigen::Map<const Eigen::Matrix<double, kPolyTerms, 1>> fv(f.data());
    ata.noalias() += double(weights[i]) * fv * fv.transpose();
    for (int c = 0; c < 3; ++c) aty.col(c) += double(weights[i]) * out[i][c] * fv;
    wsum += weights[i];
  }
  // Ridge towards the identity polynomial so colours with no data stay close to identity.
  Eigen::Matrix<double, kPolyTerms, 3> prior = Eigen::Matrix<double, kPolyTerms, 3>::Zero();
  prior(1, 0) = prior(2, 1) = prior(3, 2) = 1.0;
  const double ridge = 1e-3 * std::max(1.0, wsum);
  ata += ridge * Eigen::Matrix<double, kPolyTerms, kPolyTerms>::Identity();
  aty += ridge * prior;
  const Eigen::Matrix<double, kPolyTerms, 3> coef = ata.ldlt().solve(aty);
  auto poly = [&](const Rgb& x) {
    const auto f = poly_features(x);
    Eigen::Map<const Eigen::Matrix<double, kPolyTerms, 1>> fv(f.data());
    Eigen::Matrix<double, 1, 3> v = fv.transpose() * coef;
    return Rgb{float(v(0)), float(v(1)), float(v(2))};
  };

  // 2. Residual lattice: data term (trilinear weights) + second-difference prior + weak pull to 0.
  const int nodes = F * F * F;
  auto node = [F](int r, int g, int b) { return (b * F + g) * F + r; };
  std::vector<Eigen::Triplet<double>> trip;
  trip.reserve(n * 64 + size_t(nodes) * 27);
  Eigen::MatrixXd rhs = Eigen::MatrixXd::Zero(nodes, 3);
  std::vector<char> touched(size_t(nodes), 0);
  for (size_t i = 0; i < n; ++i) {
    const TrilinearCell cell = trilinear_cell(F, in[i]);
    const auto& idx = cell.ids;
    const auto& wt = cell.wt;
    const Rgb p = poly(in[i]);
    const double w = weights[i];
    for (int a = 0; a < 8; ++a) {
      const size_t ua = size_t(a);
      touched[size_t(idx[ua])] = 1;
      for (size_t b = 0; b < 8; ++b) trip.emplace_back(idx[ua], idx[b], w * wt[ua] * wt[b]);
      for (int c = 0; c < 3; ++c) rhs(idx[ua], c) += w * wt[ua] * (out[i][c] - p[c]);
    }
  }
  // Prior strength scaled so `smoothness` is relative to the average data weight per node.
  const double lambda = double(opt.smoothness) * wsum / nodes * double(F - 1) * double(F - 1) / 256.0;
  const double pull = 1e-4 * wsum / nodes;
  for (int b = 0; b < F; ++b)
    for (int g = 0; g < F; ++g)
      for (int r = 0; r < F; ++r) {
        const int here = node(r, g, b);
        trip.emplace_back(here, here, pull);
        const int pos[3] = {r, g, b};
        for (int axis = 0; axis < 3; ++axis) {
          if (pos[axis] == 0 || pos[axis] == F - 1) continue;
          int q[3] = {r, g, b};
          q[axis] -= 1;
          const int lo = node(q[0], q[1], q[2]);
          q[axis] += 2;
          const int hi = node(q[0], q[1], q[2]);
          // (lo - 2 here + hi)^2 expanded into the normal matrix.
          const int ids[3] = {lo, here, hi};
          const double cf[3] = {1, -2, 1};
          for (int a = 0; a < 3; ++a)
            for (int c = 0; c < 3; ++c) trip.emplace_back(ids[a], ids[c], lambda * cf[a] * cf[c]);
        }
      }
  Eigen::SparseMatrix<double> A(nodes, nodes);
  A.setFromTriplets(trip.begin(), trip.end());
  Eigen::ConjugateGradient<Eigen::SparseMatrix<double>, Eigen::Lower | Eigen::Upper> cg;
  cg.setTolerance(1e-7);
  cg.setMaxIterations(2000);
  cg.compute(A);
  Eigen::MatrixXd R(nodes, 3);
  for (int c = 0; c < 3; ++c) R.col(c) = cg.solve(rhs.col(c));

  auto residual = [&](const Rgb& x) {
    const TrilinearCell cell = trilinear_cell(F, x);
    Rgb v{0, 0, 0};
    for (size_t k = 0; k < 8; ++k)
      for (int c = 0; c < 3; ++c) v[c] += float(cell.wt[k] * R(cell.ids[k], c));
    return v;
  };
  auto model = [&](const Rgb& x) {
    const Rgb p = poly(x), r = residual(x);
    Rgb o;
    for (int c = 0; c < 3; ++c) {
      o[c] = p[c] + r[c];
      if (!std::isfinite(o[c])) o[c] = x[c];
      o[c] = std::clamp(o[c], -0.5f, 1.5f);
    }
    return o;
  };
  LatticeFitResult res;
  res.lut = lut_from_function(std::clamp(opt.out_size, 2, 129), model);
  double se = 0;
  for (size_t i = 0; i < n; ++i) {
    const Rgb m = model(in[i]);
    for (int c = 0; c < 3; ++c) se += weights[i] * double(m[c] - out[i][c]) * double(m[c] - out[i][c]);
  }
  res.rms = float(std::sqrt(se / std::max(1e-12, 3 * wsum)));
  res.coverage = float(std::count(touched.begin(), touched.end(), 1)) / float(nodes);
  return res;
}

}  // namespace look_detail

}  // namespace autograde
