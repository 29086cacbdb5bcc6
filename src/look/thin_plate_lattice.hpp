#pragma once
// Internal to ag_look: a smooth function on the unit RGB cube, stored on a size^3 lattice and
// read by trilinear interpolation, fitted to scattered weighted samples with a thin-plate prior.
// Values are whatever the caller fits (extraction fits code-value offsets).
//
// Energy minimised, per output channel, for lattice values v:
//   (1 / Σw) Σ_i w_i (v(x_i) - t_i)²                  data (trilinear read-out)
//   + bending ∫ Σ_jk (∂²v/∂x_j∂x_k)² dx                thin-plate energy over the cube
//   + tension ∫ |∇v|² dx                                membrane energy
//   + ridge ∫ v² dx
// The thin-plate term leaves affine functions free, so data are extrapolated linearly; the
// membrane term bends that extrapolation back to a constant over a length ≈ √(bending/tension);
// the ridge term decides what is left (v → 0 where nothing else speaks). The integrals are
// discretised with finite differences so the weights mean the same at every lattice size
// (Wahba, "Spline Models for Observational Data", 1990, ch. 2 for the thin-plate energy).
#include <Eigen/Sparse>
#include <array>
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde::look_detail {

// The 8 lattice nodes around x (red fastest: id = (b·F + g)·F + r) and their trilinear weights,
// on a lattice of size F over the unit cube (x clamped to it).
struct TrilinearCell {
  std::array<int, 8> ids;
  std::array<double, 8> wt;
};
TrilinearCell trilinear_cell(int F, const Rgb& x);

struct Sample {
  Rgb in;      // lattice coordinate, 0..1 per channel (clamped)
  Rgb target;  // value to fit
  double weight = 1.0;
};

class ThinPlateLattice {
 public:
  explicit ThinPlateLattice(int size);

  int size() const { return size_; }
  // Lattice values (size^3, red fastest) minimising the energy above; Error(Internal) if the
  // factorisation fails (it cannot for positive ridge).
  std::vector<Rgb> fit(const std::vector<Sample>& samples, double bending, double tension,
                       double ridge) const;
  // Trilinear read-out of lattice values at x (clamped to the cube).
  Rgb eval(const std::vector<Rgb>& values, const Rgb& x) const;

 private:
  int size_;
  Eigen::SparseMatrix<double> bending_;  // quadratic forms of the discretised integrals
  Eigen::SparseMatrix<double> tension_;
  Eigen::SparseMatrix<double> mass_;
};

}  // namespace autograde::look_detail
