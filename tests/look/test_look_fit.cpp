// fit_look_to_pairs / fit_look_to_images (look_fit.hpp) by round trip: a Look we choose grades
// a real picture, the fit sees only the before/after pixels, and the fitted Look must grade a
// *different* picture like the chosen one (CIEDE2000, an independent measure).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/look/look.hpp"
#include "autograde/look/look_fit.hpp"
#include "autograde/media/image_io.hpp"
#include "test_support.hpp"

using namespace autograde;

namespace {

ImageF bundled(const char* name) {
  return read_image((autograde::testing::source_dir() / "data" / "images" / name).string()).image;
}

double mean_de2000(const ImageF& a, const ImageF& b) {
  double s = 0;
  for (size_t i = 0; i < a.pixel_count(); ++i) {
    const float* p = a.pixels.data() + i * size_t(a.channels);
    const float* q = b.pixels.data() + i * size_t(b.channels);
    s += ciede2000(srgb_to_lab({p[0], p[1], p[2]}), srgb_to_lab({q[0], q[1], q[2]}));
  }
  return s / double(a.pixel_count());
}

}  // namespace

TEST(LookFit, RecoversAGradeThatTransfersToAnotherPicture) {
  Look truth;
  truth.temperature = 0.3f;
  truth.tint = -0.1f;
  truth.contrast = 1.25f;
  truth.saturation = 0.8f;
  truth.lift = {0.02f, 0.f, 0.03f};
  truth.gain = {1.f, 0.97f, 0.95f};
  truth.hue_shift_deg[2] = 8.f;
  truth.split.shadow_hue_deg = 200.f;
  truth.split.shadow_amount = 0.03f;
  const ImageF before = bundled("astronaut.png");
  const ImageF after = apply_look_to_image(truth, before);
  const LookPairFit fit = fit_look_to_images(std::span(&before, 1), std::span(&after, 1));
  EXPECT_LT(fit.rms, 0.01);
  // Another picture, graded by both: the fitted Look must do what the chosen one does.
  const ImageF other = bundled("reference_teal_orange.png");
  const double de =
      mean_de2000(apply_look_to_image(fit.look, other), apply_look_to_image(truth, other));
  const double change = mean_de2000(apply_look_to_image(truth, other), other);
  EXPECT_LT(de, 1.0) << "the grade itself moves that picture by " << change;
  EXPECT_GT(change, 3.0);  // so the comparison above is not trivially small
  std::printf(
      "fitted vs chosen Look on another picture: %.3f mean CIEDE2000 (the grade moves it by "
      "%.3f)\n",
      de, change);
}

TEST(LookFit, AnUngradedPairFitsTheIdentityLook) {
  const ImageF img = bundled("astronaut.png");
  const LookPairFit fit = fit_look_to_images(std::span(&img, 1), std::span(&img, 1));
  EXPECT_TRUE(is_identity(fit.look, 1e-3f)) << describe(fit.look);
  EXPECT_LT(fit.rms, 1e-4);
}

TEST(LookFit, MismatchedPairsAreBadInput) {
  ImageF a(8, 8, 3), b(8, 9, 3);
  try {
    fit_look_to_images(std::span(&a, 1), std::span(&b, 1));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
  }
  EXPECT_THROW(fit_look_to_pairs(std::vector<Rgb>(20), std::vector<Rgb>(19)), Error);
}

// Hostile pairs: a picture mapped to flat grey, and a flat picture (one colour, nothing to tell
// the parameters apart). The fit stays finite and within LookLimits; for the flat picture the
// ridge keeps every control the pixels cannot see near "no change".
TEST(LookFit, HostilePairsGiveAFiniteBoundedLook) {
  const ImageF img = bundled("astronaut.png");
  ImageF grey = img;
  for (float& v : grey.pixels) v = 0.5f;
  const LookPairFit to_grey = fit_look_to_images(std::span(&img, 1), std::span(&grey, 1));
  EXPECT_TRUE(std::isfinite(to_grey.rms));
  EXPECT_EQ(to_json(to_grey.look), to_json(clamp_to_limits(to_grey.look)));
  for (float x : {0.f, 0.3f, 0.7f, 1.f})
    for (float v : apply_look(to_grey.look, {x, x, x})) EXPECT_TRUE(std::isfinite(v));

  ImageF flat(32, 32, 3), flat_after(32, 32, 3);
  for (size_t i = 0; i < flat.pixels.size(); i += 3) {
    flat.pixels[i] = 0.4f, flat.pixels[i + 1] = 0.5f, flat.pixels[i + 2] = 0.3f;
    flat_after.pixels[i] = 0.45f, flat_after.pixels[i + 1] = 0.5f, flat_after.pixels[i + 2] = 0.3f;
  }
  const LookPairFit one = fit_look_to_images(std::span(&flat, 1), std::span(&flat_after, 1));
  EXPECT_LT(one.rms, 0.01);
  for (float h : one.look.hue_shift_deg) EXPECT_LT(std::abs(h), 5.f);
  EXPECT_NEAR(one.look.saturation, 1.f, 0.3f);
}

// A LUT grade has no parameters of its own: look_summary reads it through the fitted Look. A
// residual that is the bake of a Look we choose must read with that Look's words, and a fit
// that explains it closely.
TEST(LookFit, ALutGradeReadsAsTheLookItWasBakedFrom) {
  Look truth;
  truth.temperature = -0.3f;
  truth.contrast = 1.2f;
  truth.saturation = 0.75f;
  Look lut_only = identity_look();
  lut_only.residual = bake_look(truth, 33);
  const std::string words = look_summary(lut_only);
  EXPECT_NE(words.find("LUT grade reading as"), std::string::npos) << words;
  // The Look's controls overlap (white balance against per-channel gain and split toning), so
  // the reading shares the grade among them: each named amount within a third of the truth.
  const auto amount = [&](const std::string& word) {
    const size_t at = words.find(word);
    return at == std::string::npos ? 0.0 : std::stod(words.substr(at + word.size()));
  };
  EXPECT_NEAR(amount("cooler by "), 0.3, 0.1) << words;
  EXPECT_NEAR(amount("contrast +"), 20, 7) << words;
  EXPECT_NEAR(amount("saturation -"), 25, 8) << words;
  EXPECT_EQ(words.find("warmer"), std::string::npos) << words;
  // The quoted RMS: a 33³ bake is the Look to interpolation error, well under a code value.
  const size_t at = words.find("within ");
  ASSERT_NE(at, std::string::npos) << words;
  EXPECT_LT(std::stod(words.substr(at + 7)), 1.0) << words;
  // The parametric reading of the same Look agrees on the words.
  EXPECT_EQ(look_summary(truth), "cooler by 0.30 stop, contrast +20 %, saturation -25 %");
  // Readings are kept per Look (the CLI, the report and the contact sheet ask for the same
  // shot's): asking again gives the same words, and another residual of the same size, or the
  // same residual under other parameters, is read afresh.
  EXPECT_EQ(look_summary(lut_only), words);
  Look warmer = identity_look();
  Look warm_truth = truth;
  warm_truth.temperature = 0.3f;
  warmer.residual = bake_look(warm_truth, 33);
  const std::string warm_words = look_summary(warmer);
  EXPECT_NE(warm_words.find("warmer by "), std::string::npos) << warm_words;
  EXPECT_EQ(warm_words.find("cooler"), std::string::npos) << warm_words;
  Look brighter = lut_only;
  brighter.exposure = 0.5f;
  EXPECT_NE(look_summary(brighter), words);
}
