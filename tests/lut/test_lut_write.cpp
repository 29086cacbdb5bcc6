// write_lut: every output format is written and read back by an independent reader (load_lut:
// our .cube parser, OpenColorIO's file readers for .3dl/.csp/.itx/.cub/.clf/.ctf, OpenImageIO
// and our Hald decoder for images), and the difference is held to the format's quantisation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/load.hpp"
#include "autograde/lut/lut_write.hpp"
#include "lut_test_support.hpp"
#include "ocio_reference.hpp"
#include "test_support.hpp"

using namespace autograde;
namespace fs = std::filesystem;
namespace agt = autograde::testing;

namespace {

// A strong colour cross (each output channel driven mostly by another input channel) with
// curvature, kept inside [0.05, 0.95] so no integer format clamps it: an identity or a mild
// grade would hide a transposed axis or a channel swap.
Rgb cross(Rgb c) {
  const float r = c[0], g = c[1], b = c[2];
  return {0.05f + 0.6f * g + 0.3f * b * b, 0.1f + 0.5f * b + 0.35f * std::sqrt(r),
          0.08f + 0.6f * r * g + 0.25f * (1.f - b)};
}

Lut3D cross_lut(int n) {
  Lut3D lut = Lut3D::identity(n);
  for (int b = 0; b < n; ++b)
    for (int g = 0; g < n; ++g)
      for (int r = 0; r < n; ++r) {
        Rgb v = cross({r / float(n - 1), g / float(n - 1), b / float(n - 1)});
        std::copy(v.begin(), v.end(), lut.at(r, g, b));
      }
  return lut;
}

std::vector<Rgb> random_colours(int count, float lo = 0.f, float hi = 1.f) {
  return autograde::testing::random_colours(count, lo, hi, 24);
}
using autograde::testing::max_diff;

float max_node_diff(const Lut3D& a, const Lut3D& b) {
  float m = 0.f;
  for (size_t i = 0; i < a.table.size(); ++i) m = std::max(m, std::abs(a.table[i] - b.table[i]));
  return m;
}

size_t files_under(const fs::path& dir) {
  size_t n = 0;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it)
    n += it->is_regular_file();
  return n;
}

// What a format can keep of a table, as a bound on |read back − written| per entry:
// half a step of its integer code values or of its last printed decimal, plus float rounding.
struct Tolerance {
  float nodes;    // at the lattice nodes of what was stored
  float colours;  // anywhere, tetrahedral on both sides (adds the reader's re-interpolation)
};
const std::map<std::string, Tolerance>& tolerances() {
  static const std::map<std::string, Tolerance> t = {
      {".cube", {1e-6f, 1e-6f}},  // 8 decimals
      // 12-bit code values: 0.5 / 4095 = 1.22e-4.
      {".3dl", {0.5f / 4095 + 1e-6f, 0.5f / 4095 + 1e-6f}},
      {".csp", {1e-6f, 1e-6f}},  // 6 decimals: 5e-7
      {".itx", {1e-6f, 1e-6f}},
      {".cub", {1e-6f, 1e-6f}},
      {".clf", {1e-6f, 1e-6f}},  // float32 text
      {".ctf", {1e-6f, 1e-6f}},
      // 16-bit code values (0.5 / 65535 = 7.6e-6) at the nodes of the 36³ Hald lattice; between
      // nodes the 33³ → 36³ resampling of a piecewise-linear map is not exact: measured 2.8e-3
      // on this LUT, bounded here at 4e-3 (one 10-bit code value is 9.8e-4; the worst case is
      // at its most curved corner, most colours differ far less).
      {".png", {0.5f / 65535 + 1e-6f, 4e-3f}},
      {".tif", {0.5f / 65535 + 1e-6f, 4e-3f}},
      {".tiff", {0.5f / 65535 + 1e-6f, 4e-3f}},
  };
  return t;
}

// Runs ociochecklut (opencolorio-tools) on one colour; nullopt when the tool is missing.
std::optional<Rgb> ociochecklut(const fs::path& file, Rgb c) {
  if (!fs::exists("/usr/bin/ociochecklut")) return std::nullopt;
  const std::string cmd = "/usr/bin/ociochecklut '" + file.string() + "' " + std::to_string(c[0]) +
                          " " + std::to_string(c[1]) + " " + std::to_string(c[2]) + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  char buf[512] = {};
  std::string out;
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  ::pclose(p);
  Rgb v{};
  if (std::sscanf(out.c_str(), "%f %f %f", &v[0], &v[1], &v[2]) != 3) {
    ADD_FAILURE() << "ociochecklut output: " << out;
    return std::nullopt;
  }
  return v;
}

}  // namespace

