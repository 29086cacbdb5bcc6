// Issue 23: a plan's render split into tasks on encoder-chunk boundaries, rendered apart and
// joined, must be the local render byte for byte (the independent truth: the same plan rendered
// by `autograde render` in one process; cmp). First without a scheduler (the tasks run here, in
// a shuffled order), then through Slurm (scripts/slurm-local.sh start; skipped when no
// controller answers): grade --farm slurm of the bundled clip and of a 4K clip, a task killed
// mid-way, a task cancelled with scancel, a corrupted segment.
//
// The small source: 3 s of the bundled Tears of Steel excerpt (CC BY 3.0; cuts at ~0.9 s and
// ~2.3 s) at 320x180, 24 fps, BT.709, with AAC audio (a 440 Hz sine) and a start timecode,
// made by the ffmpeg binary.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/farm/farm_job.hpp"
#include "autograde/farm/slurm.hpp"
#include "autograde/pipeline/plan.hpp"
#include "cli_support.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace autograde;
using autograde::testing::CliRun;
using autograde::testing::run_shell;
using autograde::testing::sh;

namespace {

CliRun run(std::string args) { return autograde::testing::run_cli(std::move(args)); }
std::string q(const fs::path& p) { return autograde::testing::quoted(p); }
fs::path source(const std::string& rel) { return autograde::testing::source_dir() / rel; }

bool same_bytes(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::exists(a, ec) && fs::exists(b, ec) && read_file(a.string()) == read_file(b.string());
}

// Streams of a file as "codec_type:codec_name", in order, by ffprobe.
std::string streams(const fs::path& f) {
  return run_shell("ffprobe -v error -show_entries stream=codec_type,codec_name -of csv=p=0 " +
                   q(f))
      .out;
}

class FarmTest : public ::testing::Test {
 public:
  fs::path dir;
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir = fs::temp_directory_path() /
          fmt::format("ag_farm_{}_{}_{}", info->test_suite_name(), info->name(), getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir);
  }

  // The small source (see the top) and a plan for it, its encoder restarting every
  // `chunk_frames` frames within a shot so a shot spans several tasks.
  fs::path small_plan(int chunk_frames, const std::string& codec = "auto",
                      const std::string& ext = ".mp4") {
    const fs::path clip = dir / "small.mp4";
    if (!fs::exists(clip)) {
      EXPECT_TRUE(sh("ffmpeg -y -v error -i " + q(source("data/video/tears_of_steel_excerpt.mp4")) +
                     " -f lavfi -i sine=frequency=440:sample_rate=48000 -t 3 -map 0:v -map 1:a "
                     "-vf scale=320:180 -r 24 -c:v libx264 -crf 16 -pix_fmt yuv420p "
                     "-color_primaries bt709 -color_trc bt709 -colorspace bt709 -c:a aac "
                     "-timecode 01:00:00:00 " +
                     q(clip)));
    }
    const fs::path plan = dir / ("plan" + ext + ".json");
    const CliRun g = run("grade " + q(clip) + " --prompt 'warm summer evening' --codec " + codec +
                         " -o " + q(dir / ("graded" + ext)) + " --plan " + q(plan) + " --quiet");
    EXPECT_EQ(g.code, 0) << g.out;
    nlohmann::json j = nlohmann::json::parse(read_file(plan.string()));
    j["encode"]["chunk_frames"] = chunk_frames;
    write_file_atomic(plan.string(), j.dump(2));
    return plan;
  }

  // `farm prepare` → the job folder it prints.
  fs::path prepare(const fs::path& plan, const fs::path& out, int tasks) {
    const CliRun p = run(fmt::format("farm prepare {} -o {} --shared {} --tasks {} --quiet", q(plan),
                                     q(out), q(dir / "shared"), tasks));
    EXPECT_EQ(p.code, 0) << p.out;
    std::string d = p.out.substr(0, p.out.find('\n'));
    return d;
  }
};

