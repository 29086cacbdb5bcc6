// Regions end to end through the autograde binary (issue 21): `masks` on a portrait, `grade`
// of a still with a creative LUT as the look, skin protection on and off, the plan's region
// records and their re-render. The portrait is data/images/astronaut.png (NASA, public
// domain): a face above an orange suit, the hard case for a skin grade under a teal-orange look
// (the suit must keep the look). Regions of it were marked by eye once (boxes below); the
// CIEDE2000 measures come from color.hpp (Sharma et al. 2005, checked in tests/color).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "autograde/analysis/masked_difference.hpp"
#include "autograde/core/files.hpp"
#include "autograde/lut/lut_write.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/pipeline/plan.hpp"
#include "cli_support.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace autograde;

namespace {

using autograde::testing::CliRun;

CliRun run(std::string args) { return autograde::testing::run_cli(std::move(args)); }
std::string q(const fs::path& p) { return autograde::testing::quoted(p); }
fs::path source(const std::string& rel) { return autograde::testing::source_dir() / rel; }

struct Box {
  int x0, y0, x1, y1;  // inclusive pixels of the 512 x 512 portrait
};
// Marked by eye on astronaut.png.
constexpr Box kFace{175, 65, 280, 185};     // brow to chin, ear to ear
constexpr Box kCheeks{195, 120, 255, 160};  // skin only
constexpr Box kSuit{50, 330, 120, 460};     // orange suit, left arm
constexpr Box kWall{300, 15, 350, 60};      // grey backdrop, top right

double mean_in(const ImageF& mask, Box b) {
  double s = 0;
  int n = 0;
  for (int y = b.y0; y <= b.y1; ++y)
    for (int x = b.x0; x <= b.x1; ++x) s += mask.at(x, y)[0], ++n;
  return s / n;
}

ImageF grey(const fs::path& p) {
  const LoadedImage im = read_image(p.string());
  ImageF g(im.image.width, im.image.height, 1);
  for (size_t i = 0; i < g.pixel_count(); ++i) g.pixels[i] = im.image.pixels[i * im.image.channels];
  return g;
}

ImageF rgb(const fs::path& p) { return read_image(p.string()).image; }

std::string fmt_frame(int f) {
  char b[16];
  std::snprintf(b, sizeof b, "%06d", f);
  return b;
}

// A strong teal-orange look as a .cube: shadows pushed to teal, highlights to orange, saturation
// raised (the kind of look the fairness bench uses; written here so the test needs no shared
// data).
void write_teal_orange(const fs::path& path) {
  Lut3D lut = Lut3D::identity(33);
  for (size_t i = 0; i < lut.table.size(); i += 3) {
    float* v = &lut.table[i];
    const float y = 0.2126f * v[0] + 0.7152f * v[1] + 0.0722f * v[2];
    const float t = y - 0.5f;
    const float push[3] = {0.45f * t, 0.05f * t, -0.45f * t};
    for (int c = 0; c < 3; ++c) {
      const float sat = y + 1.35f * (v[c] - y);
      v[c] = std::clamp(sat + push[c] + 0.04f * (c == 0 ? 1 : c == 2 ? -1 : 0), 0.f, 1.f);
    }
  }
  write_lut(lut, path.string());
}

class RegionsCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = autograde::testing::scratch_dir("regions_cli");
    portrait_ = source("data/images/astronaut.png");
    write_teal_orange(dir_ / "teal_orange.cube");
    masks_ = run("masks " + q(portrait_) + " -o " + q(dir_ / "masks") + " --json --quiet");
    protected_ = run("grade " + q(portrait_) + " --lut " + q(dir_ / "teal_orange.cube") + " -o " +
                     q(dir_ / "protected.png") + " --quiet");
    plain_ = run("grade " + q(portrait_) + " --lut " + q(dir_ / "teal_orange.cube") +
                 " --protect-skin 0 -o " + q(dir_ / "plain.png") + " --quiet");
  }
  static inline fs::path dir_, portrait_;
  static inline CliRun masks_, protected_, plain_;
};

