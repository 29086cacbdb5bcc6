// LUT extraction from a before/after pair: recovers a known smooth LUT on held-out images.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>

#include "../../src/look/thin_plate_lattice.hpp"
#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/look/extract.hpp"
#include "autograde/look/look.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/load.hpp"
#include "autograde/media/image_io.hpp"
#include "test_support.hpp"

using namespace autograde;

namespace {

// A photo-like synthetic image: smooth random colour fields plus texture, in code values.
ImageF synthetic_photo(int w, int h, unsigned seed) {
  // The same kind of scene for every seed (fixed spatial frequencies), different framing/noise.
  std::mt19937 scene(99), rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  float f[3][4];
  for (auto& ch : f)
    for (float& v : ch) v = u(scene);
  const float phase = 3.f * u(rng);
  ImageF img(w, h, 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) {
        const float fx = float(x) / w, fy = float(y) / h;
        float v =
            0.5f +
            0.35f * std::sin(6.f * f[c][0] * fx + 5.f * f[c][1] * fy + 6.f * f[c][2] + phase) +
            0.1f * std::sin(40.f * f[c][3] * (fx + fy)) + 0.05f * (u(rng) - 0.5f);
        img.at(x, y)[c] = std::round(std::clamp(v, 0.f, 1.f) * 255.f) / 255.f;
      }
  return img;
}

ImageF applied(const Lut3D& lut, ImageF img) {
  apply_reference(lut, img, Interp::Tetrahedral);
  for (float& v : img.pixels) v = std::clamp(v, 0.f, 1.f);
  return img;
}

double mean_de00(const ImageF& a, const ImageF& b) {
  double s = 0;
  for (size_t i = 0; i < a.pixel_count(); ++i) {
    const float* p = &a.pixels[3 * i];
    const float* q = &b.pixels[3 * i];
    s += ciede2000(srgb_to_lab({p[0], p[1], p[2]}), srgb_to_lab({q[0], q[1], q[2]}));
  }
  return s / double(a.pixel_count());
}

Look creative_look() {
  Look l;
  l.contrast = 1.3f;
  l.temperature = 0.25f;
  l.saturation = 1.2f;
  l.split = {210.f, 0.03f, 70.f, 0.025f, 0.f};
  l.fade = 0.04f;
  return l;
}

// A synthetic photo (a.png) and the same graded with creative_look baked at `lut_size`
// (b.png), written to `dir`.
void write_graded_pair(const std::filesystem::path& dir, unsigned seed, int lut_size) {
  const ImageF before = synthetic_photo(64, 48, seed);
  ImageMeta meta;
  write_image((dir / "a.png").string(), before, meta);
  write_image((dir / "b.png").string(), applied(bake_look(creative_look(), lut_size), before),
              meta);
}

}  // namespace

TEST(Extract, RecoversASmoothLutOnAHeldOutSyntheticImage) {
  const Lut3D truth = bake_look(creative_look(), 33);
  const ImageF before = synthetic_photo(256, 192, 1);
  ImageF after = applied(truth, before);
  for (float& v : after.pixels) v = std::round(v * 255.f) / 255.f;  // saved as 8-bit
  ExtractReport rep;
  const Lut3D lut = extract_lut(before, after, {}, &rep);
  EXPECT_LT(rep.fit_rms, 0.01f);
  const ImageF other = synthetic_photo(200, 150, 2);
  const double err = mean_de00(applied(lut, other), applied(truth, other));
  const double baseline = mean_de00(other, applied(truth, other));
  EXPECT_LT(err, 1.0) << "identity would be " << baseline;
  EXPECT_GT(baseline, 5.0);
}