GradePlan plan_with_shots(std::vector<std::pair<int64_t, int64_t>> shots, int chunk_frames) {
  GradePlan p;
  for (auto [a, b] : shots) {
    ShotPlan s;
    s.first_frame = a;
    s.last_frame = b;
    p.shots.push_back(s);
  }
  p.encode.chunk_frames = chunk_frames;
  return p;
}

}  // namespace

TEST(FarmSplit, TasksCoverTheClipInWholeChunks) {
  const GradePlan plan = plan_with_shots({{0, 99}, {100, 349}, {350, 359}}, 50);
  // Chunks: shot starts 0, 100, 350 and every 50 frames inside a shot.
  const std::vector<int64_t> starts{0, 50, 100, 150, 200, 250, 300, 350};
  for (int tasks : {1, 2, 3, 4, 7, 100}) {
    const std::vector<FarmTaskRange> t = split_farm_tasks(plan, tasks);
    ASSERT_FALSE(t.empty());
    EXPECT_LE(int(t.size()), tasks);
    EXPECT_EQ(t.front().first, 0);
    EXPECT_EQ(t.back().last, 359);
    for (size_t i = 0; i < t.size(); ++i) {
      EXPECT_LE(t[i].first, t[i].last);
      if (i > 0) {
        EXPECT_EQ(t[i].first, t[i - 1].last + 1) << "tasks " << tasks;
      }
      EXPECT_NE(std::find(starts.begin(), starts.end(), t[i].first), starts.end())
          << "task " << i << " of " << tasks << " starts mid-chunk at " << t[i].first;
    }
  }
  EXPECT_EQ(split_farm_tasks(plan, 100).size(), starts.size());  // one chunk each at most
  // Balanced: with 4 tasks no task holds more than half the clip.
  for (const FarmTaskRange& r : split_farm_tasks(plan, 4)) EXPECT_LE(r.last - r.first + 1, 180);
  try {
    (void)split_farm_tasks(plan_with_shots({{0, 99}}, -1), 2);
    ADD_FAILURE() << "a plan without chunks was split";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("chunk_frames"), std::string::npos) << e.what();
  }
}

// The heart of it: tasks rendered apart, in any order, joined = the local render, byte for
// byte, with audio; for a long-GOP codec (H.264 with B-frames, where a naive split would not
// match) and an intra one (ProRes in .mov).
TEST_F(FarmTest, JoinedTasksAreTheLocalRenderByteForByte) {
  for (const auto& [codec, ext] : {std::pair{"h264", ".mp4"}, std::pair{"prores", ".mov"}}) {
    const fs::path plan = small_plan(20, codec, ext);
    const fs::path local = dir / ("local" + std::string(ext));
    const CliRun r = run("render " + q(plan) + " -o " + q(local) + " --quiet");
    ASSERT_EQ(r.code, 0) << r.out;
    const fs::path out = dir / ("farm" + std::string(ext));
    const fs::path job = prepare(plan, out, 3);
    const FarmJob j = read_farm_job(job.string());
    ASSERT_EQ(j.tasks.size(), 3u);
    for (int t : {2, 0, 1}) {
      const CliRun task = run(fmt::format("farm task {} {} --quiet", q(job), t));
      ASSERT_EQ(task.code, 0) << task.out;
    }
    EXPECT_FALSE(fs::exists(out)) << "the output appeared before the join";
    const CliRun join = run("farm join " + q(job) + " --quiet");
    ASSERT_EQ(join.code, 0) << join.out;
    EXPECT_TRUE(same_bytes(local, out)) << codec << ": the joined file differs from the local render";
    EXPECT_EQ(streams(out), streams(local));
    EXPECT_NE(streams(out).find("audio"), std::string::npos) << streams(out);
    const nlohmann::json res = nlohmann::json::parse(read_file((job / "result.json").string()));
    EXPECT_EQ(res["state"], "done");
    EXPECT_EQ(res["frames"], 72);
    EXPECT_FALSE(fs::exists(job / "seg_0000.agseg")) << "segments are removed after the join";
  }
}