TEST_F(RegionsCli, MasksFindTheFaceAndKeepSkinOffTheSuit) {
  ASSERT_EQ(masks_.code, 0) << masks_.out;
  const auto info = nlohmann::json::parse(masks_.out);
  ASSERT_FALSE(info["faces"].empty());
  const auto& box = info["faces"][0]["box"];
  const double cx = (box[0].get<double>() + box[2].get<double>()) / 2;
  const double cy = (box[1].get<double>() + box[3].get<double>()) / 2;
  EXPECT_GT(cx, kFace.x0);
  EXPECT_LT(cx, kFace.x1);
  EXPECT_GT(cy, kFace.y0);
  EXPECT_LT(cy, kFace.y1);
  EXPECT_GT(info["faces"][0]["score"].get<double>(), 0.5);
  for (const char* c : {"person", "face", "skin", "sky", "foliage"}) {
    const LoadedImage m = read_image((dir_ / "masks" / (std::string(c) + ".png")).string());
    EXPECT_EQ(m.image.width, 512) << c;
    EXPECT_EQ(m.image.height, 512) << c;
    EXPECT_EQ(m.meta.format, SampleFormat::U8) << c;
  }
  const ImageF skin = grey(dir_ / "masks" / "skin.png");
  const ImageF person = grey(dir_ / "masks" / "person.png");
  const ImageF face = grey(dir_ / "masks" / "face.png");
  EXPECT_GT(mean_in(skin, kCheeks), 0.6);
  EXPECT_LT(mean_in(skin, kSuit), 0.2) << "the orange suit is not skin";
  EXPECT_LT(mean_in(skin, kWall), 0.1);
  EXPECT_GT(mean_in(person, kSuit), 0.7);
  EXPECT_LT(mean_in(person, kWall), 0.2);
  EXPECT_GT(mean_in(face, kCheeks), 0.8);
  EXPECT_LT(mean_in(face, kSuit), 0.05);
}

TEST_F(RegionsCli, SkinProtectionHalvesTheSkinShiftAndKeepsTheLookElsewhere) {
  ASSERT_EQ(protected_.code, 0) << protected_.out;
  ASSERT_EQ(plain_.code, 0) << plain_.out;
  ASSERT_EQ(masks_.code, 0) << masks_.out;
  const ImageF before = rgb(portrait_);
  const ImageF with = rgb(dir_ / "protected.png");
  const ImageF without = rgb(dir_ / "plain.png");
  ASSERT_EQ(with.width, before.width);
  // skin.png is a likelihood; the skin is where it says more likely than not.
  ImageF skin = grey(dir_ / "masks" / "skin.png");
  for (float& v : skin.pixels) v = v >= 0.5f ? 1.f : 0.f;
  const double shift_without = masked_ciede2000(before, without, skin);
  const double shift_with = masked_ciede2000(before, with, skin);
  EXPECT_GT(shift_without, 5.0) << "the look must move skin for the test to mean anything";
  EXPECT_LT(shift_with, 0.5 * shift_without);
  // Outside people the protected grade is the look.
  ImageF outside = grey(dir_ / "masks" / "person.png");
  for (float& v : outside.pixels) v = 1.f - v;
  EXPECT_LT(masked_ciede2000(with, without, outside), 1.0);
  // And the suit keeps the look (it is inside the person, not skin).
  ImageF suit(before.width, before.height, 1);
  for (int y = kSuit.y0; y <= kSuit.y1; ++y)
    for (int x = kSuit.x0; x <= kSuit.x1; ++x) *suit.at(x, y) = 1.f;
  EXPECT_LT(masked_ciede2000(with, without, suit), 1.5);
}

TEST_F(RegionsCli, UnprotectedStillGradeMatchesFfmpegLut3d) {
  ASSERT_EQ(plain_.code, 0) << plain_.out;
  // ffmpeg applies the same .cube (33 points: the plan's lattice) by tetrahedral interpolation.
  ASSERT_TRUE(autograde::testing::sh(
      "ffmpeg -nostdin -v error -y -i " + q(portrait_) + " -vf lut3d=file=" +
      q(dir_ / "teal_orange.cube") + ":interp=tetrahedral -pix_fmt rgb24 " +
      q(dir_ / "ffmpeg.png")));
  const ImageF ours = rgb(dir_ / "plain.png");
  const ImageF theirs = rgb(dir_ / "ffmpeg.png");
  ASSERT_EQ(ours.pixels.size(), theirs.pixels.size());
  float worst = 0;
  for (size_t i = 0; i < ours.pixels.size(); ++i)
    worst = std::max(worst, std::abs(ours.pixels[i] - theirs.pixels[i]));
  EXPECT_LE(worst * 255.f, 1.01f);
}

