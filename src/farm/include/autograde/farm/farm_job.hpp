#pragma once
// A farm job (issue 23): the render of one plan split where the work is naturally independent.
// The plan's encoder restarts at every chunk (pipeline/render.hpp encode_chunk_starts), so a
// range of whole chunks renders alone into a segment whose packets are exactly those a local
// render writes for those frames; the join copies the segments' packets into the output and
// muxes audio, subtitles and metadata as the local render does, so the joined file is the
// local render's, byte for byte (media/video_writer.hpp VideoWriteOptions::restart_at).
//
// On disk, in a folder every task can read and write (DIR = <shared>/<output stem>-<id>):
//   DIR/job.json           what to render: the output, the task ranges, executor settings
//   DIR/plan.json          the plan, as given
//   DIR/seg_0003.agseg       task 3's segment (appears when complete)
//   DIR/status_0003.json   task 3's record: frames, bytes and checksum of its segment
//   DIR/result.json        the join's outcome: "done" (with frames) or "failed" (with why)
//   DIR/logs/              the executor's logs
// The job is executor-neutral: `autograde farm task DIR I` and `autograde farm join DIR` are all
// any scheduler runs (slurm.hpp submits them to Slurm; docs/scale-out.md maps them to
// Kubernetes).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "autograde/pipeline/plan.hpp"

namespace autograde {

struct FarmTaskRange {
  int64_t first = 0, last = 0;  // inclusive frames, whole encoder chunks
};

struct FarmJob {
  std::string dir;     // absolute
  std::string output;  // absolute path of the final file
  int64_t frames = 0;  // of the whole render
  std::vector<FarmTaskRange> tasks;
  nlohmann::json executor = nlohmann::json::object();  // e.g. Slurm's ids and settings
  int round = 0;  // how many times missing tasks were submitted again
};

// At most `tasks` contiguous ranges of whole encoder chunks covering the plan's frames, each
// near total/tasks frames. Error(Usage) for a plan without chunks (encode.chunk_frames -1: a
// plan written before farm renders, which a local render encodes in one piece).
std::vector<FarmTaskRange> split_farm_tasks(const GradePlan& plan, int tasks);

// Creates the job folder under `shared` (created when missing) with job.json and plan.json.
// Error(Usage) when the output is not a video file the farm joins (.mp4/.mov/.mkv/.mxf; image
// sequences and .y4m streams are rendered locally) or is the plan's input.
FarmJob create_farm_job(const GradePlan& plan, const std::string& output, const std::string& shared,
                        int tasks);

// Reads DIR/job.json; Error(BadInput) naming the file when it is missing or malformed.
FarmJob read_farm_job(const std::string& dir);
// Rewrites DIR/job.json (atomically).
void write_farm_job(const FarmJob& job);

std::string farm_segment_path(const FarmJob& job, size_t task);
std::string farm_status_path(const FarmJob& job, size_t task);
std::string farm_result_path(const FarmJob& job);

// Renders task `task` of the job in `dir` into its segment and writes its status record.
// Error(Usage) for a task the job does not have; render errors propagate (no segment, no status).
void run_farm_task(const std::string& dir, int task, bool quiet);

// A task's record, as its status file holds it.
struct FarmTaskStatus {
  bool done = false;
  int64_t frames = 0;
  uint64_t bytes = 0;
  std::string checksum;  // FNV-1a 64 of the segment file, hex
  double seconds = 0;
  std::string host;
};
// The task's status file, or a not-done status when it has none yet.
FarmTaskStatus read_farm_task_status(const FarmJob& job, size_t task);

// FNV-1a 64 of a file's bytes, as 16 hex digits: enough to tell a truncated, overwritten or
// bit-flipped segment from the one its task wrote (not a defence against tampering).
std::string file_checksum(const std::string& path);

struct FarmJoinOutcome {
  std::vector<int> missing;  // tasks that never finished: nothing was joined
  int64_t frames = 0;        // frames in the output when joined
  std::vector<std::string> warnings;
};

// Checks every task's segment against its record (present, frame count, size, checksum), then
// writes the output (staged: it appears complete or not at all) from the segments and the plan's
// input, deletes the segments and writes result.json. When tasks have not finished it joins
// nothing and returns them in `missing`. Error(BadInput) naming the task and its segment when a
// finished task's segment is absent, of another size or checksum, or holds other frames; the
// job folder is then kept for inspection.
FarmJoinOutcome join_farm_job(const std::string& dir);

// Writes DIR/result.json: {"state": "done", "frames": N, "output": ..., "warnings": [...]} or
// {"state": "failed", "error": why}.
void write_farm_result(const FarmJob& job, bool done, int64_t frames, const std::string& error,
                       const std::vector<std::string>& warnings = {});
// DIR/result.json, or null when the join has not finished.
nlohmann::json read_farm_result(const FarmJob& job);

}  // namespace autograde
