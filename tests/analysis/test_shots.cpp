// Shot detection measured against known cuts: clips concatenated here from real footage (the
// bundled Tears of Steel excerpt and, when present, ../shared/data/videos) with a fade through
// black and flashes inserted, and the Tears of Steel excerpt itself. A detected cut matches a
// true cut within ±1 frame (one-to-one).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <iostream>

#include "autograde/analysis/shot_export.hpp"
#include "autograde/analysis/shots.hpp"
#include "autograde/core/error.hpp"
#include "autograde/media/video_reader.hpp"
#include "media/test_video_support.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace autograde;
using namespace autograde::testing;

namespace {

std::string tears_of_steel() {
  return (source_dir() / "data/video/tears_of_steel_excerpt.mp4").string();
}

struct Score {
  int true_pos = 0, detected = 0, truth = 0;
  double precision() const { return detected ? double(true_pos) / detected : 1.0; }
  double recall() const { return truth ? double(true_pos) / truth : 1.0; }
};

Score score_cuts(const std::vector<int64_t>& detected, const std::vector<int64_t>& truth,
                 int64_t tolerance = 1) {
  Score s;
  s.detected = int(detected.size());
  s.truth = int(truth.size());
  std::vector<bool> used(truth.size(), false);
  for (int64_t d : detected)
    for (size_t i = 0; i < truth.size(); ++i)
      if (!used[i] && std::llabs(d - truth[i]) <= tolerance) {
        used[i] = true;
        ++s.true_pos;
        break;
      }
  return s;
}

void report(const std::string& name, const Score& s) {
  std::cout << "[shot-detection] " << name << ": precision " << s.precision() << " recall "
            << s.recall() << " (" << s.true_pos << " of " << s.truth << " cuts found, "
            << s.detected << " reported)\n";
  ::testing::Test::RecordProperty(name + "_precision", std::to_string(s.precision()));
  ::testing::Test::RecordProperty(name + "_recall", std::to_string(s.recall()));
}

struct Segment {
  int input;          // index into the input list
  int first, count;   // frames after conversion to 24 fps
  std::string extra;  // filters applied to the segment (fades, flashes)
};

// Builds the concatenation with ffmpeg; returns the true cut frames (the first frame of every
// segment after the first whose start is a hard cut).
std::vector<int64_t> build_concat(const std::vector<std::string>& inputs,
                                  const std::vector<Segment>& segs,
                                  const std::vector<bool>& hard_cut_before,
                                  const std::string& out) {
  std::string cmd;
  for (const auto& in : inputs) cmd += "-i " + q(in) + " ";
  std::string graph, labels;
  std::vector<int64_t> cuts;
  int64_t pos = 0;
  for (size_t i = 0; i < segs.size(); ++i) {
    const Segment& s = segs[i];
    graph += "[" + std::to_string(s.input) +
             ":v]fps=24,trim=start_frame=" + std::to_string(s.first) +
             ":end_frame=" + std::to_string(s.first + s.count) +
             ",setpts=PTS-STARTPTS,scale=320:180,setsar=1,format=yuv420p" +
             (s.extra.empty() ? "" : "," + s.extra) + "[s" + std::to_string(i) + "];";
    labels += "[s" + std::to_string(i) + "]";
    if (i > 0 && hard_cut_before[i]) cuts.push_back(pos);
    pos += s.count;
  }
  graph += labels + "concat=n=" + std::to_string(segs.size()) + ":v=1:a=0[v]";
  cmd += "-filter_complex \"" + graph + "\" -map \"[v]\" -c:v libx264 -preset veryfast -crf 20 " +
         q(out);
  if (!ffmpeg(cmd)) return {};
  return cuts;
}

struct ConcatCase {
  std::vector<int64_t> cuts;
  int64_t fade_first = -1, fade_last = -1;  // frames of the fade through black
  std::vector<int64_t> flash_frames;
  int64_t frames = 0;
};

// Scores the detected cuts against the known ones (precision and recall >= 0.95, printed) and
// checks the one fade between fade_first and fade_last is a single transition with no cut
// inside, and that `flashes` flashes were reported.
void expect_cuts_one_fade_and_flashes(const std::string& name, const ShotList& shots,
                                      const std::vector<int64_t>& cuts, int64_t fade_first,
                                      int64_t fade_last, size_t flashes) {
  const Score s = score_cuts(shots.cut_frames(), cuts);
  report(name, s);
  EXPECT_GE(s.precision(), 0.95);
  EXPECT_GE(s.recall(), 0.95);
  EXPECT_EQ(shots.transitions.size(), 1u);
  for (int64_t c : shots.cut_frames())
    EXPECT_FALSE(c > fade_first && c <= fade_last) << "cut inside the fade at " << c;
  EXPECT_EQ(shots.flashes.size(), flashes);
}

}  // namespace

