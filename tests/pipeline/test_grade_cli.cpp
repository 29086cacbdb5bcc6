// `autograde grade` and `autograde render` end to end on a real short clip: 3.5 s of the
// bundled Tears of Steel excerpt (CC BY 3.0; cuts at ~0.9 and ~2.7 s) at 320x180 with an AAC
// track added, cut by the ffmpeg binary. Checks outputs, determinism, plan edits, the
// temporal metrics and every error path (exit code, message, nothing left behind).
#include <OpenColorIO/OpenColorIO.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "autograde/color/camera_log.hpp"
#include "autograde/core/files.hpp"
#include "autograde/look/look.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/load.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/media/video_writer.hpp"
#include "autograde/pipeline/plan.hpp"
#include "autograde/pipeline/region_grades.hpp"
#include "cli_support.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace autograde;

namespace {

using autograde::testing::CliRun;
using autograde::testing::listing;
using autograde::testing::sh;

CliRun run(std::string args) { return autograde::testing::run_cli(std::move(args)); }
std::string q(const fs::path& p) { return autograde::testing::quoted(p); }

fs::path source(const std::string& rel) { return autograde::testing::source_dir() / rel; }

double mean_abs_diff(const ImageF& a, const ImageF& b) {
  double s = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) s += std::abs(a.pixels[i] - b.pixels[i]);
  return s / double(a.pixels.size());
}

double mean_value(const ImageF& a) {
  double s = 0;
  for (float v : a.pixels) s += v;
  return s / double(a.pixels.size());
}

}  // namespace

class GradeCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    media_ = autograde::testing::scratch_dir("pipeline_media");
    const fs::path tears = source("data/video/tears_of_steel_excerpt.mp4");
    ASSERT_TRUE(
        sh("ffmpeg -nostdin -v error -y -i " + q(tears) +
           " -f lavfi -i sine=frequency=440:sample_rate=48000 -t 3.5 -vf scale=320:180 -map 0:v "
           "-map 1:a "
           "-c:v libx264 -preset veryfast -crf 16 -pix_fmt yuv420p -c:a aac -b:a 64k -shortest "
           "-movflags +faststart " +
           q(media_ / "clip.mp4")));
    ASSERT_TRUE(sh("ffmpeg -nostdin -v error -y -f lavfi -i sine=frequency=440 -t 1 -c:a aac " +
                   q(media_ / "audio_only.m4a")));
    // Truncated: the index (moov, at the front) lists every frame, the data stops at 60 %.
    const std::string bytes = read_file((media_ / "clip.mp4").string());
    std::ofstream(media_ / "truncated.mp4", std::ios::binary)
        .write(bytes.data(), std::streamsize(bytes.size() * 6 / 10));
    out_ = autograde::testing::scratch_dir("pipeline_grade");
    first_ = run("grade " + q(media_ / "clip.mp4") + " --ref " +
                 q(source("data/images/reference_teal_orange.png")) + " -o " +
                 q(out_ / "graded.mp4") + " --report " + q(out_ / "report.html") + " --quiet");
  }
  static inline fs::path media_, out_;
  static inline CliRun first_;
};

