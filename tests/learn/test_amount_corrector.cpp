// The defect-amount corrector (corrector.hpp) with a hand-made constant network, so the truth is
// known independently of any training: with the true amounts its LUT undoes the defects on a
// picture, and the garrote leaves a picture alone when the amounts are small.
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/learn/corrector.hpp"
#include "autograde/learn/defects.hpp"
#include "autograde/learn/features.hpp"
#include "autograde/lut/interpolate.hpp"

namespace al = autograde::learn;
using autograde::ImageF;

namespace {

// A network whose output is `amounts` whatever the picture (zero weights, bias = amounts).
al::Mlp constant_amounts(const al::DefectAmounts& amounts, const std::vector<float>& garrote) {
  al::Mlp m;
  m.task = "lut_corrector";
  m.input_mean.assign(al::kFeatureCount, 0.f);
  m.input_std.assign(al::kFeatureCount, 1.f);
  al::DenseLayer l;
  l.in = al::kFeatureCount;
  l.out = al::kAmountCount;
  l.weights.assign(size_t(l.in * l.out), 0.f);
  l.bias.assign(amounts.begin(), amounts.end());
  m.layers.push_back(l);
  m.meta = {{"output", "defect_amounts"},
            {"lattice", 33},
            {"feature_version", al::kFeatureVersion},
            {"garrote", garrote}};
  return m;
}

// Smooth colour ramps in code values 0.15..0.85 (sRGB).
ImageF ramps() {
  ImageF img(64, 48, 3);
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      float* p = img.at(x, y);
      p[0] = 0.15f + 0.7f * float(x) / float(img.width - 1);
      p[1] = 0.15f + 0.7f * float(y) / float(img.height - 1);
      p[2] = 0.15f + 0.7f * float((x + 2 * y) % 64) / 63.f;
    }
  return img;
}

double mean_de(const ImageF& a, const ImageF& b) {
  double s = 0;
  for (size_t i = 0; i < a.pixel_count(); ++i) {
    const float* p = &a.pixels[3 * i];
    const float* q = &b.pixels[3 * i];
    s += autograde::ciede2000(autograde::srgb_to_lab({p[0], p[1], p[2]}),
                              autograde::srgb_to_lab({q[0], q[1], q[2]}));
  }
  return s / double(a.pixel_count());
}

}  // namespace

TEST(AmountCorrector, TrueAmountsUndoTheDefects) {
  const std::vector<al::Defect> defects{al::make_defect(al::Family::CastBlue, 2),
                                        al::make_defect(al::Family::ContrastLow, 2),
                                        al::make_defect(al::Family::ExposureDark, 1)};
  const al::LutCorrector c(
      constant_amounts(al::defect_amounts(defects), std::vector<float>(8, 0.f)));
  const ImageF clean = ramps();
  ImageF img = clean;
  al::apply_defects(defects, img);
  const double before = mean_de(img, clean);
  autograde::apply_reference(c.predict(img), img, autograde::Interp::Trilinear);
  const double after = mean_de(img, clean);
  EXPECT_GT(before, 3.0);
  EXPECT_LT(after, 0.3) << before << " -> " << after;
}

TEST(AmountCorrector, GarroteLeavesSmallAmountsAlone) {
  al::DefectAmounts small{0.05f, -0.1f, 0.05f, 0.1f, -0.1f, 0.1f, 0.1f, -0.1f};
  const al::LutCorrector c(constant_amounts(small, std::vector<float>(8, 0.2f)));
  const autograde::Lut3D lut = c.predict(ramps());
  const autograde::Lut3D id = autograde::Lut3D::identity(lut.size);
  for (size_t i = 0; i < lut.table.size(); ++i) ASSERT_NEAR(lut.table[i], id.table[i], 1e-6f) << i;
  // A large amount passes nearly whole: t = 0.2, a = 1 keeps 1 - 0.04 of it.
  al::DefectAmounts big{};
  big[6] = 1.f;
  EXPECT_NEAR(al::garrote_amounts(
                  big, al::DefectAmounts{0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f})[6],
              0.96f, 1e-5f);
  // Strength 0 is the identity whatever the amounts.
  const al::LutCorrector strong(constant_amounts(
      al::defect_amounts({al::make_defect(al::Family::CastRed, 3)}), std::vector<float>(8, 0.f)));
  const autograde::Lut3D none = strong.predict(ramps(), 0.f);
  for (size_t i = 0; i < none.table.size(); ++i)
    ASSERT_NEAR(none.table[i], id.table[i], 1e-6f) << i;
}

