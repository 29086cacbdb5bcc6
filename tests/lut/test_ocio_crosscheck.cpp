// Cross-check against OpenColorIO 2.1 (issue 2): the same .cube file is applied by our parser +
// scalar interpolators and by OCIO's FileTransform + CPU processor, on thousands of colours
// inside and outside the LUT's domain; the two must agree within 1e-5.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "autograde/lut/cube_io.hpp"
#include "autograde/lut/interpolate.hpp"
#include "ocio_reference.hpp"
#include "test_support.hpp"

using namespace autograde;
using autograde::testing::ocio_apply;
namespace fs = std::filesystem;

namespace {

constexpr float kTolerance = 1e-5f;
constexpr int kColours = 4000;

// Colours spread over [lo, hi]^3 plus the lattice corners: with lo < domain min and hi > domain
// max a share of them exercise the clamping at the domain edges.
std::vector<Rgb> random_colours(float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<Rgb> out;
  for (int i = 0; i < kColours; ++i) out.push_back({u(rng), u(rng), u(rng)});
  for (int c = 0; c < 8; ++c) out.push_back({float(c & 1), float((c >> 1) & 1), float(c >> 2)});
  return out;
}

// A smooth, strongly non-linear, cross-channel map with outputs outside [0,1] (roughly
// -0.25..1.35), so that rounding or index mistakes cannot hide behind clamping.
Rgb smooth_grade(Rgb c, float phase) {
  const float r = c[0], g = c[1], b = c[2];
  return {1.3f * r * r - 0.2f + 0.15f * std::sin(6.f * g + phase),
          0.9f * std::sqrt(std::max(g, 0.f)) + 0.3f * b * r - 0.1f,
          1.4f * b - 0.3f * r + 0.2f * std::cos(5.f * (r - g) + phase)};
}

// Writes the lattice by hand (independently of format_cube) in Adobe form, with a TITLE.
std::string adobe_cube_text(int n, Rgb dmin, Rgb dmax, float phase) {
  std::string s = "TITLE \"random smooth " + std::to_string(n) + "\"\n# test lattice\n";
  s += "LUT_3D_SIZE " + std::to_string(n) + "\n";
  char buf[128];
  if (dmin != Rgb{0, 0, 0} || dmax != Rgb{1, 1, 1}) {
    std::snprintf(buf, sizeof buf, "DOMAIN_MIN %.9g %.9g %.9g\nDOMAIN_MAX %.9g %.9g %.9g\n",
                  dmin[0], dmin[1], dmin[2], dmax[0], dmax[1], dmax[2]);
    s += buf;
  }
  for (int b = 0; b < n; ++b)
    for (int g = 0; g < n; ++g)
      for (int r = 0; r < n; ++r) {
        Rgb v = smooth_grade({r / float(n - 1), g / float(n - 1), b / float(n - 1)}, phase);
        std::snprintf(buf, sizeof buf, "%.9g %.9g %.9g\n", v[0], v[1], v[2]);
        s += buf;
      }
  return s;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
  ASSERT_TRUE(f.good()) << p;
}

struct Diff {
  float max = 0.f;
  Rgb at{};
};

// Max |ours - OCIO| over `colours` for one interpolation scheme.
Diff compare_with_ocio(const std::string& path, Interp interp, const std::vector<Rgb>& colours) {
  const LutFile lut = read_cube(path);
  const std::vector<Rgb> ref = ocio_apply(path, interp, colours);
  Diff d;
  for (size_t i = 0; i < colours.size(); ++i) {
    Rgb ours = sample(lut, colours[i], interp);
    for (int c = 0; c < 3; ++c) {
      float e = std::abs(ours[c] - ref[i][c]);
      if (!(e <= d.max)) d.max = e, d.at = colours[i];
    }
  }
  return d;
}

void expect_matches_ocio(const std::string& path, const std::vector<Rgb>& colours) {
  for (Interp interp : {Interp::Tetrahedral, Interp::Trilinear}) {
    Diff d = compare_with_ocio(path, interp, colours);
    EXPECT_LE(d.max, kTolerance) << path << " (" << interp_name(interp) << ") worst at ("
                                 << d.at[0] << ", " << d.at[1] << ", " << d.at[2] << ")";
    std::printf("[ocio] %-60s %-11s max |ours - OCIO| = %.3g\n",
                fs::path(path).filename().c_str(), interp_name(interp), double(d.max));
  }
}

}  // namespace

