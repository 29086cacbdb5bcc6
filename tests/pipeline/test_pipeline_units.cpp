// Library-level tests of the pipeline's parts: temporal metrics against known drifts and
// motions, continuity on real photos with known casts, plan.json round trips, the composed
// shot LUT against the camera-log conversion, and signal-time cleanup of staged outputs.
#include <gtest/gtest.h>

#include <functional>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "autograde/analysis/temporal_metrics.hpp"
#include "autograde/color/camera_log.hpp"
#include "autograde/core/cleanup.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/look/look.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/pipeline/clip_analysis.hpp"
#include "autograde/pipeline/continuity.hpp"
#include "autograde/pipeline/plan.hpp"
#include "autograde/pipeline/shot_look.hpp"
#include "autograde/pipeline/shot_lut.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace autograde;

namespace {

fs::path bundled(const std::string& rel) { return autograde::testing::source_dir() / "data" / rel; }

ImageF crop(const ImageF& im, int x0, int y0, int w, int h) {
  ImageF out(w, h, 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) out.at(x, y)[c] = im.at(x + x0, y + y0)[c];
  return out;
}

Look test_look() {
  Look l = identity_look();
  l.contrast = 1.3f;
  l.temperature = 0.2f;
  l.saturation = 1.2f;
  return l;
}

}  // namespace

// Two real frames of one shot of the bundled clip (frames 70 and 180 of its third shot).
class FramePair : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    VideoReadOptions o;
    o.rgb_width = 320;
    auto f = sample_frames(bundled("video/tears_of_steel_excerpt.mp4").string(), 70, 180, 2, o);
    ASSERT_EQ(f.size(), 2u);
    a_ = f[0].rgb;
    b_ = f[1].rgb;
  }
  static inline ImageF a_, b_;
};

TEST_F(FramePair, OneGradeIsStableAndADriftIsCaught) {
  const Look look = test_look();
  const BinConsistency same =
      bin_consistency(a_, apply_look_to_image(look, a_), b_, apply_look_to_image(look, b_));
  EXPECT_GT(same.cells, 50);
  EXPECT_LT(same.mean_de2000, 0.3)
      << "one fixed grade must map equal input colours to equal output colours";
  // The plain cell means differ although the grade is the same (the two frames fill each cell
  // differently): the adjustment is what makes the metric about the grade.
  EXPECT_GT(same.unadjusted_de2000, same.mean_de2000);

  Look drift = look;
  drift.exposure = 0.15f;  // the grade brightening by 0.15 stop during the shot
  const BinConsistency moved =
      bin_consistency(a_, apply_look_to_image(look, a_), b_, apply_look_to_image(drift, b_));
  EXPECT_GT(moved.mean_de2000, 1.0)
      << "a 0.15 stop drift is visible and must fail the 1.0 criterion";
  Look tint = look;
  tint.temperature += 0.1f;
  EXPECT_GT(bin_consistency(a_, apply_look_to_image(look, a_), b_, apply_look_to_image(tint, b_))
                .mean_de2000,
            1.0);
}

TEST(WarpError, RecoversMotionAndSeesFlicker) {
  const ImageF photo = read_image(bundled("images/coffee.png").string()).image;
  // Frame t+1 is the scene moved 3 px right and 2 px down (a camera pan).
  const ImageF t0 = crop(photo, 40, 40, 320, 240), t1 = crop(photo, 37, 38, 320, 240);
  const Look look = test_look();
  WarpError steady;
  add_warp_error(t0, apply_look_to_image(look, t0), t1, apply_look_to_image(look, t1), steady);
  EXPECT_LT(steady.input, 3.0) << "the flow should align a pure translation";
  EXPECT_GT(steady.valid_fraction, 0.8);
  // Without motion compensation the same pair differs a lot: the flow is doing real work.
  double raw = 0;
  for (size_t i = 0; i < t0.pixels.size(); ++i) raw += std::abs(t0.pixels[i] - t1.pixels[i]);
  EXPECT_GT(255.0 * raw / double(t0.pixels.size()), 4 * steady.input);

  Look brighter = look;
  brighter.exposure = 0.3f;  // flicker: the next frame graded brighter
  WarpError flicker;
  add_warp_error(t0, apply_look_to_image(look, t0), t1, apply_look_to_image(brighter, t1), flicker);
  EXPECT_NEAR(flicker.input, steady.input, 1e-9);
  EXPECT_GT(flicker.output, steady.output + 5.0);
}

