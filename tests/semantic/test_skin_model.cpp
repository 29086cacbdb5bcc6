// Issue 21: the skin model (src/semantic/skin_model.cpp, models/skin_model.json).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "autograde/color/color.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/semantic/skin_model.hpp"
#include "skin_sky_split.hpp"
#include "test_support.hpp"

namespace autograde {
namespace {

// The ten Monk Skin Tone swatches (Monk 2019; the corpus README lists the same hex values).
constexpr std::array<const char*, 10> kMonk = {"f6ede4", "f3e7db", "f7ead0", "eadaba", "d7bd96",
                                               "a07e56", "825c43", "604134", "3a312a", "292420"};

Rgb hex(const char* h) {
  const unsigned v = unsigned(std::stoul(h, nullptr, 16));
  return {float((v >> 16) & 255) / 255.f, float((v >> 8) & 255) / 255.f, float(v & 255) / 255.f};
}

// A 256x256 picture: a blue-grey, slightly noisy backdrop and an oval "face" of one swatch
// colour with soft shading and noise, plus its FaceBox with BlazeFace-like keypoints.
struct Synthetic {
  ImageF rgb;
  FaceBox face;
  std::vector<uint8_t> inside, outside;  // core of the oval / well away from it
};

Synthetic make_face(Rgb skin, Rgb back, uint32_t seed) {
  Synthetic s;
  const int W = 256, H = 256;
  s.rgb = ImageF(W, H, 3);
  s.inside.assign(size_t(W * H), 0);
  s.outside.assign(size_t(W * H), 0);
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.f, 0.01f);
  const float cx = 128, cy = 120, rx = 52, ry = 68;
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const float ex = (x - cx) / rx, ey = (y - cy) / ry, e = ex * ex + ey * ey;
      float* p = s.rgb.at(x, y);
      if (e <= 1.f) {
        const float shade = 1.f - 0.12f * ex;  // light from one side
        for (int c = 0; c < 3; ++c) p[c] = std::clamp(skin[size_t(c)] * shade + noise(rng), 0.f, 1.f);
      } else {
        for (int c = 0; c < 3; ++c) p[c] = std::clamp(back[size_t(c)] + noise(rng), 0.f, 1.f);
      }
      s.inside[size_t(y * W + x)] = e <= 0.6f;
      s.outside[size_t(y * W + x)] = e >= 2.2f;
    }
  FaceBox& f = s.face;
  f.x0 = cx - rx, f.x1 = cx + rx, f.y0 = cy - ry, f.y1 = cy + ry, f.score = 0.9f;
  f.keypoints = {{{cx - 20, cy - 15}, {cx + 20, cy - 15}, {cx, cy + 8}, {cx, cy + 30}, {cx - 50, cy}, {cx + 50, cy}}};
  return s;
}

double mean_where(const ImageF& m, const std::vector<uint8_t>& sel) {
  double s = 0;
  size_t n = 0;
  for (size_t i = 0; i < sel.size(); ++i)
    if (sel[i]) s += m.pixels[i], ++n;
  return n ? s / double(n) : 0.0;
}

TEST(SkinModel, EveryMonkToneIsSkinInsideTheFaceAndNotOutside) {
  const Rgb back{0.35f, 0.42f, 0.55f};
  for (size_t i = 0; i < kMonk.size(); ++i) {
    const Synthetic s = make_face(hex(kMonk[i]), back, uint32_t(i + 1));
    const ImageF m = skin_mask(s.rgb, std::span<const FaceBox>(&s.face, 1), ImageF{});
    ASSERT_EQ(m.width, 256);
    ASSERT_EQ(m.height, 256);
    ASSERT_EQ(m.channels, 1);
    const double in = mean_where(m, s.inside), out = mean_where(m, s.outside);
    EXPECT_GT(in, 0.6) << "MST " << i + 1 << " #" << kMonk[i];
    EXPECT_LT(out, 0.1) << "MST " << i + 1 << " #" << kMonk[i];
  }
}

// Photographed skin (CIELAB medians of the corpus face sets: a medium London face, a dark
// Pratheepan face), as display code values.
Rgb photographed(float L, float a, float b) {
  const Vec3 v = lab_to_srgb({L, a, b});
  return {std::clamp(v[0], 0.f, 1.f), std::clamp(v[1], 0.f, 1.f), std::clamp(v[2], 0.f, 1.f)};
}

