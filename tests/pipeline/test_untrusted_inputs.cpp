// Issue 24: every input a user or an attacker can hand the tool — a plan, a LUT, a still, a
// stream, an option — ends with the documented exit code (2 usage, 3 bad input) and a message
// naming the file and what is wrong, within seconds, without growing memory, leaving nothing
// behind and changing nothing outside the outputs. Real processes on real files.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "autograde/color/color.hpp"
#include "autograde/core/files.hpp"
#include "autograde/lut/load.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/pipeline/plan.hpp"
#include "cli_support.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace autograde;
using autograde::testing::CliRun;
using autograde::testing::listing;
using autograde::testing::sh;

namespace {

std::string q(const fs::path& p) { return autograde::testing::quoted(p); }
fs::path source(const std::string& rel) { return autograde::testing::source_dir() / rel; }

// Every run here is under a 4 GiB address-space limit (the bar): a reader that tried
// to swallow /dev/zero or allocate a declared 20000x20000 picture would die instead of
// answering, and the test would see a signal, not exit code 3.
CliRun run(const std::string& args) {
  return autograde::testing::run_cli("--quiet " + args);
}
CliRun run_limited(const std::string& args) {
  return autograde::testing::run_cli("--quiet " + args, "ulimit -v 4194304; ");
}

void put_be32(std::string& s, uint32_t v) {
  for (int k = 3; k >= 0; --k) s.push_back(char((v >> (8 * k)) & 0xff));
}

void png_chunk(std::string& png, const char* type, const std::string& data) {
  put_be32(png, uint32_t(data.size()));
  std::string body = std::string(type, 4) + data;
  png += body;
  put_be32(png, uint32_t(crc32(0, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size()))));
}

// A valid PNG header declaring width x height RGB with a tiny (truncated) image stream: what a
// hostile upload looks like. A decoder that trusted the header would allocate first.
void write_bomb_png(const fs::path& path, uint32_t width, uint32_t height) {
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put_be32(ihdr, width);
  put_be32(ihdr, height);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, no interlace
  png_chunk(png, "IHDR", ihdr);
  std::string row(1 + 3 * size_t(width), '\0');
  uLongf n = compressBound(uLong(row.size()));
  std::string z(n, '\0');
  compress(reinterpret_cast<Bytef*>(z.data()), &n, reinterpret_cast<const Bytef*>(row.data()),
           uLong(row.size()));
  z.resize(n);
  png_chunk(png, "IDAT", z);
  png_chunk(png, "IEND", "");
  std::ofstream(path, std::ios::binary) << png;
}

class UntrustedInputs : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = autograde::testing::scratch_dir("untrusted");
    clip_ = source("data/video/tears_of_steel_excerpt.mp4");
    still_ = source("data/images/reference_teal_orange.png");
    ASSERT_EQ(run("lut --prompt warm -o " + q(dir_ / "warm.cube")).code, 0);
  }
  // A plan as grade writes it, for editing; the grade's own outputs are then removed.
  nlohmann::json graded_plan() {
    const CliRun r = run("grade " + q(clip_) + " --prompt warm --samples 2 -o " +
                         q(dir_ / "g.mp4"));
    if (r.code != 0) ADD_FAILURE() << r.out;
    nlohmann::json j = nlohmann::json::parse(read_file((dir_ / "g.plan.json").string()));
    fs::remove_all(dir_ / "g_luts");
    fs::remove(dir_ / "g.mp4");
    return j;
  }
  fs::path dir_, clip_, still_;
};

}  // namespace

TEST_F(UntrustedInputs, DevicesAndPipesAreRefusedBeforeAnyRead) {
  const auto t0 = std::chrono::steady_clock::now();
  const struct {
    std::string args, names;
  } cases[] = {
      {"apply /dev/zero " + q(still_) + " -o " + q(dir_ / "o.png"), "/dev/zero"},
      {"refine /dev/zero --contrast 1 -o " + q(dir_ / "p.json"), "/dev/zero"},
      {"lut --ref /dev/zero -o " + q(dir_ / "x.cube"), "/dev/zero"},
      {"lut-info /dev/zero", "/dev/zero"},
      {"apply " + q(dir_ / "warm.cube") + " /dev/zero -o " + q(dir_ / "o2.mp4"), "/dev/zero"},
      {"grade /dev/zero --prompt warm -o " + q(dir_ / "g.mp4"), "/dev/zero"},
      {"scenes /dev/zero", "/dev/zero"},
      {"render " + q(dir_) + " -o " + q(dir_ / "r.mp4"), dir_.string()},
  };
  for (const auto& c : cases) {
    const CliRun r = run_limited(c.args);
    EXPECT_EQ(r.code, 3) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.names), std::string::npos) << r.out;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(30));
  EXPECT_EQ(listing(dir_), std::vector<std::string>{"warm.cube"});
}

