// The ground-truth protocol's helpers (training/match_protocol.hpp), against values worked by hand
// and against the library's own CIEDE2000 / .cube writer.
#include <gtest/gtest.h>

#include <cmath>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/training/match_protocol.hpp"
#include "test_support.hpp"

using namespace autograde;

TEST(MatchProtocol, ScoreOfAOneCodeValueOffsetIsTheTextbookPsnr) {
  ImageF a(8, 4, 3), b(8, 4, 3);
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    a.pixels[i] = 0.5f;
    b.pixels[i] = 0.5f + 1.f / 255.f;
  }
  const MatchScore same = score_against_truth(a, a);
  EXPECT_EQ(same.mean, 0.0);
  EXPECT_EQ(same.p90, 0.0);
  const MatchScore s = score_against_truth(a, b);
  EXPECT_NEAR(s.psnr, 20.0 * std::log10(255.0), 1e-3);  // MSE = 1 code value²
  const double de =
      ciede2000(srgb_to_lab({0.5f, 0.5f, 0.5f}),
                srgb_to_lab({0.5f + 1.f / 255.f, 0.5f + 1.f / 255.f, 0.5f + 1.f / 255.f}));
  EXPECT_NEAR(s.mean, de, 1e-5);
  EXPECT_NEAR(s.p90, de, 1e-5);
  EXPECT_THROW(score_against_truth(a, ImageF(4, 4, 3)), Error);
}

TEST(MatchProtocol, ReduceAveragesBlocksAndQuantiseRoundsToEightBits) {
  ImageF img(4, 2, 3);
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 4; ++x)
      for (int c = 0; c < 3; ++c) img.at(x, y)[c] = float(x + 4 * y) / 8.f;
  const ImageF r = reduce_image(img, 2);  // factor 2: two 2x2 blocks
  ASSERT_EQ(r.width, 2);
  ASSERT_EQ(r.height, 1);
  EXPECT_FLOAT_EQ(r.at(0, 0)[0], (0 + 1 + 4 + 5) / 32.f);
  EXPECT_FLOAT_EQ(r.at(1, 0)[2], (2 + 3 + 6 + 7) / 32.f);
  ImageF q(1, 1, 3);
  q.pixels = {0.5f, -0.2f, 1.7f};
  quantise_8bit(q);
  EXPECT_FLOAT_EQ(q.pixels[0], 128.f / 255.f);  // 127.5 rounds half away from zero
  EXPECT_FLOAT_EQ(q.pixels[1], 0.f);
  EXPECT_FLOAT_EQ(q.pixels[2], 1.f);
}

TEST(MatchProtocol, CreativeLutsExcludeLogConversions) {
  const auto dir = autograde::testing::scratch_dir("match_protocol_luts");
  Lut3D warm = Lut3D::identity(5);
  for (size_t i = 0; i < warm.table.size(); i += 3)
    warm.table[i] = std::min(1.f, warm.table[i] * 1.1f);
  LutFile f;
  f.cube = warm;
  write_cube(f, (dir / "warm.cube").string());
  write_cube(f, (dir / "slog3_to_709.cube").string());
  ASSERT_TRUE(load_creative_lut(dir / "warm.cube").has_value());
  EXPECT_EQ(load_creative_lut(dir / "warm.cube")->table, warm.table);
  EXPECT_FALSE(load_creative_lut(dir / "slog3_to_709.cube").has_value());
  const auto files = files_with_extensions(dir, {".cube"});
  ASSERT_EQ(files.size(), 2u);
  EXPECT_LT(files[0], files[1]);
  EXPECT_TRUE(files_with_extensions(dir / "missing", {".cube"}).empty());
}
