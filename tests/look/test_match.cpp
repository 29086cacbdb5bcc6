// Matching methods: each classic baseline against a hand-checkable property of its paper,
// `auto` on grade-vs-content cases, and every method on hostile references.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <random>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/look/look.hpp"
#include "autograde/look/match.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/media/image_io.hpp"
#include "test_support.hpp"

using namespace autograde;

namespace {

ImageF gaussian_image(int w, int h, Eigen::Vector3d mean, Eigen::Matrix3d chol, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> n;
  ImageF img(w, h, 3);
  for (size_t i = 0; i < img.pixel_count(); ++i) {
    Eigen::Vector3d v = mean + chol * Eigen::Vector3d(n(rng), n(rng), n(rng));
    for (int c = 0; c < 3; ++c) img.pixels[3 * i + c] = float(std::clamp(v[c], 0.05, 0.95));
  }
  return img;
}

MatchResult run(const ImageF& ref, const ImageF& src, const std::string& method, int size = 33) {
  MatchOptions o;
  o.method = method;
  o.lut_size = size;
  return match_reference(ref, std::span<const ImageF>(&src, 1), o);
}

ImageF applied(const Lut3D& lut, ImageF img) {
  apply_reference(lut, img, Interp::Tetrahedral);
  return img;
}

// Reinhard et al. 2001 lαβ, written out independently of the library (their eqs. 4 and 6).
Eigen::Vector3d lab_reinhard(const float* p) {
  Eigen::Matrix3d rgb2lms;
  rgb2lms << 0.3811, 0.5783, 0.0402, 0.1967, 0.7244, 0.0782, 0.0241, 0.1288, 0.8444;
  Eigen::Vector3d lin(srgb_to_linear(p[0]), srgb_to_linear(p[1]), srgb_to_linear(p[2]));
  Eigen::Vector3d lms = rgb2lms * lin;
  Eigen::Vector3d L(std::log10(lms[0]), std::log10(lms[1]), std::log10(lms[2]));
  return {(L[0] + L[1] + L[2]) / std::sqrt(3.0), (L[0] + L[1] - 2 * L[2]) / std::sqrt(6.0),
          (L[0] - L[1]) / std::sqrt(2.0)};
}

void moments(const ImageF& img, Eigen::Vector3d& mean, Eigen::Matrix3d& cov) {
  mean.setZero();
  cov.setZero();
  const double n = double(img.pixel_count());
  for (size_t i = 0; i < img.pixel_count(); ++i)
    mean += Eigen::Vector3d(img.pixels[3 * i], img.pixels[3 * i + 1], img.pixels[3 * i + 2]) / n;
  for (size_t i = 0; i < img.pixel_count(); ++i) {
    Eigen::Vector3d d =
        Eigen::Vector3d(img.pixels[3 * i], img.pixels[3 * i + 1], img.pixels[3 * i + 2]) - mean;
    cov += d * d.transpose() / n;
  }
}

void expect_sane(const Lut3D& lut, const std::string& what) {
  ASSERT_GT(lut.size, 1) << what;
  for (float v : lut.table) {
    ASSERT_TRUE(std::isfinite(v)) << what;
    ASSERT_GE(v, 0.f) << what;
    ASSERT_LE(v, 1.f) << what;
  }
  float prev = -1.f;
  for (int i = 0; i < lut.size; ++i) {
    const float* e = lut.at(i, i, i);
    // Luminance (linear light), not code-value luma: a strongly tinted grey axis can raise Y
    // while its code-value luma falls, and only the former is a tone inversion.
    const float y = display_luminance({e[0], e[1], e[2]});
    EXPECT_GE(y, prev - 1e-4f) << what << " inverts tones on the grey axis at " << i;
    prev = std::max(prev, y);
  }
}

const Eigen::Matrix3d kCholSrc =
    (Eigen::Matrix3d() << 0.08, 0, 0, 0.03, 0.07, 0, 0.02, 0.01, 0.06).finished();
const Eigen::Matrix3d kCholRef =
    (Eigen::Matrix3d() << 0.05, 0, 0, -0.02, 0.06, 0, 0.03, 0.02, 0.04).finished();

}  // namespace

