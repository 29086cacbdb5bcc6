#include "autograde/learn/corrector.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "autograde/core/error.hpp"
#include "autograde/learn/features.hpp"
#include "autograde/lut/interpolate.hpp"

namespace autograde::learn {

LutCorrector::LutCorrector(Mlp mlp, const std::string& source_name) : mlp_(std::move(mlp)) {
  require_feature_version(mlp_.meta.value("feature_version", 0), source_name, "correction model");
  const std::string output = mlp_.meta.value("output", std::string("residual_lattice"));
  if (output != "defect_amounts")
    throw_bad_input(source_name, "correction model: meta.output '" + output +
                                     "' is not supported by this build (only defect_amounts)");
  lattice_ = mlp_.meta.value("lattice", 33);
  if (lattice_ < 2 || lattice_ > 65)
    throw_bad_input(source_name, "correction model: meta.lattice must be 2..65");
  if (mlp_.inputs() != kFeatureCount || mlp_.outputs() != kAmountCount)
    throw_bad_input(source_name, "defect-amount model must map " + std::to_string(kFeatureCount) +
                                     " features to " + std::to_string(kAmountCount) +
                                     " amounts (has " + std::to_string(mlp_.inputs()) + " -> " +
                                     std::to_string(mlp_.outputs()) + ")");
  if (mlp_.meta.contains("garrote")) {
    const auto& g = mlp_.meta["garrote"];
    if (!g.is_array() || g.size() != size_t(kAmountCount))
      throw_bad_input(source_name, "correction model: meta.garrote must hold " +
                                       std::to_string(kAmountCount) + " numbers");
    for (int i = 0; i < kAmountCount; ++i) {
      if (!g[size_t(i)].is_number())
        throw_bad_input(source_name, "correction model: meta.garrote must hold numbers");
      garrote_[size_t(i)] = std::max(0.f, g[size_t(i)].get<float>());
    }
  }
  classifier_weight_ = std::clamp(mlp_.meta.value("classifier_weight", 0.f), 0.f, 1.f);
  const std::string gate = mlp_.meta.value("gate", std::string("none"));
  if (gate != "none" && gate != "presence")
    throw_bad_input(source_name, "correction model: meta.gate must be \"none\" or \"presence\"");
  presence_gate_ = gate == "presence";
}

LutCorrector LutCorrector::load(const std::string& path) {
  return LutCorrector(read_mlp(path), path);
}

Lut3D LutCorrector::predict(const ImageF& image, float strength) const {
  return predict_features(image_features(image), strength);
}

DefectAmounts garrote_amounts(const DefectAmounts& raw, const DefectAmounts& t) {
  DefectAmounts out{};
  for (int i = 0; i < kAmountCount; ++i) {
    const float v = raw[size_t(i)], ti = t[size_t(i)];
    out[size_t(i)] = v == 0.f ? 0.f : v * std::max(0.f, 1.f - ti * ti / (v * v));
  }
  return out;
}

DefectAmounts classifier_amounts(const Analysis& analysis) {
  DefectAmounts sum{};
  for (int f = 0; f < kFamilyCount; ++f) {
    const auto& p = analysis.probabilities[size_t(f)];
    const float expected = (p[1] * 1.f + p[2] * 2.f + p[3] * 3.f) / 3.f;
    Defect d = make_defect(Family(f), 3);
    d.amount = expected;
    const DefectAmounts a = defect_amounts({d});
    for (int k = 0; k < kAmountCount; ++k) sum[size_t(k)] += a[size_t(k)];
  }
  return sum;
}

DefectAmounts presence_gates(const Analysis& analysis, const DefectAmounts& amounts) {
  auto present = [&](Family f) {
    return std::clamp(1.f - analysis.probabilities[size_t(f)][0], 0.f, 1.f);
  };
  DefectAmounts g{};
  // The three cast amounts: the cast group, whichever cast it is.
  float cast = 0.f;
  for (int f = int(Family::CastGreen); f <= int(Family::CastCyan); ++f)
    cast = std::max(cast, present(Family(f)));
  g[0] = g[1] = g[2] = cast;
  // The other amounts: the family of the amount's sign (defects.hpp layout: + is the first of
  // each pair).
  const std::array<std::pair<Family, Family>, 5> pairs{{
      {Family::BlackHigh, Family::BlackLow},
      {Family::WhiteHigh, Family::WhiteLow},
      {Family::ExposureDark, Family::ExposureBright},
      {Family::ContrastHigh, Family::ContrastLow},
      {Family::SaturationHigh, Family::SaturationLow},
  }};
  for (size_t i = 0; i < pairs.size(); ++i)
    g[3 + i] = present(amounts[3 + i] >= 0.f ? pairs[i].first : pairs[i].second);
  return g;
}

DefectAmounts LutCorrector::amounts_impl(const std::vector<float>& features,
                                         const Analysis* analysis, float strength) const {
  DefectAmounts a{};
  const std::vector<float> out = mlp_.forward(features);
  const DefectAmounts from_classifier = analysis ? classifier_amounts(*analysis) : DefectAmounts{};
  const float wc = analysis ? classifier_weight_ : 0.f;
  strength = std::clamp(strength, 0.f, 1.f);
  for (int i = 0; i < kAmountCount; ++i)
    a[size_t(i)] = (1.f - wc) * out[size_t(i)] + wc * from_classifier[size_t(i)];
  a = garrote_amounts(a, garrote_);
  if (presence_gate_ && analysis) {
    const DefectAmounts g = presence_gates(*analysis, a);
    for (int i = 0; i < kAmountCount; ++i) a[size_t(i)] *= g[size_t(i)];
  }
  for (auto& v : a) v *= strength;
  return a;
}

DefectAmounts LutCorrector::amounts_features(const std::vector<float>& features,
                                             float strength) const {
  return amounts_impl(features, nullptr, strength);
}

DefectAmounts LutCorrector::amounts_features(const std::vector<float>& features,
                                             const Analysis& analysis, float strength) const {
  return amounts_impl(features, &analysis, strength);
}

Lut3D LutCorrector::predict_features(const std::vector<float>& features, float strength) const {
  return lut_impl(features, nullptr, strength);
}

Lut3D LutCorrector::predict_features(const std::vector<float>& features, const Analysis& analysis,
                                     float strength) const {
  return lut_impl(features, &analysis, strength);
}

Lut3D LutCorrector::predict(const ImageF& image, const Analysis& analysis, float strength) const {
  return lut_impl(image_features(image), &analysis, strength);
}

Lut3D LutCorrector::lut_impl(const std::vector<float>& features, const Analysis* analysis,
                             float strength) const {
  const DefectAmounts a = amounts_impl(features, analysis, strength);
  Lut3D lut = Lut3D::identity(lattice_);
  for (int b = 0; b < lattice_; ++b)
    for (int g = 0; g < lattice_; ++g)
      for (int r = 0; r < lattice_; ++r) {
        float* p = lut.at(r, g, b);
        const Rgb v = invert_amounts(a, Rgb{p[0], p[1], p[2]});
        p[0] = v[0];
        p[1] = v[1];
        p[2] = v[2];
      }
  return lut;
}

float correction_strength(const Analysis& analysis) {
  return std::clamp(1.f - analysis.fine_confidence, 0.f, 1.f);
}

Lut3D resample_trilinear(const Lut3D& lut, int size) {
  return resample(lut, size, Interp::Trilinear);
}

}  // namespace autograde::learn