TEST(Extract, RecoversAShippedCreativeLutOnAnotherPhoto) {
  AG_REQUIRE_SHARED_DATA();
  const auto root = autograde::testing::shared_data();
  const auto lut_path = root / "luts" / "debian_kdenlive" / "CINEMATIC.cube";
  const auto a = root / "images" / "kodak24" / "kodim05.png";
  const auto c = root / "images" / "kodak24" / "kodim23.png";
  if (!std::filesystem::exists(lut_path) || !std::filesystem::exists(a) ||
      !std::filesystem::exists(c))
    GTEST_SKIP() << "files missing";
  const Lut3D truth = *read_cube(lut_path.string()).cube;
  const ImageF before = read_image(a.string()).image;
  ImageF after = applied(truth, before);
  for (float& v : after.pixels) v = std::round(v * 255.f) / 255.f;
  const Lut3D lut = extract_lut(before, after);
  const ImageF other = read_image(c.string()).image;
  EXPECT_LT(mean_de00(applied(lut, other), applied(truth, other)), 1.0);
}

// The thin-plate energy leaves affine functions free: an affine target seen only in a small
// corner of the cube is reproduced everywhere, including far outside the samples.
TEST(ThinPlateLattice, ExtrapolatesAnAffineFunctionExactly) {
  const look_detail::ThinPlateLattice lat(9);
  auto affine = [](const Rgb& x) {
    return Rgb{0.1f + 0.5f * x[0] - 0.2f * x[1], -0.05f + 0.3f * x[2],
               0.2f * x[0] + 0.2f * x[1] + 0.2f * x[2]};
  };
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(0.2f, 0.45f);
  std::vector<look_detail::Sample> s;
  for (int i = 0; i < 400; ++i) {
    const Rgb x{u(rng), u(rng), u(rng)};
    s.push_back({x, affine(x), 1.0});
  }
  const auto v = lat.fit(s, 1e-3, 0.0, 1e-12);
  for (const Rgb& x :
       {Rgb{0.f, 0.f, 0.f}, Rgb{1.f, 1.f, 1.f}, Rgb{1.f, 0.f, 0.5f}, Rgb{0.9f, 0.1f, 0.f}}) {
    const Rgb got = lat.eval(v, x), want = affine(x);
    for (int c = 0; c < 3; ++c)
      EXPECT_NEAR(got[c], want[c], 2e-3) << x[0] << "," << x[1] << "," << x[2];
  }
  // With a strong bending weight a curved target is flattened towards its best affine fit,
  // with a weak one it is followed: the weight means what it says.
  std::vector<look_detail::Sample> q;
  for (int i = 0; i < 2000; ++i) {
    const Rgb x{u(rng) * 2.f - 0.4f, u(rng) * 2.f - 0.4f, u(rng) * 2.f - 0.4f};
    q.push_back({x, Rgb{x[0] * x[0], 0.f, 0.f}, 1.0});
  }
  auto rms = [&](const std::vector<Rgb>& vals) {
    double se = 0;
    for (const auto& x : q) se += std::pow(lat.eval(vals, x.in)[0] - x.target[0], 2.0);
    return std::sqrt(se / double(q.size()));
  };
  EXPECT_LT(rms(lat.fit(q, 1e-9, 0.0, 1e-12)), 0.003);
  EXPECT_GT(rms(lat.fit(q, 1.0, 0.0, 1e-12)), 0.01);
}

// A shipped film-emulation Hald CLUT, extracted from one Kodak photo, reproduces the LUT on a
// different photo (the target: within mean CIEDE2000 1.0).
TEST(Extract, RecoversAShippedHaldClutOnAnotherPhoto) {
  AG_REQUIRE_SHARED_DATA();
  const auto root = autograde::testing::shared_data();
  const auto lut_path = root / "luts" / "rawtherapee_haldclut_level12" / "Polaroid_669_3.png";
  const auto a = root / "images" / "kodak24" / "kodim14.png";
  const auto c = root / "images" / "kodak24" / "kodim19.png";
  if (!std::filesystem::exists(lut_path) || !std::filesystem::exists(a) ||
      !std::filesystem::exists(c))
    GTEST_SKIP() << "files missing";
  const Lut3D truth = *load_lut(lut_path.string()).cube;
  const ImageF before = read_image(a.string()).image;
  ImageF after = applied(truth, before);
  for (float& v : after.pixels) v = std::round(v * 255.f) / 255.f;
  const Lut3D lut = extract_lut(before, after);
  const ImageF other = read_image(c.string()).image;
  const double err = mean_de00(applied(lut, other), applied(truth, other));
  const double baseline = mean_de00(other, applied(truth, other));
  EXPECT_LT(err, 1.0) << "identity would be " << baseline;
  EXPECT_GT(baseline, 3.0);
}

