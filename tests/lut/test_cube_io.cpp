#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "autograde/core/error.hpp"
#include "autograde/lut/cube_io.hpp"

using namespace autograde;

namespace {
std::string expect_bad(const std::string& text) {
  try {
    parse_cube(text, "t.cube");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    return e.what();
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return "";
}

std::string identity2_rows() {
  return "0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1\n";
}
}  // namespace

TEST(CubeParse, AdobeHeaderCommentsCrlfTabsScientific) {
  std::string text =
      "# comment\r\nTITLE \"My look\"\r\n\r\nDOMAIN_MIN 0 0 0\r\nDOMAIN_MAX\t1 1 1\r\n"
      "LUT_3D_SIZE 2\r\n"
      "0 0 0\r\n1.0e0 0 0\r\n0\t1 0\r\n1 1 0\r\n0 0 1\r\n1 0 1\r\n0 1 1\r\n1E+0 1 1.0\r\n";
  LutFile f = parse_cube(text, "t.cube");
  EXPECT_EQ(f.title, "My look");
  ASSERT_TRUE(f.cube);
  EXPECT_FALSE(f.shaper);
  EXPECT_EQ(f.cube->size, 2);
  Lut3D id = Lut3D::identity(2);
  EXPECT_EQ(f.cube->table, id.table);
}

TEST(CubeParse, RedVariesFastest) {
  // Row k of a size-2 table is (r,g,b) = (k&1, (k>>1)&1, (k>>2)&1).
  std::string text = "LUT_3D_SIZE 2\n";
  for (int k = 0; k < 8; ++k) text += std::to_string(k) + " 0 0\n";
  LutFile f = parse_cube(text, "t.cube");
  EXPECT_EQ(f.cube->at(1, 0, 0)[0], 1.f);
  EXPECT_EQ(f.cube->at(0, 1, 0)[0], 2.f);
  EXPECT_EQ(f.cube->at(0, 0, 1)[0], 4.f);
  EXPECT_EQ(f.cube->at(1, 1, 1)[0], 7.f);
}

TEST(CubeParse, ResolveShaperAndInputRanges) {
  std::string text = "LUT_1D_SIZE 3\nLUT_3D_SIZE 2\nLUT_1D_INPUT_RANGE -0.5 2\n"
                     "LUT_3D_INPUT_RANGE 0 1\n0 0 0\n0.5 0.5 0.5\n1 1 1\n" +
                     identity2_rows();
  LutFile f = parse_cube(text, "t.cube");
  ASSERT_TRUE(f.shaper && f.cube);
  EXPECT_EQ(f.shaper->size, 3);
  EXPECT_FLOAT_EQ(f.shaper->domain_min[1], -0.5f);
  EXPECT_FLOAT_EQ(f.shaper->domain_max[2], 2.f);
  EXPECT_EQ(f.cube->table, Lut3D::identity(2).table);
}

TEST(CubeParse, ValuesOutsideUnitRangeKept) {
  std::string text = "LUT_1D_SIZE 2\n-0.25 0 0\n1.5 1 3.0e1\n";
  LutFile f = parse_cube(text, "t.cube");
  ASSERT_TRUE(f.shaper);
  EXPECT_FLOAT_EQ(f.shaper->table[0], -0.25f);
  EXPECT_FLOAT_EQ(f.shaper->table[5], 30.f);
}

TEST(CubeParse, MalformedInputsNameFileAndLine) {
  EXPECT_NE(expect_bad("LUT_3D_SIZE 2\n0 0 0\n1 0\n").find("t.cube:3"), std::string::npos);
  EXPECT_NE(expect_bad("LUT_3D_SIZE 2\n" + identity2_rows() + "1 1 1\n").find("t.cube:10"),
            std::string::npos);
  EXPECT_NE(expect_bad("LUT_3D_SIZE 2\n0 0 0\n").find("truncated"), std::string::npos);
  EXPECT_NE(expect_bad("LUT_3D_SIZE 2\n0 0 x\n").find("expected a number"), std::string::npos);
  EXPECT_NE(expect_bad("LUT_3D_SIZE 2\n0 0 nan\n").find("NaN"), std::string::npos);
  EXPECT_NE(expect_bad("LUT_3D_SIZE 2\n0 0 inf\n").find("NaN"), std::string::npos);
  expect_bad("LUT_3D_SIZE 0\n");
  expect_bad("LUT_3D_SIZE 1\n0 0 0\n");
  expect_bad("LUT_3D_SIZE 257\n");
  expect_bad("LUT_3D_SIZE 2.5\n");
  expect_bad("DOMAIN_MIN 1 0 0\nDOMAIN_MAX 1 1 1\nLUT_3D_SIZE 2\n" + identity2_rows());
  expect_bad("DOMAIN_MIN 0 0 0\nDOMAIN_MAX 1 -1 1\nLUT_3D_SIZE 2\n" + identity2_rows());
  EXPECT_NE(expect_bad("LUT_SIZE 2\n").find("unknown keyword"), std::string::npos);
  expect_bad("");
  expect_bad("# only a comment\n");
  expect_bad(std::string("LUT_3D_SIZE 2\n\0\x01\x02", 17));
  expect_bad("\x89PNG\r\n\x1a\n garbage");
  expect_bad("LUT_3D_SIZE 2\nLUT_3D_SIZE 2\n" + identity2_rows());
  expect_bad("TITLE \"unterminated\nLUT_3D_SIZE 2\n" + identity2_rows());
  expect_bad("LUT_3D_SIZE 2\n0 0 0\nTITLE \"late\"\n");
  expect_bad("0 0 0\nLUT_3D_SIZE 2\n");
}

TEST(CubeWrite, RoundTripIsExactToEightDecimals) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-0.2f, 1.3f);
  LutFile f;
  f.title = "round trip";
  f.cube = Lut3D::identity(5);
  for (float& v : f.cube->table) v = u(rng);
  LutFile back = parse_cube(format_cube(f), "mem");
  EXPECT_EQ(back.title, "round trip");
  ASSERT_TRUE(back.cube);
  for (size_t i = 0; i < f.cube->table.size(); ++i)
    EXPECT_NEAR(back.cube->table[i], f.cube->table[i], 6e-9f + 1e-7f * std::abs(f.cube->table[i]));
}