TEST(Continuity, GroupsScenesAndMatchesShotsToTheHero) {
  const ImageF coffee = read_image(bundled("images/coffee.png").string()).image;
  const ImageF astro = read_image(bundled("images/astronaut.png").string()).image;
  // Scene 1: three shots of the coffee photo whose own looks left different casts (what
  // per-shot matching does to different framings). Scene 2: the astronaut, neutral.
  std::vector<ContinuityShot> shots(4);
  shots[0].frames = {crop(coffee, 0, 0, 400, 300)};
  shots[1].frames = {crop(coffee, 150, 80, 400, 300)};
  shots[2].frames = {crop(coffee, 60, 50, 400, 300)};
  shots[3].frames = {crop(astro, 50, 50, 400, 400)};
  shots[0].frame_count = 50, shots[1].frame_count = 100, shots[2].frame_count = 30,
  shots[3].frame_count = 40;
  shots[0].look = identity_look();
  shots[0].look.temperature = 0.5f;
  shots[1].look = identity_look();
  shots[2].look = identity_look();
  shots[2].look.tint = -0.4f;
  shots[3].look = identity_look();
  const Look hero_before = shots[1].look;
  const nlohmann::json r = continuity_plan_json(match_continuity(shots));
  ASSERT_EQ(r["scenes"].size(), 2u) << r.dump(1);
  EXPECT_EQ(shots[0].scene, shots[1].scene);
  EXPECT_EQ(shots[0].scene, shots[2].scene);
  EXPECT_NE(shots[0].scene, shots[3].scene);
  const auto& sc = r["scenes"][size_t(shots[0].scene)];
  EXPECT_EQ(sc["hero"].get<int>(), 1);  // the longest shot
  EXPECT_GT(sc["ab_spread_before"].get<double>(), 2.0);
  // Balanced on near-neutrals: their spread collapses, and the whole-frame spread drops too
  // because these differences are casts, not content.
  EXPECT_LT(sc["solved_ab_spread_after"].get<double>(),
            0.1 * sc["solved_ab_spread_before"].get<double>());
  EXPECT_LT(sc["ab_spread_after"].get<double>(), 0.6 * sc["ab_spread_before"].get<double>());
  EXPECT_EQ(to_json(shots[1].look), to_json(hero_before)) << "the hero keeps its look";
  // The correction undoes the casts: shot 0 gets cooler, shot 2 gets magenta back.
  EXPECT_LT(shots[0].look.temperature, 0.25f);
  EXPECT_GT(shots[2].look.tint, -0.2f);
}

TEST(Continuity, MeanTargetEqualisesWholeFrameMeans) {
  const ImageF coffee = read_image(bundled("images/coffee.png").string()).image;
  std::vector<ContinuityShot> shots(2);
  shots[0].frames = {crop(coffee, 0, 0, 400, 300)};
  shots[1].frames = {crop(coffee, 150, 80, 400, 300)};
  shots[0].frame_count = 10, shots[1].frame_count = 20;
  shots[0].look = identity_look();
  shots[0].look.temperature = -0.4f;
  shots[1].look = identity_look();
  ContinuityOptions o;
  o.scene_threshold = 1.0;
  o.target = "mean";
  const nlohmann::json r = continuity_plan_json(match_continuity(shots, o));
  EXPECT_GT(r["scenes"][0]["ab_spread_before"].get<double>(), 2.0);
  EXPECT_LT(r["scenes"][0]["ab_spread_after"].get<double>(), 0.1);
  o.target = "bogus";
  EXPECT_THROW(match_continuity(shots, o), Error);
}

TEST(Plan, RoundTripsAndRejectsGaps) {
  GradePlan p;
  p.input_path = "/x/in.mp4";
  p.input_colorspace = CameraLog::SLog3;
  p.method = "mkl";
  p.luts_dir = "in_luts";
  p.encode.crf = 20;
  for (int i = 0; i < 3; ++i) {
    ShotPlan s;
    s.index = i;
    s.first_frame = i * 10;
    s.last_frame = i * 10 + 9;
    s.look = test_look();
    s.look.exposure = 0.1f * float(i);
    s.lut_file = "shot_00" + std::to_string(i) + ".cube";
    p.shots.push_back(s);
  }
  p.extra["future_key"] = {1, 2};
  const nlohmann::json j = plan_to_json(p);
  const GradePlan q = plan_from_json(j);
  EXPECT_EQ(plan_to_json(q), j);
  EXPECT_EQ(q.input_colorspace, CameraLog::SLog3);
  EXPECT_FLOAT_EQ(q.shots[2].look.exposure, 0.2f);
  EXPECT_EQ(shot_of_frame(q, 15), 1);
  EXPECT_EQ(shot_of_frame(q, 30), -1);

  nlohmann::json gap = j;
  gap["shots"][1]["first_frame"] = 11;
  EXPECT_THROW(plan_from_json(gap, "gap.json"), Error);
  try {
    plan_from_json(gap, "gap.json");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("gap.json"), std::string::npos);
  }
  nlohmann::json newer = j;
  newer["version"] = kPlanVersion + 1;
  EXPECT_THROW(plan_from_json(newer), Error);
}