// Tears of Steel shots (frames at 24 fps, checked on thumbnails): [0,20], [21,64], [65,184],
// [185,203] (a robot lit by 2-frame strobes from 192), [204,239].
TEST(ShotDetection, ConcatenatedBundledFootageWithFadeAndFlashes) {
  fs::path dir = scratch_dir("shots_concat_bundled");
  std::string out = (dir / "concat.mp4").string();
  // Different shots and distant parts of the same shot; a fade out/in through black between
  // segments 3 and 4, a 2-frame white flash in segment 1, a 1-frame flash in segment 5.
  std::vector<Segment> segs = {
      {0, 70, 40, ""},
      {0, 22, 40, "drawbox=c=white:t=fill:enable='between(n,18,19)'"},
      {0, 130, 50, ""},
      {0, 205, 34, "fade=t=out:start_frame=22:nb_frames=12"},
      {0, 0, 21, "fade=t=in:start_frame=0:nb_frames=10"},
      {0, 150, 34, "drawbox=c=white:t=fill:enable='eq(n,17)'"},
      {0, 30, 30, ""},
  };
  std::vector<bool> hard = {false, true, true, true, false, true, true};
  auto cuts = build_concat({tears_of_steel()}, segs, hard, out);
  ASSERT_FALSE(cuts.empty());
  ShotList shots = detect_shots(out);
  ASSERT_EQ(shots.frame_count, 249);
  // The fade (frames 152+22 .. 184+9) is one transition with no cut inside it.
  const int64_t fade_first = 40 + 40 + 50 + 22, fade_last = 40 + 40 + 50 + 34 + 9;
  expect_cuts_one_fade_and_flashes("concat_bundled", shots, cuts, fade_first, fade_last, 2);
  ASSERT_EQ(shots.transitions.size(), 1u);
  EXPECT_LE(std::llabs(shots.transitions[0].first_frame - fade_first), 2);
  EXPECT_LE(std::llabs(shots.transitions[0].last_frame - fade_last), 2);
  // The fade is reported as a shot boundary at its black frame.
  bool fade_boundary = false;
  for (const Shot& sh : shots.shots)
    if (sh.starts_with == BoundaryKind::Fade)
      fade_boundary = std::llabs(sh.first_frame - (40 + 40 + 50 + 34)) <= 1;
  EXPECT_TRUE(fade_boundary);
}

TEST(ShotDetection, ConcatenatedSharedFootageWithFadeAndFlashes) {
  AG_REQUIRE_SHARED_DATA();
  fs::path v = shared_data() / "videos";
  std::vector<std::string> inputs = {
      tears_of_steel(), (v / "opencv_samples_copy/slow_traffic_small.mp4").string(),
      (v / "intel_sample_videos/car-detection.mp4").string(),
      (v / "intel_sample_videos/one-by-one-person-detection.mp4").string(),
      (v / "intel_sample_videos/asl_gestures_book.mkv").string()};
  for (const auto& in : inputs)
    if (!fs::exists(in)) GTEST_SKIP() << in << " missing";
  fs::path dir = scratch_dir("shots_concat_shared");
  std::string out = (dir / "concat.mp4").string();
  std::vector<Segment> segs = {
      {0, 70, 48, ""},
      {1, 100, 60, "drawbox=c=white:t=fill:enable='between(n,25,26)'"},
      {0, 22, 40, ""},
      {2, 48, 60, "fade=t=out:start_frame=46:nb_frames=14"},
      {3, 240, 60, "fade=t=in:start_frame=0:nb_frames=14"},
      {0, 205, 34, "drawbox=c=white:t=fill:enable='eq(n,15)'"},
      {4, 10, 48, ""},
      {0, 130, 50, ""},
      {3, 900, 40, ""},
      {3, 300, 40, ""},  // the same fixed camera, 60 s apart: people moved, scene did not
  };
  std::vector<bool> hard = {false, true, true, true, false, true, true, true, true, true};
  auto cuts = build_concat(inputs, segs, hard, out);
  ASSERT_FALSE(cuts.empty());
  ShotList shots = detect_shots(out);
  const int64_t fade_first = 48 + 60 + 40 + 46, fade_last = 48 + 60 + 40 + 60 + 13;
  expect_cuts_one_fade_and_flashes("concat_shared", shots, cuts, fade_first, fade_last, 2);
}

