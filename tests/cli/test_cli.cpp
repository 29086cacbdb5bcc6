// The `autograde` executable as a user runs it (DESIGN.md command-line contract): results equal
// the library's, exit codes 0/2/3, inputs never overwritten, nothing half-written left behind.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "autograde/lut/cube_io.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/media/image_io.hpp"
#include "test_support.hpp"

using namespace autograde;
namespace fs = std::filesystem;

namespace {

struct CliResult {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Runs the CLI with `args` (already shell-quoted where needed); stdout and stderr are captured
// in files outside the folders the tests inspect.
CliResult run_cli(const std::string& args) {
  // One folder per process: CTest runs each test case as its own process, in parallel.
  static const fs::path logs = autograde::testing::scratch_dir("cli_logs_" + std::to_string(::getpid()));
  static int counter = 0;
  const fs::path out = logs / ("out" + std::to_string(counter) + ".txt");
  const fs::path err = logs / ("err" + std::to_string(counter++) + ".txt");
  const std::string cmd = std::string("'") + AUTOGRADE_CLI + "' " + args + " > '" + out.string() +
                          "' 2> '" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

ImageF test_image(int w, int h) {
  ImageF img(w, h, 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      float* p = img.at(x, y);
      p[0] = float((x * 37 + y * 11) % 256) / 255.f;
      p[1] = float((x * 5 + y * 53) % 256) / 255.f;
      p[2] = float((x * 101 + y * 7) % 256) / 255.f;
    }
  return img;
}

Lut3D warm_lut(int n) {
  Lut3D lut = Lut3D::identity(n);
  for (size_t i = 0; i < lut.table.size(); i += 3) {
    const float r = lut.table[i], g = lut.table[i + 1], b = lut.table[i + 2];
    lut.table[i] = std::min(1.f, 1.08f * r * r + 0.05f * g);
    lut.table[i + 1] = std::sqrt(g) * 0.95f;
    lut.table[i + 2] = 0.85f * b + 0.1f * r * g;
  }
  return lut;
}

// Files in `dir` (names), to prove nothing extra (temp files) is left behind.
std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST(Cli, ApplyGivesTheLibrarysPixels) {
  const fs::path dir = autograde::testing::scratch_dir("cli_apply");
  write_image((dir / "in.png").string(), test_image(61, 40), ImageMeta{});
  write_cube(warm_lut(17), (dir / "warm.cube").string(), "warm");
  for (const char* interp : {"tetrahedral", "trilinear"}) {
    SCOPED_TRACE(interp);
    const fs::path out = dir / (std::string("out_") + interp + ".png");
    CliResult r = run_cli("apply " + q(dir / "warm.cube") + " " + q(dir / "in.png") + " -o " + q(out) +
                    " --interp " + interp);
    ASSERT_EQ(r.code, 0) << r.err;
    LoadedImage expect = read_image((dir / "in.png").string());
    apply_reference(read_cube((dir / "warm.cube").string()), expect.image, parse_interp(interp));
    LoadedImage got = read_image(out.string());
    EXPECT_EQ(got.meta.format, SampleFormat::U8);  // the input's depth
    ASSERT_EQ(got.image.pixels.size(), expect.image.pixels.size());
    // The CLI renders with the fast engine, the expectation with the scalar reference: equal
    // 8-bit codes, except that float noise may tip a value lying right at a rounding boundary.
    for (size_t i = 0; i < got.image.pixels.size(); ++i) {
      const float v = std::clamp(expect.image.pixels[i], 0.f, 1.f) * 255.f;
      const float got_code = got.image.pixels[i] * 255.f;
      const bool at_boundary = std::abs(v - std::floor(v) - 0.5f) < 0.01f;
      ASSERT_NEAR(got_code, std::round(v), at_boundary ? 1.001f : 1e-3f) << i;
    }
  }
  // The two schemes are really different options (the flag is honoured).
  EXPECT_NE(read_image((dir / "out_tetrahedral.png").string()).image.pixels,
            read_image((dir / "out_trilinear.png").string()).image.pixels);
}

TEST(Cli, ApplyKeeps16BitDepth) {
  const fs::path dir = autograde::testing::scratch_dir("cli_apply16");
  ImageMeta meta;
  meta.format = SampleFormat::U16;
  meta.bits_per_sample = 16;
  write_image((dir / "in.tif").string(), test_image(16, 16), meta);
  write_cube(warm_lut(9), (dir / "warm.cube").string());
  CliResult r = run_cli("apply " + q(dir / "warm.cube") + " " + q(dir / "in.tif") + " -o " +
                  q(dir / "out.tif"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_image((dir / "out.tif").string()).meta.format, SampleFormat::U16);
}

TEST(Cli, UsageErrorsExitWith2) {
  const fs::path dir = autograde::testing::scratch_dir("cli_usage");
  write_image((dir / "in.png").string(), test_image(8, 8), ImageMeta{});
  write_cube(warm_lut(5), (dir / "l.cube").string());
  EXPECT_EQ(run_cli("").code, 2);                      // no subcommand
  EXPECT_EQ(run_cli("frobnicate").code, 2);            // unknown subcommand
  EXPECT_EQ(run_cli("apply").code, 2);                 // missing arguments
  EXPECT_EQ(run_cli("apply " + q(dir / "l.cube") + " " + q(dir / "in.png")).code, 2);  // no -o
  CliResult r = run_cli("apply " + q(dir / "l.cube") + " " + q(dir / "in.png") + " -o " +
                  q(dir / "o.png") + " --interp cubic");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("cubic"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "o.png"));
  EXPECT_EQ(run_cli("lut-info").code, 2);
  for (const char* sub : {"apply", "lut-info"}) {
    CliResult h = run_cli(std::string(sub) + " --help");
    EXPECT_EQ(h.code, 0) << sub;
    EXPECT_NE(h.out.find("Usage"), std::string::npos) << h.out;
  }
}

TEST(Cli, BadInputExitsWith3NamingTheFile) {
  const fs::path dir = autograde::testing::scratch_dir("cli_bad_input");
  write_image((dir / "in.png").string(), test_image(8, 8), ImageMeta{});
  write_cube(warm_lut(5), (dir / "l.cube").string());
  std::ofstream(dir / "bad.cube") << "LUT_3D_SIZE 2\n0 0 0\n1 0\n";
  std::ofstream(dir / "noise.png") << "this is not an image";
  const auto before = listing(dir);

  CliResult r = run_cli("apply " + q(dir / "missing.cube") + " " + q(dir / "in.png") + " -o " +
                  q(dir / "o.png"));
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("missing.cube"), std::string::npos) << r.err;

  r = run_cli("apply " + q(dir / "bad.cube") + " " + q(dir / "in.png") + " -o " + q(dir / "o.png"));
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("bad.cube:3"), std::string::npos) << r.err;  // file:line

