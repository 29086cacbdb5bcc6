// The defect-amount corrector (corrector.hpp) with a hand-made constant network, so the truth is
// known independently of any training: with the true amounts its LUT undoes the defects on a
// picture, and the garrote leaves a picture alone when the amounts are small.
#include <gtest/gtest.h>

#include <cmath>

#include "autograde/color/color.hpp"
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
  ASSERT_TRUE(c.predicts_amounts());
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