// Hostile pairs: a flat single colour, a 1×1 image, an all-black pair. No NaN, bounded output,
// and the one colour seen is reproduced; colours far from it stay close to the input.
TEST(Extract, HostilePairsGiveBoundedFiniteLuts) {
  ImageF flat(32, 24, 3), graded(32, 24, 3);
  for (size_t i = 0; i < flat.pixels.size(); i += 3) {
    flat.pixels[i] = 0.6f, flat.pixels[i + 1] = 0.4f, flat.pixels[i + 2] = 0.3f;
    graded.pixels[i] = 0.7f, graded.pixels[i + 1] = 0.4f, graded.pixels[i + 2] = 0.2f;
  }
  ImageF one(1, 1, 3), one_after(1, 1, 3);
  one.pixels = {0.2f, 0.5f, 0.9f};
  one_after.pixels = {0.3f, 0.5f, 0.8f};
  ImageF black(16, 16, 3);
  for (const auto& [b, a] :
       {std::pair{&flat, &graded}, std::pair{&one, &one_after}, std::pair{&black, &black}}) {
    ExtractOptions o;
    o.lut_size = 9;
    const Lut3D lut = extract_lut(*b, *a, o);
    ASSERT_EQ(lut.size, 9);
    for (float v : lut.table) {
      ASSERT_TRUE(std::isfinite(v));
      EXPECT_GE(v, -0.5f);
      EXPECT_LE(v, 1.5f);
    }
    const Rgb seen = sample_tetrahedral(lut, {b->pixels[0], b->pixels[1], b->pixels[2]});
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(seen[c], a->pixels[size_t(c)], 0.02);
  }
  // Single colour: one sample cannot say how other colours move, so they move by about the
  // same offset and keep their differences (no blow-up far away).
  const Lut3D lut = extract_lut(flat, graded);
  const Rgb white = sample_tetrahedral(lut, {1.f, 1.f, 1.f}),
            dark = sample_tetrahedral(lut, {0.f, 0.f, 0.f});
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(white[c] - dark[c], 1.f, 0.15f);
}

// The thin-plate weight is chosen from the data: a pair whose "grade" is per-colour noise gets
// a heavier weight than the same smooth grade without the noise.
TEST(Extract, CrossValidationSmoothsNoiseMoreThanACleanGrade) {
  const Lut3D truth = bake_look(creative_look(), 33);
  const ImageF before = synthetic_photo(160, 120, 4);
  ImageF clean = applied(truth, before), noisy = clean;
  std::mt19937 rng(11);
  std::normal_distribution<float> noise(0.f, 0.04f);
  for (float& v : noisy.pixels)
    v = std::round(std::clamp(v + noise(rng), 0.f, 1.f) * 255.f) / 255.f;
  for (float& v : clean.pixels) v = std::round(v * 255.f) / 255.f;
  ExtractReport rc, rn;
  extract_lut(before, clean, {}, &rc);
  extract_lut(before, noisy, {}, &rn);
  EXPECT_GT(rn.bending, rc.bending);
  EXPECT_GT(rn.fit_rms, 0.02f);
  EXPECT_LT(rc.fit_rms, 0.01f);
}