TEST(ShotDetection, TearsOfSteelExcerpt) {
  ShotList shots = detect_shots(tears_of_steel());
  ASSERT_EQ(shots.frame_count, 240);
  // Cuts found by looking at the frames: 21 (0.875 s), 65 (2.708 s), 185 (7.708 s), 204
  // (8.5 s: the strobe-lit robot shot settles into its lit state; the 2-frame strobes at
  // 192–203 are flashes, not cuts).
  Score s = score_cuts(shots.cut_frames(), {21, 65, 185, 204});
  report("tears_of_steel", s);
  EXPECT_GE(s.precision(), 0.95);
  EXPECT_GE(s.recall(), 0.95);
  // Per-shot statistics are those of the frames: a shot's mean L* lies within its frames' range.
  for (const Shot& sh : shots.shots) {
    float lo = 100, hi = 0;
    for (int64_t f = sh.first_frame; f <= sh.last_frame; ++f) {
      lo = std::min(lo, shots.frame_stats[size_t(f)].mean_lab[0]);
      hi = std::max(hi, shots.frame_stats[size_t(f)].mean_lab[0]);
    }
    EXPECT_GE(sh.stats.mean_lab[0], lo - 1e-3f);
    EXPECT_LE(sh.stats.mean_lab[0], hi + 1e-3f);
    EXPECT_EQ(sh.sample_frames.front(), sh.first_frame);
    EXPECT_EQ(sh.sample_frames.back(), sh.last_frame);
    EXPECT_NEAR(sh.end_time - sh.start_time, double(sh.frame_count()) / 24.0, 1e-6);
  }
}

TEST(ShotDetection, SingleShotClipsHaveNoCuts) {
  AG_REQUIRE_SHARED_DATA();
  int false_cuts = 0;
  for (const char* name :
       {"opencv_samples_copy/slow_traffic_small.mp4", "intel_sample_videos/car-detection.mp4",
        "intel_sample_videos/asl_gestures_book.mkv", "intel_sample_videos/asl_gestures_walk.mkv"}) {
    fs::path p = shared_data() / "videos" / name;
    if (!fs::exists(p)) continue;
    ShotList shots = detect_shots(p.string());
    false_cuts += int(shots.cut_frames().size());
    EXPECT_EQ(shots.shots.size(), 1u) << name;
  }
  std::cout << "[shot-detection] single-shot clips: " << false_cuts << " false cuts\n";
}

TEST(ShotExport, CsvJsonEdlWithSourceTimecode) {
  fs::path dir = scratch_dir("shots_export");
  std::string mov = (dir / "tc.mov").string();
  ASSERT_TRUE(ffmpeg("-i " + q(tears_of_steel()) + " -c copy -timecode 01:00:10:00 " + q(mov)));
  VideoReader r(mov);
  ASSERT_EQ(r.info().timecode, "01:00:10:00");
  ShotList shots = detect_shots(mov);
  ASSERT_EQ(shots.shots.size(), 5u);
  ShotExportContext ctx{mov, r.info().timecode};

  std::string csv = shots_to_csv(shots, ctx);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 6);
  // Shots count from 0, as in plans (shot 1 is the second one).
  EXPECT_NE(csv.find("\n1,21,64,44,0.8750,2.7083,01:00:10:21,01:00:12:17,cut"), std::string::npos)
      << csv;

  auto j = nlohmann::json::parse(shots_to_json(shots, ctx));
  EXPECT_EQ(j["shots"].size(), 5u);
  EXPECT_EQ(j["shots"][1]["first_frame"], 21);
  EXPECT_EQ(j["shots"][1]["index"], 1);
  EXPECT_EQ(j["start_timecode"], "01:00:10:00");

  std::string edl = shots_to_edl(shots, ctx);
  EXPECT_NE(edl.find("FCM: NON-DROP FRAME"), std::string::npos);
  // Event 2: source 01:00:10:21–01:00:12:17 (out exclusive), record 00:00:00:21–00:00:02:17.
  EXPECT_NE(
      edl.find("002  AX       V     C        01:00:10:21 01:00:12:17 00:00:00:21 00:00:02:17"),
      std::string::npos)
      << edl;
  EXPECT_NE(
      edl.find("005  AX       V     C        01:00:18:12 01:00:20:00 00:00:08:12 00:00:10:00"),
      std::string::npos)
      << edl;
}