// Issue 21: region grades round-trip, old plans (no "regions") read as none, and every
// malformed region entry is refused naming the field.
TEST(Plan, RegionsRoundTripAndAreValidated) {
  GradePlan p;
  p.input_path = "/x/in.mp4";
  p.luts_dir = "in_luts";
  p.regions.protect_skin = 0.6f;
  p.regions.classes = {"sky"};
  for (int i = 0; i < 2; ++i) {
    ShotPlan s;
    s.index = i;
    s.first_frame = i * 10;
    s.last_frame = i * 10 + 9;
    s.look = test_look();
    s.lut_file = "shot_00" + std::to_string(i) + ".cube";
    p.shots.push_back(s);
  }
  p.shots[1].regions = {{"skin", 0.6f, "shot_001_skin.cube"}, {"sky", 1.f, "shot_001_sky.cube"}};
  const nlohmann::json j = plan_to_json(p);
  const GradePlan q = plan_from_json(j);
  EXPECT_EQ(plan_to_json(q), j);
  ASSERT_EQ(q.shots[1].regions.size(), 2u);
  EXPECT_EQ(q.shots[1].regions[1].region, "sky");
  EXPECT_FLOAT_EQ(q.regions.protect_skin, 0.6f);
  EXPECT_FALSE(j["shots"][0].contains("regions"));

  nlohmann::json old = j;
  old.erase("regions");
  old["shots"][1].erase("regions");
  const GradePlan o = plan_from_json(old);
  EXPECT_FLOAT_EQ(o.regions.protect_skin, 0.f);
  EXPECT_TRUE(o.shots[1].regions.empty());

  auto refused = [&](const std::function<void(nlohmann::json&)>& edit, const std::string& says) {
    nlohmann::json bad = j;
    edit(bad);
    try {
      plan_from_json(bad, "bad.json");
      ADD_FAILURE() << "accepted: " << says;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput);
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  refused([](auto& b) { b["shots"][1]["regions"][0]["class"] = "hair"; }, "regions[0].class");
  refused([](auto& b) { b["shots"][1]["regions"][0]["strength"] = 1.5; }, "regions[0].strength");
  refused([](auto& b) { b["shots"][1]["regions"][1]["class"] = "skin"; }, "twice");
  refused([](auto& b) { b["shots"][1]["regions"][0]["lut"] = "shot_000.cube"; }, "another");
  refused([](auto& b) { b["shots"][1]["regions"][0]["lut"] = "../x.cube"; }, "regions[0].lut");
  refused([](auto& b) { b["regions"]["classes"] = {"skin"}; }, "regions.classes[0]");
  refused([](auto& b) { b["regions"]["protect_skin"] = -1; }, "regions.protect_skin");
}

// Issue 21: a creative LUT as the look (grade --lut) bakes back to itself at every lattice
// point, strength mixes it with the input, and a prompt acts after it.
TEST(FindLook, LookLutBakesBackToItselfAndPromptActsAfterIt) {
  Lut3D lut = Lut3D::identity(17);
  for (size_t i = 0; i < lut.table.size(); i += 3) {
    float* v = &lut.table[i];
    const float r = v[0], g = v[1], b = v[2];
    v[0] = 0.1f + 0.8f * g * g, v[1] = 0.9f * b, v[2] = std::sqrt(r);  // no identity anywhere
  }
  LutFile file;
  file.cube = lut;
  LookRequest q;
  q.look_lut = &file;
  q.lut_size = 17;
  const FoundLook f = find_look(q);
  EXPECT_EQ(f.method, "lut");
  const Lut3D baked = bake_shot_lut(CameraLog::Rec709, f.look, 17);
  for (size_t i = 0; i < lut.table.size(); ++i) EXPECT_NEAR(baked.table[i], lut.table[i], 1e-5f);

  q.strength = 0.5f;
  const Lut3D half = bake_shot_lut(CameraLog::Rec709, find_look(q).look, 17);
  const Lut3D id = Lut3D::identity(17);
  for (size_t i = 0; i < lut.table.size(); ++i)
    EXPECT_NEAR(half.table[i], 0.5f * (lut.table[i] + id.table[i]), 1e-5f);

  q.strength = 1.f;
  const PromptLook prompt = read_prompt("much warmer");
  q.prompt = &prompt;
  const Lut3D warm = bake_shot_lut(CameraLog::Rec709, find_look(q).look, 17);
  for (size_t i = 0; i < lut.table.size(); i += 3) {
    const Rgb expect = apply_look(prompt.look, {lut.table[i], lut.table[i + 1], lut.table[i + 2]});
    for (size_t c = 0; c < 3; ++c) EXPECT_NEAR(warm.table[i + c], expect[c], 1e-5f);
  }
  LookRequest both = q;
  ImageF still(4, 4, 3);
  both.reference = &still;
  EXPECT_THROW(find_look(both), Error);
}

// Issue 20, item 4: the method with the lowest error on the corpus's test split (`learned`) is
// what a request that names none gets; the palette dial belongs to `auto`, so asking for it
// without a method picks `auto`; a named method is kept as named.
TEST(FindLook, TheDefaultIsTheLearnedGeneratorAndTheTransferDialPicksAuto) {
  EXPECT_EQ(look_methods().front().name, "learned");
  EXPECT_EQ(resolve_look_method("", 0.f), "learned");
  EXPECT_EQ(resolve_look_method("", 0.5f), "auto");
  EXPECT_EQ(resolve_look_method("idt", 0.f), "idt");
  const ImageF ref = read_image(bundled("images/reference_teal_orange.png").string()).image;
  const ImageF src = read_image(bundled("images/coffee.png").string()).image;
  LookRequest q;
  q.reference = &ref;
  q.sources = std::span<const ImageF>(&src, 1);
  q.lut_size = 17;
  const FoundLook f = find_look(q);
  EXPECT_EQ(f.method, "learned");
  ASSERT_FALSE(f.parametric);
  // The same LUT as asking for `learned` by name.
  LookRequest named = q;
  named.method = "learned";
  EXPECT_EQ(find_look(named).look.residual->table, f.look.residual->table);
  q.transfer = 0.5f;
  EXPECT_EQ(find_look(q).method, "auto");
  q.method = "idt";
  EXPECT_THROW(find_look(q), Error);
}

TEST(ShotLut, ComposesCameraLogConversionThenLook) {
  const Look look = test_look();
  const int n = 9;
  const Lut3D lut = bake_shot_lut(CameraLog::SLog3, look, n);
  for (int b = 0; b < n; b += 3)
    for (int g = 0; g < n; g += 2)
      for (int r = 0; r < n; r += 4) {
        const Vec3 code{float(r) / (n - 1), float(g) / (n - 1), float(b) / (n - 1)};
        const Vec3 disp = camera_log_to_rec709_display(CameraLog::SLog3, code);
        const Rgb want = apply_look(look, {disp[0], disp[1], disp[2]});
        for (int c = 0; c < 3; ++c) EXPECT_NEAR(lut.at(r, g, b)[c], want[c], 2e-5f);
      }
  // Rec.709 input: the Look alone.
  const Lut3D plain = bake_shot_lut(CameraLog::Rec709, look, n);
  EXPECT_EQ(plain.table, bake_look(look, n).table);
}

TEST(Cleanup, SignalRemovesStagedOutputs) {
  const fs::path dir = autograde::testing::scratch_dir("pipeline_cleanup");
  for (int sig : {SIGINT, SIGTERM, SIGSEGV}) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      StagingDir staging(dir.string());
      std::ofstream(staging.path_for("half_written.mp4")) << "partial";
      std::ofstream(staging.path_for(".x.tmp123_0.mp4")) << "encoder temp";
      raise(sig);
      _exit(0);  // not reached
    }
    const std::optional<int> status = autograde::testing::wait_child(pid, 10);
    ASSERT_TRUE(status) << "signal " << sig << ": the process did not end";
    ASSERT_TRUE(WIFSIGNALED(*status)) << "the signal's default action must still end the process";
    EXPECT_EQ(WTERMSIG(*status), sig);
    EXPECT_TRUE(fs::is_empty(dir))
        << "signal " << sig << " left " << fs::directory_iterator(dir)->path();
  }
  {
    StagedOutputs staged;
    const std::string tmp = staged.stage((dir / "a.txt").string());
    std::ofstream(tmp) << "done";
    EXPECT_EQ(registered_staging_dirs(), 1);
    staged.commit_all();
  }
  EXPECT_EQ(registered_staging_dirs(), 0);
  EXPECT_EQ(read_file((dir / "a.txt").string()), "done");
  fs::remove(dir / "a.txt");
  EXPECT_TRUE(fs::is_empty(dir));
}