TEST(OcioCrossCheck, RandomSmoothLutsOfEverySize) {
  const fs::path dir = autograde::testing::scratch_dir("ocio_random");
  const auto colours = random_colours(-0.3f, 1.3f, 11);
  for (int n : {2, 17, 33, 65}) {
    const fs::path p = dir / ("smooth_" + std::to_string(n) + ".cube");
    write_text(p, adobe_cube_text(n, {0, 0, 0}, {1, 1, 1}, 0.1f * n));
    expect_matches_ocio(p.string(), colours);
    // The comparison can tell the schemes apart: OCIO's tetrahedral result is far from our
    // trilinear one on this non-linear table (so a swapped scheme could not pass).
    if (n <= 17) {
      const LutFile lut = read_cube(p.string());
      const auto tet = ocio_apply(p.string(), Interp::Tetrahedral, colours);
      float apart = 0.f;
      for (size_t i = 0; i < colours.size(); ++i)
        for (int c = 0; c < 3; ++c)
          apart = std::max(apart, std::abs(sample(lut, colours[i], Interp::Trilinear)[c] - tet[i][c]));
      EXPECT_GT(apart, 100 * kTolerance) << n;
    }
  }
}

TEST(OcioCrossCheck, AdobeDomainPerChannel) {
  const fs::path p = autograde::testing::scratch_dir("ocio_domain") / "domain.cube";
  write_text(p, adobe_cube_text(17, {-0.25f, 0.f, 0.1f}, {2.f, 1.5f, 0.9f}, 0.7f));
  ASSERT_EQ(read_cube(p.string()).cube->domain_min[0], -0.25f);
  expect_matches_ocio(p.string(), random_colours(-0.6f, 2.4f, 12));
}

TEST(OcioCrossCheck, ResolveShaperPlus3D) {
  // Resolve's form: a 1D shaper over a log-ish input range, then a 3D table with its own input
  // range. No TITLE: OCIO 2.1's Resolve reader rejects it (DESIGN.md).
  const int n1 = 1024, n3 = 17;
  const float in_lo = -0.1f, in_hi = 4.f, cube_lo = -0.05f, cube_hi = 1.05f;
  std::string s = "# Resolve shaper + 3D\nLUT_1D_SIZE 1024\nLUT_3D_SIZE 17\n";
  s += "LUT_1D_INPUT_RANGE -0.1 4.0\nLUT_3D_INPUT_RANGE -0.05 1.05\n";
  char buf[128];
  for (int i = 0; i < n1; ++i) {
    float x = in_lo + (in_hi - in_lo) * i / float(n1 - 1);
    // A log2-style shaper, per channel slightly different so channel mix-ups show.
    float base = std::log2(x + 0.2f) / std::log2(4.2f) * 0.9f + 0.1f;
    std::snprintf(buf, sizeof buf, "%.9g %.9g %.9g\n", base, base * 1.02f - 0.01f,
                  base * 0.97f + 0.02f);
    s += buf;
  }
  for (int b = 0; b < n3; ++b)
    for (int g = 0; g < n3; ++g)
      for (int r = 0; r < n3; ++r) {
        auto pos = [&](int k) { return cube_lo + (cube_hi - cube_lo) * k / float(n3 - 1); };
        Rgb v = smooth_grade({pos(r), pos(g), pos(b)}, 0.3f);
        std::snprintf(buf, sizeof buf, "%.9g %.9g %.9g\n", v[0], v[1], v[2]);
        s += buf;
      }
  const fs::path p = autograde::testing::scratch_dir("ocio_resolve") / "resolve.cube";
  write_text(p, s);
  LutFile f = read_cube(p.string());
  ASSERT_TRUE(f.shaper && f.cube);
  EXPECT_FLOAT_EQ(f.cube->domain_min[0], cube_lo);
  expect_matches_ocio(p.string(), random_colours(-0.5f, 4.5f, 13));
}

