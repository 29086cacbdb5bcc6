#pragma once
// "Fix it": the learned auto-correction. A small MLP reads image_features and predicts a
// residual N^3 lattice (code values in, code values out) that is added to the identity — a
// correction LUT, never pixels (DESIGN.md principle 1). One LUT per shot cannot flicker and
// cannot blur detail.
//
// Network output layout: N^3 * 3 floats, red varying fastest (the Lut3D / .cube order), the
// residual added to the identity lattice; N is meta "lattice" of the weight file. The network
// was trained with trilinear interpolation of this lattice (torch grid_sample), so the
// returned Lut3D should be applied with Interp::Trilinear to reproduce exactly what was trained.
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/learn/analyzer.hpp"
#include "autograde/learn/mlp.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde::learn {

class LutCorrector {
 public:
  explicit LutCorrector(Mlp mlp, const std::string& source_name = "correction model");
  static LutCorrector load(const std::string& path);

  int lattice() const { return lattice_; }
  // The correction LUT for `image` (display-referred code values, any size). `strength` 0..1
  // scales the residual (0 = identity). Entries are clamped to 0..1.
  Lut3D predict(const ImageF& image, float strength = 1.f) const;
  Lut3D predict_features(const std::vector<float>& features, float strength = 1.f) const;

 private:
  Mlp mlp_;
  int lattice_ = 0;
};

// Do no harm: how much of the predicted correction to apply, from the classifier's belief
// that the picture is already fine (strength = 1 - fine_confidence: the expected correction
// when "fine" means "apply nothing").
float correction_strength(const Analysis& analysis);

// Resamples `lut` (trilinear) onto a size^3 lattice, e.g. to write a 33^3 .cube for NLEs.
Lut3D resample_trilinear(const Lut3D& lut, int size);

}  // namespace autograde::learn