// The handler runs wherever the signal lands, inside malloc too, holding the heap's lock. A
// handler that allocated (opendir does) then waited forever on that lock: Ctrl-C hung `grade`
// now and then. A process that does nothing but allocate must still clean up and die, every time.
TEST(Cleanup, SignalInsideMallocStillCleansUpAndEnds) {
  const fs::path dir = autograde::testing::scratch_dir("pipeline_cleanup_malloc");
  for (int trial = 0; trial < 20; ++trial) {
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      StagingDir staging(dir.string());
      std::ofstream(staging.path_for("half_written.mp4")) << "partial";
      if (write(ready[1], "r", 1) != 1) _exit(3);
      static void* volatile sink;  // volatile: the allocations cannot be optimised away
      for (size_t i = 0;; ++i) {
        sink =
            std::malloc(2048 + (i * 7919) % 60000);  // above the per-thread cache: takes the lock
        std::free(sink);
      }
    }
    close(ready[1]);
    char c = 0;
    ASSERT_EQ(read(ready[0], &c, 1), 1);
    close(ready[0]);
    usleep(useconds_t(200 * (trial % 7)));
    kill(pid, SIGINT);
    const std::optional<int> status =
        autograde::testing::wait_child(pid, 10);  // needs milliseconds
    ASSERT_TRUE(status) << "trial " << trial << ": the signal handler never finished (deadlock)";
    ASSERT_TRUE(WIFSIGNALED(*status));
    EXPECT_EQ(WTERMSIG(*status), SIGINT);
    ASSERT_TRUE(fs::is_empty(dir))
        << "trial " << trial << " left " << fs::directory_iterator(dir)->path();
  }
}

