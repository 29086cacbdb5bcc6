// The spatial feature block (spatial_features.hpp) against properties that follow from its
// definition, and the feature-version check of the model loaders.
#include <gtest/gtest.h>

#include <cmath>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/learn/analyzer.hpp"
#include "autograde/learn/corrector.hpp"
#include "autograde/learn/defects.hpp"
#include "autograde/learn/features.hpp"
#include "autograde/learn/spatial_features.hpp"

namespace al = autograde::learn;
using autograde::ImageF;

namespace {

// Textured picture in code values 0.1..0.6 (no channel near clipping): smooth ramps plus a
// checker, so every channel has edges of different strength.
ImageF textured() {
  ImageF img(80, 60, 3);
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      float* p = img.at(x, y);
      const float check = ((x / 5 + y / 7) % 2) ? 0.1f : 0.f;
      p[0] = 0.15f + 0.3f * float(x) / float(img.width) + check;
      p[1] = 0.2f + 0.25f * float(y) / float(img.height) + 0.5f * check;
      p[2] = 0.1f + 0.2f * std::sin(0.3f * float(x + y)) * 0.5f + 0.2f + 0.8f * check;
    }
  return img;
}

// A linear-light gain per channel (what a cast defect is, before clipping).
ImageF with_linear_gains(ImageF img, float r, float g, float b) {
  const float gain[3] = {r, g, b};
  for (size_t i = 0; i < img.pixel_count(); ++i)
    for (int c = 0; c < 3; ++c) {
      float& v = img.pixels[3 * i + size_t(c)];
      v = autograde::linear_to_srgb(autograde::srgb_to_linear(v) * gain[c]);
    }
  return img;
}

}  // namespace

TEST(SpatialFeatures, LayoutAndVersion) {
  const auto f = al::spatial_features(textured());
  EXPECT_EQ(f.size(), size_t(al::kSpatialFeatureCount));
  const auto all = al::thumbnail_features(textured());
  ASSERT_EQ(all.size(), size_t(al::kFeatureCount));
  EXPECT_EQ(al::kFeatureCount, al::kGlobalFeatureCount + al::kSpatialFeatureCount);
  for (int i = 0; i < al::kSpatialFeatureCount; ++i)
    EXPECT_FLOAT_EQ(all[size_t(al::kGlobalFeatureCount + i)], f[size_t(i)]);
}

// Grey-edge and shades-of-grey are Minkowski norms of linear values or their derivatives, so a
// per-channel linear gain k_c multiplies the channel's norm by k_c: log2(e_R/e_G) moves by
// log2(k_R/k_G) (up to the 1e-4 regulariser and float rounding).
TEST(SpatialFeatures, GreyEdgeMovesByTheCastGain) {
  const ImageF base = textured();
  const ImageF cast = with_linear_gains(base, 1.5f, 1.f, 0.75f);
  const auto f0 = al::spatial_features(base), f1 = al::spatial_features(cast);
  const double dr = std::log2(1.5), db = std::log2(0.75);
  for (int k : {0, 2, 4, 6})
    EXPECT_NEAR(f1[size_t(k)] - f0[size_t(k)], dr, 0.02) << "feature " << k;
  for (int k : {1, 3, 5, 7})
    EXPECT_NEAR(f1[size_t(k)] - f0[size_t(k)], db, 0.02) << "feature " << k;
}

// Crushing the blacks (black_low at 100 %) flattens every pixel below the black level: the flat
// dark fraction and the any-channel-at-zero fraction rise from 0.
TEST(SpatialFeatures, CrushedBlacksAreFlat) {
  ImageF dark = textured();
  for (auto& v : dark.pixels) v *= 0.3f;  // code values 0.045..0.165, mostly under 0.15
  ImageF crushed = dark;
  al::apply_defects({al::make_defect(al::Family::BlackLow, 3)}, crushed);
  const auto f0 = al::spatial_features(dark), f1 = al::spatial_features(crushed);
  EXPECT_GT(f1[21], f0[21] + 0.3f);
  EXPECT_EQ(f0[24], 0.f);
  EXPECT_GT(f1[24], 0.05f);
  // The blurred black point: the minimum channel falls to 0.
  EXPECT_GT(std::min({f0[30], f0[31], f0[32]}), 0.02f);
  EXPECT_LT(std::min({f1[30], f1[31], f1[32]}), 0.005f);
}

// Lowering contrast about 0.5 scales every luma difference by the same factor: the gradient
// to spread ratio (28) and block to global spread ratio (29) do not move, the mean gradient
// (20) moves by log2 of the factor (up to the 1e-3 regulariser).
TEST(SpatialFeatures, LinearContrastScalesGradientsNotTheirRatios) {
  const ImageF base = textured();
  ImageF low = base;
  al::apply_defects({al::make_defect(al::Family::ContrastLow, 3)}, low);
  const auto f0 = al::spatial_features(base), f1 = al::spatial_features(low);
  EXPECT_NEAR(f1[28], f0[28], 0.1);
  EXPECT_NEAR(f1[29], f0[29], 0.02);
  EXPECT_LT(f1[20], f0[20] - 0.4);
}

// Weights written for another feature version are refused with a message naming the file and
// both versions, before any shape check.
TEST(SpatialFeatures, ModelOfAnotherFeatureVersionIsRefused) {
  al::Mlp m;
  m.task = "defect_classifier";
  m.input_mean.assign(al::kGlobalFeatureCount, 0.f);
  m.input_std.assign(al::kGlobalFeatureCount, 1.f);
  al::DenseLayer l;
  l.in = al::kGlobalFeatureCount;
  l.out = 4 * al::kFamilyCount;
  l.weights.assign(size_t(l.in * l.out), 0.f);
  l.bias.assign(size_t(l.out), 0.f);
  m.layers.push_back(l);
  m.meta = {{"feature_version", 1}};
  try {
    al::DefectAnalyzer a(m, "old.agnn");
    FAIL() << "loaded a version-1 model";
  } catch (const autograde::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("old.agnn"), std::string::npos) << msg;
    EXPECT_NE(msg.find("version 1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("version " + std::to_string(al::kFeatureVersion)), std::string::npos) << msg;
  }
  m.layers[0].out = al::kAmountCount;
  m.layers[0].weights.assign(size_t(l.in * al::kAmountCount), 0.f);
  m.layers[0].bias.assign(size_t(al::kAmountCount), 0.f);
  m.meta = {{"feature_version", 1}, {"output", "defect_amounts"}};
  EXPECT_THROW(al::LutCorrector(m, "old.agnn"), autograde::Error);
}