TEST(Match, ReinhardMapsLabMeanAndStdOntoReference) {
  const ImageF src = gaussian_image(64, 64, {0.45, 0.5, 0.4}, kCholSrc, 1);
  const ImageF ref = gaussian_image(64, 64, {0.55, 0.45, 0.5}, kCholRef, 2);
  const ImageF out = applied(run(ref, src, "reinhard", 65).lut, src);
  auto stats = [](const ImageF& img, Eigen::Vector3d& m, Eigen::Vector3d& sd) {
    m.setZero();
    sd.setZero();
    const double n = double(img.pixel_count());
    for (size_t i = 0; i < img.pixel_count(); ++i) m += lab_reinhard(&img.pixels[3 * i]) / n;
    for (size_t i = 0; i < img.pixel_count(); ++i) {
      Eigen::Vector3d d = lab_reinhard(&img.pixels[3 * i]) - m;
      sd += d.cwiseProduct(d) / n;
    }
    sd = sd.cwiseSqrt();
  };
  Eigen::Vector3d mo, so, mr, sr, ms, ss;
  stats(out, mo, so);
  stats(ref, mr, sr);
  stats(src, ms, ss);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(mo[c], mr[c], 0.01) << c;
    EXPECT_NEAR(so[c], sr[c], 0.1 * sr[c]) << c;
    EXPECT_GT(std::abs(ms[c] - mr[c]) + std::abs(ss[c] - sr[c]), 0.01) << "test case must differ";
  }
}

TEST(Match, MklMapsGaussianCovarianceExactly) {
  const ImageF src = gaussian_image(64, 64, {0.45, 0.5, 0.4}, kCholSrc * 0.7, 3);
  const ImageF ref = gaussian_image(64, 64, {0.55, 0.45, 0.5}, kCholRef * 0.7, 4);
  const ImageF out = applied(run(ref, src, "mkl").lut, src);
  Eigen::Vector3d mo, mr;
  Eigen::Matrix3d co, cr;
  moments(out, mo, co);
  moments(ref, mr, cr);
  EXPECT_LT((mo - mr).norm(), 2e-3);
  EXPECT_LT((co - cr).norm(), 0.03 * cr.norm());
}

TEST(Match, HistMapsQuantiles) {
  const ImageF src = gaussian_image(64, 64, {0.35, 0.5, 0.6}, kCholSrc, 5);
  const ImageF ref = gaussian_image(64, 64, {0.6, 0.4, 0.45}, kCholRef, 6);
  const ImageF out = applied(run(ref, src, "hist").lut, src);
  for (int c = 0; c < 3; ++c) {
    auto channel = [c](const ImageF& img) {
      std::vector<float> v;
      for (size_t i = 0; i < img.pixel_count(); ++i) v.push_back(img.pixels[3 * i + c]);
      std::sort(v.begin(), v.end());
      return v;
    };
    const auto o = channel(out), r = channel(ref);
    for (double q : {0.1, 0.25, 0.5, 0.75, 0.9})
      EXPECT_NEAR(o[size_t(q * (o.size() - 1))], r[size_t(q * (r.size() - 1))], 0.015)
          << "channel " << c << " q " << q;
  }
}

TEST(Match, IdtMovesDistributionOntoReference) {
  const ImageF src = gaussian_image(64, 64, {0.35, 0.5, 0.6}, kCholSrc, 7);
  const ImageF ref = gaussian_image(64, 64, {0.6, 0.4, 0.45}, kCholRef, 8);
  const ImageF out = applied(run(ref, src, "idt").lut, src);
  Eigen::Vector3d mo, mr, ms;
  Eigen::Matrix3d co, cr, cs;
  moments(out, mo, co);
  moments(ref, mr, cr);
  moments(src, ms, cs);
  EXPECT_LT((mo - mr).norm(), 0.1 * (ms - mr).norm());
  EXPECT_LT((co - cr).norm(), 0.35 * (cs - cr).norm());
}

