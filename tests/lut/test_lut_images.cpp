// LUTs stored as images (Hald CLUTs, strips, tiles) and in the other formats OpenColorIO reads.
// Images are built by hand from the published layouts, written with OpenImageIO, and decoded
// with load_lut; the expected table comes from the function used to build them.
#include <gtest/gtest.h>

#include <OpenImageIO/imageio.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "autograde/core/error.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/load.hpp"
#include "ocio_reference.hpp"
#include "test_support.hpp"

using namespace autograde;
namespace fs = std::filesystem;

namespace {

// A smooth grade inside [0,1] (display code values in and out), distinct per channel.
Rgb grade(Rgb c) {
  return {c[0] * c[0] * 0.9f + 0.05f, 0.8f * std::sqrt(c[1]) + 0.15f * c[2],
          0.5f * c[2] + 0.4f * c[0] * c[1] + 0.05f};
}

Rgb lattice_point(int r, int g, int b, int n) {
  return {r / float(n - 1), g / float(n - 1), b / float(n - 1)};
}

Lut3D graded_lut(int n) {
  Lut3D lut = Lut3D::identity(n);
  for (int b = 0; b < n; ++b)
    for (int g = 0; g < n; ++g)
      for (int r = 0; r < n; ++r) {
        Rgb v = grade(lattice_point(r, g, b, n));
        std::copy(v.begin(), v.end(), lut.at(r, g, b));
      }
  return lut;
}

// An image of `w`×`h` whose pixel (x,y) holds grade() of the lattice point `where` maps it to.
using Where = std::function<std::array<int, 3>(int x, int y)>;
ImageF build_image(int w, int h, int n, const Where& where) {
  ImageF img(w, h, 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      auto [r, g, b] = where(x, y);
      Rgb v = grade(lattice_point(r, g, b, n));
      std::copy(v.begin(), v.end(), img.at(x, y));
    }
  return img;
}

// Hald CLUT (Eskil Steenberg's definition): level L, cube N = L^2, square image of side L^3,
// entry r + N g + N^2 b stored at raster position i = y * side + x.
ImageF hand_hald(int level) {
  const int n = level * level, side = level * level * level;
  return build_image(side, side, n, [=](int x, int y) {
    long i = long(y) * side + x;
    return std::array<int, 3>{int(i % n), int(i / n % n), int(i / (long(n) * n))};
  });
}

void write_png(const fs::path& p, const ImageF& img, OIIO::TypeDesc type) {
  auto out = OIIO::ImageOutput::create(p.string());
  ASSERT_TRUE(out);
  OIIO::ImageSpec spec(img.width, img.height, img.channels, type);
  ASSERT_TRUE(out->open(p.string(), spec)) << out->geterror();
  ASSERT_TRUE(out->write_image(OIIO::TypeDesc::FLOAT, img.pixels.data())) << out->geterror();
  out->close();
}

// Expected table after quantising grade() to `levels` code values (8-bit: 255, 16-bit: 65535).
void expect_graded(const Lut3D& lut, int n, float levels, const std::string& what) {
  ASSERT_EQ(lut.size, n) << what;
  float worst = 0.f;
  for (int b = 0; b < n; ++b)
    for (int g = 0; g < n; ++g)
      for (int r = 0; r < n; ++r) {
        Rgb v = grade(lattice_point(r, g, b, n));
        for (int c = 0; c < 3; ++c) {
          float want = levels > 0 ? std::round(v[c] * levels) / levels : v[c];
          worst = std::max(worst, std::abs(lut.at(r, g, b)[c] - want));
        }
      }
  EXPECT_LE(worst, 1e-6f) << what;
}

std::string bad_input_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

}  // namespace

TEST(LutImage, HaldImageMatchesTheHandBuiltLayoutAndDecodesBack) {
  for (int level = 2; level <= 8; ++level) {
    const int n = level * level;
    ImageF ours = hald_image(graded_lut(n));
    ImageF hand = hand_hald(level);
    ASSERT_EQ(ours.width, hand.width);
    EXPECT_EQ(ours.pixels, hand.pixels) << "level " << level;
    // Level L^3 side also fits L×L tiles of L^2: the decoder must pick the Hald reading.
    Lut3D back = lut_from_image(ours, "mem");
    EXPECT_EQ(back.table, graded_lut(n).table) << "level " << level;
  }
}