TEST_F(RegionsCli, PlanRecordsTheSkinRegionAndRenderReproducesIt) {
  ASSERT_EQ(protected_.code, 0) << protected_.out;
  const GradePlan plan = read_plan((dir_ / "protected.plan.json").string());
  ASSERT_EQ(plan.shots.size(), 1u);
  EXPECT_EQ(plan.method, "lut");
  EXPECT_FLOAT_EQ(plan.regions.protect_skin, 1.f);
  ASSERT_EQ(plan.shots[0].regions.size(), 1u);
  EXPECT_EQ(plan.shots[0].regions[0].region, "skin");
  EXPECT_TRUE(fs::exists(dir_ / "protected_luts" / plan.shots[0].regions[0].lut_file));
  EXPECT_TRUE(fs::exists(dir_ / "protected_luts" / "shot_000_skin_protected.cube"));
  const CliRun r = run("render " + q(dir_ / "protected.plan.json") + " -o " +
                       q(dir_ / "again.png") + " --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(read_file((dir_ / "protected.png").string()) ==
              read_file((dir_ / "again.png").string()));
  // Without protection the plan has no regions.
  const GradePlan off = read_plan((dir_ / "plain.plan.json").string());
  EXPECT_TRUE(off.shots[0].regions.empty());
}

// A clip: one matte per frame and class, the input's size, the masks steady within the shot.
TEST_F(RegionsCli, MasksOfAClipArePerFrameSequencesWithTheirSteadiness) {
  const fs::path d = autograde::testing::scratch_dir("regions_cli_clip");
  // 12 frames of the bundled excerpt's close-up (a face; Tears of Steel, CC BY 3.0).
  ASSERT_TRUE(autograde::testing::sh(
      "ffmpeg -nostdin -v error -y -ss 4.2 -i " +
      q(source("data/video/tears_of_steel_excerpt.mp4")) +
      " -frames:v 12 -vf scale=320:180 -c:v libx264 -crf 16 -pix_fmt yuv420p " + q(d / "c.mp4")));
  const CliRun r = run("masks " + q(d / "c.mp4") + " -o " + q(d / "m") +
                       " --classes person,skin --json --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto info = nlohmann::json::parse(r.out);
  EXPECT_EQ(info["kind"], "clip");
  ASSERT_EQ(info["frames"].size(), 12u);
  for (const char* c : {"person", "skin"})
    for (int f : {0, 11}) {
      const fs::path png = d / "m" / c / (std::string(c) + "." + fmt_frame(f) + ".png");
      ASSERT_TRUE(fs::exists(png)) << png;
      const LoadedImage m = read_image(png.string());
      EXPECT_EQ(m.image.width, 320);
      EXPECT_EQ(m.image.height, 180);
    }
  EXPECT_FALSE(fs::exists(d / "m" / "sky"));
  // Steadied masks change less from frame to frame than the networks' own.
  for (const auto& shot : info["stability"]) {
    const auto& ch = shot["frame_to_frame_change"];
    if (!ch.contains("person")) continue;
    EXPECT_LE(ch["person"]["smoothed"].get<double>(), ch["person"]["raw"].get<double>() + 1e-9);
  }
  EXPECT_GT(info["frames"][5]["coverage"]["person"].get<double>(), 0.05) << "a face fills the shot";
}

TEST_F(RegionsCli, BadRegionRequestsAreRefusedWithNothingWritten) {
  const fs::path d = autograde::testing::scratch_dir("regions_cli_bad");
  const CliRun a = run("grade " + q(portrait_) + " --lut " + q(dir_ / "teal_orange.cube") +
                       " --ref " + q(portrait_) + " -o " + q(d / "x.png") + " --quiet");
  EXPECT_EQ(a.code, 2) << a.out;
  EXPECT_NE(a.out.find("--lut"), std::string::npos) << a.out;
  const CliRun b = run("grade " + q(source("data/video/tears_of_steel_excerpt.mp4")) +
                       " --lut " + q(dir_ / "teal_orange.cube") + " -o " + q(d / "x.png") +
                       " --quiet");
  EXPECT_EQ(b.code, 2) << b.out;
  EXPECT_NE(b.out.find("still"), std::string::npos) << b.out;
  const CliRun c = run("grade " + q(portrait_) + " --lut " + q(d / "missing.cube") + " -o " +
                       q(d / "x.png") + " --quiet");
  EXPECT_EQ(c.code, 3) << c.out;
  EXPECT_NE(c.out.find("missing.cube"), std::string::npos) << c.out;
  const CliRun m = run("masks " + q(d / "missing.png") + " -o " + q(d / "m") + " --quiet");
  EXPECT_EQ(m.code, 3) << m.out;
  EXPECT_TRUE(autograde::testing::listing(d).empty());
}

}  // namespace