TEST_F(UntrustedInputs, APictureDeclaringGigapixelsIsRefusedFromItsHeader) {
  write_bomb_png(dir_ / "bomb.png", 20000, 20000);
  ASSERT_LT(fs::file_size(dir_ / "bomb.png"), 2u << 20);
  const auto t0 = std::chrono::steady_clock::now();
  CliRun r = run_limited("lut --ref " + q(dir_ / "bomb.png") + " -o " + q(dir_ / "x.cube"));
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("20000x20000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--max-image-megapixels"), std::string::npos) << r.out;
  // As a LUT image it is refused on its header too (a LUT image holds at most 2^24 pixels).
  r = run_limited("apply " + q(dir_ / "bomb.png") + " " + q(still_) + " -o " + q(dir_ / "o.png"));
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("bomb.png"), std::string::npos) << r.out;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
  // The budget is an option: a smaller one refuses the bundled still, which is otherwise read.
  r = run("--max-image-megapixels 0.01 lut --ref " + q(still_) + " -o " + q(dir_ / "y.cube"));
  EXPECT_EQ(r.code, 2) << r.out;  // 0.01 is below the option's range (1..10000)
  write_bomb_png(dir_ / "wide.png", 1500, 1000);  // 1.5 MP
  r = run("--max-image-megapixels 1 lut --ref " + q(dir_ / "wide.png") + " -o " +
          q(dir_ / "y.cube"));
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "x.cube") || fs::exists(dir_ / "o.png") ||
               fs::exists(dir_ / "y.cube"));
}

TEST_F(UntrustedInputs, APlanCannotWriteOutsideTheLutFolder) {
  nlohmann::json plan = graded_plan();
  const fs::path outside = dir_ / "outside";
  fs::create_directories(outside);
  std::ofstream(outside / "victim.cube") << "precious\n";
  const std::string names[] = {(outside / "victim.cube").string(), "../outside/victim.cube",
                               "sub/x.cube", "", "shot.txt"};
  for (const std::string& name : names) {
    nlohmann::json bad = plan;
    bad["shots"][0]["lut"] = name;
    std::ofstream(dir_ / "bad.json") << bad.dump();
    const CliRun r = run("render " + q(dir_ / "bad.json") + " -o " + q(dir_ / "r.mp4") +
                         " --luts " + q(dir_ / "luts"));
    EXPECT_EQ(r.code, 3) << name << "\n" << r.out;
    EXPECT_NE(r.out.find("shots[0].lut"), std::string::npos) << r.out;
  }
  // A symlink inside the folder that points out is not followed.
  fs::create_directories(dir_ / "luts");
  fs::create_symlink(outside / "victim.cube", dir_ / "luts" / plan["shots"][0]["lut"].get<std::string>());
  std::ofstream(dir_ / "ok.json") << plan.dump();
  const CliRun r = run("render " + q(dir_ / "ok.json") + " -o " + q(dir_ / "r.mp4") + " --luts " +
                       q(dir_ / "luts"));
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("symbolic link"), std::string::npos) << r.out;
  EXPECT_EQ(read_file((outside / "victim.cube").string()), "precious\n");
  EXPECT_FALSE(fs::exists(dir_ / "r.mp4"));
  // A missing --luts folder is created (as grade does) and holds one file per shot, plus each
  // region's LUT and, for skin, the single-LUT protected copy.
  fs::remove_all(dir_ / "luts");
  const CliRun ok = run("render " + q(dir_ / "ok.json") + " -o " + q(dir_ / "r.mp4") +
                        " --luts " + q(dir_ / "new" / "luts"));
  ASSERT_EQ(ok.code, 0) << ok.out;
  size_t files = 0;
  for (const auto& shot : plan["shots"]) {
    ++files;
    if (shot.contains("regions"))
      for (const auto& r : shot["regions"]) files += r["class"] == "skin" ? 2 : 1;
  }
  EXPECT_EQ(listing(dir_ / "new" / "luts").size(), files);
}