TEST(Extract, RejectsNonFiniteEmptyAndBadSizes) {
  ImageF a(4, 4, 3), b(4, 4, 3);
  b.pixels[5] = std::nanf("");
  try {
    extract_lut(a, b, {}, nullptr, "a.png", "b.png");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("b.png"), std::string::npos);
  }
  EXPECT_THROW(extract_lut(ImageF(), ImageF(), {}, nullptr, "a.png", "b.png"), Error);
  ExtractOptions o;
  o.lut_size = 1;
  try {
    extract_lut(a, a, o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
}

TEST(Extract, RejectsMismatchedPairsNamingTheFile) {
  try {
    extract_lut(ImageF(8, 8, 3), ImageF(9, 8, 3), {}, nullptr, "a.png", "b.png");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("b.png"), std::string::npos);
  }
}

// Two stills graded alike, each showing one half of the colours (a warm scene and a cool one):
// pooled, they recover the grade on a picture holding both halves better than either alone.
TEST(Extract, PooledPairsRecoverWhatNeitherPairShowsAlone) {
  const Lut3D truth = bake_look(creative_look(), 33);
  auto tinted = [](ImageF img, bool warm) {
    for (size_t i = 0; i < img.pixels.size(); i += 3) {
      float* p = &img.pixels[i];
      const float shift = warm ? 0.3f : -0.3f;
      p[0] = std::clamp(0.35f + 0.6f * p[0] + (warm ? shift : 0.f), 0.f, 1.f);
      p[2] =
          std::clamp(0.35f + 0.6f * p[2] - (warm ? shift : 0.f) + (warm ? 0.f : -shift), 0.f, 1.f);
      for (int c = 0; c < 3; ++c) p[c] = std::round(p[c] * 255.f) / 255.f;
    }
    return img;
  };
  const ImageF warm = tinted(synthetic_photo(160, 120, 5), true);
  const ImageF cool = tinted(synthetic_photo(160, 120, 6), false);
  auto graded8 = [&](const ImageF& img) {
    ImageF g = applied(truth, img);
    for (float& v : g.pixels) v = std::round(v * 255.f) / 255.f;
    return g;
  };
  // The test picture: left half from a warm scene, right half from a cool one.
  const ImageF w2 = tinted(synthetic_photo(160, 120, 7), true),
               c2 = tinted(synthetic_photo(160, 120, 8), false);
  ImageF both(160, 120, 3);
  for (int y = 0; y < 120; ++y)
    for (int x = 0; x < 160; ++x)
      for (int c = 0; c < 3; ++c) both.at(x, y)[c] = (x < 80 ? w2 : c2).at(x, y)[c];
  auto error_of = [&](const Lut3D& lut) {
    return mean_de00(applied(lut, both), applied(truth, both));
  };
  const double e_warm = error_of(extract_lut(warm, graded8(warm)));
  const double e_cool = error_of(extract_lut(cool, graded8(cool)));
  const std::vector<ImageF> befores = {warm, cool}, afters = {graded8(warm), graded8(cool)};
  ExtractReport rep;
  const double e_pool = error_of(extract_lut(befores, afters, {}, &rep));
  EXPECT_LT(e_pool, 0.8 * std::min(e_warm, e_cool)) << e_warm << " " << e_cool;
  EXPECT_LT(e_pool, 1.0);
  // The pooled fit holds the distinct colours of both stills.
  ExtractReport rw;
  extract_lut(warm, graded8(warm), {}, &rw);
  EXPECT_GT(rep.samples, rw.samples);
}