// The EDL with looks, on a shot list built by hand: each event is followed by the ASC CDL
// spec's two EDL lines and the LUT comment, in shot order.
TEST(ShotExport, EdlWithLooks) {
  ShotList shots;
  shots.fps = 24;
  shots.frame_count = 72;
  for (int i = 0; i < 2; ++i) {
    Shot sh;
    sh.index = i;
    sh.first_frame = i * 36;
    sh.last_frame = i * 36 + 35;
    sh.starts_with = i == 0 ? BoundaryKind::Start : BoundaryKind::Cut;
    shots.shots.push_back(sh);
  }
  ShotExportContext ctx{"/clips/A001.mov", "01:00:00:00"};
  std::vector<EdlLook> looks(2);
  looks[0].cdl.slope = {1.0, 1.0, 0.9};
  looks[0].cdl.offset = {-0.03, -0.02, 0.0};
  looks[0].cdl.power = {1.25, 1.0, 1.0};
  looks[0].cdl.saturation = 1.7;
  looks[0].lut_file = "A001_shot001.cube";
  looks[1].cdl.saturation = 0.85;  // no LUT: no *LUT line

  const std::string edl = shots_to_edl(shots, ctx, looks);
  EXPECT_EQ(edl,
            "TITLE: A001.mov\n"
            "FCM: NON-DROP FRAME\n"
            "\n"
            "001  AX       V     C        01:00:00:00 01:00:01:12 00:00:00:00 00:00:01:12\n"
            "* FROM CLIP NAME: A001.mov\n"
            "*ASC_SOP (1.000000 1.000000 0.900000)(-0.030000 -0.020000 0.000000)"
            "(1.250000 1.000000 1.000000)\n"
            "*ASC_SAT 1.700000\n"
            "*LUT: A001_shot001.cube\n"
            "\n"
            "002  AX       V     C        01:00:01:12 01:00:03:00 00:00:01:12 00:00:03:00\n"
            "* FROM CLIP NAME: A001.mov\n"
            "*ASC_SOP (1.000000 1.000000 1.000000)(0.000000 0.000000 0.000000)"
            "(1.000000 1.000000 1.000000)\n"
            "*ASC_SAT 0.850000\n"
            "\n");
  // Without looks the events are as before.
  EXPECT_EQ(shots_to_edl(shots, ctx).find("*ASC"), std::string::npos);

  looks.pop_back();
  EXPECT_THROW(shots_to_edl(shots, ctx, looks), Error);  // one look per shot
  looks.push_back({});
  looks[1].lut_file = "a.cube\n002  AX";  // would forge an event
  EXPECT_THROW(shots_to_edl(shots, ctx, looks), Error);
  looks[1].lut_file.clear();
  looks[1].cdl.power[0] = -1;
  EXPECT_THROW(shots_to_edl(shots, ctx, looks), Error);
}

TEST(ScenesCli, FormatsAndBadInput) {
  fs::path dir = scratch_dir("scenes_cli");
  auto r = run_command(std::string(AUTOGRADE_CLI) + " -q scenes " + q(tears_of_steel()) +
                       " --format edl");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("005  AX"), std::string::npos) << r.out;
  std::string json_path = (dir / "scenes.json").string();
  r = run_command(std::string(AUTOGRADE_CLI) + " -q scenes " + q(tears_of_steel()) +
                  " --format json -o " + q(json_path));
  EXPECT_EQ(r.status, 0);
  auto j = nlohmann::json::parse(read_file_or_empty(json_path), nullptr, false);
  EXPECT_EQ(j["shots"].size(), 5u);
  std::string m4a = (dir / "audio.m4a").string();
  ASSERT_TRUE(ffmpeg("-f lavfi -i sine=duration=1 -c:a aac " + q(m4a)));
  r = run_command(std::string(AUTOGRADE_CLI) + " -q scenes " + q(m4a));
  EXPECT_EQ(r.status, 3);
  r = run_command(std::string(AUTOGRADE_CLI) + " -q scenes " + q(tears_of_steel()) +
                  " --format xml");
  EXPECT_EQ(r.status, 2);
}
