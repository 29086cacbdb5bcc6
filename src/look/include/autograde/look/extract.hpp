#pragma once
// Recovering a LUT from a before/after pair of the same framing (e.g. a still graded in
// another application and saved as 8-bit).
//
// Encoding: both images hold display-referred code values 0..1; the LUT maps before → after
// in that encoding.
//
// Method: a global quadratic polynomial in R'G'B' (least squares) captures the overall
// transform and extrapolates to colours the pair does not contain; the residual is a lattice
// fitted to the scattered samples (trilinear data term) with a smoothness prior on its second
// differences along each axis (a discrete thin-plate / Laplacian-squared energy) and a weak pull
// to zero, solved per channel with Eigen's sparse conjugate gradient.
#include <string>

#include "autograde/core/image.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde {

struct ExtractOptions {
  int lut_size = 33;          // output size (2..129); the fit runs on a lattice of fit_size
  int fit_size = 17;
  float bending = -1.f;       // thin-plate weight (see thin_plate_lattice.hpp); < 0: by CV
  int cv_size = 13;
  float tension = 0.f;        // membrane weight
  float ridge = 1e-6f;         // pull of the residual to zero
  float base_ridge = -1.f;    // affine base model's ridge to identity (< 0: identity base)
  float weight_power = 0.5f;  // weight of a distinct colour = pixel count ^ this
  float clamp_lo = -0.5f, clamp_hi = 1.5f;
  int max_samples = 200000;   // pixels used (strided subsample beyond that)
};

struct ExtractReport {
  float fit_rms = 0.f;         // RMS of (LUT(before) - after) over the used pixels, code values
  size_t samples = 0;          // distinct colours used
  float coverage = 0.f;        // fraction of fit lattice cells touched by data
  float bending = 0.f;         // thin-plate weight used
};

// Error(BadInput) naming the files when sizes differ, images are empty or hold non-finite
// values.
Lut3D extract_lut(const ImageF& before, const ImageF& after, const ExtractOptions& options = {},
                  ExtractReport* report = nullptr, const std::string& before_name = "before",
                  const std::string& after_name = "after");

}  // namespace autograde
