#pragma once
// Recovering a LUT from a before/after pair of the same framing (e.g. a still graded in
// another application and saved as 8-bit).
//
// Encoding: both images hold display-referred code values 0..1; the LUT maps before → after
// in that encoding.
//
// Method: the displacement after - before is fitted on a fit_size^3 lattice over the before
// colour (trilinear data term), with a thin-plate prior — the integral of all squared second
// derivatives over the cube, which leaves affine maps free — and a weak ridge pulling the
// displacement to zero (see src/look/thin_plate_lattice.hpp). Inside the colours the pair shows
// the lattice follows the data; outside them the thin-plate energy continues the local
// behaviour linearly and the ridge keeps what is left near identity. The thin-plate weight is
// chosen per pair by cross-validation over held-out blocks of colour (an 8^3 partition of the
// cube dealt into four folds), i.e. by how well each candidate predicts colours it was not
// shown. Every distinct before colour counts once (its output is the mean over the pixels that
// share it, which also averages the 8-bit rounding), so a large flat area does not outweigh
// the rest of the picture.
#include <span>
#include <string>

#include "autograde/core/image.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde {

struct ExtractOptions {
  int lut_size = 33;           // output size (2..129)
  int fit_size = 17;           // lattice the displacement is fitted on (3..33)
  int cv_size = 13;            // lattice used while cross-validating (3..33)
  float bending = -1.f;        // thin-plate weight; < 0: chosen by cross-validation
  float ridge = 1e-6f;         // weight of the pull of the displacement to zero
  float weight_power = 0.f;    // weight of a distinct colour = its pixel count ^ this
  int max_samples = 200000;    // pixels used (strided subsample beyond that)
  int cv_max_samples = 20000;  // distinct colours used while cross-validating
};

struct ExtractReport {
  float fit_rms = 0.f;   // RMS of (LUT(before) - after) over the used pixels, code values
  size_t samples = 0;    // distinct colours used
  float coverage = 0.f;  // fraction of fit lattice cells touched by data
  float bending = 0.f;   // thin-plate weight used
};

// Error(BadInput) naming the files when sizes differ, images are empty or hold non-finite
// values; Error(Usage) for sizes out of range.
Lut3D extract_lut(const ImageF& before, const ImageF& after, const ExtractOptions& options = {},
                  ExtractReport* report = nullptr, const std::string& before_name = "before",
                  const std::string& after_name = "after");

// One LUT from several before/after pairs graded the same way (e.g. stills from different
// shots of one graded timeline): their colours are pooled into one fit, so together they show
// more of the colour cube than any one of them. Each pair must share framing; pairs may differ
// in size. A colour shown by several pairs averages their outputs. Names (for errors) default
// to "before N" / "after N". Error(Usage) when the lists are empty or differ in length.
Lut3D extract_lut(std::span<const ImageF> before, std::span<const ImageF> after,
                  const ExtractOptions& options = {}, ExtractReport* report = nullptr,
                  std::span<const std::string> before_names = {},
                  std::span<const std::string> after_names = {});

}  // namespace autograde