TEST(Extract, PooledPairsCheckEveryPairAndTheCounts) {
  const std::vector<ImageF> two = {ImageF(8, 8, 3), ImageF(8, 8, 3)};
  const std::vector<ImageF> one = {ImageF(8, 8, 3)};
  try {
    extract_lut(two, one);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
  const std::vector<ImageF> afters = {ImageF(8, 8, 3), ImageF(9, 8, 3)};
  const std::vector<std::string> bn = {"a1.png", "a2.png"}, an = {"b1.png", "b2.png"};
  try {
    extract_lut(two, afters, {}, nullptr, bn, an);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("b2.png"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("a2.png"), std::string::npos);
  }
}

TEST(LutCli, ExtractAndMatchWriteCubesAndBadInputExitsThree) {
  const auto dir = autograde::testing::scratch_dir("look_cli");
  write_graded_pair(dir, 3, 17);
  const std::string cli = AUTOGRADE_CLI;
  const std::string q = " --quiet";
  auto sh = [](const std::string& cmd) {
    const int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  EXPECT_EQ(sh(cli + " lut --before " + (dir / "a.png").string() + " --after " +
               (dir / "b.png").string() + " -o " + (dir / "x.cube").string()),
            0);
  EXPECT_EQ(read_cube((dir / "x.cube").string()).cube->size, 33);
  // Several pairs: one --after per --before, in order; a missing --after is a usage error.
  EXPECT_EQ(sh(cli + " lut --before " + (dir / "a.png").string() + " --after " +
               (dir / "b.png").string() + " --before " + (dir / "b.png").string() + " --after " +
               (dir / "b.png").string() + " --size 9 -o " + (dir / "p.cube").string()),
            0);
  EXPECT_EQ(read_cube((dir / "p.cube").string()).cube->size, 9);
  EXPECT_EQ(sh(cli + " lut --before " + (dir / "a.png").string() + " --before " +
               (dir / "b.png").string() + " --after " + (dir / "b.png").string() + " -o " +
               (dir / "q.cube").string()),
            2);
  EXPECT_FALSE(std::filesystem::exists(dir / "q.cube"));
  EXPECT_EQ(sh(cli + " lut --ref " + (dir / "b.png").string() + " --source " +
               (dir / "a.png").string() + " --size 17 --explain -o " + (dir / "m.cube").string()),
            0);
  EXPECT_EQ(read_cube((dir / "m.cube").string()).cube->size, 17);
  // Unreadable reference: exit 3 and no output file.
  EXPECT_EQ(
      sh(cli + " lut --ref " + (dir / "missing.png").string() + " -o " + (dir / "n.cube").string()),
      3);
  EXPECT_FALSE(std::filesystem::exists(dir / "n.cube"));
  // Output onto an input is refused (usage, 2) and the input is untouched.
  EXPECT_EQ(sh(cli + " lut --ref " + (dir / "b.png").string() + " -o " + (dir / "b.png").string()),
            2);
  EXPECT_TRUE(std::filesystem::exists(dir / "b.png"));
}

TEST(LutCli, ExtractionReportsTheLookThatExplainsThePair) {
  const auto dir = autograde::testing::scratch_dir("look_cli_fit");
  write_graded_pair(dir, 5, 33);
  const std::string cmd = std::string(AUTOGRADE_CLI) + " --quiet lut --json --before " +
                          (dir / "a.png").string() + " --after " + (dir / "b.png").string() +
                          " -o " + (dir / "x.cube").string();
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ASSERT_EQ(pclose(p), 0);
  const auto report = nlohmann::json::parse(out);
  ASSERT_TRUE(report.contains("look"));
  EXPECT_LT(report["look_rms"].get<double>(), 0.02);
  // The reported Look grades the before still like the pair's own after still (8-bit PNGs).
  const Look look = look_from_json(report["look"]);
  const ImageF a = read_image((dir / "a.png").string()).image,
               b = read_image((dir / "b.png").string()).image;
  EXPECT_LT(mean_de00(apply_look_to_image(look, a), b), 1.0);
  EXPECT_GT(mean_de00(a, b), 4.0);                       // the grade is not a small one
  EXPECT_TRUE(std::filesystem::exists(dir / "x.cube"));  // the extraction is still what is written
}
