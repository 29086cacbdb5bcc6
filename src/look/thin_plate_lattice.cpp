// Thin-plate lattice fit (model in thin_plate_lattice.hpp).
#include "thin_plate_lattice.hpp"

#include <Eigen/SparseCholesky>
#include <algorithm>
#include <array>

#include "autograde/core/error.hpp"

namespace autograde::look_detail {

namespace {

using Triplets = std::vector<Eigen::Triplet<double>>;

// Adds weight * (Σ c_k v_{id_k})² to the quadratic form.
template <size_t N>
void add_stencil(Triplets& t, const std::array<int, N>& ids, const std::array<double, N>& cf,
                 double weight) {
  for (size_t a = 0; a < N; ++a)
    for (size_t b = 0; b < N; ++b) t.emplace_back(ids[a], ids[b], weight * cf[a] * cf[b]);
}


}  // namespace

TrilinearCell trilinear_cell(int F, const Rgb& x) {
  int base[3];
  double fr[3];
  for (int c = 0; c < 3; ++c) {
    const double p = std::clamp(double(x[c]), 0.0, 1.0) * (F - 1);
    base[c] = std::min(F - 2, int(p));
    fr[c] = p - base[c];
  }
  TrilinearCell cell;
  for (int k = 0; k < 8; ++k) {
    const int dr = k & 1, dg = (k >> 1) & 1, db = (k >> 2) & 1;
    cell.ids[size_t(k)] = ((base[2] + db) * F + base[1] + dg) * F + base[0] + dr;
    cell.wt[size_t(k)] =
        (dr ? fr[0] : 1 - fr[0]) * (dg ? fr[1] : 1 - fr[1]) * (db ? fr[2] : 1 - fr[2]);
  }
  return cell;
}

ThinPlateLattice::ThinPlateLattice(int size) : size_(std::clamp(size, 3, 65)) {
  const int F = size_;
  const int n = F * F * F;
  const double h = 1.0 / (F - 1);
  auto id = [F](int r, int g, int b) { return (b * F + g) * F + r; };
  Triplets bt, tt, mt;
  for (int b = 0; b < F; ++b)
    for (int g = 0; g < F; ++g)
      for (int r = 0; r < F; ++r) {
        const int p[3] = {r, g, b};
        const int here = id(r, g, b);
        mt.emplace_back(here, here, h * h * h);
        for (int ax = 0; ax < 3; ++ax) {
          int q[3] = {r, g, b};
          // Membrane: (dv/dx)² ≈ (Δv / h)² over a volume h³.
          if (p[ax] + 1 < F) {
            ++q[ax];
            add_stencil<2>(tt, {here, id(q[0], q[1], q[2])}, {-1, 1}, h);
            --q[ax];
          }
          // Pure second derivative (Δ²v / h²)² over h³.
          if (p[ax] > 0 && p[ax] + 1 < F) {
            int lo[3] = {r, g, b}, hi[3] = {r, g, b};
            --lo[ax];
            ++hi[ax];
            add_stencil<3>(bt, {id(lo[0], lo[1], lo[2]), here, id(hi[0], hi[1], hi[2])}, {1, -2, 1},
                           1.0 / h);
          }
          // Mixed derivative on the face spanned by ax and the next axis, counted twice
          // (∂²/∂j∂k and ∂²/∂k∂j).
          const int ax2 = (ax + 1) % 3;
          if (p[ax] + 1 < F && p[ax2] + 1 < F) {
            int a[3] = {r, g, b}, c[3] = {r, g, b}, d[3] = {r, g, b};
            ++a[ax];
            ++c[ax2];
            ++d[ax];
            ++d[ax2];
            add_stencil<4>(bt,
                           {here, id(a[0], a[1], a[2]), id(c[0], c[1], c[2]), id(d[0], d[1], d[2])},
                           {1, -1, -1, 1}, 2.0 / h);
          }
        }
      }
  bending_.resize(n, n);
  bending_.setFromTriplets(bt.begin(), bt.end());
  tension_.resize(n, n);
  tension_.setFromTriplets(tt.begin(), tt.end());
  mass_.resize(n, n);
  mass_.setFromTriplets(mt.begin(), mt.end());
}

std::vector<Rgb> ThinPlateLattice::fit(const std::vector<Sample>& samples, double bending,
                                       double tension, double ridge) const {
  const int F = size_;
  const int n = F * F * F;
  double wsum = 0;
  for (const auto& s : samples) wsum += s.weight;
  const double norm = wsum > 0 ? 1.0 / wsum : 0.0;
  // Data normal matrix accumulated per cell (8×8 blocks), then scattered once.
  std::vector<std::array<double, 64>> blocks(size_t((F - 1) * (F - 1) * (F - 1)));
  std::vector<char> used(blocks.size(), 0);
  Eigen::MatrixXd rhs = Eigen::MatrixXd::Zero(n, 3);
  for (const auto& s : samples) {
    const TrilinearCell c = trilinear_cell(F, s.in);
    const int lower = c.ids[0];
    const int r = lower % F, g = (lower / F) % F, b = lower / (F * F);
    const size_t cell = size_t((b * (F - 1) + g) * (F - 1) + r);
    if (!used[cell]) blocks[cell].fill(0.0), used[cell] = 1;
    const double w = s.weight * norm;
    for (int a = 0; a < 8; ++a) {
      for (int k = 0; k < 8; ++k)
        blocks[cell][size_t(a * 8 + k)] += w * c.wt[size_t(a)] * c.wt[size_t(k)];
      for (int ch = 0; ch < 3; ++ch)
        rhs(c.ids[size_t(a)], ch) += w * c.wt[size_t(a)] * s.target[size_t(ch)];
    }
  }
  Triplets dt;
  for (size_t cell = 0; cell < blocks.size(); ++cell) {
    if (!used[cell]) continue;
    const int r = int(cell % size_t(F - 1)), g = int(cell / size_t(F - 1) % size_t(F - 1)),
              b = int(cell / size_t((F - 1) * (F - 1)));
    std::array<int, 8> ids;
    for (int k = 0; k < 8; ++k)
      ids[size_t(k)] = ((b + ((k >> 2) & 1)) * F + g + ((k >> 1) & 1)) * F + r + (k & 1);
    for (int a = 0; a < 8; ++a)
      for (int k = 0; k < 8; ++k)
        dt.emplace_back(ids[size_t(a)], ids[size_t(k)], blocks[cell][size_t(a * 8 + k)]);
  }
  Eigen::SparseMatrix<double> A(n, n);
  A.setFromTriplets(dt.begin(), dt.end());
  A += bending * bending_ + tension * tension_ + ridge * mass_;
  Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> solver(A);
  if (solver.info() != Eigen::Success) throw_internal("thin-plate lattice: factorisation failed");
  const Eigen::MatrixXd v = solver.solve(rhs);
  std::vector<Rgb> out(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out[size_t(i)] = {float(v(i, 0)), float(v(i, 1)), float(v(i, 2))};
  return out;
}

Rgb ThinPlateLattice::eval(const std::vector<Rgb>& values, const Rgb& x) const {
  const TrilinearCell c = trilinear_cell(size_, x);
  Rgb o{0, 0, 0};
  for (int k = 0; k < 8; ++k)
    for (int ch = 0; ch < 3; ++ch)
      o[size_t(ch)] += float(c.wt[size_t(k)] * values[size_t(c.ids[size_t(k)])][size_t(ch)]);
  return o;
}

}  // namespace autograde::look_detail