TEST(SkinModel, APersonMaskRemovesSkinColouredBackground) {
  // A wall of exactly the face's colour: to colour alone it is skin; the person mask says it
  // is not a person, so it is not skin.
  const Rgb skin = photographed(62, 10, 15);
  Synthetic s = make_face(skin, skin, 3);
  ImageF person(256, 256, 1);
  for (int y = 0; y < 256; ++y)
    for (int x = 0; x < 256; ++x) {
      const float ex = (x - 128) / 60.f, ey = (y - 120) / 76.f;
      person.at(x, y)[0] = ex * ex + ey * ey <= 1.f;
    }
  const ImageF with = skin_mask(s.rgb, std::span<const FaceBox>(&s.face, 1), person);
  const ImageF without = skin_mask(s.rgb, std::span<const FaceBox>(&s.face, 1), ImageF{});
  EXPECT_GT(mean_where(with, s.inside), 0.6);
  EXPECT_LT(mean_where(with, s.outside), 0.05);
  EXPECT_GT(mean_where(without, s.outside), 0.5) << "the wall is skin-coloured";
}

TEST(SkinModel, LargePictureSameDecisionAsSmall) {
  // A 4x upscale of the synthetic face (the fast guided path above 640 px) decides as the
  // 256 px original does, pixel for pixel up to the feathered edge.
  const Synthetic s = make_face(hex(kMonk[7]), {0.35f, 0.42f, 0.55f}, 9);
  ImageF big(1024, 1024, 3);
  for (int y = 0; y < 1024; ++y)
    for (int x = 0; x < 1024; ++x)
      for (int c = 0; c < 3; ++c) big.at(x, y)[c] = s.rgb.at(x / 4, y / 4)[c];
  FaceBox f = s.face;
  f.x0 *= 4, f.y0 *= 4, f.x1 *= 4, f.y1 *= 4;
  for (auto& k : f.keypoints) k[0] *= 4, k[1] *= 4;
  const ImageF small = skin_mask(s.rgb, std::span<const FaceBox>(&s.face, 1), ImageF{});
  const ImageF large = skin_mask(big, std::span<const FaceBox>(&f, 1), ImageF{});
  ASSERT_EQ(large.width, 1024);
  size_t agree = 0;
  for (int y = 0; y < 1024; ++y)
    for (int x = 0; x < 1024; ++x) agree += (large.at(x, y)[0] >= 0.5f) == (small.at(x / 4, y / 4)[0] >= 0.5f);
  EXPECT_GT(double(agree) / (1024.0 * 1024.0), 0.98);
}

TEST(SkinModel, ColourAloneWithoutFacesStillFindsSkin) {
  for (const Rgb& skin : {photographed(62, 10, 15), photographed(40, 14, 18)}) {
    const Synthetic s = make_face(skin, {0.2f, 0.45f, 0.3f}, 5);
    const ImageF m = skin_mask(s.rgb, {}, ImageF{});
    EXPECT_GT(mean_where(m, s.inside), 0.5) << skin[0] << " " << skin[1] << " " << skin[2];
    EXPECT_LT(mean_where(m, s.outside), 0.1);
  }
}

TEST(SkinModel, OddInputsGiveAMaskOfThePictureSize) {
  // RGBA, a face box partly and one wholly outside the frame, a person mask of another size.
  ImageF rgba(64, 48, 4);
  for (size_t i = 0; i < rgba.pixel_count(); ++i) {
    rgba.pixels[i * 4 + 0] = 0.7f, rgba.pixels[i * 4 + 1] = 0.5f, rgba.pixels[i * 4 + 2] = 0.4f;
    rgba.pixels[i * 4 + 3] = 1.f;
  }
  std::vector<FaceBox> faces(2);
  faces[0].x0 = -20, faces[0].y0 = -10, faces[0].x1 = 20, faces[0].y1 = 30;
  faces[1].x0 = 500, faces[1].y0 = 500, faces[1].x1 = 600, faces[1].y1 = 600;
  const ImageF person(32, 24, 1);  // all zero: nobody
  const ImageF m = skin_mask(rgba, faces, person);
  ASSERT_EQ(m.width, 64);
  ASSERT_EQ(m.height, 48);
  ASSERT_EQ(m.channels, 1);
  for (float v : m.pixels) ASSERT_NEAR(v, 0.f, 1e-6f) << "an all-zero person mask leaves no skin";
  const ImageF one = skin_mask(ImageF(1, 1, 3), {}, ImageF{});
  EXPECT_EQ(one.pixel_count(), 1u);
  EXPECT_THROW(skin_mask(ImageF{}, {}, ImageF{}), std::exception);
}

