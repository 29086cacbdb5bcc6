#pragma once
// "Fix it": the learned auto-correction. A small MLP reads image_features and predicts a
// correction LUT (code values in, code values out), never pixels (DESIGN.md principle 1). One
// LUT per shot cannot flicker and cannot blur detail.
//
// The network regresses the signed, continuous amount of every defect group (kAmountCount
// floats, layout in defects.hpp; weight file meta "output": "defect_amounts") and the LUT is
// the analytic inverse of the parametric defect model (invert_amounts) on an N^3 lattice,
// N = meta "lattice" (default 33). Exact when the amounts are right; an amount the model is
// unsure of is small, and a non-negative garrote (Breiman 1995) shrinks it to nothing:
// a' = a * max(0, 1 - (t / a)^2), t per amount = meta "garrote" (severity units, calibrated on
// clean validation pictures by the trainer, garrote_amounts), so a clean picture is left alone
// while a clear defect is undone nearly in full. With meta "gate" = "presence" and the
// classifier's analysis given, each garroted amount is further multiplied by the classifier's
// probability that the matching defect is present (presence_gates): a correction is applied in
// full only when both models, trained apart, see the same defect. A weight file of another
// "output" is Error(BadInput) naming it.
//
// The analytic lattice is smooth enough at 33^3 for trilinear or tetrahedral application.
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
  const Mlp& network() const { return mlp_; }
  // The garroted amounts the LUT undoes (defects.hpp layout), scaled by `strength`.
  DefectAmounts amounts_features(const std::vector<float>& features, float strength = 1.f) const;
  DefectAmounts amounts_features(const std::vector<float>& features, const Analysis& analysis,
                                 float strength = 1.f) const;
  float classifier_weight() const { return classifier_weight_; }
  // The correction LUT for `image` (display-referred code values, any size). `strength` 0..1
  // scales the amounts (0 = identity).
  Lut3D predict(const ImageF& image, float strength = 1.f) const;
  Lut3D predict_features(const std::vector<float>& features, float strength = 1.f) const;
  // With the defect classifier's analysis of the same picture: the model blends its own
  // amounts with the classifier's posterior-mean amounts (classifier_amounts), weight meta
  // "classifier_weight" (chosen on validation pictures by the trainer), before the garrote.
  Lut3D predict(const ImageF& image, const Analysis& analysis, float strength = 1.f) const;
  Lut3D predict_features(const std::vector<float>& features, const Analysis& analysis,
                         float strength = 1.f) const;

 private:
  Mlp mlp_;
  int lattice_ = 0;
  DefectAmounts garrote_{};
  float classifier_weight_ = 0.f;
  bool presence_gate_ = false;
  DefectAmounts amounts_impl(const std::vector<float>& features, const Analysis* analysis,
                             float strength) const;
  Lut3D lut_impl(const std::vector<float>& features, const Analysis* analysis,
                 float strength) const;
};

// The non-negative garrote of this header's comment on raw amounts, thresholds t, each amount
// on its own (defects.hpp layout; per amount rather than the cast as one vector:
// models/correct.md).
DefectAmounts garrote_amounts(const DefectAmounts& raw, const DefectAmounts& t);

// Per amount (defects.hpp layout), the classifier's probability that the defect the amount
// undoes is present: for the three cast amounts the most likely cast family's P(present), for
// each other amount the P(present) of the family its sign names (e.g. a negative white-point
// amount: white_low). Multiplying the amounts by these is the "presence" gate.
DefectAmounts presence_gates(const Analysis& analysis, const DefectAmounts& amounts);

// The classifier's posterior-mean defect amounts (defects.hpp layout): for every family, the
// expected amount sum_s P(severity s) * s/3 along the family's signed direction, summed over
// families (opposite families of a group partly cancel).
DefectAmounts classifier_amounts(const Analysis& analysis);

// Do no harm: how much of the predicted correction to apply, from the classifier's belief
// that the picture is already fine (strength = 1 - fine_confidence: the expected correction
// when "fine" means "apply nothing").
float correction_strength(const Analysis& analysis);

// Resamples `lut` (trilinear) onto a size^3 lattice, e.g. to write a 33^3 .cube for NLEs.
Lut3D resample_trilinear(const Lut3D& lut, int size);

}  // namespace autograde::learn