  r = run_cli("apply " + q(dir / "l.cube") + " " + q(dir / "noise.png") + " -o " + q(dir / "o.png"));
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("noise.png"), std::string::npos) << r.err;

  r = run_cli("apply " + q(dir / "l.cube") + " " + q(dir / "gone.png") + " -o " + q(dir / "o.png"));
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("gone.png"), std::string::npos) << r.err;

  r = run_cli("lut-info " + q(dir / "bad.cube"));
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("bad.cube:3"), std::string::npos) << r.err;

  // No output and no temp file from any of the failures.
  EXPECT_EQ(listing(dir), before);
}

TEST(Cli, OutputEqualToInputIsRefused) {
  const fs::path dir = autograde::testing::scratch_dir("cli_same_file");
  write_image((dir / "in.png").string(), test_image(8, 8), ImageMeta{});
  write_cube(warm_lut(5), (dir / "l.cube").string());
  fs::create_directories(dir / "sub");
  const std::string original = slurp(dir / "in.png");
  const auto before = listing(dir);
  // The same file under the same name, another spelling, and a symlink to it.
  fs::create_symlink(dir / "in.png", dir / "sub" / "link.png");
  for (const fs::path& out : {dir / "in.png", dir / "sub" / ".." / "in.png", dir / "sub" / "link.png"}) {
    SCOPED_TRACE(out.string());
    CliResult r = run_cli("apply " + q(dir / "l.cube") + " " + q(dir / "in.png") + " -o " + q(out));
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("input"), std::string::npos) << r.err;
    EXPECT_EQ(slurp(dir / "in.png"), original);
  }
  EXPECT_EQ(listing(dir), before);
  EXPECT_EQ(listing(dir / "sub"), std::vector<std::string>{"link.png"});
}