TEST(LutWrite, EveryFormatReadsBackWithinItsQuantisation) {
  const auto dir = agt::scratch_dir("lut_write_roundtrip");
  const Lut3D lut = cross_lut(33);
  const auto colours = random_colours(4000);
  ASSERT_EQ(lut_output_formats().size(), tolerances().size());
  for (const auto& f : lut_output_formats()) {
    SCOPED_TRACE(f.extension);
    ASSERT_TRUE(tolerances().count(f.extension)) << "no tolerance for " << f.extension;
    const Tolerance tol = tolerances().at(f.extension);
    const fs::path path = dir / ("cross" + f.extension);
    write_lut(lut, path.string(), "cross test");
    const LutFile back = load_lut(path.string());
    ASSERT_TRUE(back.cube.has_value());
    ASSERT_FALSE(back.shaper.has_value());
    // The lattice the file stores: ours, or for Hald images the next square size (36).
    const bool image = f.extension == ".png" || f.extension == ".tif" || f.extension == ".tiff";
    const Lut3D stored = image ? resample(lut, 36, Interp::Tetrahedral) : lut;
    float anywhere = 0.f;
    if (f.extension == ".cub") {
      // A Truelight cube always carries a 1D input table (1024 entries mapping 0..1 onto the
      // lattice index) in front of its cube, so load_lut gets a chain and bakes it onto 65³;
      // OCIO applying the file itself is the exact reader here.
      const auto ocio = agt::ocio_apply(path.string(), Interp::Tetrahedral, colours);
      for (size_t i = 0; i < colours.size(); ++i)
        anywhere = std::max(anywhere, max_diff(ocio[i], sample_tetrahedral(lut, colours[i])));
      std::printf("  %-6s (OCIO applies the file) random colours %.3g\n", f.extension.c_str(),
                  anywhere);
      EXPECT_LE(anywhere, tol.colours);
      continue;
    }
    ASSERT_EQ(back.cube->size, stored.size);
    const float nodes = max_node_diff(*back.cube, stored);
    for (const Rgb& c : colours)
      anywhere = std::max(anywhere,
                          max_diff(sample_tetrahedral(*back.cube, c), sample_tetrahedral(lut, c)));
    std::printf("  %-6s nodes %.3g  random colours %.3g\n", f.extension.c_str(), nodes, anywhere);
    EXPECT_LE(nodes, tol.nodes);
    EXPECT_LE(anywhere, tol.colours);
  }
}

TEST(LutWrite, OcioCheckLutAgreesWithOurInterpolation) {
  // An outside reader of the files (OCIO's command-line tool, its own process and parser) gives
  // the colour our tetrahedral interpolation of the original table gives: the .clf asks for
  // tetrahedral, and a .3dl (no interpolation in the file) is read with OCIO's "best", which
  // for a 3D LUT is tetrahedral too.
  if (!fs::exists("/usr/bin/ociochecklut")) GTEST_SKIP() << "ociochecklut not installed";
  const auto dir = agt::scratch_dir("lut_write_ociochecklut");
  const Lut3D lut = cross_lut(17);
  write_lut(lut, (dir / "x.3dl").string());
  write_lut(lut, (dir / "x.clf").string());
  for (const Rgb& c : random_colours(12)) {
    // ociochecklut gets the colour as printed with 6 decimals: use exactly that colour.
    Rgb in{};
    for (int i = 0; i < 3; ++i) in[i] = std::stof(std::to_string(c[i]));
    auto dl = ociochecklut(dir / "x.3dl", in);
    auto clf = ociochecklut(dir / "x.clf", in);
    ASSERT_TRUE(dl && clf);
    // ociochecklut prints 7 significant digits.
    EXPECT_LE(max_diff(*dl, sample_tetrahedral(lut, in)), 0.5f / 4095 + 2e-6f);
    EXPECT_LE(max_diff(*clf, sample_tetrahedral(lut, in)), 2e-6f);
  }
}

TEST(LutWrite, ClfKeepsADomainAndTheTitle) {
  const auto dir = agt::scratch_dir("lut_write_domain");
  Lut3D lut = cross_lut(9);
  lut.domain_min = {-0.1f, 0.f, -0.25f};
  lut.domain_max = {1.2f, 1.f, 1.5f};
  const fs::path path = dir / "domain.clf";
  write_lut(lut, path.string(), "wide input");
  EXPECT_NE(read_file(path.string()).find("wide input"), std::string::npos);
  const auto colours = random_colours(500, -0.3f, 1.6f);
  const auto ocio = agt::ocio_apply(path.string(), Interp::Tetrahedral, colours);
  for (size_t i = 0; i < colours.size(); ++i)
    ASSERT_LE(max_diff(ocio[i], sample_tetrahedral(lut, colours[i])), 2e-6f) << i;
  // The formats without a domain refuse the LUT instead of silently clamping its input.
  for (const char* ext : {".3dl", ".csp", ".png"}) {
    const fs::path p = dir / (std::string("domain") + ext);
    try {
      write_lut(lut, p.string());
      ADD_FAILURE() << ext << " accepted a non-default domain";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage) << e.what();
      EXPECT_NE(std::string(e.what()).find(".clf"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(p));
  }
}

TEST(LutWrite, CheckOutputPathAcceptsEveryListedExtensionAndOnlyThose) {
  for (const auto& f : lut_output_formats()) {
    EXPECT_NO_THROW(check_lut_output_path("out/look" + f.extension));
    std::string upper = f.extension;
    for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_NO_THROW(check_lut_output_path("LOOK" + upper));
  }
  for (const std::string bad : {"look.txt", "look", "look.cube.bak", "dir.cube/look"}) {
    try {
      check_lut_output_path(bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage);
      const std::string msg = e.what();
      EXPECT_NE(msg.find(bad), std::string::npos) << msg;
      for (const auto& f : lut_output_formats())
        EXPECT_NE(msg.find(f.extension), std::string::npos) << msg;
    }
  }
  EXPECT_NE(lut_output_formats_help().find(".3dl"), std::string::npos);
}

TEST(LutWrite, FailedWritesLeaveNothingBehind) {
  const auto dir = agt::scratch_dir("lut_write_atomic");
  const Lut3D lut = cross_lut(5);
  for (const auto& f : lut_output_formats()) {
    SCOPED_TRACE(f.extension);
    EXPECT_THROW(write_lut(lut, (dir / "missing" / ("x" + f.extension)).string()), Error);
  }
  // Refused before anything is staged: a .3dl too small for its readers, an unknown extension.
  EXPECT_THROW(write_lut(cross_lut(3), (dir / "small.3dl").string()), Error);
  EXPECT_THROW(write_lut(lut, (dir / "x.txt").string()), Error);
  EXPECT_EQ(files_under(dir), 0u);
  EXPECT_FALSE(fs::exists(dir / "missing"));
}