// --- Ground truth: the London face set's landmark masks, test split only -------------------

FaceBox face_from_tem(const std::filesystem::path& tem) {
  std::ifstream in(tem);
  int n = 0;
  in >> n;
  std::vector<std::array<float, 2>> p(size_t(std::max(n, 0)));
  for (auto& q : p) in >> q[0] >> q[1];
  FaceBox f;
  const auto& a = p[0];
  const auto& b = p[1];
  f.keypoints[0] = a[0] < b[0] ? a : b;
  f.keypoints[1] = a[0] < b[0] ? b : a;
  f.keypoints[2] = p[63];
  f.keypoints[3] = {0.5f * (p[87][0] + p[93][0]), 0.5f * (p[87][1] + p[93][1])};
  f.keypoints[4] = p[110];
  f.keypoints[5] = p[113];
  f.x0 = 1e9f, f.x1 = -1e9f, f.y1 = -1e9f;
  for (int i = 109; i <= 114; ++i) f.x0 = std::min(f.x0, p[size_t(i)][0]), f.x1 = std::max(f.x1, p[size_t(i)][0]);
  for (int i = 125; i <= 133; ++i) f.y1 = std::max(f.y1, p[size_t(i)][1]);
  const float ey = 0.5f * (a[1] + b[1]);
  f.y0 = ey - 0.6f * (f.keypoints[3][1] - ey);
  f.score = 1;
  return f;
}

TEST(SkinModel, LondonFacesTestSplitIoUPerToneGroup) {
  AG_REQUIRE_SHARED_DATA();
  const auto dir = testing::shared_data() / "corpus" / "faces";
  std::ifstream tsv(dir / "faces.tsv");
  if (!tsv) GTEST_SKIP() << "no corpus/faces";
  std::string line;
  std::getline(tsv, line);
  std::array<double, 3> sum{}, sum_chin{};
  std::array<int, 3> n{};
  while (std::getline(tsv, line)) {
    std::stringstream ss(line);
    std::string id, file, tem, mask, mst;
    std::getline(ss, id, '\t');
    std::getline(ss, file, '\t');
    std::getline(ss, tem, '\t');
    std::getline(ss, mask, '\t');
    std::getline(ss, mst, '\t');
    const auto jpg = testing::shared_data() / "corpus" / file;
    if (testing::region_split(jpg) != 2) continue;
    const ImageF rgb = read_image(jpg.string()).image;
    const ImageF gt = read_image((testing::shared_data() / "corpus" / mask).string()).image;
    const FaceBox f = face_from_tem(testing::shared_data() / "corpus" / tem);
    const ImageF m = skin_mask(rgb, std::span<const FaceBox>(&f, 1), ImageF{});
    // IoU over the whole frame, and above the chin (the landmark masks label no neck).
    auto iou = [&](int rows) {
      size_t in = 0, un = 0;
      for (int y = 0; y < std::min(rows, rgb.height); ++y)
        for (int x = 0; x < rgb.width; ++x) {
          const bool a = m.at(x, y)[0] >= 0.5f, b = gt.at(x, y)[0] >= 0.5f;
          in += a && b;
          un += a || b;
        }
      return un ? double(in) / double(un) : 1.0;
    };
    const int g = std::stoi(mst) <= 3 ? 0 : std::stoi(mst) <= 6 ? 1 : 2;
    sum[size_t(g)] += iou(rgb.height);
    sum_chin[size_t(g)] += iou(int(std::ceil(f.y1)));
    ++n[size_t(g)];
  }
  ASSERT_GT(n[1], 3) << "the London set leans medium; a test split without medium faces means the split changed";
  for (int g = 0; g < 3; ++g) {
    if (!n[size_t(g)]) continue;
    const double full = sum[size_t(g)] / n[size_t(g)], chin = sum_chin[size_t(g)] / n[size_t(g)];
    RecordProperty("iou_group_" + std::to_string(g), std::to_string(full));
    // Thresholds a little below the measured test numbers (models/skin.md).
    EXPECT_GT(full, 0.57) << "group " << g;  // measured 0.614 medium, 0.617 dark
    EXPECT_GT(chin, 0.68) << "group " << g;  // measured 0.730 both
  }
}

}  // namespace
}  // namespace autograde