TEST(OcioCrossCheck, FilesWeWriteLoadInOcioWithTheSameResult) {
  const fs::path dir = autograde::testing::scratch_dir("ocio_written");
  const auto colours = random_colours(-0.3f, 1.3f, 14);
  // Plain 3D table with a title (Adobe form).
  {
    LutFile f = parse_cube(adobe_cube_text(33, {0, 0, 0}, {1, 1, 1}, 1.1f), "mem");
    f.title = "written by the test";
    write_cube(f, (dir / "plain.cube").string());
    expect_matches_ocio((dir / "plain.cube").string(), colours);
  }
  // Non-default domain: the writer emits DOMAIN lines.
  {
    LutFile f = parse_cube(adobe_cube_text(9, {-0.5f, -0.5f, 0.f}, {1.5f, 2.f, 1.f}, 2.f), "mem");
    write_cube(f, (dir / "domain.cube").string());
    expect_matches_ocio((dir / "domain.cube").string(), random_colours(-1.f, 2.5f, 15));
  }
  // Shaper + 3D with a title: the writer must keep it loadable by OCIO's Resolve reader.
  {
    LutFile f;
    f.title = "shaper and cube";
    f.shaper = Lut1D::identity(64);
    for (size_t i = 0; i < f.shaper->table.size(); ++i)
      f.shaper->table[i] = std::pow(f.shaper->table[i], 0.6f);
    f.shaper->domain_min.fill(0.f);
    f.shaper->domain_max.fill(2.f);
    f.cube = parse_cube(adobe_cube_text(9, {0, 0, 0}, {1, 1, 1}, 0.4f), "mem").cube;
    write_cube(f, (dir / "shaper.cube").string());
    expect_matches_ocio((dir / "shaper.cube").string(), random_colours(-0.3f, 2.3f, 16));
  }
}

TEST(OcioCrossCheck, EveryCubeInSharedData) {
  AG_REQUIRE_SHARED_DATA();
  const fs::path scratch = autograde::testing::scratch_dir("ocio_shared");
  int checked = 0;
  for (const auto& e : fs::recursive_directory_iterator(autograde::testing::shared_data() / "luts")) {
    if (!e.is_regular_file() || e.path().extension() != ".cube") continue;
    std::string path = e.path().string();
    LutFile f = read_cube(path);
    if (f.shaper && f.cube && !f.title.empty()) {
      // OCIO 2.1's Resolve reader rejects TITLE: check a copy with the title as a comment.
      std::ifstream in(path, std::ios::binary);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      for (size_t pos = 0; pos < text.size(); pos = text.find('\n', pos) + 1) {
        if (text.compare(pos, 5, "TITLE") == 0) text.insert(pos, "# ");
        if (text.find('\n', pos) == std::string::npos) break;
      }
      path = (scratch / e.path().filename()).string();
      write_text(path, text);
    }
    const Rgb lo = f.shaper ? f.shaper->domain_min : f.cube->domain_min;
    const Rgb hi = f.shaper ? f.shaper->domain_max : f.cube->domain_max;
    const float span = hi[0] - lo[0];
    expect_matches_ocio(path, random_colours(lo[0] - 0.2f * span, hi[0] + 0.2f * span, 17));
    ++checked;
  }
  EXPECT_GT(checked, 0);
}
