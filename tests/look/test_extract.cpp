// LUT extraction from a before/after pair: recovers a known smooth LUT on held-out images.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/look/extract.hpp"
#include "autograde/look/look.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/lut/interpolate.hpp"
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
        float v = 0.5f + 0.35f * std::sin(6.f * f[c][0] * fx + 5.f * f[c][1] * fy + 6.f * f[c][2] + phase) +
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
  if (!std::filesystem::exists(lut_path) || !std::filesystem::exists(a) || !std::filesystem::exists(c))
    GTEST_SKIP() << "files missing";
  const Lut3D truth = *read_cube(lut_path.string()).cube;
  const ImageF before = read_image(a.string()).image;
  ImageF after = applied(truth, before);
  for (float& v : after.pixels) v = std::round(v * 255.f) / 255.f;
  const Lut3D lut = extract_lut(before, after);
  const ImageF other = read_image(c.string()).image;
  EXPECT_LT(mean_de00(applied(lut, other), applied(truth, other)), 1.0);
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

TEST(LutCli, ExtractAndMatchWriteCubesAndBadInputExitsThree) {
  const auto dir = autograde::testing::scratch_dir("look_cli");
  const ImageF before = synthetic_photo(64, 48, 3);
  const ImageF after = applied(bake_look(creative_look(), 17), before);
  ImageMeta meta;
  write_image((dir / "a.png").string(), before, meta);
  write_image((dir / "b.png").string(), after, meta);
  const std::string cli = AUTOGRADE_CLI;
  const std::string q = " --quiet";
  auto sh = [](const std::string& cmd) {
    const int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  EXPECT_EQ(sh(cli + " lut --before " + (dir / "a.png").string() + " --after " + (dir / "b.png").string() +
               " -o " + (dir / "x.cube").string()), 0);
  EXPECT_EQ(read_cube((dir / "x.cube").string()).cube->size, 33);
  EXPECT_EQ(sh(cli + " lut --ref " + (dir / "b.png").string() + " --source " + (dir / "a.png").string() +
               " --size 17 --explain -o " + (dir / "m.cube").string()), 0);
  EXPECT_EQ(read_cube((dir / "m.cube").string()).cube->size, 17);
  // Unreadable reference: exit 3 and no output file.
  EXPECT_EQ(sh(cli + " lut --ref " + (dir / "missing.png").string() + " -o " + (dir / "n.cube").string()), 3);
  EXPECT_FALSE(std::filesystem::exists(dir / "n.cube"));
  // Output onto an input is refused (usage, 2) and the input is untouched.
  EXPECT_EQ(sh(cli + " lut --ref " + (dir / "b.png").string() + " -o " + (dir / "b.png").string()), 2);
  EXPECT_TRUE(std::filesystem::exists(dir / "b.png"));
}