TEST(Match, ClassicMethodsNeedASourceAndUnknownMethodsFail) {
  const ImageF ref = gaussian_image(16, 16, {0.5, 0.5, 0.5}, kCholRef, 9);
  MatchOptions o;
  o.method = "reinhard";
  try {
    match_reference(ref, {}, o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
  o.method = "magic";
  EXPECT_THROW(match_reference(ref, {}, o), Error);
}

TEST(Match, AutoFollowsAStrongGradeAndStaysNearIdentityForPlainContent) {
  // Source: a neutral natural-ish Gaussian cloud. Reference A: a plain image of similar
  // statistics (no grade) -> close to identity. Reference B: the same image under a green cast
  // strong next to how much photographs' colour balance varies (a grade) -> the LUT moves
  // greys towards green. Reference C: the same image with its chroma crushed -> the LUT
  // desaturates. A cast much weaker than natural variation is, by design, read as content.
  const ImageF src = gaussian_image(96, 64, {0.45, 0.45, 0.45}, kCholSrc * 2.0, 10);
  const ImageF plain = gaussian_image(96, 64, {0.47, 0.45, 0.43}, kCholRef * 2.0, 11);
  Look cast, crush;
  cast.tint = -2.0f;  // green
  crush.saturation = 0.3f;
  const MatchResult a = run(plain, src, "auto");
  const MatchResult b = run(applied(bake_look(cast, 33), plain), src, "auto");
  const MatchResult c = run(applied(bake_look(crush, 33), plain), src, "auto");
  ASSERT_TRUE(a.look && b.look && c.look);
  const float* ga = a.lut.at(16, 16, 16);
  const float* gb = b.lut.at(16, 16, 16);
  const Vec3 la = srgb_to_lab({ga[0], ga[1], ga[2]}), lb = srgb_to_lab({gb[0], gb[1], gb[2]});
  EXPECT_LT(std::hypot(la[1], la[2]), 3.f) << describe(*a.look);
  EXPECT_LT(lb[1], la[1] - 0.5f) << describe(*b.look);  // a* more negative = greener
  EXPECT_LT(c.look->saturation, 0.9f) << describe(*c.look);
  EXPECT_GT(b.confidence, a.confidence);
  EXPECT_GT(c.confidence, a.confidence);
}

// Split toning (teal shadows, orange highlights) is something photographs rarely show on their
// own: their shadows and highlights share one colour balance. So a moderate split in the
// reference transfers, in the right directions, though a cast of the same size would be read
// as content. Bundled photos (scikit-image astronaut as reference, coffee as source).
TEST(Match, AutoTransfersAModerateSplitToning) {
  const auto dir = autograde::testing::source_dir() / "data" / "images";
  Look split;
  split.split = {210.f, 0.06f, 60.f, 0.06f, 0.f};
  const ImageF ref =
      applied(bake_look(split, 33), read_image((dir / "astronaut.png").string()).image);
  const ImageF src = read_image((dir / "coffee.png").string()).image;
  const MatchResult r = run(ref, src, "auto");
  ASSERT_TRUE(r.look);
  auto hue_gap = [](float a, float b) {
    const float d = std::fmod(std::abs(a - b), 360.f);
    return std::min(d, 360.f - d);
  };
  const SplitToning& got = r.look->split;
  EXPECT_LT(hue_gap(got.shadow_hue_deg, 210.f), 45.f) << describe(*r.look);
  EXPECT_LT(hue_gap(got.highlight_hue_deg, 60.f), 45.f) << describe(*r.look);
  // At least a quarter of each amount (auto stays conservative; the band means with their own
  // independent priors gave shadows 0.004 here, 6 % of it).
  EXPECT_GT(got.shadow_amount, 0.25f * 0.06f) << describe(*r.look);
  EXPECT_GT(got.highlight_amount, 0.25f * 0.06f) << describe(*r.look);
}

TEST(Match, AutoDoesNotTurnDaylightOrangeFromANeutralSunset) {
  AG_REQUIRE_SHARED_DATA();
  const auto dir = autograde::testing::shared_data() / "images";
  const auto sunset = dir / "debian_wallpapers" / "lomiri_sunset_by_Aitzol_Berasategi.jpg";
  const auto day = dir / "kodak24" / "kodim03.png";
  if (!std::filesystem::exists(sunset) || !std::filesystem::exists(day))
    GTEST_SKIP() << "images missing";
  const ImageF ref = read_image(sunset.string()).image;
  const ImageF src = read_image(day.string()).image;
  auto mean_b = [](const ImageF& img) {
    double b = 0;
    for (size_t i = 0; i < img.pixel_count(); i += 7) {
      const float* p = &img.pixels[i * size_t(img.channels)];
      b += srgb_to_lab({p[0], p[1], p[2]})[2];
    }
    return b / double((img.pixel_count() + 6) / 7);
  };
  const double before = mean_b(src);
  const double shift_auto = mean_b(applied(run(ref, src, "auto").lut, src)) - before;
  const double shift_reinhard = mean_b(applied(run(ref, src, "reinhard").lut, src)) - before;
  EXPECT_LT(shift_auto, 2.0);  // never turns the shot orange (b* up)
  EXPECT_LT(std::abs(shift_auto), std::abs(shift_reinhard))
      << "auto b* shift " << shift_auto << ", reinhard " << shift_reinhard;
}

namespace {
bool says_colour_may_be_scene(const MatchResult& r) {
  return std::any_of(r.notes.begin(), r.notes.end(), [](const std::string& n) {
    return n.find("scene's own colour") != std::string::npos;
  });
}

// Mean CIELAB (a*, b*) of an image's code values.
Eigen::Vector2d mean_ab(const ImageF& img) {
  Eigen::Vector2d ab(0, 0);
  for (size_t i = 0; i < img.pixel_count(); ++i) {
    const float* p = &img.pixels[i * size_t(img.channels)];
    const auto lab = srgb_to_lab({p[0], p[1], p[2]});
    ab += Eigen::Vector2d(lab[1], lab[2]);
  }
  return ab / double(img.pixel_count());
}
}  // namespace

TEST(Match, AutoReadsAOneHuedSceneAsContentNotAGrade) {
  // A one-hued scene (red planks) lies where almost no photograph of the prior does: `auto`
  // says so and leaves the source's colour alone. A photograph-like spread of colours around
  // grey does not (and a strong grade of it still transfers: the test above).
  const ImageF red = gaussian_image(64, 48, {0.62, 0.16, 0.10}, 0.25 * kCholRef, 7);
  const ImageF plain = gaussian_image(64, 48, {0.45, 0.44, 0.42}, kCholSrc, 8);
  const MatchResult from_red = run(red, plain, "auto");
  EXPECT_TRUE(says_colour_may_be_scene(from_red));
  EXPECT_LT((mean_ab(applied(from_red.lut, plain)) - mean_ab(plain)).norm(), 1.0);
  EXPECT_FALSE(says_colour_may_be_scene(run(plain, red, "auto")));
  AG_REQUIRE_SHARED_DATA();
  const auto door = autograde::testing::shared_data() / "images" / "kodak24" / "kodim02.png";
  if (!std::filesystem::exists(door)) GTEST_SKIP() << door << " missing";
  // The Kodak red door, ungraded, as the reference for a neutral picture.
  const MatchResult from_door = run(read_image(door.string()).image, plain, "auto");
  EXPECT_TRUE(says_colour_may_be_scene(from_door));
  EXPECT_LT((mean_ab(applied(from_door.lut, plain)) - mean_ab(plain)).norm(), 1.0);
}

TEST(Match, EveryMethodIsSaneOnHostileReferences) {
  const ImageF src = gaussian_image(48, 32, {0.45, 0.5, 0.4}, kCholSrc, 12);
  std::vector<std::string> names;
  std::vector<ImageF> refs;
  auto add_ref = [&](const std::string& n, ImageF img) {
    names.push_back(n);
    refs.push_back(std::move(img));
  };
  ImageF mono = gaussian_image(64, 48, {0.5, 0.5, 0.5}, kCholSrc, 13);
  for (size_t i = 0; i < mono.pixel_count(); ++i) {
    const float y =
        rec709_luma({mono.pixels[3 * i], mono.pixels[3 * i + 1], mono.pixels[3 * i + 2]});
    mono.pixels[3 * i] = mono.pixels[3 * i + 1] = mono.pixels[3 * i + 2] = y;
  }
  add_ref("monochrome", mono);
  ImageF single(40, 30, 3);
  for (size_t i = 0; i < single.pixel_count(); ++i) {
    single.pixels[3 * i] = 0.9f;
    single.pixels[3 * i + 1] = 0.1f;
    single.pixels[3 * i + 2] = 0.3f;
  }
  add_ref("single colour", single);
  ImageF black = gaussian_image(40, 30, {0.01, 0.01, 0.01}, kCholSrc * 0.05, 14);
  add_ref("near black", black);
  ImageF clipped(40, 30, 3);
  for (float& v : clipped.pixels) v = 1.f;
  add_ref("clipped white", clipped);
  add_ref("8x8", gaussian_image(8, 8, {0.6, 0.4, 0.5}, kCholRef, 15));
  add_ref("8K wide", gaussian_image(8192, 48, {0.5, 0.45, 0.4}, kCholRef, 16));
  ImageF rgba(20, 20, 4);
  for (size_t i = 0; i < rgba.pixels.size(); ++i)
    rgba.pixels[i] = (i % 4 == 3) ? 0.5f : 0.4f + 0.001f * float(i % 97);
  add_ref("RGBA", rgba);
  for (size_t k = 0; k < refs.size(); ++k)
    for (const auto& m : match_method_names()) {
      const std::string& name = names[k];
      const ImageF& ref = refs[k];
      SCOPED_TRACE(name + " / " + m);
      const MatchResult r = run(ref, src, m, 17);
      expect_sane(r.lut, name + " / " + m);
      // Without a source `auto` still works.
      if (m == "auto")
        expect_sane(match_reference(ref, {}, MatchOptions{}).lut, name + " / auto alone");
    }
  // A non-finite reference is a clear bad-input error naming it.
  ImageF bad = gaussian_image(8, 8, {0.5, 0.5, 0.5}, kCholRef, 17);
  bad.pixels[5] = std::nanf("");
  try {
    match_reference(bad, {}, MatchOptions{}, "ref.exr");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("ref.exr"), std::string::npos);
  }
  EXPECT_THROW(match_reference(ImageF{}, {}, MatchOptions{}), Error);
}

TEST(Match, StrengthZeroIsIdentity) {
  const ImageF src = gaussian_image(32, 32, {0.45, 0.5, 0.4}, kCholSrc, 18);
  const ImageF ref = gaussian_image(32, 32, {0.6, 0.4, 0.45}, kCholRef, 19);
  for (const auto& m : match_method_names()) {
    MatchOptions o;
    o.method = m;
    o.strength = 0.f;
    o.lut_size = 9;
    const Lut3D lut = match_reference(ref, std::span<const ImageF>(&src, 1), o).lut;
    const Lut3D id = Lut3D::identity(9);
    for (size_t i = 0; i < lut.table.size(); ++i)
      ASSERT_NEAR(lut.table[i], id.table[i], 1e-5f) << m;
  }
}
