// Clean training pictures rendered from HDR panoramas (training/dataset.hpp, render_hdr_views):
// written here as real OpenEXR files, read back through the product's image reader.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "autograde/media/image_io.hpp"
#include "autograde/training/dataset.hpp"
#include "test_support.hpp"

using namespace autograde;
using namespace autograde::learn;
namespace fs = std::filesystem;

namespace {

// A 256 x 128 equirectangular panorama, scene-linear, `value(x, y)` in every channel.
template <typename F>
void write_panorama(const fs::path& path, F value) {
  ImageF img(256, 128, 3);
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x)
      for (int c = 0; c < 3; ++c) img.at(x, y)[c] = value(x, y);
  ImageMeta meta;
  meta.format = SampleFormat::Half;
  meta.bits_per_sample = 16;
  write_image(path.string(), img, meta);
}

}  // namespace

TEST(HdrViews, AFlatSceneOfAnyLevelIsExposedToTheMidTones) {
  // Auto exposure puts the log-average at mid grey (0.18 linear, +-0.5 stop) and the shoulder
  // moves it by less than a third (0.11-0.31 linear): every pixel in the mid-tones, code values
  // 0.35-0.65, whatever the scene's level — a dim room and a sunlit plain, each flat, look alike.
  const fs::path dir = autograde::testing::scratch_dir("hdr_flat");
  write_panorama(dir / "dim.exr", [](int, int) { return 0.02f; });
  write_panorama(dir / "bright.exr", [](int, int) { return 2000.f; });
  const auto views = render_hdr_views(dir.string(), 5, 7);
  ASSERT_EQ(views.size(), 10u);
  const float lo = 0.35f, hi = 0.65f;
  for (const SourceImage& v : views) {
    EXPECT_EQ(v.split, Split::Train) << v.name;
    ASSERT_EQ(v.image.channels, 3);
    // 90 x 67.5 degrees of a 256 x 128 panorama: 64 x 48 pixels.
    EXPECT_EQ(v.image.width, 64) << v.name;
    EXPECT_EQ(v.image.height, 48) << v.name;
    const auto [mn, mx] = std::minmax_element(v.image.pixels.begin(), v.image.pixels.end());
    EXPECT_NEAR(*mn, *mx, 1e-6) << v.name << ": a flat scene stays flat";
    EXPECT_GE(*mn, lo) << v.name;
    EXPECT_LE(*mx, hi) << v.name;
  }
}

TEST(HdrViews, BrightLightsStayInRangeAndOrderIsKept) {
  // A vertical ramp over five decades and a column of 60,000 (near half float's largest) for a
  // sun: the views are display code values in [0, 1], a brighter scene pixel never renders darker
  // than the one above it (the curve is monotone; the window keeps the panorama's rows), and the
  // same seed gives the same views.
  const fs::path dir = autograde::testing::scratch_dir("hdr_ramp");
  write_panorama(dir / "ramp.exr", [](int x, int y) {
    if (std::abs(x - 200) < 3) return 60000.f;
    return 0.001f * std::pow(10.f, 5.f * float(y) / 127.f);
  });
  std::ofstream(dir / "notes.txt") << "not a panorama";
  std::ofstream(dir / "broken.exr") << "not an OpenEXR file";
  const auto views = render_hdr_views(dir.string(), 8, 3);
  ASSERT_EQ(views.size(), 8u) << "one readable panorama, 8 views";
  for (const SourceImage& v : views) {
    for (float p : v.image.pixels) {
      EXPECT_GE(p, 0.f);
      EXPECT_LE(p, 1.f);
    }
    // Scene luminance grows downwards (y) in this panorama; so do each column's code values.
    for (int x = 0; x < v.image.width; ++x)
      for (int y = 1; y < v.image.height; ++y)
        EXPECT_GE(v.image.at(x, y)[1] + 1e-6f, v.image.at(x, y - 1)[1]) << v.name << " " << x;
  }
  const auto again = render_hdr_views(dir.string(), 8, 3);
  ASSERT_EQ(again.size(), views.size());
  for (size_t i = 0; i < views.size(); ++i) EXPECT_EQ(again[i].image.pixels, views[i].image.pixels);
  EXPECT_NE(render_hdr_views(dir.string(), 8, 4)[0].image.pixels, views[0].image.pixels)
      << "another seed, other windows and exposures";
}