TEST(Cli, FailedWriteLeavesNoTempFile) {
  const fs::path dir = autograde::testing::scratch_dir("cli_failed_write");
  write_image((dir / "in.png").string(), test_image(8, 8), ImageMeta{});
  write_cube(warm_lut(5), (dir / "l.cube").string());
  const auto before = listing(dir);
  // An output format nobody can write: the run fails after reading, before committing.
  CliResult r = run_cli("apply " + q(dir / "l.cube") + " " + q(dir / "in.png") + " -o " +
                  q(dir / "o.notaformat"));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("o.notaformat"), std::string::npos) << r.err;
  EXPECT_EQ(listing(dir), before);
}

TEST(Cli, LutInfoTextAndJson) {
  const fs::path dir = autograde::testing::scratch_dir("cli_lut_info");
  write_cube(Lut3D::identity(17), (dir / "id.cube").string(), "Identity");
  write_cube(warm_lut(17), (dir / "warm.cube").string());
  Lut3D invert = Lut3D::identity(5);
  for (float& v : invert.table) v = 1.5f - 2.f * v;  // decreasing, values -0.5..1.5
  write_cube(invert, (dir / "invert.cube").string());

  CliResult r = run_cli("lut-info " + q(dir / "id.cube"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("17^3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("identity:  yes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("neutral axis monotone: yes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Identity"), std::string::npos) << r.out;

  r = run_cli("lut-info " + q(dir / "warm.cube"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("identity:  no"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("neutral axis monotone: yes"), std::string::npos) << r.out;

  r = run_cli("lut-info " + q(dir / "invert.cube"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("neutral axis monotone: no"), std::string::npos) << r.out;

  for (const char* name : {"id.cube", "warm.cube", "invert.cube"}) {
    SCOPED_TRACE(name);
    CliResult j = run_cli("lut-info --json " + q(dir / name));
    ASSERT_EQ(j.code, 0) << j.err;
    nlohmann::json doc;
    ASSERT_NO_THROW(doc = nlohmann::json::parse(j.out)) << j.out;
    const LutFile f = read_cube((dir / name).string());
    EXPECT_EQ(doc["cube"]["size"].get<int>(), f.cube->size);
    EXPECT_EQ(doc["identity"].get<bool>(), std::string(name) == "id.cube");
    EXPECT_EQ(doc["neutral_axis_monotone"].get<bool>(), std::string(name) != "invert.cube");
    const auto [lo, hi] = std::minmax_element(f.cube->table.begin(), f.cube->table.end());
    EXPECT_NEAR(doc["value_range"][0].get<float>(), *lo, 1e-6f);
    EXPECT_NEAR(doc["value_range"][1].get<float>(), *hi, 1e-6f);
  }
}

// `lut --method hybrid` (learn/lutgen.hpp): the equal mix of the `learned` and `auto` LUTs the
// same command writes with those methods.
TEST(Cli, LutHybridIsTheMeanOfLearnedAndAuto) {
  const fs::path dir = autograde::testing::scratch_dir("cli_lut_hybrid");
  ImageF ref = test_image(48, 64);
  const Lut3D warm = warm_lut(17);
  for (size_t i = 0; i < ref.pixels.size(); i += 3) {
    const Rgb v = sample_tetrahedral(warm, {ref.pixels[i], ref.pixels[i + 1], ref.pixels[i + 2]});
    for (size_t c = 0; c < 3; ++c) ref.pixels[i + c] = std::clamp(v[c], 0.f, 1.f);
  }
  write_image((dir / "ref.png").string(), ref, ImageMeta{});
  write_image((dir / "src.png").string(), test_image(64, 48), ImageMeta{});
  std::map<std::string, Lut3D> luts;
  for (const std::string m : {"learned", "auto", "hybrid"}) {
    const fs::path out = dir / (m + ".cube");
    const CliResult r = run_cli("lut --ref " + q(dir / "ref.png") + " --source " +
                                q(dir / "src.png") + " --method " + m + " --json -o " + q(out));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["method"], m) << r.out;
    luts[m] = *read_cube(out.string()).cube;
  }
  ASSERT_EQ(luts["hybrid"].size, 33);
  for (size_t i = 0; i < luts["hybrid"].table.size(); ++i)
    ASSERT_NEAR(luts["hybrid"].table[i], 0.5f * (luts["learned"].table[i] + luts["auto"].table[i]),
                2e-5f)
        << i;
}