TEST_F(UntrustedInputs, EveryPlanFieldIsCheckedWithItsPath) {
  const nlohmann::json plan = graded_plan();
  const struct {
    std::function<void(nlohmann::json&)> edit;
    std::string field;
  } cases[] = {
      {[](auto& j) { j["shots"][0].erase("look"); }, "shots[0].look: missing"},
      {[](auto& j) { j["shots"][0]["look"]["strength"] = -3; }, "'strength' is -3"},
      {[](auto& j) { j["encode"]["crf"] = 999; }, "encode.crf: 999 is outside -1..51"},
      {[](auto& j) { j["encode"]["preset"] = "junk"; }, "encode.preset: 'junk'"},
      {[](auto& j) { j["encode"]["crff"] = 20; }, "encode: unknown key 'crff'"},
      {[](auto& j) { j["shots"].back()["last_frame"] = 999999; }, "last_frame: 999999"},
      {[](auto& j) { j["shots"][1]["first_frame"] = 3; }, "shots[1].first_frame"},
      {[](auto& j) { j.erase("input"); }, "input: missing"},
      {[](auto& j) { j["input"]["path"] = 7; }, "input.path: must be a string"},
      {[](auto& j) { j["strength"] = "1"; }, "strength: must be a number"},
      {[](auto& j) { j["method"] = 3; }, "method: must be a string"},
      {[](auto& j) { j["version"] = 99; }, "version: 99"},
      {[](auto& j) { j["shots"] = nlohmann::json::array(); }, "shots: must be a non-empty"},
  };
  for (const auto& c : cases) {
    nlohmann::json bad = plan;
    c.edit(bad);
    std::ofstream(dir_ / "bad.json") << bad.dump();
    for (const std::string& cmd : {"render " + q(dir_ / "bad.json") + " -o " + q(dir_ / "r.mp4"),
                                  "refine " + q(dir_ / "bad.json") + " --contrast 5 -o " +
                                      q(dir_ / "p.json")}) {
      const CliRun r = run(cmd);
      EXPECT_EQ(r.code, 3) << c.field << "\n" << r.out;
      EXPECT_NE(r.out.find("bad.json"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find(c.field), std::string::npos) << c.field << "\n" << r.out;
      EXPECT_EQ(r.out.find("json.exception"), std::string::npos) << r.out;
    }
  }
  EXPECT_FALSE(fs::exists(dir_ / "r.mp4") || fs::exists(dir_ / "p.json"));
  // The same validator in the library: the plan as written passes it unchanged.
  EXPECT_NO_THROW(plan_from_json(plan, "plan.json"));
}

TEST_F(UntrustedInputs, ApplyOnAClipLeavesNothingOnSigterm) {
  // A slow encode (ProRes of the whole excerpt) so the signal lands mid-render.
  const fs::path out = dir_ / "out.mov";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string lut = (dir_ / "warm.cube").string(), in = clip_.string();
    execl(AUTOGRADE_CLI, "autograde", "--quiet", "apply", lut.c_str(), in.c_str(), "-o",
          out.c_str(), "--codec", "prores", static_cast<char*>(nullptr));
    _exit(127);
  }
  bool writing = false;
  for (int i = 0; i < 2400 && !writing; ++i) {
    usleep(20000);
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().filename().string().find(".tmp") != std::string::npos &&
          fs::file_size(e.path()) > 0)
        writing = true;
  }
  EXPECT_TRUE(writing) << "apply never started writing";
  kill(pid, SIGTERM);
  const std::optional<int> status = autograde::testing::wait_child(pid, 120);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGTERM);
  EXPECT_EQ(listing(dir_), std::vector<std::string>{"warm.cube"});
}