// The presence gate: each amount is scaled by the classifier's P(present) of the defect it
// undoes — by the sign of the amount for the paired families, by the likeliest cast for the
// cast — and a gated model applies nothing when the classifier is sure nothing is wrong.
TEST(AmountCorrector, PresenceGateFollowsTheClassifier) {
  al::Analysis an;
  for (auto& p : an.probabilities) p = {1.f, 0.f, 0.f, 0.f};
  an.probabilities[size_t(al::Family::WhiteLow)] = {0.3f, 0.5f, 0.2f, 0.f};  // present 0.7
  an.probabilities[size_t(al::Family::WhiteHigh)] = {0.9f, 0.1f, 0.f, 0.f};  // present 0.1
  an.probabilities[size_t(al::Family::CastBlue)] = {0.4f, 0.6f, 0.f, 0.f};   // present 0.6
  an.probabilities[size_t(al::Family::CastRed)] = {0.8f, 0.2f, 0.f, 0.f};    // present 0.2
  al::DefectAmounts a{};
  a[4] = -0.5f;  // white point low
  auto g = al::presence_gates(an, a);
  EXPECT_NEAR(g[4], 0.7f, 1e-6f);
  a[4] = 0.5f;  // white point high
  g = al::presence_gates(an, a);
  EXPECT_NEAR(g[4], 0.1f, 1e-6f);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(g[size_t(k)], 0.6f, 1e-6f);
  EXPECT_NEAR(g[3], 0.f, 1e-6f);

  // A gated constant model: with a sure "fine" analysis the LUT is the identity; with the
  // defect named at certainty it undoes it as the ungated model does.
  const std::vector<al::Defect> defects{al::make_defect(al::Family::WhiteLow, 3)};
  al::Mlp m = constant_amounts(al::defect_amounts(defects), std::vector<float>(8, 0.f));
  m.meta["gate"] = "presence";
  const al::LutCorrector c(m);
  al::Analysis fine;
  for (auto& p : fine.probabilities) p = {1.f, 0.f, 0.f, 0.f};
  const autograde::Lut3D none = c.predict(ramps(), fine);
  const autograde::Lut3D id = autograde::Lut3D::identity(none.size);
  for (size_t i = 0; i < none.table.size(); ++i)
    ASSERT_NEAR(none.table[i], id.table[i], 1e-6f) << i;
  al::Analysis sure = fine;
  sure.probabilities[size_t(al::Family::WhiteLow)] = {0.f, 0.f, 0.f, 1.f};
  const ImageF clean = ramps();
  ImageF img = clean;
  al::apply_defects(defects, img);
  autograde::apply_reference(c.predict(img, sure), img, autograde::Interp::Trilinear);
  EXPECT_LT(mean_de(img, clean), 0.3);
  m.meta["gate"] = "sometimes";
  EXPECT_THROW(al::LutCorrector{m}, autograde::Error);
}

// Only defect-amount weights are run; a file of another kind (the first model's residual
// lattice, or no "output" at all) is refused as bad input naming the file.
TEST(AmountCorrector, OtherModelKindsAreRefusedByName) {
  for (const char* output : {"residual_lattice", ""}) {
    al::Mlp m = constant_amounts(al::DefectAmounts{}, std::vector<float>(8, 0.f));
    if (*output)
      m.meta["output"] = output;
    else
      m.meta.erase("output");
    try {
      al::LutCorrector c(m, "old_corrector.agnn");
      ADD_FAILURE() << "accepted output '" << output << "'";
    } catch (const autograde::Error& e) {
      EXPECT_EQ(e.kind(), autograde::ErrorKind::BadInput);
      EXPECT_NE(std::string(e.what()).find("old_corrector.agnn"), std::string::npos) << e.what();
    }
  }
}