TEST_F(GradeCli, GradeWritesClipOneCubePerShotPlanAndReport) {
  ASSERT_EQ(first_.code, 0) << first_.out;
  const GradePlan plan = read_plan((out_ / "graded.plan.json").string());
  ASSERT_GE(plan.shots.size(), 2u) << "the clip has cuts at ~0.9 and ~2.7 s";
  EXPECT_EQ(plan.method, "learned");  // the default (shot_look.hpp)
  EXPECT_EQ(plan.history, nlohmann::json::array());
  int cubes = 0;
  for (const auto& e : fs::directory_iterator(out_ / "graded_luts")) {
    EXPECT_EQ(e.path().extension(), ".cube");
    ++cubes;
  }
  // One per shot, plus each region's LUT and, with skin, the single-LUT skin-protected copy.
  int expected = 0;
  for (const auto& s : plan.shots) {
    expected += 1 + int(s.regions.size());
    for (const auto& r : s.regions) expected += r.region == "skin";
  }
  EXPECT_EQ(cubes, expected);
  for (const auto& s : plan.shots) {
    const LutFile lf = read_cube((fs::path(plan.luts_dir) / s.lut_file).string());
    ASSERT_TRUE(lf.cube.has_value());
    EXPECT_EQ(lf.cube->size, 33);
  }
  // Same length, audio carried over, tagged BT.709.
  VideoReader in((media_ / "clip.mp4").string()), out((out_ / "graded.mp4").string());
  EXPECT_EQ(out.info().frame_count, in.info().frame_count);
  EXPECT_EQ(out.info().audio_streams, 1);
  EXPECT_EQ(out.info().tags.primaries, kH273Bt709);
  EXPECT_EQ(plan.shots.back().last_frame + 1, in.info().frame_count);
  // The report is self-contained.
  const std::string html = read_file((out_ / "report.html").string());
  EXPECT_NE(html.find("data:image/png;base64,"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  // Nothing but the outputs in the folder (no staging leftovers).
  EXPECT_EQ(listing(out_), (std::vector<std::string>{"graded.mp4", "graded.plan.json",
                                                     "graded_luts", "report.html"}));
}

TEST_F(GradeCli, GradeIsStableWithinEveryShot) {
  ASSERT_EQ(first_.code, 0) << first_.out;
  const GradePlan plan = read_plan((out_ / "graded.plan.json").string());
  for (const auto& s : plan.shots) {
    if (s.last_frame == s.first_frame) continue;
    ASSERT_TRUE(s.metrics && s.metrics->consistency) << "shot " << s.index;
    EXPECT_LE(s.metrics->consistency->mean_de2000, 1.0) << "shot " << s.index;
    EXPECT_GT(s.metrics->warp.pairs, 0);
    EXPECT_GT(s.metrics->warp.output, 0.0);
  }
}

TEST_F(GradeCli, RenderReproducesGradeBitForBitAndPlanEditsChangeIt) {
  ASSERT_EQ(first_.code, 0) << first_.out;
  const fs::path plan_path = out_ / "graded.plan.json";
  const fs::path dir = autograde::testing::scratch_dir("pipeline_render");
  const CliRun r = run("render " + q(plan_path) + " -o " + q(dir / "again.mp4") + " --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string graded = read_file((out_ / "graded.mp4").string());
  EXPECT_TRUE(graded == read_file((dir / "again.mp4").string()))
      << "render of an unchanged plan must reproduce grade's output byte for byte";
  const GradePlan plan = read_plan(plan_path.string());
  EXPECT_EQ(plan.encode.threads, default_encoder_threads())
      << "the encoder's thread count is pinned in the plan";
  {
    nlohmann::json bad = nlohmann::json::parse(read_file(plan_path.string()));
    bad["encode"]["threads"] = 99;
    write_file_atomic((dir / "bad.plan.json").string(), bad.dump(2));
    const CliRun b =
        run("render " + q(dir / "bad.plan.json") + " -o " + q(dir / "bad.mp4") + " --quiet");
    EXPECT_NE(b.code, 0);
    EXPECT_NE(b.out.find("bad.plan.json"), std::string::npos) << b.out;
    EXPECT_NE(b.out.find("encode.threads"), std::string::npos) << b.out;
    EXPECT_FALSE(fs::exists(dir / "bad.mp4"));
  }

  // Edit: shot 0 one stop brighter.
  nlohmann::json j = nlohmann::json::parse(read_file(plan_path.string()));
  j["shots"][0]["look"]["exposure"] = j["shots"][0]["look"]["exposure"].get<double>() + 1.0;
  const int64_t last_first = j["shots"].back()["first_frame"],
                last_last = j["shots"].back()["last_frame"];
  write_file_atomic((dir / "edited.plan.json").string(), j.dump(2));
  const CliRun e =
      run("render " + q(dir / "edited.plan.json") + " -o " + q(dir / "edited.mp4") + " --quiet");
  ASSERT_EQ(e.code, 0) << e.out;
  VideoReadOptions o;
  o.rgb_width = 160;
  const auto before0 = sample_frames((out_ / "graded.mp4").string(), 2, 2, 1, o);
  const auto after0 = sample_frames((dir / "edited.mp4").string(), 2, 2, 1, o);
  const int64_t mid = (last_first + last_last) / 2;
  const auto before1 = sample_frames((out_ / "graded.mp4").string(), mid, mid, 1, o);
  const auto after1 = sample_frames((dir / "edited.mp4").string(), mid, mid, 1, o);
  EXPECT_GT(mean_value(after0[0].rgb), mean_value(before0[0].rgb) + 0.05)
      << "shot 0 must be brighter";
  EXPECT_LT(mean_abs_diff(after1[0].rgb, before1[0].rgb), 0.01)
      << "the last shot is unchanged (codec noise only)";
}

TEST_F(GradeCli, ContinuityReducesTheSpreadWithinScenes) {
  const fs::path dir = autograde::testing::scratch_dir("pipeline_continuity");
  const CliRun r =
      run("grade " + q(media_ / "clip.mp4") + " --ref " +
          q(source("data/images/reference_teal_orange.png")) + " -o " + q(dir / "c.mp4") +
          " --continuity --continuity-target mean --scene-threshold 1 --samples 4 --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  const GradePlan plan = read_plan((dir / "c.plan.json").string());
  ASSERT_TRUE(plan.continuity);
  ASSERT_EQ(plan.continuity->scenes.size(), 1u);
  const nlohmann::json sc = to_json(plan.continuity->scenes[0]);
  EXPECT_EQ(sc["shots"].size(), plan.shots.size());
  // With the mean target every other shot is balanced (temperature, tint; ±1 stop at most) until
  // its mean a*b* is the hero's: reached exactly, or the balance stops at its limit (a shot whose
  // content is far off-colour, like this clip's magenta one). Either way the spread shrinks.
  EXPECT_LT(sc["ab_spread_after"].get<double>(), 0.75 * sc["ab_spread_before"].get<double>())
      << sc.dump();
  const int hero = sc["hero"].get<int>();
  const auto& hero_ab = plan.shots[size_t(hero)].match["continuity"]["mean_ab_after"];
  int reached = 0;
  for (size_t i = 0; i < plan.shots.size(); ++i) {
    if (int(i) == hero) continue;
    const auto& c = plan.shots[i].match["continuity"];
    const double da = c["mean_ab_after"][0].get<double>() - hero_ab[0].get<double>();
    const double db = c["mean_ab_after"][1].get<double>() - hero_ab[1].get<double>();
    const bool at_limit = std::abs(c["temperature"].get<double>()) > 0.999 ||
                          std::abs(c["tint"].get<double>()) > 0.999;
    EXPECT_TRUE(std::hypot(da, db) < 0.1 || at_limit) << c.dump();
    reached += std::hypot(da, db) < 0.1;
  }
  EXPECT_GE(reached, 1) << sc.dump();
  // Balanced on near-neutrals (the default), the neutrals' spread drops.
  const CliRun n = run("grade " + q(media_ / "clip.mp4") + " --ref " +
                       q(source("data/images/reference_teal_orange.png")) + " -o " +
                       q(dir / "n.mp4") + " --continuity --scene-threshold 1 --samples 4 --quiet");
  ASSERT_EQ(n.code, 0) << n.out;
  const GradePlan nplan = read_plan((dir / "n.plan.json").string());
  ASSERT_TRUE(nplan.continuity);
  const nlohmann::json ns = to_json(nplan.continuity->scenes[0]);
  EXPECT_LE(ns["solved_ab_spread_after"].get<double>(),
            0.5 * ns["solved_ab_spread_before"].get<double>() + 0.05)
      << ns.dump();
}

// --auto-correct stores one correction per shot in the plan; the shot's .cube is the correction
// followed by the look (checked against the plan's own pieces), and render reproduces grade.
// --method learned runs the learned generator (learn/lutgen.hpp) through the same pipeline.
TEST_F(GradeCli, AutoCorrectAndLearnedMethodGoIntoThePlanAndTheLuts) {
  const fs::path dir = autograde::testing::scratch_dir("pipeline_autocorrect");
  const CliRun r = run("grade " + q(media_ / "clip.mp4") + " --ref " +
                       q(source("data/images/reference_teal_orange.png")) + " -o " +
                       q(dir / "ac.mp4") + " --auto-correct --method learned --samples 3 --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(read_file((dir / "ac.plan.json").string()));
  const GradePlan plan = read_plan((dir / "ac.plan.json").string());
  ASSERT_GE(plan.shots.size(), 2u);
  for (size_t i = 0; i < plan.shots.size(); ++i) {
    const ShotPlan& s = plan.shots[i];
    ASSERT_TRUE(s.correction.has_value()) << "shot " << i;
    ASSERT_TRUE(s.correction->residual.has_value());
    EXPECT_EQ(j["shots"][i]["match"]["method"], "learned");
    const double k = j["shots"][i]["match"]["auto_correct"]["strength"].get<double>();
    EXPECT_TRUE(k >= 0.0 && k <= 1.0) << k;
    // The written LUT is look(correction(x)) at every lattice point (Rec.709 input).
    const LutFile cube = read_cube((dir / "ac_luts" / s.lut_file).string());
    const int n = cube.cube->size;
    double worst = 0;
    for (int b = 0; b < n; b += 4)
      for (int g = 0; g < n; g += 4)
        for (int rr = 0; rr < n; rr += 4) {
          const Rgb x{float(rr) / float(n - 1), float(g) / float(n - 1), float(b) / float(n - 1)};
          const Rgb want = apply_look(s.look, apply_look(*s.correction, x));
          const float* got = cube.cube->table.data() +
                             3 * ((size_t(b) * size_t(n) + size_t(g)) * size_t(n) + size_t(rr));
          for (int c = 0; c < 3; ++c) worst = std::max(worst, double(std::abs(got[c] - want[c])));
        }
    EXPECT_LT(worst, 1e-4) << "shot " << i;
  }
  const CliRun again =
      run("render " + q(dir / "ac.plan.json") + " -o " + q(dir / "again.mp4") + " --quiet");
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_TRUE(read_file((dir / "ac.mp4").string()) == read_file((dir / "again.mp4").string()));
}

TEST_F(GradeCli, BadInputsExitThreeAndLeaveNothing) {
  const fs::path dir = autograde::testing::scratch_dir("pipeline_errors");
  const std::string ref = " --ref " + q(source("data/images/reference_teal_orange.png"));
  struct Case {
    fs::path input;
    std::string expect;
  };
  for (const Case& c :
       {Case{media_ / "missing.mp4", "missing.mp4"}, Case{media_ / "audio_only.m4a", "no video"},
        Case{media_ / "truncated.mp4", "truncated"}}) {
    const CliRun r = run("grade " + q(c.input) + ref + " -o " + q(dir / "out.mp4") + " --quiet");
    EXPECT_EQ(r.code, 3) << c.input << ": " << r.out;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(c.input.filename().string()), std::string::npos)
        << "the message names the file: " << r.out;
    EXPECT_TRUE(fs::is_empty(dir)) << c.input << " left " << fs::directory_iterator(dir)->path();
  }
  // The truncation message says where the data ends.
  const CliRun t =
      run("grade " + q(media_ / "truncated.mp4") + ref + " -o " + q(dir / "out.mp4") + " --quiet");
  EXPECT_TRUE(t.out.find("frame") != std::string::npos || t.out.find(" s") != std::string::npos)
      << t.out;
  // A corrupt reference is a bad input too.
  std::ofstream(dir / "bad.png") << "not a png";
  const CliRun b = run("grade " + q(media_ / "clip.mp4") + " --ref " + q(dir / "bad.png") + " -o " +
                       q(dir / "o.mp4") + " --quiet");
  EXPECT_EQ(b.code, 3) << b.out;
  EXPECT_EQ(listing(dir), std::vector<std::string>{"bad.png"});
  // The stills are read while the clip is analysed; a bad one is still what is reported when the
  // clip turns out bad as well (as when it was read first).
  const CliRun both = run("grade " + q(media_ / "truncated.mp4") + " --ref " + q(dir / "bad.png") +
                          " -o " + q(dir / "o.mp4") + " --quiet");
  EXPECT_EQ(both.code, 3) << both.out;
  EXPECT_NE(both.out.find("bad.png"), std::string::npos) << both.out;
  EXPECT_EQ(listing(dir), std::vector<std::string>{"bad.png"});
}

TEST_F(GradeCli, OutputNamingTheInputIsRefusedAndTheInputKept) {
  const fs::path dir = autograde::testing::scratch_dir("pipeline_self");
  fs::copy_file(media_ / "clip.mp4", dir / "clip.mp4");
  const std::string before = read_file((dir / "clip.mp4").string());
  const CliRun r = run("grade " + q(dir / "clip.mp4") + " --ref " +
                       q(source("data/images/reference_teal_orange.png")) + " -o " +
                       q(dir / "clip.mp4") + " --quiet");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("refusing to overwrite"), std::string::npos) << r.out;
  EXPECT_EQ(read_file((dir / "clip.mp4").string()), before);
  EXPECT_EQ(listing(dir), std::vector<std::string>{"clip.mp4"});
  // The same through a different spelling of the path.
  const CliRun r2 = run("grade " + q(dir / "clip.mp4") + " --ref " +
                        q(source("data/images/reference_teal_orange.png")) + " -o " +
                        q(dir / "." / "clip.mp4") + " --quiet");
  EXPECT_EQ(r2.code, 2) << r2.out;
  EXPECT_EQ(read_file((dir / "clip.mp4").string()), before);
}

TEST_F(GradeCli, CtrlCLeavesNoPartialOutput) {
  const fs::path dir = autograde::testing::scratch_dir("pipeline_sigint");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string in = source("data/video/tears_of_steel_excerpt.mp4").string();
    const std::string ref = source("data/images/reference_teal_orange.png").string();
    const std::string out = (dir / "out.mp4").string();
    execl(AUTOGRADE_CLI, "autograde", "--quiet", "grade", in.c_str(), "--ref", ref.c_str(), "-o",
          out.c_str(), "--report", (dir / "r.html").c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until the render has started writing (a staging folder with the encoder's file).
  bool writing = false;
  // Generous cap (2 minutes): the loop ends as soon as writing starts, so only a loaded machine
  // waits long; this checks the clean-up, not the speed.
  for (int i = 0; i < 2400 && !writing; ++i) {
    usleep(50000);
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_directory() && e.path().extension() == ".partial" && !fs::is_empty(e.path()))
        writing = true;
  }
  EXPECT_TRUE(writing) << "grade never started writing";
  kill(pid, SIGINT);
  // Clean-up takes milliseconds; two minutes only guard against a hang (pipeline/cleanup.cpp).
  const std::optional<int> status = autograde::testing::wait_child(pid, 120);
  ASSERT_TRUE(status) << "grade did not end after SIGINT";
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGINT);
  EXPECT_TRUE(fs::is_empty(dir)) << "left " << fs::directory_iterator(dir)->path();
}

TEST_F(GradeCli, UntaggedFlatFootageGetsALogWarning) {
  const fs::path dir = autograde::testing::scratch_dir("pipeline_logwarn");
  // A log-like rendition of the clip: blacks lifted to ~10 %, whites held near 60 %, chroma
  // flattened (what ungraded S-Log3/LogC footage looks like), untagged.
  ASSERT_TRUE(sh(
      "ffmpeg -nostdin -v error -y -i " + q(media_ / "clip.mp4") +
      " -t 1 -an -vf \"lutyuv=y=64+val*0.45:u=128+(val-128)*0.4:v=128+(val-128)*0.4\" -c:v libx264 "
      "-preset veryfast " +
      q(dir / "flat.mp4")));
  const CliRun r = run("grade " + q(dir / "flat.mp4") + " --ref " +
                       q(source("data/images/reference_teal_orange.png")) + " -o " +
                       q(dir / "o.mp4") + " --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("--input-colorspace"), std::string::npos) << r.out;
  const GradePlan plan = read_plan((dir / "o.plan.json").string());
  EXPECT_TRUE(plan.colorspace_info["log_suspected"].get<bool>());
  // With the flag, no warning and the plan records the choice.
  const CliRun f = run("grade " + q(dir / "flat.mp4") + " --ref " +
                       q(source("data/images/reference_teal_orange.png")) + " -o " +
                       q(dir / "s.mp4") + " --input-colorspace slog3 --quiet");
  ASSERT_EQ(f.code, 0) << f.out;
  EXPECT_EQ(f.out.find("warning"), std::string::npos) << f.out;
  EXPECT_EQ(read_plan((dir / "s.plan.json").string()).input_colorspace, CameraLog::SLog3);
}

TEST_F(GradeCli, AOneHuedReferenceIsSaidOnceAndRecordedPerShot) {
  const fs::path dir = autograde::testing::scratch_dir("pipeline_onehued");
  // A reference that is all red planks (a flat brick red with grain): its colour is far outside
  // what photographs show, so `auto` matches only its tone (match_auto.cpp). `grade` warns once
  // per run, not once per shot; the plan and the report carry the note for every shot.
  ASSERT_TRUE(
      sh("ffmpeg -nostdin -v error -y -f lavfi -i color=c=0x9c3a22:s=160x120 -vf "
         "noise=alls=24:allf=u -frames:v 1 " +
         q(dir / "red.png")));
  const CliRun r = run("grade " + q(media_ / "clip.mp4") + " --ref " + q(dir / "red.png") +
                       " --method auto -o " + q(dir / "o.mp4") + " --report " + q(dir / "o.html") +
                       " --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string said = "scene's own colour";
  const size_t first = r.out.find(said);
  ASSERT_NE(first, std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(said, first + 1), std::string::npos) << "warned more than once:\n" << r.out;
  const GradePlan plan = read_plan((dir / "o.plan.json").string());
  ASSERT_GE(plan.shots.size(), 2u);
  for (const auto& s : plan.shots)
    EXPECT_NE(s.match["notes"].dump().find(said), std::string::npos) << s.match.dump();
  EXPECT_NE(read_file((dir / "o.html").string()).find(said), std::string::npos);
}

// One way to get a Look: `grade` (per shot, the shot's frames as sources) and `lut` (--source
// stills) must give the same LUT for the same reference, prompt and method. A LUT-only method
// with a prompt is where they used to differ (the prompt went before the matched LUT in grade
// and after it in lut: a "warm golden" prompt moved the two cubes apart by far more than the
// tolerance here). The clip is one still, losslessly encoded at the sample width, and grade
// samples one frame per shot, so its source is that still exactly; lut gets the still as decoded
// (through a 16-bit PNG).
TEST_F(GradeCli, GradeAndLutGiveTheSameLutForTheSameReferencePromptAndMethod) {
  const fs::path dir = autograde::testing::scratch_dir("pipeline_same_lut");
  ASSERT_TRUE(sh("ffmpeg -nostdin -v error -y -loop 1 -i " + q(source("data/images/coffee.png")) +
                 " -frames:v 12 -vf scale=256:144,format=yuv444p -c:v libx264 -qp 0 " +
                 q(dir / "still.mp4")));
  {
    VideoReader reader((dir / "still.mp4").string());
    VideoFrame f;
    ASSERT_TRUE(reader.next(f));
    ImageMeta meta;
    meta.format = SampleFormat::U16;
    meta.bits_per_sample = 16;
    write_image((dir / "frame.png").string(), f.rgb, meta);
  }
  const std::string ref = q(source("data/images/reference_teal_orange.png"));
  const std::string prompt = " --prompt \"warm golden sunset\"";
  // mkl: a transfer method (LUT only); auto: a parametric Look; auto dialled to 0.7 of the
  // reference's palette (a LUT). (reinhard is left out: its LUT corners move by up to 0.08
  // between an 8-bit and a 16-bit copy of the same source.)
  for (const std::string name : {"mkl", "auto", "transfer"}) {
    SCOPED_TRACE(name);
    const std::string method = name == "mkl" ? "mkl" : "auto";
    const std::string dial = name == "transfer" ? " --transfer 0.7" : "";
    const CliRun g = run("grade " + q(dir / "still.mp4") + " --ref " + ref + prompt + " --method " +
                         method + dial + " --samples 1 -o " + q(dir / (name + ".mp4")) + " --luts " +
                         q(dir / (name + "_luts")) + " --quiet");
    ASSERT_EQ(g.code, 0) << g.out;
    if (name == "transfer") {
      EXPECT_FLOAT_EQ(read_plan((dir / "transfer.plan.json").string()).transfer, 0.7f);
    }
    const CliRun l = run("lut --ref " + ref + prompt + " --method " + method + dial + " --source " +
                         q(dir / "frame.png") + " -o " + q(dir / (name + ".cube")) + " --quiet");
    ASSERT_EQ(l.code, 0) << l.out;
    const LutFile a = read_cube((dir / (name + "_luts") / "shot_000.cube").string());
    const LutFile b = read_cube((dir / (name + ".cube")).string());
    ASSERT_TRUE(a.cube && b.cube);
    ASSERT_EQ(a.cube->table.size(), b.cube->table.size());
    const Lut3D id = Lut3D::identity(a.cube->size);
    double worst = 0, mean = 0, moved = 0;
    for (size_t i = 0; i < a.cube->table.size(); ++i) {
      const double d = std::abs(a.cube->table[i] - b.cube->table[i]);
      worst = std::max(worst, d);
      mean += d / double(a.cube->table.size());
      moved = std::max(moved, double(std::abs(a.cube->table[i] - id.table[i])));
    }
    EXPECT_GT(moved, 0.05) << "the grade should do something";
    if (name == "transfer") {
      // A full transfer maps each of the footage's colours to the reference's by rank, so the
      // 16-bit PNG's rounding moves the table where the footage has no colours (measured: up
      // to 0.16 at the yellow corner of the gamut, extrapolated). What must agree is the
      // footage graded: both LUTs on the still's own pixels (measured: 0.025 at most, 0.0010
      // on average).
      ImageF by_grade = read_image((dir / "frame.png").string()).image, by_lut = by_grade;
      apply_reference(*a.cube, by_grade, Interp::Tetrahedral);
      apply_reference(*b.cube, by_lut, Interp::Tetrahedral);
      double frame_worst = 0, frame_mean = 0;
      for (size_t i = 0; i < by_grade.pixels.size(); ++i) {
        const double d = std::abs(by_grade.pixels[i] - by_lut.pixels[i]);
        frame_worst = std::max(frame_worst, d);
        frame_mean += d / double(by_grade.pixels.size());
      }
      std::fprintf(stderr, "transfer: footage graded by grade vs lut: worst %g mean %g\n", frame_worst, frame_mean);
      EXPECT_LT(frame_worst, 0.04) << "grade and lut grade the footage differently";
      EXPECT_LT(frame_mean, 0.003) << "grade and lut grade the footage differently";
      continue;
    }
    // The two differ only by the 16-bit PNG the still went through (measured: mkl 0.006 at
    // most, 0.0002 on average; before one path served both, mkl gave 0.50 and 0.097).
    EXPECT_LT(worst, 0.02) << "grade and lut disagree";
    EXPECT_LT(mean, 1e-3) << "grade and lut disagree";
  }
  // The dial belongs to `auto` and needs footage to carry the palette onto.
  const CliRun m = run("grade " + q(dir / "still.mp4") + " --ref " + ref + " --method mkl --transfer 0.5 -o " +
                       q(dir / "refused.mp4"));
  EXPECT_EQ(m.code, 2) << m.out;
  EXPECT_NE(m.out.find("--transfer"), std::string::npos) << m.out;
  const CliRun s = run("lut --ref " + ref + " --transfer 0.5 -o " + q(dir / "refused.cube"));
  EXPECT_EQ(s.code, 2) << s.out;
  EXPECT_NE(s.out.find("--source"), std::string::npos) << s.out;
  const CliRun r = run("grade " + q(dir / "still.mp4") + " --ref " + ref + " --transfer 1.5 -o " +
                       q(dir / "refused.mp4"));
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_FALSE(fs::exists(dir / "refused.mp4"));
  EXPECT_FALSE(fs::exists(dir / "refused.cube"));
}

// `correct` and `analyze` on camera-log footage go through the input colour space like `grade`:
// correcting footage flagged --input-colorspace slog3 must match correcting the same pictures
// converted to Rec.709 display first (here in this test, frame by frame with the library's
// S-Log3 conversion, into lossless 10-bit 4:4:4), and differ clearly from treating the log
// pictures as Rec.709.
TEST_F(GradeCli, CorrectOnLogFootageUsesTheInputColourSpace) {
  const fs::path dir = autograde::testing::scratch_dir("pipeline_correct_log");
  const fs::path clip = media_ / "clip.mp4";
  {
    VideoReader reader(clip.string());
    VideoWriteOptions wo;
    wo.codec = "ffv1";
    wo.pixel_format = "yuv444p10le";
    wo.copy_audio = false;
    VideoWriter writer((dir / "display.mkv").string(), reader.info(), wo);
    VideoFrame f;
    while (reader.next(f)) {
      camera_log_to_rec709_display(CameraLog::SLog3, f.rgb.pixels);
      writer.write(f.rgb, f.pts);
    }
    writer.finish();
  }
  const auto correct = [&](const std::string& in, const std::string& flags,
                           const std::string& out) {
    const CliRun r =
        run("correct " + q(in) + " " + flags + " --full -o " + q(dir / out) + " --quiet");
    EXPECT_EQ(r.code, 0) << r.out;
  };
  correct(clip.string(), "--input-colorspace slog3", "log.mkv");
  correct((dir / "display.mkv").string(), "", "display_corrected.mkv");
  correct(clip.string(), "--input-colorspace rec709", "as709.mkv");
  VideoReadOptions ro;
  ro.rgb_width = 160;
  VideoReader a((dir / "log.mkv").string(), ro), b((dir / "display_corrected.mkv").string(), ro),
      c((dir / "as709.mkv").string(), ro);
  VideoFrame fa, fb, fc;
  double same = 0, wrong = 0;
  int n = 0;
  while (a.next(fa)) {
    ASSERT_TRUE(b.next(fb) && c.next(fc));
    same += mean_abs_diff(fa.rgb, fb.rgb);
    wrong += mean_abs_diff(fa.rgb, fc.rgb);
    ++n;
  }
  ASSERT_GT(n, 0);
  std::cerr << "mean |difference|: via the colour space " << same / n << ", as Rec.709 "
            << wrong / n << "\n";
  // Measured: 0.013 (the 33³ LUT, the encoder) against 0.075.
  EXPECT_LT(same / n, 0.025) << "log footage corrected via its colour space";
  EXPECT_GT(wrong / n, 4 * same / n) << "treating log as Rec.709 must look different";

  const CliRun j = run("analyze " + q(clip) + " --input-colorspace slog3 --json");
  ASSERT_EQ(j.code, 0) << j.out;
  EXPECT_NE(j.out.find("\"slog3\""), std::string::npos) << j.out;
}

// Hand-off (issue 25): --lut-size sets the per-shot lattice and --lut-formats writes each shot's
// LUT again in other formats beside the .cube; read back through OpenColorIO they hold the
// same table within the format's precision.
TEST_F(GradeCli, LutFormatsAndSizeForHandOff) {
  const fs::path dir = autograde::testing::scratch_dir("pipeline_handoff");
  const CliRun r = run("grade " + q(media_ / "clip.mp4") + " --prompt 'cold teal night' -o " +
                       q(dir / "h.mp4") + " --lut-size 17 --lut-formats 3dl,CLF --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  const GradePlan plan = read_plan((dir / "h.plan.json").string());
  EXPECT_EQ(plan.lut_size, 17);
  for (const ShotPlan& s : plan.shots) {
    const fs::path cube = dir / "h_luts" / s.lut_file;
    const LutFile c = load_lut(cube.string());
    ASSERT_TRUE(c.cube);
    EXPECT_EQ(c.cube->size, 17);
    for (const auto& [ext, tolerance] : {std::pair{".3dl", 0.5f / 4095.f + 1e-6f},
                                         std::pair{".clf", 1e-6f}}) {
      const LutFile other = load_lut(fs::path(cube).replace_extension(ext).string());
      ASSERT_TRUE(other.cube) << ext;
      ASSERT_EQ(other.cube->size, 17) << ext;
      float worst = 0;
      for (size_t i = 0; i < c.cube->table.size(); ++i)
        worst = std::max(worst, std::abs(c.cube->table[i] - other.cube->table[i]));
      EXPECT_LE(worst, tolerance) << ext;
    }
  }
  // Three formats of each shot's LUT; the region LUTs are .cube only.
  EXPECT_EQ(listing(dir / "h_luts").size(),
            3 * plan.shots.size() + plan_lut_files(plan).size() - plan.shots.size());
  const CliRun bad = run("grade " + q(media_ / "clip.mp4") + " --prompt warm -o " +
                         q(dir / "b.mp4") + " --lut-formats xyz --quiet");
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_FALSE(fs::exists(dir / "b.mp4") || fs::exists(dir / "b_luts"));
}

// ASC CDL hand-off (issue 25), checked through OpenColorIO as a finishing tool would read it:
// each shot's .cdl (ASC clamping style) followed by its after-CDL LUT follows the shot's grade
// (its Look evaluated exactly) about as closely as the shot's .cube does — within 1.5 times the
// .cube's error or 2 code values — and the EDL carries the same CDL numbers and LUT names.
TEST_F(GradeCli, CdlHandOffReproducesEachShotsLutThroughOcio) {
  namespace OCIO = OCIO_NAMESPACE;
  const fs::path dir = autograde::testing::scratch_dir("pipeline_cdl");
  const CliRun r = run("grade " + q(media_ / "clip.mp4") + " --prompt 'warm golden hour' -o " +
                       q(dir / "h.mp4") + " --cdl --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  const GradePlan plan = read_plan((dir / "h.plan.json").string());
  ASSERT_EQ(plan.input_colorspace, CameraLog::Rec709);
  const std::string edl = read_file((dir / "h.edl").string());
  auto config = OCIO::Config::CreateRaw();
  int nontrivial = 0;  // shots whose CDL does part of the grade (not the identity fallback)
  for (const ShotPlan& s : plan.shots) {
    const fs::path cube = dir / "h_luts" / s.lut_file;
    const std::string id = cube.stem().string();
    const fs::path after = fs::path(cube).replace_extension(".after_cdl.cube");
    auto cdl = OCIO::CDLTransform::CreateFromFile(
        fs::path(cube).replace_extension(".cdl").c_str(), id.c_str());
    cdl->setStyle(OCIO::CDL_ASC);
    auto file = [](const fs::path& p) {
      auto t = OCIO::FileTransform::Create();
      t->setSrc(p.c_str());
      t->setInterpolation(OCIO::INTERP_TETRAHEDRAL);
      return t;
    };
    auto pair = OCIO::GroupTransform::Create();
    pair->appendTransform(cdl);
    pair->appendTransform(file(after));
    auto a = config->getProcessor(pair)->getDefaultCPUProcessor();
    auto b = config->getProcessor(file(cube))->getDefaultCPUProcessor();
    // A 17³ lattice (nodes of the .cube's 33³ one) and as many random colours between them.
    float pair_error = 0, cube_error = 0;
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    for (int i = 0; i < 2 * 17 * 17 * 17; ++i) {
      const int k = i % (17 * 17 * 17);
      const Rgb x = i < 17 * 17 * 17
                        ? Rgb{float(k % 17) / 16.f, float(k / 17 % 17) / 16.f, float(k / 289) / 16.f}
                        : Rgb{u(rng), u(rng), u(rng)};
      const Rgb g = apply_look(s.look, x);  // the grade: a Rec.709 clip, no correction
      float pa[3] = {x[0], x[1], x[2]}, pb[3] = {x[0], x[1], x[2]};
      a->applyRGB(pa);
      b->applyRGB(pb);
      for (int c = 0; c < 3; ++c) {
        pair_error = std::max(pair_error, std::abs(pa[c] - g[c]));
        cube_error = std::max(cube_error, std::abs(pb[c] - g[c]));
      }
    }
    EXPECT_LE(pair_error, std::max(2.f / 255.f, 1.5f * cube_error) + 1e-4f) << id;
    // The EDL event of this shot names its after-CDL LUT and carries the .cdl's slope.
    EXPECT_NE(edl.find("*LUT: " + after.filename().string()), std::string::npos) << edl;
    double slope[3];
    cdl->getSlope(slope);
    nontrivial += std::abs(slope[0] - 1) + std::abs(slope[1] - 1) + std::abs(slope[2] - 1) > 1e-3;
    EXPECT_NE(edl.find(fmt::format("*ASC_SOP ({:.6f} {:.6f} {:.6f})", slope[0], slope[1], slope[2])),
              std::string::npos)
        << edl;
  }
  size_t events = 0;
  for (size_t p = edl.find("*ASC_SAT"); p != std::string::npos; p = edl.find("*ASC_SAT", p + 1))
    ++events;
  EXPECT_EQ(events, plan.shots.size());
  EXPECT_GE(nontrivial, 1) << r.out;
}

// --preview (issue 25): analysis and matching only. The contact sheet is written (a row per
// shot: before | after at the sample width), with the plan and the LUTs, and no clip; rendering
// that plan later gives exactly the clip a full grade writes.
TEST_F(GradeCli, PreviewWritesASheetAndAPlanThatRendersLikeTheGrade) {
  const fs::path dir = autograde::testing::scratch_dir("pipeline_preview");
  const std::string args = "grade " + q(media_ / "clip.mp4") + " --prompt 'cold teal night'";
  const CliRun p = run(args + " -o " + q(dir / "p.mp4") + " --preview " + q(dir / "sheet.png"));
  ASSERT_EQ(p.code, 0) << p.out;
  EXPECT_FALSE(fs::exists(dir / "p.mp4"));
  const GradePlan plan = read_plan((dir / "p.plan.json").string());
  const ImageF sheet = read_image((dir / "sheet.png").string()).image;
  EXPECT_EQ(sheet.width, 3 * 8 + 2 * 256);
  EXPECT_GT(sheet.height, int(plan.shots.size()) * 144);  // 320x180 clip → 256x144 samples
  size_t luts = 0;  // one per shot, plus region LUTs (skin: also the single protected LUT)
  for (const auto& s : plan.shots) {
    luts += 1 + s.regions.size();
    for (const auto& r : s.regions) luts += r.region == "skin";
  }
  EXPECT_EQ(listing(dir / "p_luts").size(), luts);
  ASSERT_EQ(run(args + " -o " + q(dir / "g.mp4") + " --quiet").code, 0);
  ASSERT_EQ(run("render " + q(dir / "p.plan.json") + " -o " + q(dir / "r.mp4") + " --quiet").code, 0);
  EXPECT_TRUE(read_file((dir / "r.mp4").string()) == read_file((dir / "g.mp4").string()));
  const CliRun bad = run(args + " -o " + q(dir / "b.mp4") + " --preview " + q(dir / "s.txt"));
  EXPECT_EQ(bad.code, 2) << bad.out;
}
