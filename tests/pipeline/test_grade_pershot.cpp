// Per-shot control and the OpenColorIO hand-off of `autograde grade` (issue 25), through the
// real binary on the bundled clip (3.5 s of the Tears of Steel excerpt at 320x180, cuts at ~0.9
// and ~2.7 s: three shots, numbered from 0): --exclude, --lock, --shot-ref and their errors,
// and --ocio checked against OpenColorIO itself (its processors and the `ociocheck` binary).
#include <OpenColorIO/OpenColorIO.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "autograde/color/camera_log.hpp"
#include "autograde/core/cleanup.hpp"
#include "autograde/core/files.hpp"
#include "autograde/engine/renderer.hpp"
#include "autograde/look/look.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/core/error.hpp"
#include "autograde/pipeline/continuity.hpp"
#include "autograde/pipeline/ocio_handoff.hpp"
#include "autograde/pipeline/plan.hpp"
#include "autograde/pipeline/render.hpp"
#include "cli_support.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace OCIO = OCIO_NAMESPACE;
using namespace autograde;

namespace {

using autograde::testing::CliRun;
using autograde::testing::listing;
using autograde::testing::sh;

CliRun run(std::string args) { return autograde::testing::run_cli(std::move(args)); }
std::string q(const fs::path& p) { return autograde::testing::quoted(p); }
fs::path source(const std::string& rel) { return autograde::testing::source_dir() / rel; }

const std::string kPrompt = " --prompt 'cold teal night'";

// Mean absolute difference (code values 0..1) of two clips over frames [first, last].
double clip_difference(const fs::path& a, const fs::path& b, int64_t first, int64_t last) {
  VideoReader ra(a.string()), rb(b.string());
  VideoFrame fa, fb;
  double sum = 0;
  size_t n = 0;
  while (ra.next(fa) && rb.next(fb)) {
    if (fa.index < first) continue;
    if (fa.index > last) break;
    for (size_t i = 0; i < fa.rgb.pixels.size(); ++i)
      sum += std::abs(fa.rgb.pixels[i] - fb.rgb.pixels[i]);
    n += fa.rgb.pixels.size();
  }
  return n ? sum / double(n) : -1.0;
}

// Every input colour of a dense grid: 65³ lattice points (between the .cube's 33³ nodes too)
// and 20000 fixed pseudo-random colours.
std::vector<float> dense_grid() {
  std::vector<float> rgb;
  constexpr int n = 65;
  for (int i = 0; i < n * n * n; ++i)
    for (int v : {i % n, i / n % n, i / (n * n)}) rgb.push_back(float(v) / (n - 1));
  std::mt19937 rng(25);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (int i = 0; i < 3 * 20000; ++i) rgb.push_back(u(rng));
  return rgb;
}

// The largest difference, in 8-bit code values, between OCIO's look `look` (applied from the
// config's input colour space to itself) and our engine applying `cube` (tetrahedral).
double look_vs_cube(const OCIO::ConstConfigRcPtr& config, const std::string& look,
                    const Lut3D& cube) {
  const std::string input = config->getLook(look.c_str())->getProcessSpace();
  auto lt = OCIO::LookTransform::Create();
  lt->setSrc(input.c_str());
  lt->setDst(input.c_str());
  lt->setLooks(look.c_str());
  const auto cpu = config->getProcessor(lt)->getDefaultCPUProcessor();
  std::vector<float> grid = dense_grid(), ocio = grid;
  OCIO::PackedImageDesc desc(ocio.data(), long(ocio.size() / 3), 1, 3);
  cpu->apply(desc);
  ImageF ours(int(grid.size() / 3), 1, 3);
  ours.pixels = grid;
  make_renderer(cube, PixelFormat{SampleType::F32, Layout::Packed, 3}, Interp::Tetrahedral)
      .apply(ours);
  double worst = 0;
  for (size_t i = 0; i < grid.size(); ++i)
    worst = std::max(worst, 255.0 * std::abs(double(ocio[i]) - double(ours.pixels[i])));
  return worst;
}

bool have_ociocheck() { return sh("command -v ociocheck"); }

CliRun run_command(const std::string& cmd) { return autograde::testing::run_shell(cmd); }

}  // namespace