TEST(CubeWrite, DomainLinesOnlyWhenNeeded) {
  LutFile f;
  f.cube = Lut3D::identity(2);
  EXPECT_EQ(format_cube(f).find("DOMAIN"), std::string::npos);
  f.cube->domain_max = {2.f, 2.f, 2.f};
  std::string text = format_cube(f);
  EXPECT_NE(text.find("DOMAIN_MAX 2.00000000 2.00000000 2.00000000"), std::string::npos);
  EXPECT_EQ(parse_cube(text, "mem").cube->domain_max[2], 2.f);
}

// Found by fuzz_cube (tests/fuzz/corpus/fuzz_cube/regress-tiny-domain.cube): 8 fixed decimals
// wrote a domain of 0..1e-12 as 0..0, which the parser then rejected. Domains are now exact.
TEST(CubeWrite, TinyAndOddDomainsRoundTripExactly) {
  LutFile f;
  f.cube = Lut3D::identity(2);
  f.cube->domain_min = {0.f, -1e-30f, 0.123456789f};
  f.cube->domain_max = {1e-12f, 1e-30f, 1.f};
  LutFile back = parse_cube(format_cube(f), "mem");
  ASSERT_TRUE(back.cube);
  EXPECT_EQ(back.cube->domain_min, f.cube->domain_min);
  EXPECT_EQ(back.cube->domain_max, f.cube->domain_max);
}

TEST(CubeWrite, ShaperFileRoundTrips) {
  LutFile f;
  f.shaper = Lut1D::identity(16);
  f.shaper->domain_min.fill(-0.1f);
  f.shaper->domain_max.fill(1.5f);
  f.cube = Lut3D::identity(3);
  LutFile back = parse_cube(format_cube(f), "mem");
  ASSERT_TRUE(back.shaper && back.cube);
  EXPECT_FLOAT_EQ(back.shaper->domain_min[0], -0.1f);
  EXPECT_FLOAT_EQ(back.shaper->domain_max[0], 1.5f);
  EXPECT_EQ(back.cube->size, 3);
}

TEST(CubeWrite, AtomicWriteLeavesNoTempFiles) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "ag_cube_write_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_cube(Lut3D::identity(4), (dir / "a.cube").string(), "x");
  int files = 0;
  for (auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
  EXPECT_EQ(read_cube((dir / "a.cube").string()).cube->size, 4);
  fs::remove_all(dir);
}
