// The synthetic defects (defects.hpp) against their documented formulas at points where the
// answer is known independently (fixed points, published sRGB values).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "autograde/color/color.hpp"
#include "autograde/core/image_ops.hpp"
#include "autograde/learn/defects.hpp"
#include "autograde/learn/features.hpp"
#include "autograde/training/dataset.hpp"

namespace al = autograde::learn;
using autograde::ImageF;
using autograde::Rgb;

namespace {
Rgb run(al::Family f, int s, Rgb x) { return al::apply_defects({al::make_defect(f, s)}, x); }
}  // namespace

TEST(Defects, LevelsMoveTheDocumentedEnds) {
  EXPECT_NEAR(run(al::Family::BlackHigh, 3, {0, 0, 0})[0], 0.15f, 1e-6f);
  EXPECT_NEAR(run(al::Family::BlackHigh, 3, {1, 1, 1})[0], 1.f, 1e-6f);
  EXPECT_NEAR(run(al::Family::BlackLow, 3, {0.15f, 0.15f, 0.15f})[0], 0.f, 1e-6f);
  EXPECT_NEAR(run(al::Family::WhiteLow, 3, {1, 1, 1})[1], 0.7f, 1e-6f);
  EXPECT_NEAR(run(al::Family::WhiteHigh, 3, {0.7f, 0.7f, 0.7f})[2], 1.f, 1e-6f);
  // Contrast pivots on 0.5; exposure keeps both ends.
  EXPECT_NEAR(run(al::Family::ContrastHigh, 2, {0.5f, 0.5f, 0.5f})[0], 0.5f, 1e-6f);
  EXPECT_NEAR(run(al::Family::ContrastLow, 3, {0, 0, 0})[0], 0.5f - 0.5f * std::exp2(-0.6f), 1e-6f);
  EXPECT_NEAR(run(al::Family::ExposureDark, 3, {1, 1, 1})[0], 1.f, 1e-6f);
  EXPECT_NEAR(run(al::Family::ExposureDark, 3, {0.5f, 0.5f, 0.5f})[0],
              std::pow(0.5f, std::exp2(0.8f)), 1e-6f);
  EXPECT_LT(run(al::Family::ExposureDark, 1, {0.5f, 0.5f, 0.5f})[0], 0.5f);
  EXPECT_GT(run(al::Family::ExposureBright, 1, {0.5f, 0.5f, 0.5f})[0], 0.5f);
}

TEST(Defects, SaturationKeepsGreyAndCastsTintGrey) {
  const Rgb grey{0.5f, 0.5f, 0.5f};
  for (int s = 1; s <= 3; ++s) {
    const Rgb g = run(al::Family::SaturationHigh, s, grey);
    EXPECT_NEAR(g[0], 0.5f, 1e-6f);
    EXPECT_NEAR(g[2], 0.5f, 1e-6f);
  }
  // sRGB 0.5 is linear 0.21404 (IEC 61966-2-1); too blue at 100 % multiplies blue by 2^(0.8).
  const Rgb b = run(al::Family::CastBlue, 3, grey);
  EXPECT_NEAR(autograde::srgb_to_linear(b[2]), 0.214041f * std::exp2(0.8f), 1e-4f);
  EXPECT_NEAR(autograde::srgb_to_linear(b[0]), 0.214041f * std::exp2(-0.4f), 1e-4f);
  // Each cast moves grey towards its own hue in Lab.
  auto lab = [](Rgb x) { return autograde::srgb_to_lab({x[0], x[1], x[2]}); };
  EXPECT_LT(lab(run(al::Family::CastGreen, 2, grey))[1], -3.f);   // a* < 0
  EXPECT_GT(lab(run(al::Family::CastMagenta, 2, grey))[1], 3.f);  // a* > 0
  EXPECT_LT(lab(run(al::Family::CastBlue, 2, grey))[2], -3.f);    // b* < 0
  EXPECT_GT(lab(run(al::Family::CastOrange, 2, grey))[2], 3.f);   // b* > 0
}

