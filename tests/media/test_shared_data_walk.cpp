// Walks ../shared/data (issue 2: "every LUT and image in ../shared/data loads"). Sizes expected
// here come from the data's own documentation (../shared/data/README.md) and from the files'
// headers parsed independently (PNG IHDR, JPEG SOF, the LUT_3D_SIZE line), not from our decoder.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "autograde/lut/inspect.hpp"
#include "autograde/lut/load.hpp"
#include "autograde/media/image_io.hpp"
#include "test_support.hpp"

using namespace autograde;
namespace fs = std::filesystem;

namespace {

std::string read_bytes(const fs::path& p, size_t max = size_t(-1)) {
  std::ifstream f(p, std::ios::binary);
  std::string s;
  s.resize(std::min<size_t>(max, fs::file_size(p)));
  f.read(s.data(), std::streamsize(s.size()));
  return s;
}

unsigned be16(const std::string& s, size_t i) {
  return (unsigned(uint8_t(s[i])) << 8) | uint8_t(s[i + 1]);
}
unsigned be32(const std::string& s, size_t i) { return (be16(s, i) << 16) | be16(s, i + 2); }

struct Header {
  int width = 0, height = 0, bits = 8;
};

// PNG: the IHDR chunk follows the 8-byte signature (ISO/IEC 15948, 11.2.2).
// JPEG: the first SOFn marker holds precision, height, width (ITU-T T.81, B.2.2).
std::optional<Header> parse_header(const fs::path& p) {
  const std::string s = read_bytes(p);
  if (s.size() > 26 && s.compare(1, 3, "PNG") == 0)
    return Header{int(be32(s, 16)), int(be32(s, 20)), int(uint8_t(s[24]))};
  if (s.size() > 4 && uint8_t(s[0]) == 0xFF && uint8_t(s[1]) == 0xD8) {
    size_t i = 2;
    while (i + 9 < s.size()) {
      if (uint8_t(s[i]) != 0xFF) return std::nullopt;
      const unsigned marker = uint8_t(s[i + 1]);
      if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
        return Header{int(be16(s, i + 7)), int(be16(s, i + 5)), int(uint8_t(s[i + 4]))};
      i += 2 + be16(s, i + 2);
    }
  }
  return std::nullopt;
}

// Cube size per ../shared/data/README.md.
int documented_image_lut_size(const fs::path& p) {
  const std::string folder = p.parent_path().filename().string(), name = p.stem().string();
  if (folder == "rawtherapee_haldclut_level12") return 144;
  if (folder == "debian_obs_LUTs") return 64;
  if (folder == "debian_digikam_lut3d_png") {
    if (name == "summer") return 64;
    if (name == "tokyo") return 81;
    return 16;  // the 256×16 strips and original.png (Hald level 4)
  }
  return -1;
}

// The LUT_3D_SIZE line read straight from the text.
int declared_cube_size(const fs::path& p) {
  std::ifstream f(p);
  std::string key;
  while (f >> key)
    if (key == "LUT_3D_SIZE") {
      int n = 0;
      f >> n;
      return n;
    }
  return 0;
}

// Mean |step| between neighbouring lattice entries along each axis, worst axis. A table read in
// its true layout moves little between neighbours; a wrong layout jumps at tile edges.
double worst_axis_step(const Lut3D& lut) {
  const int n = lut.size;
  double worst = 0;
  for (int axis = 0; axis < 3; ++axis) {
    double sum = 0;
    size_t count = 0;
    for (int b = 0; b < n; ++b)
      for (int g = 0; g < n; ++g)
        for (int r = 0; r < n; ++r) {
          int q[3] = {r, g, b};
          if (++q[axis] >= n) continue;
          const float *e = lut.at(r, g, b), *f = lut.at(q[0], q[1], q[2]);
          for (int c = 0; c < 3; ++c) sum += std::abs(f[c] - e[c]);
          count += 3;
        }
    worst = std::max(worst, sum / double(count));
  }
  return worst;
}

// True when a PNG carries an iCCP chunk (ISO/IEC 15948, 11.3.3.3), walking the chunk list.
bool png_has_icc(const fs::path& p) {
  const std::string s = read_bytes(p);
  if (s.size() < 8 || s.compare(1, 3, "PNG") != 0) return false;
  for (size_t i = 8; i + 8 <= s.size();) {
    const size_t len = be32(s, i);
    if (s.compare(i + 4, 4, "iCCP") == 0) return true;
    if (s.compare(i + 4, 4, "IDAT") == 0) return false;  // iCCP must precede the image data
    i += 12 + len;
  }
  return false;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST(SharedData, EveryLutLoads) {
  AG_REQUIRE_SHARED_DATA();
  int loaded = 0;
  for (const auto& e : fs::recursive_directory_iterator(autograde::testing::shared_data() / "luts")) {
    if (!e.is_regular_file()) continue;
    const fs::path p = e.path();
    SCOPED_TRACE(p.string());
    const auto t0 = std::chrono::steady_clock::now();
    LutFile f;
    ASSERT_NO_THROW(f = load_lut(p.string()));
    const double secs = seconds_since(t0);
    ASSERT_TRUE(f.cube || f.shaper);
    if (f.cube) {
      EXPECT_NO_THROW(validate(*f.cube, p.string()));
    }
    if (f.shaper) {
      EXPECT_NO_THROW(validate(*f.shaper, p.string()));
    }
    const std::string ext = p.extension().string();
    if (ext == ".cube") {
      ASSERT_TRUE(f.cube);
      EXPECT_EQ(f.cube->size, declared_cube_size(p));
    } else {
      ASSERT_TRUE(f.cube);
      EXPECT_EQ(f.cube->size, documented_image_lut_size(p));
      // Images hold 0..1 code values: the decoded table must too.
      for (float v : f.cube->table) ASSERT_TRUE(v >= 0.f && v <= 1.f) << v;
    }
    // No decoded table may look scrambled (see worst_axis_step). An identity moves 1/(n-1) in
    // one channel per step, i.e. 1/(3(n-1)) on average; allow six times that before calling it
    // a wrong layout.
    const double step = worst_axis_step(*f.cube), bound = 2.0 / (f.cube->size - 1);
    EXPECT_LE(step, bound);
    std::printf("[walk] %-40s %3d^3%s  step %.4f (bound %.4f)  %.2f s\n",
                p.filename().c_str(), f.cube->size, f.shaper ? " +1D" : "    ", step, bound, secs);
    ++loaded;
  }
  EXPECT_GT(loaded, 30);
}

TEST(SharedData, KnownLutsHaveTheDocumentedShape) {
  AG_REQUIRE_SHARED_DATA();
  const fs::path luts = autograde::testing::shared_data() / "luts";
  // digikam's original.png is the identity (a level-4 Hald, README) up to 8-bit quantisation.
  const fs::path original = luts / "debian_digikam_lut3d_png" / "original.png";
  if (fs::exists(original)) {
    LutFacts facts = inspect(load_lut(original.string()), 0.5f / 255.f + 1e-6f);
    EXPECT_TRUE(facts.identity) << facts.max_identity_error;
  }
  // A real look is not the identity.
  const fs::path summer = luts / "debian_digikam_lut3d_png" / "summer.png";
  if (fs::exists(summer)) {
    EXPECT_FALSE(inspect(load_lut(summer.string())).identity);
  }
  // LogC_Video.cube: Resolve form, a 16-entry shaper and a 4³ cube (README).
  const fs::path logc = luts / "colour_science" / "LogC_Video.cube";
  if (fs::exists(logc)) {
    LutFile f = load_lut(logc.string());
    ASSERT_TRUE(f.shaper && f.cube);
    EXPECT_EQ(f.shaper->size, 16);
    EXPECT_EQ(f.cube->size, 4);
    EXPECT_EQ(f.title, "AlexaV3 K1S1 LogC to Video Rec709");
  }
}

TEST(SharedData, EveryImageLoads) {
  AG_REQUIRE_SHARED_DATA();
  int loaded = 0, with_icc = 0;
  for (const char* folder : {"images", "pairs"}) {
    const fs::path root = autograde::testing::shared_data() / folder;
    if (!fs::is_directory(root)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (!e.is_regular_file() || !is_image_path(e.path().string())) continue;
      SCOPED_TRACE(e.path().string());
      LoadedImage img;
      ASSERT_NO_THROW(img = read_image(e.path().string()));
      EXPECT_TRUE(img.image.channels == 3 || img.image.channels == 4);
      EXPECT_EQ(img.image.pixels.size(), img.image.pixel_count() * img.image.channels);
      auto [lo, hi] = std::minmax_element(img.image.pixels.begin(), img.image.pixels.end());
      EXPECT_GE(*lo, 0.f);
      EXPECT_LE(*hi, 1.f);
      EXPECT_GT(*hi, *lo);  // real photographs, not blank frames
      if (auto h = parse_header(e.path())) {
        EXPECT_EQ(img.image.width, h->width);
        EXPECT_EQ(img.image.height, h->height);
        EXPECT_EQ(img.meta.format, h->bits == 16 ? SampleFormat::U16 : SampleFormat::U8);
      } else {
        ADD_FAILURE() << "header not parsed";
      }
      // The colour profile a PNG carries reaches the metadata (so a graded copy keeps it).
      if (png_has_icc(e.path())) {
        EXPECT_GT(img.meta.icc_profile.size(), 128u);
        ++with_icc;
      }
      if (e.path().parent_path().filename() == "kodak24") {  // README: 768×512 PNGs
        EXPECT_EQ(std::max(img.image.width, img.image.height), 768);
      }
      ++loaded;
    }
  }
  EXPECT_GT(loaded, 50);
  std::printf("[walk] %d images loaded, %d with an ICC profile\n", loaded, with_icc);
}