TEST(LutImage, HaldPng8And16BitAndFloatTiff) {
  const fs::path dir = autograde::testing::scratch_dir("lut_hald");
  const ImageF hald = hand_hald(4);  // 64×64, a 16³ cube
  write_png(dir / "h8.png", hald, OIIO::TypeDesc::UINT8);
  write_png(dir / "h16.png", hald, OIIO::TypeDesc::UINT16);
  write_png(dir / "hf.tif", hald, OIIO::TypeDesc::FLOAT);
  expect_graded(*load_lut((dir / "h8.png").string()).cube, 16, 255.f, "8-bit png");
  expect_graded(*load_lut((dir / "h16.png").string()).cube, 16, 65535.f, "16-bit png");
  expect_graded(*load_lut((dir / "hf.tif").string()).cube, 16, 0.f, "float tiff");
  // Level 9 (729×729, 81³): also fits 9×9 tiles of 81×81.
  write_png(dir / "h9.png", hand_hald(9), OIIO::TypeDesc::UINT16);
  expect_graded(*load_lut((dir / "h9.png").string()).cube, 81, 65535.f, "level 9");
}

TEST(LutImage, StripsAndTilesBuiltByHand) {
  const fs::path dir = autograde::testing::scratch_dir("lut_strips");
  // 256×16: 16 tiles of 16×16 side by side, blue = tile index, red = x in tile, green = y.
  write_png(dir / "h.png", build_image(256, 16, 16, [](int x, int y) {
              return std::array<int, 3>{x % 16, y, x / 16};
            }), OIIO::TypeDesc::UINT8);
  expect_graded(*load_lut((dir / "h.png").string()).cube, 16, 255.f, "256x16 strip");
  // 16×256: the same tiles stacked vertically.
  write_png(dir / "v.png", build_image(16, 256, 16, [](int x, int y) {
              return std::array<int, 3>{x, y % 16, y / 16};
            }), OIIO::TypeDesc::UINT8);
  expect_graded(*load_lut((dir / "v.png").string()).cube, 16, 255.f, "16x256 strip");
  // 512×512: 8×8 tiles of 64×64 (64³), tiles in raster order of blue.
  write_png(dir / "t.png", build_image(512, 512, 64, [](int x, int y) {
              return std::array<int, 3>{x % 64, y % 64, (y / 64) * 8 + x / 64};
            }), OIIO::TypeDesc::UINT16);
  expect_graded(*load_lut((dir / "t.png").string()).cube, 64, 65535.f, "512x512 tiles");
  // 64×64 as 4×4 tiles of 16×16: the same size as a level-4 Hald; the tile reading must win.
  write_png(dir / "t64.png", build_image(64, 64, 16, [](int x, int y) {
              return std::array<int, 3>{x % 16, y % 16, (y / 16) * 4 + x / 16};
            }), OIIO::TypeDesc::UINT16);
  expect_graded(*load_lut((dir / "t64.png").string()).cube, 16, 65535.f, "64x64 tiles");
}

TEST(LutImage, GreyscaleLutImageLoadsAsNeutral) {
  // A black-and-white look saved as a one-channel PNG (as OBS ships one): R = G = B.
  const fs::path dir = autograde::testing::scratch_dir("lut_grey");
  ImageF strip = build_image(256, 16, 16, [](int x, int y) {
    return std::array<int, 3>{x % 16, y, x / 16};
  });
  ImageF grey(256, 16, 1);
  for (size_t i = 0; i < grey.pixels.size(); ++i) grey.pixels[i] = strip.pixels[3 * i + 1];
  write_png(dir / "bw.png", grey, OIIO::TypeDesc::UINT8);
  LutFile f = load_lut((dir / "bw.png").string());
  ASSERT_TRUE(f.cube);
  ASSERT_EQ(f.cube->size, 16);
  for (int b = 0; b < 16; ++b)
    for (int g = 0; g < 16; ++g)
      for (int r = 0; r < 16; ++r) {
        const float* e = f.cube->at(r, g, b);
        float want = std::round(grade(lattice_point(r, g, b, 16))[1] * 255.f) / 255.f;
        ASSERT_NEAR(e[0], want, 1e-6f);
        ASSERT_EQ(e[0], e[1]);
        ASSERT_EQ(e[1], e[2]);
      }
}