TEST(Defects, SeveritiesAreOrdered) {
  for (int f = 0; f < al::kFamilyCount; ++f) {
    const Rgb x{0.3f, 0.5f, 0.7f};
    auto dist = [&](int s) {
      const Rgb y = run(al::Family(f), s, x);
      return std::abs(y[0] - x[0]) + std::abs(y[1] - x[1]) + std::abs(y[2] - x[2]);
    };
    EXPECT_LT(dist(1), dist(2)) << al::family_name(al::Family(f));
    EXPECT_LT(dist(2), dist(3)) << al::family_name(al::Family(f));
    EXPECT_EQ(al::family_from_name(al::family_name(al::Family(f))), al::Family(f));
  }
}

TEST(Dataset, RandomDefectsAreSeededAndUseDistinctGroups) {
  al::Rng a(7), b(7);
  for (int i = 0; i < 50; ++i) {
    const auto x = al::random_defects(a, 3, 0.3f), y = al::random_defects(b, 3, 0.3f);
    ASSERT_EQ(x.size(), 3u);
    for (size_t k = 0; k < 3; ++k) {
      EXPECT_EQ(x[k].family, y[k].family);
      EXPECT_EQ(x[k].amount, y[k].amount);
      for (size_t j = 0; j < k; ++j)
        EXPECT_NE(al::group_of(x[k].family), al::group_of(x[j].family));
      // Jitter stays inside the severity band (half a step each side).
      EXPECT_LT(std::abs(x[k].amount - float(x[k].severity) / 3.f), 0.5f / 3.f);
    }
  }
}

// The analytic inverse the corrector builds its LUT from: with the true amounts it undoes any
// mix of defects exactly wherever nothing clipped (mid-tones), and with zero amounts it is
// the identity everywhere.
TEST(Defects, InverseOfTheTrueAmountsUndoesTheDefects) {
  al::Rng rng(11);
  int checked = 0;
  for (int i = 0; i < 300; ++i) {
    const auto defects = al::random_defects(rng, 1 + i % 3, 0.3f);
    const al::DefectAmounts amounts = al::defect_amounts(defects);
    for (float r : {0.38f, 0.5f, 0.6f})
      for (float g : {0.4f, 0.55f})
        for (float b : {0.36f, 0.5f, 0.62f}) {
          const Rgb x{r, g, b};
          // Only points that no stage clipped: apply the defects one by one in the documented
          // order (black, white, exposure, contrast, saturation, cast) and look at each step.
          bool clipped = false;
          Rgb step = x;
          for (al::Group grp : {al::Group::BlackPoint, al::Group::WhitePoint, al::Group::Exposure,
                                al::Group::Contrast, al::Group::Saturation, al::Group::Cast})
            for (const auto& d : defects)
              if (al::group_of(d.family) == grp) {
                step = al::apply_defects({d}, step);
                for (float v : step) clipped = clipped || v <= 1e-4f || v >= 1.f - 1e-4f;
              }
          if (clipped) continue;
          ++checked;
          const Rgb back = al::invert_amounts(amounts, al::apply_defects(defects, x));
          std::string names;
          for (const auto& d : defects)
            names += std::string(al::family_name(d.family)) + " " + std::to_string(d.amount) + " ";
          for (int c = 0; c < 3; ++c)
            EXPECT_NEAR(back[c], x[c], 2e-3f)
                << "sample " << i << " channel " << c << ": " << names;
        }
  }
  EXPECT_GT(checked, 3000);  // most of the 5400 points
  for (float v : {0.f, 0.1f, 0.5f, 0.93f, 1.f}) {
    const Rgb same = al::invert_amounts(al::DefectAmounts{}, Rgb{v, 1.f - v, 0.5f * v});
    EXPECT_NEAR(same[0], v, 1e-5f);
    EXPECT_NEAR(same[1], 1.f - v, 1e-5f);
    EXPECT_NEAR(same[2], 0.5f * v, 1e-5f);
  }
}