TEST_F(UntrustedInputs, OutputsAreCheckedBeforeWorkAndFollowTheirExtension) {
  auto t0 = std::chrono::steady_clock::now();
  CliRun r = run("apply " + q(dir_ / "warm.cube") + " " + q(clip_) + " -o " + q(dir_ / "o.avi"));
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("o.avi"), std::string::npos) << r.out;
  r = run("grade " + q(clip_) + " --prompt warm -o " + q(dir_ / "g.avi"));
  EXPECT_EQ(r.code, 2) << r.out;
  r = run("lut --prompt warm -o " + q(dir_ / "x.txt"));
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find(".3dl"), std::string::npos) << r.out;  // lists what is supported
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(listing(dir_), std::vector<std::string>{"warm.cube"});
  // .3dl is a .3dl (read back through OpenColorIO) and holds the same grade as the .cube.
  ASSERT_EQ(run("lut --prompt warm -o " + q(dir_ / "warm.3dl")).code, 0);
  EXPECT_EQ(read_file((dir_ / "warm.3dl").string()).find("LUT_3D_SIZE"), std::string::npos);
  const LutFile cube = load_lut((dir_ / "warm.cube").string());
  const LutFile three = load_lut((dir_ / "warm.3dl").string());
  ASSERT_TRUE(cube.cube && three.cube);
  ASSERT_EQ(cube.cube->size, three.cube->size);
  float worst = 0;
  for (size_t i = 0; i < cube.cube->table.size(); ++i)
    worst = std::max(worst, std::abs(cube.cube->table[i] - three.cube->table[i]));
  EXPECT_LT(worst, 1.f / 4095.f) << "12-bit .3dl quantisation";
}

// Vorbis is copied untouched into Matroska; into .mp4 (where editors refuse it) it is transcoded
// to AAC with a note saying so, never dropped (issue 25; issue 24 refused it).
TEST_F(UntrustedInputs, VorbisAudioIsTranscodedForMp4AndCopiedIntoMkv) {
  if (!sh("ffmpeg -hide_banner -encoders | grep -q libvorbis")) GTEST_SKIP() << "no libvorbis";
  const fs::path in = dir_ / "vorbis.mkv";
  ASSERT_TRUE(sh("ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=96x54:rate=24 -f lavfi "
                 "-i sine=frequency=440 -t 1 -c:v libx264 -pix_fmt yuv420p -c:a libvorbis " +
                 q(in)));
  const CliRun mp4 =
      run("apply " + q(dir_ / "warm.cube") + " " + q(in) + " -o " + q(dir_ / "o.mp4"));
  ASSERT_EQ(mp4.code, 0) << mp4.out;
  EXPECT_NE(mp4.out.find("vorbis) transcoded to AAC"), std::string::npos) << mp4.out;
  EXPECT_TRUE(sh("ffprobe -v error -select_streams a -show_entries stream=codec_name -of csv=p=0 " +
                 q(dir_ / "o.mp4") + " | grep -qx aac"));
  const CliRun ok = run("apply " + q(dir_ / "warm.cube") + " " + q(in) + " -o " + q(dir_ / "o.mkv"));
  ASSERT_EQ(ok.code, 0) << ok.out;
  EXPECT_TRUE(sh("ffprobe -v error -select_streams a -show_entries stream=codec_name -of csv=p=0 " +
                 q(dir_ / "o.mkv") + " | grep -qx vorbis"));
}