TEST(LutImage, AmbiguousOrUnsupportedSizesAreBadInput) {
  const fs::path dir = autograde::testing::scratch_dir("lut_bad_images");
  // Noise fits a level-4 Hald and 4×4 tiles equally badly: refuse rather than guess.
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  ImageF noise(64, 64, 3);
  for (float& v : noise.pixels) v = std::round(u(rng) * 255.f) / 255.f;
  write_png(dir / "noise.png", noise, OIIO::TypeDesc::UINT8);
  std::string msg = bad_input_message([&] { load_lut((dir / "noise.png").string()); });
  EXPECT_NE(msg.find("noise.png"), std::string::npos) << msg;
  EXPECT_NE(msg.find("ambiguous"), std::string::npos) << msg;
  for (auto [w, h] : {std::pair{100, 37}, {256, 15}, {16, 16}, {63, 63}}) {
    fs::path p = dir / ("size_" + std::to_string(w) + "x" + std::to_string(h) + ".png");
    write_png(p, ImageF(w, h, 3), OIIO::TypeDesc::UINT8);
    msg = bad_input_message([&] { load_lut(p.string()); });
    EXPECT_NE(msg.find(p.filename().string()), std::string::npos) << msg;
  }
  write_text(dir / "fake.png", "not a png at all");
  msg = bad_input_message([&] { load_lut((dir / "fake.png").string()); });
  EXPECT_NE(msg.find("fake.png"), std::string::npos) << msg;
  msg = bad_input_message([&] { load_lut((dir / "missing.png").string()); });
  EXPECT_NE(msg.find("missing.png"), std::string::npos) << msg;
}

// ---- formats read through OpenColorIO --------------------------------------------------------

TEST(OcioFormats, Spi3dGivesTheSameTable) {
  // Sony Pictures Imageworks .spi3d: explicit (r,g,b) indices per row, so write them shuffled.
  const int n = 9;
  const fs::path p = autograde::testing::scratch_dir("ocio_spi3d") / "look.spi3d";
  std::vector<std::array<int, 3>> order;
  for (int r = 0; r < n; ++r)
    for (int g = 0; g < n; ++g)
      for (int b = 0; b < n; ++b) order.push_back({r, g, b});
  std::shuffle(order.begin(), order.end(), std::mt19937(5));
  std::string s = "SPILUT 1.0\n3 3\n9 9 9\n";
  char buf[160];
  for (auto [r, g, b] : order) {
    Rgb v = grade(lattice_point(r, g, b, n));
    std::snprintf(buf, sizeof buf, "%d %d %d %.9g %.9g %.9g\n", r, g, b, v[0], v[1], v[2]);
    s += buf;
  }
  write_text(p, s);
  LutFile f = load_lut(p.string());
  ASSERT_TRUE(f.cube);
  EXPECT_FALSE(f.shaper);
  expect_graded(*f.cube, n, 0.f, "spi3d");
}

TEST(OcioFormats, Autodesk3dlGivesTheSameTable) {
  // Autodesk .3dl: a line of input lattice code values, then integer rows with blue varying
  // fastest; 12-bit output (the maximum 4095 appears, so OCIO infers the depth).
  const int n = 17;
  const fs::path p = autograde::testing::scratch_dir("ocio_3dl") / "look.3dl";
  std::string s;
  for (int i = 0; i < n; ++i) s += std::to_string(i * 1023 / (n - 1)) + (i + 1 < n ? " " : "\n");
  std::vector<float> want(size_t(n) * n * n * 3);
  for (int r = 0; r < n; ++r)
    for (int g = 0; g < n; ++g)
      for (int b = 0; b < n; ++b) {
        Rgb v = grade(lattice_point(r, g, b, n));
        if (r == n - 1 && g == n - 1 && b == n - 1) v = {1.f, 1.f, 1.f};
        int q[3];
        for (int c = 0; c < 3; ++c) q[c] = int(std::lround(v[c] * 4095.f));
        s += std::to_string(q[0]) + " " + std::to_string(q[1]) + " " + std::to_string(q[2]) + "\n";
        for (int c = 0; c < 3; ++c) want[3 * ((size_t(b) * n + g) * n + r) + c] = q[c] / 4095.f;
      }
  write_text(p, s);
  LutFile f = load_lut(p.string());
  ASSERT_TRUE(f.cube);
  ASSERT_EQ(f.cube->size, n);
  for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(f.cube->table[i], want[i], 1e-6f) << i;
}