// The calibrated presence threshold: a family at P(present) = 0.6 is reported at the default
// threshold (more likely present than absent) and not at 0.7, where the picture is "fine".
TEST(Analyzer, PresenceThresholdDecidesFine) {
  std::vector<float> logits(4 * al::kFamilyCount, 0.f);
  for (int f = 0; f < al::kFamilyCount; ++f) logits[size_t(4 * f)] = 10.f;  // absent, surely
  const int f = int(al::Family::ContrastLow);
  // P(absent) = 0.4, P(66 %) = 0.6: logits log(0.4), log(0.6) with the others far below.
  logits[size_t(4 * f)] = std::log(0.4f);
  logits[size_t(4 * f + 1)] = -30.f;
  logits[size_t(4 * f + 2)] = std::log(0.6f);
  logits[size_t(4 * f + 3)] = -30.f;
  const al::Analysis at_half = al::analysis_from_logits(logits);
  ASSERT_EQ(at_half.defects.size(), 1u);
  EXPECT_EQ(at_half.defects[0].family, al::Family::ContrastLow);
  EXPECT_EQ(at_half.defects[0].severity, 2);
  EXPECT_NEAR(at_half.defects[0].presence, 0.6f, 1e-4f);
  const al::Analysis strict = al::analysis_from_logits(logits, 0.7f);
  EXPECT_TRUE(strict.fine());
  EXPECT_NEAR(strict.fine_confidence, 0.4f, 1e-4f);  // the probabilities do not change
}

// The severity range: the narrowest run of severities around the likeliest one that holds 80 %
// of the probability given the family is present (worked out by hand for each case).
TEST(Analyzer, SeverityRangeCoversEightyPercentOfThePresentMass) {
  auto finding = [](std::array<float, 4> p) {
    std::vector<float> logits(4 * al::kFamilyCount, 0.f);
    for (int f = 0; f < al::kFamilyCount; ++f) logits[size_t(4 * f)] = 30.f;  // absent, surely
    const int f = int(al::Family::ExposureDark);
    for (size_t k = 0; k < 4; ++k) logits[size_t(4 * f) + k] = std::log(p[k]);
    const al::Analysis a = al::analysis_from_logits(logits);
    EXPECT_EQ(a.defects.size(), 1u);
    return a.defects.at(0);
  };
  // 0.9 of the present 0.9 mass on 66 %: one severity.
  auto one = finding({0.1f, 0.01f, 0.81f, 0.08f});
  EXPECT_EQ(one.severity, 2);
  EXPECT_EQ(one.severity_low, 2);
  EXPECT_EQ(one.severity_high, 2);
  // 33 %: 0.45, 66 %: 0.4 of 0.9 present -> 33 % alone is 50 %, 33-66 % is 94 %.
  auto pair = finding({0.1f, 0.45f, 0.4f, 0.05f});
  EXPECT_EQ(pair.severity, 1);
  EXPECT_EQ(pair.severity_low, 1);
  EXPECT_EQ(pair.severity_high, 2);
  // 66 % most likely, but 33 % and 100 % each hold a quarter: no pair reaches 80 %.
  auto all = finding({0.f + 1e-6f, 0.25f, 0.5f, 0.25f});
  EXPECT_EQ(all.severity_low, 1);
  EXPECT_EQ(all.severity_high, 3);
  // Of two pairs that both reach 80 %, the one holding more: 66-100 % (0.85) over 33-66 % (0.8).
  auto tie = finding({0.f + 1e-6f, 0.15f, 0.65f, 0.2f});
  EXPECT_EQ(tie.severity_low, 2);
  EXPECT_EQ(tie.severity_high, 3);
}