TEST_F(UntrustedInputs, OptionsOutsideTheirRangeAreRefusedNotClamped) {
  nlohmann::json plan = graded_plan();
  std::ofstream(dir_ / "p.json") << plan.dump();
  for (const std::string& args :
       {"refine " + q(dir_ / "p.json") + " --temperature 500 -o " + q(dir_ / "o.json"),
        "refine " + q(dir_ / "p.json") + " --shot -1 --contrast 5 -o " + q(dir_ / "o.json"),
        "refine " + q(dir_ / "p.json") + " --strength 2 -o " + q(dir_ / "o.json"),
        "grade " + q(clip_) + " --prompt warm --method foo -o " + q(dir_ / "g.mp4"),
        "scenes --min-shot 0 " + q(clip_)}) {
    const CliRun r = run(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    EXPECT_LT(r.out.size(), 400u) << r.out;  // no 300-digit range
  }
  const CliRun typo = run("grdae " + q(clip_));
  EXPECT_EQ(typo.code, 2);
  EXPECT_NE(typo.out.find("did you mean 'grade'"), std::string::npos) << typo.out;
  EXPECT_FALSE(fs::exists(dir_ / "o.json") || fs::exists(dir_ / "g.mp4"));
}

TEST_F(UntrustedInputs, QuietKeepsTheSummaryAndLogsGetNoCarriageReturns) {
  // stdout and stderr into a file (not a terminal): progress, if any, comes as plain lines.
  const fs::path log = dir_ / "log.txt";
  ASSERT_TRUE(sh(std::string(AUTOGRADE_CLI) + " grade " + q(clip_) + " --prompt warm -o " +
                 q(dir_ / "g.mp4") + " > " + q(log) + " 2>&1"));
  EXPECT_EQ(read_file(log.string()).find('\r'), std::string::npos);
  const CliRun r = run("grade " + q(clip_) + " --prompt warm -o " + q(dir_ / "h.mp4") +
                       "");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find((dir_ / "h.mp4").string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("h.plan.json"), std::string::npos) << r.out;
}

// Continuity exists to make the shots of a scene alike; measured on the decoded outputs (all
// frames), the spread of the shots' mean a*b* within each scene is never wider with it than
// without it, and the hero the user picks is the one the plan records.
TEST_F(UntrustedInputs, ContinuityNeverWidensTheSpreadOfShotColour) {
  auto shot_means = [](const fs::path& clip, const GradePlan& plan) {
    std::vector<std::array<double, 3>> sum(plan.shots.size(), {0, 0, 0});
    std::vector<double> count(plan.shots.size(), 0);
    VideoReadOptions o;
    o.rgb_width = 160;
    VideoReader reader(clip.string(), o);
    VideoFrame f;
    while (reader.next(f)) {
      const int s = shot_of_frame(plan, f.index);
      if (s < 0) continue;
      for (size_t i = 0; i < f.rgb.pixel_count(); i += 7) {
        const float* p = f.rgb.pixels.data() + 3 * i;
        const Vec3 lab = srgb_to_lab({p[0], p[1], p[2]});
        sum[size_t(s)][1] += lab[1], sum[size_t(s)][2] += lab[2];
        count[size_t(s)] += 1;
      }
    }
    for (size_t s = 0; s < sum.size(); ++s)
      for (double& v : sum[s]) v /= std::max(1.0, count[s]);
    return sum;
  };
  auto spread = [](const std::vector<std::array<double, 3>>& m, const std::vector<int>& shots) {
    double ca = 0, cb = 0;
    for (int s : shots) ca += m[size_t(s)][1] / double(shots.size()), cb += m[size_t(s)][2] / double(shots.size());
    double v = 0;
    for (int s : shots)
      v += std::pow(m[size_t(s)][1] - ca, 2) + std::pow(m[size_t(s)][2] - cb, 2);
    return std::sqrt(v / double(shots.size()));
  };
  for (const char* prompt : {"warm golden hour", "cold teal night"}) {
    // Without skin protection: continuity balances the shots' Looks, and a skin region (which
    // continuity does not see) would move the measured spread by itself.
    const std::string base =
        "grade " + q(clip_) + " --prompt '" + std::string(prompt) + "' --protect-skin 0";
    ASSERT_EQ(run(base + " -o " + q(dir_ / "plain.mp4")).code, 0);
    const CliRun c = run(base + " --continuity --hero-shot 0 -o " + q(dir_ / "cont.mp4"));
    ASSERT_EQ(c.code, 0) << c.out;
    const GradePlan plan = read_plan((dir_ / "cont.plan.json").string());
    ASSERT_TRUE(plan.continuity);
    const auto plain = shot_means(dir_ / "plain.mp4", plan);
    const auto cont = shot_means(dir_ / "cont.mp4", plan);
    bool several = false;
    for (const ContinuityScene& sc : plan.continuity->scenes) {
      several |= sc.shots.size() > 1;
      // 0.05 ΔE*ab: the encoder's rounding between two renders, far below a visible change.
      EXPECT_LE(spread(cont, sc.shots), spread(plain, sc.shots) + 0.05)
          << prompt << ": scene " << nlohmann::json(sc.shots).dump();
      EXPECT_LE(sc.ab_spread_after, sc.ab_spread_before + 1e-9);
      const bool has0 = std::find(sc.shots.begin(), sc.shots.end(), 0) != sc.shots.end();
      if (has0) {
        EXPECT_EQ(sc.hero, 0);
        EXPECT_TRUE(sc.hero_chosen);
      }
    }
    EXPECT_TRUE(several) << "the clip should have a scene of several shots";
  }
  const CliRun bad = run("grade " + q(clip_) + " --prompt warm --continuity --hero-shot 99 -o " +
                         q(dir_ / "x.mp4"));
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.out.find("--hero-shot 99"), std::string::npos) << bad.out;
}
