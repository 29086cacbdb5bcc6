// Cross-check against ffmpeg's lut3d filter (issue 2): the same .cube applied to the same 8-bit
// RGB PNG by our code and by the `ffmpeg` binary must agree within one code value.
//
// ffmpeg 5.1's lut3d writes 8-bit output as av_clip_uint8(v * 255), i.e. it truncates, while we
// round to nearest. So ffmpeg's code is floor(255 v) and ours round(255 v): ours - ffmpeg is 0
// or +1 when both compute the same v. The test checks that bound, and also compares ffmpeg with
// floor(255 v) of our float result, which must agree except where float noise straddles an
// integer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "autograde/lut/cube_io.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/media/image_io.hpp"
#include "test_support.hpp"

using namespace autograde;
namespace fs = std::filesystem;

namespace {

bool have_ffmpeg() { return std::system("ffmpeg -version > /dev/null 2>&1") == 0; }

// An 8-bit RGB test image: every grey, smooth ramps across the cube, and random colours.
ImageF test_image() {
  const int w = 256, h = 96;
  ImageF img(w, h, 3);
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> code(0, 255);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      float* p = img.at(x, y);
      if (y < 8) {
        p[0] = p[1] = p[2] = x / 255.f;
      } else if (y < 40) {
        p[0] = x / 255.f, p[1] = ((y - 8) * 8) / 255.f, p[2] = ((x * 7 + y * 3) % 256) / 255.f;
      } else {
        for (int c = 0; c < 3; ++c) p[c] = code(rng) / 255.f;
      }
    }
  return img;
}

// A smooth non-linear grade whose outputs reach a little outside [0,1] (clipped by both).
Lut3D smooth_lut(int n) {
  Lut3D lut = Lut3D::identity(n);
  for (size_t i = 0; i < lut.table.size(); i += 3) {
    const float r = lut.table[i], g = lut.table[i + 1], b = lut.table[i + 2];
    lut.table[i] = 1.1f * r * r + 0.1f * std::sin(5.f * g) - 0.03f;
    lut.table[i + 1] = std::sqrt(g) * 0.9f + 0.15f * b * r;
    lut.table[i + 2] = 0.8f * b + 0.25f * std::cos(4.f * (r - g)) - 0.1f;
  }
  return lut;
}

struct Agreement {
  int max_vs_rounded = 0;    // max |ours(rounded) - ffmpeg|
  int max_vs_truncated = 0;  // max |floor(255 v_ours) - ffmpeg|
  double share_truncation_exact = 0;
  // Samples where 255 v lies at least 0.01 from an integer, so float noise between the two
  // implementations cannot move floor(); there truncation must explain ffmpeg exactly.
  size_t clear_samples = 0, clear_mismatches = 0;
};

Agreement compare(const fs::path& cube, const fs::path& in_png, Interp interp,
                  const fs::path& out_png) {
  const std::string cmd = "ffmpeg -v error -nostdin -y -i '" + in_png.string() +
                          "' -vf \"format=rgb24,lut3d=file='" + cube.string() +
                          "':interp=" + interp_name(interp) + "\" -pix_fmt rgb24 -frames:v 1 '" +
                          out_png.string() + "'";
  const int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << cmd;
  Agreement a;
  if (rc != 0) return a;
  LoadedImage src = read_image(in_png.string());
  const LoadedImage ff = read_image(out_png.string());
  EXPECT_EQ(ff.meta.format, SampleFormat::U8);
  const LutFile lut = read_cube(cube.string());
  apply_reference(lut, src.image, interp);
  EXPECT_EQ(ff.image.pixels.size(), src.image.pixels.size());
  size_t exact = 0;
  for (size_t i = 0; i < src.image.pixels.size() && i < ff.image.pixels.size(); ++i) {
    const float v = std::clamp(src.image.pixels[i], 0.f, 1.f);
    const int theirs = int(std::lround(ff.image.pixels[i] * 255.f));
    const int rounded = int(std::lround(v * 255.f));
    const int truncated = int(std::floor(v * 255.f));
    a.max_vs_rounded = std::max(a.max_vs_rounded, std::abs(rounded - theirs));
    a.max_vs_truncated = std::max(a.max_vs_truncated, std::abs(truncated - theirs));
    exact += truncated == theirs;
    const float frac = v * 255.f - std::floor(v * 255.f);
    if (v > 0.f && v < 1.f && frac > 0.01f && frac < 0.99f) {
      ++a.clear_samples;
      a.clear_mismatches += truncated != theirs;
    }
  }
  a.share_truncation_exact = double(exact) / double(src.image.pixels.size());
  return a;
}

void check_file(const fs::path& cube, const fs::path& dir, const fs::path& in_png) {
  for (Interp interp : {Interp::Tetrahedral, Interp::Trilinear}) {
    Agreement a = compare(cube, in_png, interp, dir / ("ff_" + cube.stem().string() + "_" +
                                                      interp_name(interp) + ".png"));
    EXPECT_LE(a.max_vs_rounded, 1) << cube << " " << interp_name(interp);
    EXPECT_LE(a.max_vs_truncated, 1) << cube << " " << interp_name(interp);
    // Truncation explains ffmpeg's output wherever float noise cannot matter.
    EXPECT_GT(a.clear_samples, 0u);
    EXPECT_EQ(a.clear_mismatches, 0u) << cube << " " << interp_name(interp);
    std::printf("[ffmpeg] %-28s %-11s max|round - ffmpeg| = %d  max|trunc - ffmpeg| = %d  "
                "trunc exact %.4f%% (%zu of %zu clear samples differ)\n",
                cube.filename().c_str(), interp_name(interp), a.max_vs_rounded,
                a.max_vs_truncated, 100 * a.share_truncation_exact, a.clear_mismatches,
                a.clear_samples);
  }
}

}  // namespace

TEST(FfmpegCrossCheck, CubesWeWriteMatchLut3dFilter) {
  if (!have_ffmpeg()) GTEST_SKIP() << "ffmpeg not on PATH";
  const fs::path dir = autograde::testing::scratch_dir("ffmpeg_cross");
  ImageMeta meta;  // 8-bit RGB PNG
  write_image((dir / "in.png").string(), test_image(), meta);
  for (int n : {2, 17, 33}) {
    // Our writer's output must be a file ffmpeg accepts (plain LUT_3D_SIZE, no shaper).
    const fs::path cube = dir / ("smooth_" + std::to_string(n) + ".cube");
    write_cube(smooth_lut(n), cube.string(), "smooth");
    check_file(cube, dir, dir / "in.png");
  }
}

TEST(FfmpegCrossCheck, SharedDataCubes) {
  AG_REQUIRE_SHARED_DATA();
  if (!have_ffmpeg()) GTEST_SKIP() << "ffmpeg not on PATH";
  const fs::path dir = autograde::testing::scratch_dir("ffmpeg_shared");
  ImageMeta meta;
  write_image((dir / "in.png").string(), test_image(), meta);
  int checked = 0;
  for (const auto& e : fs::recursive_directory_iterator(autograde::testing::shared_data() / "luts")) {
    if (!e.is_regular_file() || e.path().extension() != ".cube") continue;
    const LutFile f = read_cube(e.path().string());
    // ffmpeg 5.1 cannot load Resolve shaper files (DESIGN.md); those are covered against OCIO.
    if (f.shaper || !f.cube->has_default_domain()) continue;
    check_file(e.path(), dir, dir / "in.png");
    ++checked;
  }
  EXPECT_GT(checked, 0);
}