class GradePerShot : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    media_ = autograde::testing::scratch_dir("pershot_media");
    ASSERT_TRUE(sh("ffmpeg -nostdin -v error -y -i " +
                   q(source("data/video/tears_of_steel_excerpt.mp4")) +
                   " -t 3.5 -vf scale=320:180 -an -c:v libx264 -preset veryfast -crf 16 "
                   "-pix_fmt yuv420p " +
                   q(media_ / "clip.mp4")));
    out_ = autograde::testing::scratch_dir("pershot_grade");
    base_ = run("grade " + q(media_ / "clip.mp4") + kPrompt + " -o " + q(out_ / "base.mp4") +
                " --quiet");
  }
  static GradePlan base_plan() { return read_plan((out_ / "base.plan.json").string()); }
  static std::string base_lut(const std::string& name) {
    return read_file((out_ / "base_luts" / name).string());
  }
  static inline fs::path media_, out_;
  static inline CliRun base_;
};

// --exclude 1: shot 1's LUT is the identity (a Rec.709 clip has no input conversion), its
// frames come out as they went in (within the re-encode), the plan says so, and every other
// shot is graded exactly as without the option.
TEST_F(GradePerShot, ExcludedShotRendersUngradedAndTheOthersAsBefore) {
  ASSERT_EQ(base_.code, 0) << base_.out;
  const fs::path dir = autograde::testing::scratch_dir("pershot_exclude");
  const CliRun r = run("grade " + q(media_ / "clip.mp4") + kPrompt + " --exclude 1 -o " +
                       q(dir / "ex.mp4"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("look: none (excluded)"), std::string::npos) << r.out;
  const GradePlan base = base_plan();
  const GradePlan plan = read_plan((dir / "ex.plan.json").string());
  ASSERT_GE(plan.shots.size(), 3u);
  ASSERT_EQ(plan.shots.size(), base.shots.size());
  const nlohmann::json j = read_plan_json((dir / "ex.plan.json").string());
  EXPECT_EQ(j["shots"][1]["excluded"], true);
  EXPECT_FALSE(j["shots"][0].contains("excluded"));
  EXPECT_TRUE(is_identity(plan.shots[1].look));
  const Lut3D lut = *read_cube((dir / "ex_luts" / plan.shots[1].lut_file).string()).cube;
  const Lut3D id = Lut3D::identity(lut.size);
  for (size_t i = 0; i < lut.table.size(); ++i) ASSERT_NEAR(lut.table[i], id.table[i], 1e-6f);
  for (size_t i = 0; i < plan.shots.size(); ++i) {
    if (i == 1) continue;
    EXPECT_EQ(read_file((dir / "ex_luts" / plan.shots[i].lut_file).string()),
              base_lut(base.shots[i].lut_file))
        << "shot " << i;
  }
  const ShotPlan& s1 = plan.shots[1];
  const double excluded = clip_difference(media_ / "clip.mp4", dir / "ex.mp4", s1.first_frame,
                                          s1.last_frame);
  const double graded = clip_difference(media_ / "clip.mp4", dir / "ex.mp4",
                                        plan.shots[0].first_frame, plan.shots[0].last_frame);
  // The yardstick: the same frames re-encoded by ffmpeg's x264 at the grade's CRF 18.
  ASSERT_TRUE(sh("ffmpeg -nostdin -v error -y -i " + q(media_ / "clip.mp4") +
                 " -c:v libx264 -crf 18 -pix_fmt yuv420p " + q(dir / "reencoded.mp4")));
  const double reencoded = clip_difference(media_ / "clip.mp4", dir / "reencoded.mp4",
                                           s1.first_frame, s1.last_frame);
  std::cout << "shot 1 mean |difference| from the source: excluded " << 255 * excluded
            << ", ffmpeg re-encode " << 255 * reencoded << ", graded shot 0 " << 255 * graded
            << " (8-bit code values)\n";
  EXPECT_LT(excluded, 1.25 * reencoded + 0.5 / 255) << "an excluded shot is only re-encoded";
  EXPECT_GT(graded, 4 * excluded) << "the graded shot beside it changed";

  // refine keeps it ungraded: all-shot edits skip it, naming it is refused.
  const CliRun all = run("refine " + q(dir / "ex.plan.json") + " --contrast +20 -o " +
                         q(dir / "r.plan.json") + " --quiet");
  ASSERT_EQ(all.code, 0) << all.out;
  const GradePlan refined = read_plan((dir / "r.plan.json").string());
  EXPECT_TRUE(refined.shots[1].excluded);
  EXPECT_TRUE(is_identity(refined.shots[1].look));
  EXPECT_FALSE(is_identity(refined.shots[0].look));
  const CliRun one = run("refine " + q(dir / "ex.plan.json") + " --contrast +20 --shot 1 -o " +
                         q(dir / "r1.plan.json"));
  EXPECT_EQ(one.code, 2) << one.out;
  EXPECT_NE(one.out.find("--shot 1"), std::string::npos) << one.out;
  EXPECT_FALSE(fs::exists(dir / "r1.plan.json"));

  // A hand-edited plan that grades an excluded shot is refused, naming the field.
  nlohmann::json bad = j;
  bad["shots"][1]["look"]["exposure"] = 0.5;
  std::ofstream(dir / "bad.plan.json") << bad.dump(2);
  const CliRun b = run("render " + q(dir / "bad.plan.json") + " -o " + q(dir / "bad.mp4"));
  EXPECT_EQ(b.code, 3) << b.out;
  EXPECT_NE(b.out.find("shots[1].excluded"), std::string::npos) << b.out;
}

// --shot-ref 2=IMG: shot 2 is matched to IMG (on top of the prompt, like --ref), every other
// shot keeps the plain grade byte for byte; without --ref and --prompt every shot needs one.
TEST_F(GradePerShot, ShotRefChangesOnlyThatShot) {
  ASSERT_EQ(base_.code, 0) << base_.out;
  const fs::path dir = autograde::testing::scratch_dir("pershot_ref");
  const fs::path img = source("data/images/coffee.png");
  const CliRun r = run("grade " + q(media_ / "clip.mp4") + kPrompt + " --shot-ref 2=" + q(img) +
                       " -o " + q(dir / "s.mp4") + " --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  const GradePlan base = base_plan();
  const GradePlan plan = read_plan((dir / "s.plan.json").string());
  ASSERT_EQ(plan.shots.size(), base.shots.size());
  for (size_t i = 0; i < plan.shots.size(); ++i) {
    const std::string lut = read_file((dir / "s_luts" / plan.shots[i].lut_file).string());
    if (i == 2) {
      EXPECT_NE(lut, base_lut(base.shots[i].lut_file));
    } else {
      EXPECT_EQ(lut, base_lut(base.shots[i].lut_file)) << "shot " << i;
    }
  }
  EXPECT_EQ(plan.shots[2].match.value("reference", ""), fs::absolute(img).lexically_normal().string());
  EXPECT_TRUE(plan.shots[2].match.contains("confidence"));
  EXPECT_FALSE(plan.shots[0].match.contains("reference"));

  // No global --ref or --prompt: shots 0 and 1 have nothing to match until they get one.
  const std::string clip = q(media_ / "clip.mp4");
  const CliRun missing =
      run("grade " + clip + " --shot-ref 2=" + q(img) + " -o " + q(dir / "m.mp4"));
  EXPECT_EQ(missing.code, 2) << missing.out;
  EXPECT_NE(missing.out.find("shot(s) 0, 1 have nothing to match"), std::string::npos)
      << missing.out;
  EXPECT_FALSE(fs::exists(dir / "m.mp4") || fs::exists(dir / "m_luts"));
  const CliRun each = run("grade " + clip + " --shot-ref 2=" + q(img) + " --shot-ref 0=" +
                          q(source("data/images/chelsea.png")) + " --exclude 1 -o " +
                          q(dir / "e.mp4") + " --quiet");
  ASSERT_EQ(each.code, 0) << each.out;
  const GradePlan e = read_plan((dir / "e.plan.json").string());
  EXPECT_EQ(e.method, "learned");  // the default (shot_look.hpp)
  EXPECT_EQ(e.reference, "");
  EXPECT_TRUE(e.shots[1].excluded);
  EXPECT_FALSE(is_identity(e.shots[2].look));
}

// --lock N keeps the look the shot has in the existing plan, byte for byte in the plan and in
// its LUT, while the other shots are graded again; continuity neither moves a locked shot nor
// an excluded one. Changed boundaries, another input or no plan are refused (exit 2).
TEST_F(GradePerShot, LockKeepsTheOldLookByteForByte) {
  ASSERT_EQ(base_.code, 0) << base_.out;
  const fs::path dir = autograde::testing::scratch_dir("pershot_lock");
  const std::string clip = q(media_ / "clip.mp4");
  const std::string out = " -o " + q(dir / "l.mp4");
  const CliRun lock_without_plan = run("grade " + clip + kPrompt + " --lock 1" + out);
  EXPECT_EQ(lock_without_plan.code, 2) << lock_without_plan.out;
  EXPECT_NE(lock_without_plan.out.find("--lock"), std::string::npos) << lock_without_plan.out;
  ASSERT_EQ(run("grade " + clip + kPrompt + out + " --quiet").code, 0);
  const std::string old_text = read_file((dir / "l.plan.json").string());
  const nlohmann::json old = nlohmann::json::parse(old_text);
  const GradePlan old_plan = read_plan((dir / "l.plan.json").string());
  std::vector<std::string> old_luts;
  for (const ShotPlan& s : old_plan.shots)
    old_luts.push_back(read_file((dir / "l_luts" / s.lut_file).string()));

  const CliRun r = run("grade " + clip + " --prompt 'warm golden hour' --lock 1 --exclude 0 "
                       "--continuity --scene-threshold 1" + out);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("(locked: kept from the plan)"), std::string::npos) << r.out;
  const nlohmann::json now = read_plan_json((dir / "l.plan.json").string());
  const GradePlan plan = read_plan((dir / "l.plan.json").string());
  EXPECT_EQ(now["shots"][1]["look"].dump(), old["shots"][1]["look"].dump());
  EXPECT_EQ(now["shots"][1]["locked"], true);
  EXPECT_EQ(read_file((dir / "l_luts" / plan.shots[1].lut_file).string()), old_luts[1]);
  EXPECT_NE(read_file((dir / "l_luts" / plan.shots[2].lut_file).string()), old_luts[2])
      << "the unlocked shot is graded again";
  EXPECT_TRUE(plan.shots[0].excluded);
  EXPECT_TRUE(is_identity(plan.shots[0].look));
  // Continuity: the locked shot is the scene's hero (the one look that cannot move), the
  // excluded one is matched to nothing.
  ASSERT_TRUE(plan.continuity);
  ASSERT_EQ(plan.continuity->scenes.size(), 1u);
  EXPECT_EQ(plan.continuity->scenes[0].hero, 1);
  EXPECT_EQ(now["shots"][0]["match"]["continuity"]["fixed"], true);
  EXPECT_EQ(now["shots"][0]["match"]["continuity"]["temperature"], 0.0);

  // Refine leaves the locked shot alone unless it is named.
  ASSERT_EQ(run("refine " + q(dir / "l.plan.json") + " --saturation +30 -o " +
                q(dir / "r.plan.json") + " --quiet")
                .code,
            0);
  const nlohmann::json refined = read_plan_json((dir / "r.plan.json").string());
  EXPECT_EQ(refined["shots"][1]["look"].dump(), now["shots"][1]["look"].dump());
  EXPECT_NE(refined["shots"][2]["look"].dump(), now["shots"][2]["look"].dump());

  // Boundaries moved by one frame in the plan: shot 1 is not the stretch it was.
  nlohmann::json moved = now;
  moved["shots"][0]["last_frame"] = moved["shots"][0]["last_frame"].get<int64_t>() - 1;
  moved["shots"][1]["first_frame"] = moved["shots"][1]["first_frame"].get<int64_t>() - 1;
  std::ofstream(dir / "moved.plan.json") << moved.dump(2);
  const CliRun m = run("grade " + clip + kPrompt + " --lock 1 --plan " +
                       q(dir / "moved.plan.json") + " -o " + q(dir / "m.mp4"));
  EXPECT_EQ(m.code, 2) << m.out;
  EXPECT_NE(m.out.find("--lock 1: shot 1 is frames"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("boundaries changed"), std::string::npos) << m.out;
  EXPECT_EQ(read_plan_json((dir / "moved.plan.json").string()), moved) << "the old plan is kept";
  EXPECT_FALSE(fs::exists(dir / "m.mp4"));

  // Another input (the same pictures under another name) is not the plan's clip.
  fs::copy_file(media_ / "clip.mp4", dir / "other.mp4", fs::copy_options::overwrite_existing);
  const CliRun o = run("grade " + q(dir / "other.mp4") + kPrompt + " --lock 1 --plan " +
                       q(dir / "l.plan.json") + " -o " + q(dir / "o.mp4"));
  EXPECT_EQ(o.code, 2) << o.out;
  EXPECT_NE(o.out.find("--lock: the plan"), std::string::npos) << o.out;
}

// Bad shot numbers and images: exit 2 (usage) or 3 (unreadable image), the option named,
// nothing written.
TEST_F(GradePerShot, BadPerShotOptionsAreRefusedNamingTheOption) {
  ASSERT_EQ(base_.code, 0) << base_.out;
  const fs::path dir = autograde::testing::scratch_dir("pershot_errors");
  const std::string head = "grade " + q(media_ / "clip.mp4") + kPrompt + " -o " +
                           q(dir / "x.mp4") + " ";
  const std::string img = q(source("data/images/coffee.png"));
  fs::create_directories(dir / "folder.png");
  std::ofstream(dir / "broken.png") << "not a png";
  const std::vector<std::tuple<std::string, int, std::string>> cases{
      {"--exclude 7", 2, "--exclude 7: the clip has 3 shots (numbered from 0: 0..2)"},
      {"--exclude 1 --exclude 1", 2, "--exclude names shot 1 twice"},
      {"--exclude -1", 2, "--exclude"},
      {"--lock 1 --lock 1", 2, "--lock names shot 1 twice"},
      {"--exclude 1 --lock 1", 2, "--exclude 1 and --lock 1"},
      {"--shot-ref 3=" + img, 2, "--shot-ref 3: the clip has 3 shots"},
      {"--shot-ref 1=" + img + " --shot-ref 1=" + img, 2, "--shot-ref names shot 1 twice"},
      {"--shot-ref one=" + img, 2, "--shot-ref 'one="},
      {"--shot-ref 1", 2, "--shot-ref '1' must be N=IMG"},
      {"--shot-ref 1=" + img + " --exclude 1", 2, "--shot-ref 1=... and --exclude 1"},
      {"--shot-ref 1=" + q(dir / "missing.png"), 3, "no such file (--shot-ref 1)"},
      {"--shot-ref 1=" + q(dir / "broken.png"), 3, "--shot-ref 1: "},
      {"--shot-ref 1=" + q(dir / "folder.png"), 3, "--shot-ref 1: "},
  };
  for (const auto& [args, code, message] : cases) {
    const CliRun r = run(head + args);
    EXPECT_EQ(r.code, code) << args << "\n" << r.out;
    EXPECT_NE(r.out.find(message), std::string::npos) << args << "\n" << r.out;
  }
  EXPECT_EQ(listing(dir), (std::vector<std::string>{"broken.png", "folder.png"}));
}

// --ocio DIR on grade and render: a self-contained OCIO v2 config whose look per shot
// reproduces the shot's .cube (our engine) within one 8-bit code value, which OpenColorIO
// loads and `ociocheck` accepts; render writes the same config from the plan.
TEST_F(GradePerShot, OcioConfigLooksReproduceEachShotsCube) {
  ASSERT_EQ(base_.code, 0) << base_.out;
  const fs::path dir = autograde::testing::scratch_dir("pershot_ocio");
  const CliRun r = run("grade " + q(media_ / "clip.mp4") + kPrompt + " --exclude 1 -o " +
                       q(dir / "g.mp4") + " --ocio " + q(dir / "ocio"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("ocio:   " + (dir / "ocio" / "config.ocio").string()), std::string::npos)
      << r.out;
  const GradePlan plan = read_plan((dir / "g.plan.json").string());
  std::vector<std::string> files{"config.ocio"};
  for (const ShotPlan& s : plan.shots) files.push_back(s.lut_file);
  std::sort(files.begin(), files.end());
  EXPECT_EQ(listing(dir / "ocio"), files);
  const auto config = OCIO::Config::CreateFromFile((dir / "ocio" / "config.ocio").c_str());
  config->validate();
  ASSERT_EQ(config->getNumLooks(), int(plan.shots.size()));
  double worst = 0;
  for (size_t i = 0; i < plan.shots.size(); ++i) {
    const std::string name = ocio_look_name(i);
    ASSERT_STREQ(config->getLookNameByIndex(int(i)), name.c_str());
    const Lut3D cube = *read_cube((dir / "g_luts" / plan.shots[i].lut_file).string()).cube;
    EXPECT_EQ(read_file((dir / "ocio" / plan.shots[i].lut_file).string()),
              read_file((dir / "g_luts" / plan.shots[i].lut_file).string()));
    const double d = look_vs_cube(config, name, cube);
    worst = std::max(worst, d);
    EXPECT_LE(d, 1.0) << name;
  }
  std::cout << "OCIO look vs .cube (our engine), max over shots: " << worst
            << " 8-bit code values\n";
  // A Rec.709 clip's scene reference: the BT.709 OETF undone, as autograde reads such video.
  // OCIO's curve joins its linear toe where the power segment's slope meets it; BT.709's
  // rounded constants (4.5, 0.018) are not exactly continuous, so the toe differs by 3.4e-5.
  {
    const auto lin =
        config->getProcessor("Rec.709 display", "Linear Rec.709")->getDefaultCPUProcessor();
    for (float v : {0.0f, 0.05f, 0.081f, 0.3f, 0.7f, 1.0f}) {
      float p[3] = {v, v, v};
      lin->applyRGB(p);
      EXPECT_NEAR(p[0], camera_log_to_linear_rec709(CameraLog::Rec709, Vec3{v, v, v})[0], 5e-5)
          << v;
    }
  }
  // The same through the display's "Shot look" view with the look picked as an override.
  auto dv = OCIO::DisplayViewTransform::Create();
  dv->setSrc("Rec.709 display");
  dv->setDisplay("Rec.709");
  dv->setView("Shot look");
  auto vp = OCIO::LegacyViewingPipeline::Create();
  vp->setDisplayViewTransform(dv);
  vp->setLooksOverride("shot_002");
  vp->setLooksOverrideEnabled(true);
  auto cpu = vp->getProcessor(config)->getDefaultCPUProcessor();
  const Lut3D cube2 = *read_cube((dir / "g_luts" / plan.shots[2].lut_file).string()).cube;
  for (float v : {0.1f, 0.45f, 0.8f}) {
    float p[3] = {v, 0.5f * v, 1.f - v};
    const Rgb want = sample_tetrahedral(cube2, {p[0], p[1], p[2]});
    cpu->applyRGB(p);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(p[c], want[c], 1.0 / 255);
  }

  // render --ocio writes the same config from the plan.
  const CliRun rr = run("render " + q(dir / "g.plan.json") + " -o " + q(dir / "r.mp4") +
                        " --ocio " + q(dir / "ocio2") + " --quiet");
  ASSERT_EQ(rr.code, 0) << rr.out;
  EXPECT_EQ(read_file((dir / "ocio2" / "config.ocio").string()),
            read_file((dir / "ocio" / "config.ocio").string()));
  EXPECT_EQ(listing(dir / "ocio2"), files);

  if (!have_ociocheck()) GTEST_SKIP() << "ociocheck (Debian opencolorio-tools) is not installed";
  const CliRun check = run_command("ociocheck --iconfig " + q(dir / "ocio" / "config.ocio"));
  EXPECT_EQ(check.code, 0) << check.out;
  std::cout << check.out;
}

// A camera-log plan's config (no log footage needed: the plan is made here): the input colour
// space converts to Rec.709 display as autograde does, each look equals its .cube within a code
// value, and ociocheck accepts it.
TEST(OcioHandoff, CameraLogConfigConvertsAsAutogradeDoes) {
  const fs::path dir = autograde::testing::scratch_dir("pershot_ocio_slog3");
  GradePlan plan;
  plan.input_path = (dir / "clip.mov").string();
  plan.input_colorspace = CameraLog::SLog3;
  plan.lut_size = 33;
  for (int i = 0; i < 2; ++i) {
    ShotPlan s;
    s.index = i;
    s.first_frame = i * 10;
    s.last_frame = i * 10 + 9;
    s.lut_file = fmt::format("shot_{:03d}.cube", i);
    s.look = identity_look();
    if (i == 0) s.look.temperature = -0.3f, s.look.contrast = 1.2f, s.look.saturation = 1.1f;
    else s.excluded = true;
    plan.shots.push_back(s);
  }
  const std::vector<Lut3D> luts = plan_luts(plan);
  {
    StagedOutputs staged;
    stage_ocio_config(plan, luts, dir.string(), staged);
    staged.commit_all();
  }
  const auto config = OCIO::Config::CreateFromFile((dir / "config.ocio").c_str());
  const std::string input = "S-Log3 S-Gamut3.Cine";
  ASSERT_TRUE(config->getColorSpace(input.c_str()));
  EXPECT_STREQ(config->getLook("shot_000")->getProcessSpace(), input.c_str());
  // Ungraded: OCIO's conversion through the config against camera_log_to_rec709_display.
  const auto cpu = config->getProcessor(input.c_str(), "Rec.709 display")->getDefaultCPUProcessor();
  std::vector<float> grid = dense_grid(), ours = grid;
  grid.resize(3 * 17 * 17 * 17 * 4), ours.resize(grid.size());
  OCIO::PackedImageDesc desc(grid.data(), long(grid.size() / 3), 1, 3);
  cpu->apply(desc);
  camera_log_to_rec709_display(CameraLog::SLog3, ours);
  double worst = 0;
  for (size_t i = 0; i < grid.size(); ++i) worst = std::max(worst, double(std::abs(grid[i] - ours[i])));
  EXPECT_LE(worst, 1e-3) << "the config's S-Log3 -> Rec.709 display";
  double look_worst = 0;
  for (size_t i = 0; i < plan.shots.size(); ++i) {
    const double d = look_vs_cube(config, ocio_look_name(i), luts[i]);
    look_worst = std::max(look_worst, d);
    EXPECT_LE(d, 1.0) << i;
  }
  std::cout << "S-Log3 config: input -> Rec.709 display vs autograde " << worst
            << ", looks vs .cube " << look_worst << " (8-bit code values for the looks)\n";
  // The plan's interpolation is the looks' (a plan edited to trilinear gives OCIO's linear).
  EXPECT_NE(read_file((dir / "config.ocio").string()).find("interpolation: tetrahedral"),
            std::string::npos);
  GradePlan trilinear = plan;
  trilinear.interp = Interp::Trilinear;
  const std::string text = ocio_config_text(trilinear);
  EXPECT_NE(text.find("interpolation: linear"), std::string::npos) << text;
  EXPECT_EQ(text.find("interpolation: tetrahedral"), std::string::npos) << text;
  if (!have_ociocheck()) GTEST_SKIP() << "ociocheck (Debian opencolorio-tools) is not installed";
  const CliRun check =
      run_command("ociocheck --iconfig " + q(dir / "config.ocio"));
  EXPECT_EQ(check.code, 0) << check.out;
}

// Continuity with per-shot control, on synthetic shots of one scene (a grey room under three
// casts): locked and excluded shots leave with the Looks they came with; the locked shot is the
// default hero even though another shot is longer; an excluded shot cannot be the chosen hero.
TEST(ContinuityPerShot, LockedAndExcludedShotsAreNotMatched) {
  auto room = [](float r, float b) {
    ImageF im(32, 32, 3);
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) {
        const float v = 0.2f + 0.6f * float(x + y) / 62.f;
        float* p = im.at(x, y);
        p[0] = std::clamp(v * r, 0.f, 1.f), p[1] = v, p[2] = std::clamp(v * b, 0.f, 1.f);
      }
    return im;
  };
  std::vector<ContinuityShot> shots(4);
  const float casts[4][2] = {{1.0f, 1.0f}, {1.15f, 0.85f}, {0.9f, 1.1f}, {1.1f, 0.9f}};
  for (size_t i = 0; i < shots.size(); ++i) {
    shots[i].frames = {room(casts[i][0], casts[i][1])};
    shots[i].frame_count = i == 3 ? 100 : 10;  // shot 3 is the longest
    shots[i].look = identity_look();
  }
  shots[1].locked = true;
  shots[1].look.saturation = 1.2f;
  shots[2].excluded = true;
  const std::vector<ContinuityShot> in = shots;
  ContinuityOptions co;
  co.scene_threshold = 1.0;
  const ContinuityResult r = match_continuity(shots, co);
  ASSERT_EQ(r.scenes.size(), 1u);
  EXPECT_EQ(r.scenes[0].hero, 1) << "the locked shot, not the longest one";
  EXPECT_EQ(r.scenes[0].shots, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(to_json(shots[1].look), to_json(in[1].look));
  EXPECT_EQ(to_json(shots[2].look), to_json(in[2].look));
  EXPECT_TRUE(r.shots[1].fixed && r.shots[2].fixed);
  EXPECT_FALSE(r.shots[0].fixed || r.shots[3].fixed);
  EXPECT_NE(to_json(shots[3].look), to_json(in[3].look)) << "the others still follow the hero";
  std::vector<ContinuityShot> again = in;
  co.hero_shot = 2;
  try {
    match_continuity(again, co);
    ADD_FAILURE() << "an excluded hero was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("--hero-shot 2 is excluded"), std::string::npos);
  }
}