// The same plan encoded in one piece (a plan from before chunked encoding) is a different
// bitstream: the byte equality above comes from the chunks, and old plans keep their bytes.
TEST_F(FarmTest, PlansWithoutChunksRenderAsBeforeAndAreNotSplit) {
  const fs::path plan = small_plan(20);
  nlohmann::json j = nlohmann::json::parse(read_file(plan.string()));
  j["encode"].erase("chunk_frames");
  const fs::path old_plan = dir / "old.plan.json";
  write_file_atomic(old_plan.string(), j.dump(2));
  ASSERT_EQ(run("render " + q(plan) + " -o " + q(dir / "chunked.mp4") + " --quiet").code, 0);
  ASSERT_EQ(run("render " + q(old_plan) + " -o " + q(dir / "whole.mp4") + " --quiet").code, 0);
  EXPECT_FALSE(same_bytes(dir / "chunked.mp4", dir / "whole.mp4"));
  const CliRun p = run(fmt::format("farm prepare {} -o {} --shared {}", q(old_plan),
                                   q(dir / "farm.mp4"), q(dir / "shared")));
  EXPECT_EQ(p.code, 2) << p.out;
  EXPECT_NE(p.out.find("chunk_frames"), std::string::npos) << p.out;
}

TEST_F(FarmTest, ACorruptedSegmentFailsTheJoinNamingItsTask) {
  const fs::path plan = small_plan(20);
  const fs::path out = dir / "farm.mp4";
  const fs::path job = prepare(plan, out, 3);
  for (int t : {0, 1, 2}) ASSERT_EQ(run(fmt::format("farm task {} {} --quiet", q(job), t)).code, 0);
  {  // one bit flipped in the middle of task 1's segment, its size unchanged
    std::fstream f(job / "seg_0001.agseg", std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(0, std::ios::end);
    const std::streamoff mid = f.tellg() / 2;
    f.seekg(mid);
    char c = 0;
    f.read(&c, 1);
    c ^= 0x10;
    f.seekp(mid);
    f.write(&c, 1);
  }
  const CliRun join = run("farm join " + q(job));
  EXPECT_EQ(join.code, 3) << join.out;
  EXPECT_NE(join.out.find("farm task 1"), std::string::npos) << join.out;
  EXPECT_NE(join.out.find("checksum"), std::string::npos) << join.out;
  EXPECT_FALSE(fs::exists(out)) << "a failed join left an output";
  EXPECT_TRUE(fs::exists(job / "seg_0001.agseg")) << "the job folder is kept for inspection";
  const nlohmann::json res = nlohmann::json::parse(read_file((job / "result.json").string()));
  EXPECT_EQ(res["state"], "failed");
  for (const auto& name : autograde::testing::listing(dir))
    EXPECT_EQ(name.find(".ag-"), std::string::npos) << "staging left behind: " << name;
}

TEST_F(FarmTest, AJoinBeforeEveryTaskFinishedWritesNothing) {
  const fs::path plan = small_plan(20);
  const fs::path out = dir / "farm.mp4";
  const fs::path job = prepare(plan, out, 3);
  for (int t : {0, 2}) ASSERT_EQ(run(fmt::format("farm task {} {} --quiet", q(job), t)).code, 0);
  const CliRun join = run("farm join " + q(job));
  EXPECT_EQ(join.code, 3) << join.out;
  EXPECT_NE(join.out.find("farm tasks 1 never finished"), std::string::npos) << join.out;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(run(fmt::format("farm task {} 3", q(job))).code, 2) << "task 3 does not exist";
}

// ---- Through Slurm -------------------------------------------------------------------------

#define REQUIRE_SLURM()                                                                       \
  do {                                                                                        \
    if (!slurm_available())                                                                   \
      GTEST_SKIP() << "no Slurm controller answers (scripts/slurm-local.sh start, as root)"; \
  } while (0)

// The Done-when case: grade of the bundled clip on the farm = the same grade rendered here.
TEST_F(FarmTest, SlurmGradeOfTheBundledClipEqualsALocalGrade) {
  REQUIRE_SLURM();
  const std::string in = q(source("data/video/tears_of_steel_excerpt.mp4"));
  const std::string ref = q(source("data/images/reference_teal_orange.png"));
  const CliRun local = run("grade " + in + " --ref " + ref + " -o " + q(dir / "local.mp4") +
                           " --plan " + q(dir / "local.plan.json") + " --quiet");
  ASSERT_EQ(local.code, 0) << local.out;
  const CliRun farm =
      run("grade " + in + " --ref " + ref + " -o " + q(dir / "farm.mp4") + " --plan " +
          q(dir / "farm.plan.json") + " --farm slurm --tasks 4 --shared " + q(dir / "shared") +
          " --quiet");
  ASSERT_EQ(farm.code, 0) << farm.out;
  EXPECT_NE(farm.out.find("farm path"), std::string::npos) << farm.out;
  EXPECT_TRUE(same_bytes(dir / "local.mp4", dir / "farm.mp4"));
  EXPECT_EQ(streams(dir / "farm.mp4"), streams(dir / "local.mp4"));
  EXPECT_FALSE(fs::exists(dir / "shared")) << "the shared folder is cleaned on success";
}

// 4K: 1 s of ffmpeg's test pattern at 3840x2160 with a tone, a plan with 8-frame chunks over 3
// tasks, against the same plan rendered here.
TEST_F(FarmTest, SlurmRenderOfA4KClipEqualsALocalRender) {
  REQUIRE_SLURM();
  const fs::path clip = dir / "uhd.mp4";
  ASSERT_TRUE(sh("ffmpeg -y -v error -f lavfi -i testsrc2=size=3840x2160:rate=24 -f lavfi -i "
                 "sine=frequency=330:sample_rate=48000 -t 1 -c:v libx264 -preset ultrafast "
                 "-pix_fmt yuv420p -color_primaries bt709 -color_trc bt709 -colorspace bt709 "
                 "-c:a aac " +
                 q(clip)));
  const fs::path plan = dir / "uhd.plan.json";
  const CliRun g = run("grade " + q(clip) + " --prompt 'cool blue night' -o " +
                       q(dir / "preview.mp4") + " --plan " + q(plan) + " --preview " +
                       q(dir / "sheet.png") + " --quiet");
  ASSERT_EQ(g.code, 0) << g.out;
  nlohmann::json j = nlohmann::json::parse(read_file(plan.string()));
  j["encode"]["chunk_frames"] = 8;
  write_file_atomic(plan.string(), j.dump(2));
  ASSERT_EQ(run("render " + q(plan) + " -o " + q(dir / "local.mp4") + " --quiet").code, 0);
  const CliRun farm = run("render " + q(plan) + " -o " + q(dir / "farm.mp4") +
                          " --farm slurm --tasks 3 --shared " + q(dir / "shared") + " --quiet");
  ASSERT_EQ(farm.code, 0) << farm.out;
  EXPECT_TRUE(same_bytes(dir / "local.mp4", dir / "farm.mp4"));
  EXPECT_NE(streams(dir / "farm.mp4").find("audio"), std::string::npos);
}

namespace {

// Waits for the job's result.json (at most `seconds`); null when it never came.
nlohmann::json wait_result(const fs::path& job, int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (fs::exists(job / "result.json"))
      return nlohmann::json::parse(read_file((job / "result.json").string()));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return nullptr;
}

// "submitted to Slurm: job folder DIR (..." → DIR
fs::path submitted_dir(const std::string& out) {
  const std::string key = "job folder ";
  const size_t a = out.find(key);
  if (a == std::string::npos) return {};
  const size_t b = out.find(" (", a);
  return out.substr(a + key.size(), b - a - key.size());
}

// The small plan (24-frame chunks) rendered here to local.mp4, then submitted to Slurm for
// farm.mp4 in 3 tasks without waiting: the job folder ("" when the submission failed).
fs::path render_here_and_submit(FarmTest& t) {
  const fs::path plan = t.small_plan(24);
  const CliRun local = run("render " + q(plan) + " -o " + q(t.dir / "local.mp4") + " --quiet");
  EXPECT_EQ(local.code, 0) << local.out;
  const CliRun sub = run("render " + q(plan) + " -o " + q(t.dir / "farm.mp4") +
                         " --farm slurm --no-wait --tasks 3 --shared " + q(t.dir / "shared"));
  EXPECT_EQ(sub.code, 0) << sub.out;
  return submitted_dir(sub.out);
}

}  // namespace

// A task's process killed with SIGKILL mid-render: its batch script runs it again, the job
// completes, and the result is still the local render.
TEST_F(FarmTest, SlurmRecoversATaskKilledMidRender) {
  REQUIRE_SLURM();
  const fs::path job = render_here_and_submit(*this);
  ASSERT_FALSE(job.empty());
  // The first task process seen is killed; polling is much faster than a task.
  bool killed = false;
  for (int i = 0; i < 3000 && !killed && !fs::exists(job / "result.json"); ++i) {
    const CliRun p = run_shell("pgrep -f " + q("farm task " + job.string() + " 1"));
    if (p.code == 0) killed = sh("kill -9 " + p.out.substr(0, p.out.find('\n')));
    else std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const nlohmann::json res = wait_result(job, 240);
  ASSERT_FALSE(res.is_null()) << run_shell("cat " + q(job / "logs") + "/*").out;
  EXPECT_EQ(res["state"], "done") << res.dump();
  EXPECT_TRUE(same_bytes(dir / "local.mp4", dir / "farm.mp4"));
  if (!killed) GTEST_SKIP() << "task 1 finished before it could be killed; nothing was recovered";
  EXPECT_NE(read_file((job / "logs" / "task_1.log").string()).find("attempt 1 failed"),
            std::string::npos);
}

// A task cancelled with scancel ends without a segment: the join submits it again, and the
// result is still the local render.
TEST_F(FarmTest, SlurmResubmitsACancelledTask) {
  REQUIRE_SLURM();
  const fs::path job = render_here_and_submit(*this);
  const FarmJob j = read_farm_job(job.string());
  const std::string array = j.executor["arrays"][0];
  ASSERT_TRUE(sh("scancel " + array + "_2")) << "scancel of task 2";
  const nlohmann::json res = wait_result(job, 240);
  ASSERT_FALSE(res.is_null()) << run_shell("cat " + q(job / "logs") + "/*").out;
  EXPECT_EQ(res["state"], "done") << res.dump();
  EXPECT_EQ(read_farm_job(job.string()).round, 1) << "task 2 was submitted again once";
  EXPECT_TRUE(same_bytes(dir / "local.mp4", dir / "farm.mp4"));
}

namespace {

// Three clips cut from the small source (1.5 s, 1.5 s, 1 s; the first and last hold a cut).
std::vector<fs::path> three_clips(FarmTest& t, const fs::path& small) {
  std::vector<fs::path> clips;
  fs::create_directories(t.dir / "in");
  for (int i = 0; i < 3; ++i) {
    clips.push_back(t.dir / "in" / fmt::format("clip{}.mp4", i));
    EXPECT_TRUE(sh(fmt::format("ffmpeg -y -v error -i {} -ss {} -t 1.5 -c:v libx264 -c:a aac {}",
                               q(small), i, q(clips.back()))));
  }
  return clips;
}

}  // namespace

// `batch` here: a .txt list and a folder name the same clips; each output is what `grade` of
// that clip alone writes.
TEST_F(FarmTest, BatchGradesEveryClipAsGradeDoes) {
  (void)small_plan(20);
  const std::vector<fs::path> clips = three_clips(*this, dir / "small.mp4");
  std::ofstream(dir / "in" / "list.txt") << "# the three clips\nclip0.mp4\n\nclip1.mp4\nclip2.mp4\n";
  const CliRun b = run("batch " + q(dir / "in" / "list.txt") + " --prompt 'warm summer evening' -o " +
                       q(dir / "out") + " --quiet");
  ASSERT_EQ(b.code, 0) << b.out;
  for (const fs::path& c : clips) {
    const std::string stem = c.stem().string();
    const CliRun g = run("grade " + q(c) + " --prompt 'warm summer evening' -o " +
                         q(dir / "single" / (stem + ".mp4")) + " --quiet");
    ASSERT_EQ(g.code, 0) << g.out;
    EXPECT_TRUE(same_bytes(dir / "single" / (stem + ".mp4"), dir / "out" / (stem + ".mp4"))) << stem;
    EXPECT_TRUE(fs::exists(dir / "out" / (stem + ".plan.json")));
    EXPECT_TRUE(fs::is_directory(dir / "out" / (stem + "_luts")));
  }
  std::ofstream(dir / "in" / "bad.txt") << "clip0.mp4\nno_such_clip.mp4\n";
  const CliRun bad = run("batch " + q(dir / "in" / "bad.txt") + " --prompt warm -o " + q(dir / "out2"));
  EXPECT_EQ(bad.code, 3) << bad.out;
  EXPECT_NE(bad.out.find("bad.txt:2"), std::string::npos) << bad.out;
}

// `batch --farm slurm` of a folder of three clips: one array over all their tasks, a join per
// clip; every output equals the local batch's.
TEST_F(FarmTest, SlurmBatchOfAFolderEqualsALocalBatch) {
  REQUIRE_SLURM();
  (void)small_plan(20);
  const std::vector<fs::path> clips = three_clips(*this, dir / "small.mp4");
  const CliRun farm = run("batch " + q(dir / "in") + " --prompt 'warm summer evening' -o " +
                          q(dir / "farm") + " --farm slurm --tasks 2 --quiet");
  ASSERT_EQ(farm.code, 0) << farm.out;
  const CliRun local = run("batch " + q(dir / "in") + " --prompt 'warm summer evening' -o " +
                           q(dir / "local") + " --quiet");
  ASSERT_EQ(local.code, 0) << local.out;
  for (const fs::path& c : clips) {
    const std::string name = c.filename().string();
    EXPECT_TRUE(same_bytes(dir / "local" / name, dir / "farm" / name)) << name;
    EXPECT_NE(streams(dir / "farm" / name).find("audio"), std::string::npos) << name;
  }
  EXPECT_FALSE(fs::exists(dir / "farm" / ".autograde-farm")) << "the shared folder is cleaned";
}

// Kubernetes, on paper: the manifests name every task once (an Indexed Job of as many
// completions as the job has tasks) and the join, and refuse a clip a pod could not see.
TEST_F(FarmTest, KubernetesManifestsMapTheTasksToAnIndexedJob) {
  const fs::path plan = small_plan(20);
  const CliRun k = run("farm k8s " + q(plan) + " -o " + q(dir / "k8s.mp4") + " --shared " + q(dir) +
                       " --tasks 3 --image registry.example/autograde:1");
  ASSERT_EQ(k.code, 0) << k.out;
  EXPECT_NE(k.out.find("completionMode: Indexed"), std::string::npos) << k.out;
  EXPECT_NE(k.out.find("completions: 3\n"), std::string::npos) << k.out;
  EXPECT_NE(k.out.find("farm task '"), std::string::npos) << k.out;
  EXPECT_NE(k.out.find("$JOB_COMPLETION_INDEX"), std::string::npos) << k.out;
  EXPECT_NE(k.out.find("farm join '"), std::string::npos) << k.out;
  EXPECT_NE(k.out.find("mountPath: \"" + dir.string() + "\""), std::string::npos) << k.out;
  // Where python3's YAML parser is installed, the text is two YAML documents.
  std::ofstream(dir / "k8s.yaml") << k.out;
  const CliRun y = run_shell("python3 -c \"import yaml,sys; d=list(yaml.safe_load_all(open(sys.argv[1]))); "
                             "print(len(d), d[0]['spec']['completions'], d[1]['kind'])\" " +
                             q(dir / "k8s.yaml"));
  if (y.code == 0) {
    EXPECT_EQ(y.out, "2 3 Job\n");
  }
  // The clip lives in `dir`, not on a volume mounted at dir/vol.
  fs::create_directories(dir / "vol");
  const CliRun bad = run("farm k8s " + q(plan) + " -o " + q(dir / "vol" / "k.mp4") + " --shared " +
                         q(dir / "vol"));
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.out.find("input clip"), std::string::npos) << bad.out;
  EXPECT_FALSE(fs::exists(dir / "vol" / ".autograde-farm") && !fs::is_empty(dir / "vol" / ".autograde-farm"));
}