TEST(OcioFormats, Spi1dBecomesA1DTable) {
  const fs::path p = autograde::testing::scratch_dir("ocio_spi1d") / "curve.spi1d";
  std::string s = "Version 1\nFrom 0.0 1.0\nLength 33\nComponents 1\n{\n";
  for (int i = 0; i < 33; ++i) s += "  " + std::to_string(std::pow(i / 32.0, 2.2)) + "\n";
  s += "}\n";
  write_text(p, s);
  LutFile f = load_lut(p.string());
  ASSERT_TRUE(f.shaper);
  EXPECT_FALSE(f.cube);
  ASSERT_EQ(f.shaper->size, 33);
  for (int i = 0; i < 33; ++i)
    for (int c = 0; c < 3; ++c)
      EXPECT_NEAR(f.shaper->table[3 * i + c], std::pow(i / 32.0, 2.2), 1e-6) << i;
}

TEST(OcioFormats, ClfChainIsBakedAndMatchesOcio) {
  // Academy/ASC Common LUT Format with two ops (matrix, then a 1D curve): not one plain table,
  // so load_lut bakes it on a lattice. Compare with OCIO itself at random in-domain colours;
  // the only error left is the lattice's interpolation of the curve.
  const fs::path p = autograde::testing::scratch_dir("ocio_clf") / "chain.clf";
  std::string s =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ProcessList id=\"test\" compCLFversion=\"3\">\n"
      " <Matrix inBitDepth=\"32f\" outBitDepth=\"32f\">\n"
      "  <Array dim=\"3 3\">0.8 0.15 0.05\n0.1 0.85 0.05\n0.02 0.08 0.9</Array>\n"
      " </Matrix>\n"
      " <Range inBitDepth=\"32f\" outBitDepth=\"32f\">\n"
      "  <minInValue>0</minInValue><maxInValue>1</maxInValue>\n"
      "  <minOutValue>0.1</minOutValue><maxOutValue>0.9</maxOutValue>\n"
      " </Range>\n"
      "</ProcessList>\n";
  write_text(p, s);
  LutFile f = load_lut(p.string());
  ASSERT_TRUE(f.cube);
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  std::vector<Rgb> colours(3000);
  for (auto& c : colours) c = {u(rng), u(rng), u(rng)};
  auto ref = autograde::testing::ocio_apply(p.string(), Interp::Tetrahedral, colours);
  float worst = 0.f;
  for (size_t i = 0; i < colours.size(); ++i)
    for (int c = 0; c < 3; ++c)
      worst = std::max(worst, std::abs(sample(f, colours[i], Interp::Tetrahedral)[c] - ref[i][c]));
  // Matrix and range are affine and the matrix keeps [0,1]^3 inside the range's input, so the
  // baked lattice reproduces the chain to float precision.
  EXPECT_LE(worst, 1e-5f);
}

TEST(OcioFormats, MalformedFileNamesIt) {
  const fs::path dir = autograde::testing::scratch_dir("ocio_bad");
  write_text(dir / "broken.3dl", "0 512 1023\n1 2\nnonsense here\n");
  std::string msg = bad_input_message([&] { load_lut((dir / "broken.3dl").string()); });
  EXPECT_NE(msg.find("broken.3dl"), std::string::npos) << msg;
  write_text(dir / "broken.spi3d", "SPILUT 1.0\n3 3\n2 2 2\n0 0 0 0 0 0\n");
  msg = bad_input_message([&] { load_lut((dir / "broken.spi3d").string()); });
  EXPECT_NE(msg.find("broken.spi3d"), std::string::npos) << msg;
  write_text(dir / "unknown.xyz", "hello");
  msg = bad_input_message([&] { load_lut((dir / "unknown.xyz").string()); });
  EXPECT_NE(msg.find("unknown.xyz"), std::string::npos) << msg;
}
