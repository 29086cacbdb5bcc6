#pragma once
// Internal to ag_look: turning a colour mapping into a well-behaved Lut3D.
// All values are display-referred code values (sRGB/Rec.709 R'G'B').
#include <functional>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde::look_detail {

// Samples f on a size^3 lattice over 0..1.
Lut3D lut_from_function(int size, const std::function<Rgb(Rgb)>& f);

// Clamps to 0..1, replaces non-finite entries with the lattice position, and — if the
// luminance along the grey diagonal ever decreases (grey_axis_monotone, lut.hpp) — mixes the table with identity by the
// smallest amount (in steps of 1/8) that makes it non-decreasing. Returns the mix kept (1 = as is).
float regularise_lut(Lut3D& lut);

// Mix with identity: out = id + strength (lut - id).
void apply_strength(Lut3D& lut, float strength);

// Scattered samples in -> out (with weights) fitted by a global quadratic polynomial plus a
// smooth residual lattice (second-difference prior, Eigen sparse CG); evaluated on an
// out_size^3 lattice. See extract.hpp for the model.
struct LatticeFitOptions {
  int fit_size = 17;
  int out_size = 33;
  float smoothness = 0.03f;
};
struct LatticeFitResult {
  Lut3D lut;
  float rms = 0.f;
  float coverage = 0.f;
};
LatticeFitResult fit_lattice(const std::vector<Rgb>& in, const std::vector<Rgb>& out,
                             const std::vector<float>& weights, const LatticeFitOptions& opt);

}  // namespace autograde::look_detail
