#include "autograde/farm/farm_job.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/media/image_sequence.hpp"
#include "autograde/media/video_writer.hpp"
#include "autograde/pipeline/render.hpp"
#include "autograde/pipeline/render_clip.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace autograde {

namespace {

constexpr int kJobVersion = 1;

std::string job_file(const std::string& dir) { return (fs::path(dir) / "job.json").string(); }

json parse_json_file(const std::string& path, const char* what) {
  const std::string text = read_file(path, input_limits::kPlanBytes, what);
  try {
    return json::parse(text);
  } catch (const json::exception&) {
    throw_bad_input(path, std::string("is not valid JSON (a ") + what + " is)");
  }
}

}  // namespace

std::vector<FarmTaskRange> split_farm_tasks(const GradePlan& plan, int tasks) {
  if (tasks < 1) throw_usage(fmt::format("--tasks {}: at least 1", tasks));
  if (plan.shots.empty()) throw_bad_input("plan", "has no shots");
  if (plan.encode.chunk_frames < 0)
    throw_usage(
        "this plan predates farm renders (no encode.chunk_frames): a local render encodes it in "
        "one piece, which no split can reproduce; set \"chunk_frames\": 250 in its \"encode\" "
        "(the render then changes slightly) or render it locally");
  const std::vector<int64_t> starts = encode_chunk_starts(plan);
  const int64_t total = plan.shots.back().last_frame + 1;
  // Each chunk goes to the task whose share of the frames its first frame falls in; ranges of
  // consecutive chunks with the same task merge, so a task is never split and a clip with
  // fewer chunks than tasks gets fewer tasks.
  std::vector<FarmTaskRange> out;
  int current = -1;
  for (size_t c = 0; c < starts.size(); ++c) {
    const int64_t first = starts[c];
    const int64_t last = c + 1 < starts.size() ? starts[c + 1] - 1 : total - 1;
    const int task = int(std::min<int64_t>(tasks - 1, first * tasks / total));
    if (task != current || out.empty()) {
      out.push_back({first, last});
      current = task;
    } else {
      out.back().last = last;
    }
  }
  return out;
}

FarmJob create_farm_job(const GradePlan& plan, const std::string& output, const std::string& shared,
                        int tasks) {
  if (is_y4m_path(output) || is_image_sequence_path(output))
    throw_usage("the farm joins video files (.mp4, .mov, .mkv, .mxf); render '" + output +
                "' locally");
  check_video_output(output, write_options(plan.encode));
  refuse_overwrite_input(plan.input_path, output);
  FarmJob job;
  job.output = fs::absolute(output).lexically_normal().string();
  job.tasks = split_farm_tasks(plan, tasks);
  job.frames = plan.shots.back().last_frame + 1;
  std::error_code ec;
  fs::create_directories(shared, ec);
  if (ec || !fs::is_directory(shared))
    throw_usage("cannot use '" + shared + "' as the farm's shared folder: " + ec.message());
  // A name that says which render it is, unique among jobs started on this shared folder.
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const std::string name =
      fmt::format("{}-{:x}-{}", fs::path(output).stem().string(),
                  std::chrono::duration_cast<std::chrono::milliseconds>(now).count(), getpid());
  job.dir = fs::absolute(fs::path(shared) / name).lexically_normal().string();
  fs::create_directories(fs::path(job.dir) / "logs", ec);
  if (ec) throw_usage("cannot create the farm job folder '" + job.dir + "': " + ec.message());
  write_file_atomic((fs::path(job.dir) / "plan.json").string(), plan_to_json(plan).dump(2) + "\n");
  write_farm_job(job);
  return job;
}

void write_farm_job(const FarmJob& job) {
  json tasks = json::array();
  for (const FarmTaskRange& t : job.tasks) tasks.push_back({{"first", t.first}, {"last", t.last}});
  const json j{{"version", kJobVersion}, {"output", job.output}, {"frames", job.frames},
               {"tasks", tasks},         {"executor", job.executor}, {"round", job.round}};
  write_file_atomic(job_file(job.dir), j.dump(2) + "\n");
}

FarmJob read_farm_job(const std::string& dir) {
  const std::string path = job_file(dir);
  const json j = parse_json_file(path, "farm job");
  FarmJob job;
  job.dir = fs::absolute(dir).lexically_normal().string();
  try {
    if (j.at("version").get<int>() != kJobVersion)
      throw_bad_input(path, fmt::format("is a version {} farm job; this autograde reads version {}",
                                        j.at("version").get<int>(), kJobVersion));
    job.output = j.at("output").get<std::string>();
    job.frames = j.at("frames").get<int64_t>();
    for (const json& t : j.at("tasks"))
      job.tasks.push_back({t.at("first").get<int64_t>(), t.at("last").get<int64_t>()});
    job.executor = j.value("executor", json::object());
    job.round = j.value("round", 0);
  } catch (const json::exception&) {
    throw_bad_input(path, "is not a farm job (output, frames and tasks are required)");
  }
  if (job.tasks.empty()) throw_bad_input(path, "has no tasks");
  return job;
}

std::string farm_segment_path(const FarmJob& job, size_t task) {
  return (fs::path(job.dir) / fmt::format("seg_{:04d}.agseg", task)).string();
}
std::string farm_status_path(const FarmJob& job, size_t task) {
  return (fs::path(job.dir) / fmt::format("status_{:04d}.json", task)).string();
}
std::string farm_result_path(const FarmJob& job) {
  return (fs::path(job.dir) / "result.json").string();
}

FarmTaskStatus read_farm_task_status(const FarmJob& job, size_t task) {
  FarmTaskStatus s;
  const std::string path = farm_status_path(job, task);
  std::error_code ec;
  if (!fs::exists(path, ec)) return s;
  const json j = parse_json_file(path, "farm task status");
  try {
    s.done = j.at("state").get<std::string>() == "done";
    s.frames = j.at("frames").get<int64_t>();
    s.bytes = j.at("bytes").get<uint64_t>();
    s.checksum = j.at("checksum").get<std::string>();
    s.seconds = j.value("seconds", 0.0);
    s.host = j.value("host", "");
  } catch (const json::exception&) {
    throw_bad_input(path, "is not a farm task status (state, frames, bytes, checksum)");
  }
  return s;
}

std::string file_checksum(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_bad_input(path, "cannot be read");
  // FNV-1a, 64-bit (offset basis and prime from Fowler, Noll and Vo's reference).
  uint64_t h = 0xcbf29ce484222325ull;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), std::streamsize(buf.size()));
    const std::streamsize n = in.gcount();
    for (std::streamsize i = 0; i < n; ++i) {
      h ^= uint8_t(buf[size_t(i)]);
      h *= 0x100000001b3ull;
    }
  }
  return fmt::format("{:016x}", h);
}

void write_farm_result(const FarmJob& job, bool done, int64_t frames, const std::string& error,
                       const std::vector<std::string>& warnings) {
  json j{{"state", done ? "done" : "failed"}, {"output", job.output}};
  if (done) {
    j["frames"] = frames;
    j["warnings"] = warnings;
  } else {
    j["error"] = error;
  }
  write_file_atomic(farm_result_path(job), j.dump(2) + "\n");
}

json read_farm_result(const FarmJob& job) {
  std::error_code ec;
  if (!fs::exists(farm_result_path(job), ec)) return nullptr;
  return parse_json_file(farm_result_path(job), "farm result");
}

}  // namespace autograde