TEST(DemoReference, IsTheBundledLookAppliedToTheBundledPhoto) {
  const Look look = look_from_json(
      nlohmann::json::parse(read_file(bundled("looks/reference_teal_orange.json").string())));
  const ImageF src = read_image(bundled("images/astronaut.png").string()).image;
  const ImageF ref = read_image(bundled("images/reference_teal_orange.png").string()).image;
  ASSERT_EQ(ref.width, src.width);
  const ImageF want = apply_look_to_image(look, src);
  double worst = 0;
  for (size_t i = 0; i < want.pixel_count(); ++i)
    for (int c = 0; c < 3; ++c)
      worst = std::max(worst,
                       double(std::abs(want.pixels[i * 3 + c] - ref.pixels[i * ref.channels + c])));
  EXPECT_LE(worst * 255.0, 0.5 + 1e-3);
}

// One analysis pass keeps every sample-width picture while they fit the budget; past it the
// samples come from a second, skipping pass. Both must give the same shots and bit-identical
// sample frames (the grade's LUTs depend on them), and the detector must see what the old
// stand-alone shot detection saw.
TEST(ClipAnalysis, OnePassAndTwoPassesGiveTheSameShotsAndSamples) {
  const std::string clip = bundled("video/tears_of_steel_excerpt.mp4").string();
  ClipAnalysisOptions o;
  o.samples_per_shot = 4;
  o.quiet = true;
  const ClipAnalysis one = analyze_clip(clip, o);
  o.sample_budget_bytes = 0;
  const ClipAnalysis two = analyze_clip(clip, o);
  EXPECT_EQ(one.decode_passes, 1);
  EXPECT_EQ(two.decode_passes, 2);
  const ShotList alone = detect_shots(clip, o.shots);
  ASSERT_EQ(one.shots.shots.size(), alone.shots.size());
  ASSERT_EQ(one.shots.shots.size(), two.shots.shots.size());
  ASSERT_GE(one.shots.shots.size(), 3u);
  for (size_t s = 0; s < one.shots.shots.size(); ++s) {
    EXPECT_EQ(one.shots.shots[s].first_frame, alone.shots[s].first_frame);
    EXPECT_EQ(one.shots.shots[s].last_frame, alone.shots[s].last_frame);
    ASSERT_EQ(one.samples[s].size(), two.samples[s].size());
    ASSERT_FALSE(one.samples[s].empty());
    for (size_t k = 0; k < one.samples[s].size(); ++k) {
      EXPECT_EQ(one.samples[s][k].index, two.samples[s][k].index);
      EXPECT_EQ(one.samples[s][k].rgb.width, 256);
      EXPECT_TRUE(one.samples[s][k].rgb.pixels == two.samples[s][k].rgb.pixels)
          << "shot " << s << " sample " << k;
    }
  }
}