TEST(Defects, AmountsAreSignedBySide) {
  EXPECT_GT(al::defect_amounts({al::make_defect(al::Family::BlackHigh, 2)})[3], 0.f);
  EXPECT_LT(al::defect_amounts({al::make_defect(al::Family::BlackLow, 2)})[3], 0.f);
  EXPECT_LT(al::defect_amounts({al::make_defect(al::Family::WhiteLow, 1)})[4], 0.f);
  EXPECT_NEAR(al::defect_amounts({al::make_defect(al::Family::ExposureBright, 3)})[5], -1.f, 1e-6f);
  const auto green = al::defect_amounts({al::make_defect(al::Family::CastGreen, 3)});
  EXPECT_GT(green[1], green[0]);
  EXPECT_NEAR(green[0] + green[1] + green[2], 0.f, 1e-6f);
}

// Training samples are detuned at source resolution and reduced afterwards, as a defective
// picture is at inference (features.cpp reduces it before describing it): without a crop the
// sample is exactly "defects, then area reduction" of the source, which differs from
// "reduction, then defects" wherever a non-linear defect meets detail.
TEST(Dataset, SamplesAreDetunedBeforeTheReduction) {
  ImageF img(al::kSourceSide, al::kSourceSide / 2, 3);
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      float* p = img.at(x, y);
      const float fine =
          float((x + y) % 2);  // one-pixel checkerboard: detail the reduction averages
      p[0] = 0.05f + 0.2f * fine;
      p[1] = 0.3f + 0.4f * float(x) / float(img.width);
      p[2] = 0.1f + 0.1f * fine;
    }
  al::SourceImage src;
  src.image = img;
  const std::vector<al::Defect> defects{al::make_defect(al::Family::BlackLow, 3)};
  al::Rng rng(3);
  const al::Sample s = al::make_sample(src, defects, rng, false);
  ImageF expected = img;
  al::apply_defects(defects, expected);
  expected = autograde::area_average(expected, {.max_side = al::kFeatureSide});
  ImageF wrong = autograde::area_average(img, {.max_side = al::kFeatureSide});
  al::apply_defects(defects, wrong);
  ASSERT_EQ(s.detuned.width, expected.width);
  ASSERT_EQ(s.detuned.height, expected.height);
  double diff_expected = 0, diff_wrong = 0;
  for (size_t i = 0; i < expected.pixels.size(); ++i) {
    diff_expected =
        std::max(diff_expected, double(std::abs(s.detuned.pixels[i] - expected.pixels[i])));
    diff_wrong = std::max(diff_wrong, double(std::abs(s.detuned.pixels[i] - wrong.pixels[i])));
  }
  EXPECT_LT(diff_expected, 1e-6);
  EXPECT_GT(diff_wrong, 0.02);  // the old order would have shown the features something else
}

// A mosaic of two flat pictures: the seam is a ramp across the cross-faded band, not a step, so
// no pixel-to-pixel jump in the reduced sample comes near the full difference of the parts.
TEST(Dataset, MosaicSeamIsCrossFaded) {
  al::SourceImage a, b;
  a.image = ImageF(al::kSourceSide, al::kSourceSide, 3);
  b.image = ImageF(al::kSourceSide, al::kSourceSide, 3);
  for (auto& v : a.image.pixels) v = 0.2f;
  for (auto& v : b.image.pixels) v = 0.8f;
  al::Rng rng(5);
  for (int trial = 0; trial < 10; ++trial) {
    const al::Sample s = al::make_mosaic_sample(a, b, {}, rng);
    float largest_step = 0.f;
    for (int y = 0; y < s.clean.height; ++y)
      for (int x = 1; x < s.clean.width; ++x)
        largest_step =
            std::max(largest_step, std::abs(s.clean.at(x, y)[0] - s.clean.at(x - 1, y)[0]));
    // Both sides are present, and the largest step is about 0.6 / (band width in pixels).
    EXPECT_NEAR(s.clean.at(0, 0)[0], 0.2f, 1e-5f);
    EXPECT_NEAR(s.clean.at(s.clean.width - 1, 0)[0], 0.8f, 1e-5f);
    EXPECT_LT(largest_step, 0.6f / (al::kMosaicBlend * al::kFeatureSide) * 1.5f)
        << "trial " << trial;
  }
}
