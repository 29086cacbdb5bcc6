#pragma once
// Jobs on disk (issue 22). DATA/tmp holds the library's scratch files (run_server points TMPDIR
// there). Each job is a folder DATA/jobs/<id>/:
//   job.json                 this record (state, progress at the last state change, versions)
//   input/source.<ext>       the uploaded clip or still (never modified)
//   input/reference.<ext>    the uploaded reference still, when given
//   plan.vN.json, luts.vN/   plan version N and its per-shot .cube files (v1: the grade)
//   output.vN.mp4            version N rendered (v1 by the grade, later ones by "render")
//   report.v1<ext>           the grade's report (".html"; ".pdf" once src/report writes it)
//   frames/shot_NNN.png      each shot's middle frame, input code values (the UI's preview)
//   input/shot_NNN.vK<ext>   a reference still given to one shot (version K's re-grade)
// A job folder appears whole: it is written as DATA/jobs/<id>.partial and renamed. Jobs run on
// `workers` threads through the same library calls as the CLI (grade_clip, render_plan);
// refine, undo and exclusion are quick plan edits made on the request's thread. When the server
// stops mid-job, the next JobStore marks that job failed with the reason (its outputs are
// staged, so nothing half-written is left behind); queued jobs are queued again.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "autograde/pipeline/grade.hpp"
#include "autograde/pipeline/refine_plan.hpp"

namespace autograde::server {

struct JobInputs {
  std::string source_bytes, source_ext, source_name;           // name: the client's, for display
  std::string reference_bytes, reference_ext, reference_name;  // empty when none
  std::string prompt;
  nlohmann::json options = nlohmann::json::object();  // validated (apply_job_options)
};

class JobStore {
 public:
  JobStore(std::filesystem::path data_dir, int workers, std::string report_ext);
  ~JobStore();  // cancels running work and joins the workers
  JobStore(const JobStore&) = delete;
  JobStore& operator=(const JobStore&) = delete;

  // Writes the job folder and queues its grade; returns the job's JSON.
  nlohmann::json create(const JobInputs& inputs);
  std::vector<nlohmann::json> list() const;
  // The job's JSON (job.json plus live progress); HttpError 404 for an unknown id (including
  // ids that are not 16 hex digits).
  nlohmann::json status(const std::string& id) const;
  // Cancels a queued or running job (409 when it already finished).
  nlohmann::json cancel(const std::string& id);
  // Cancels it when needed, waits for its worker to let go, removes the folder.
  void remove(const std::string& id);

  // Plan version `version` (0: the current one); 404 when the job has no such version.
  std::filesystem::path plan_path(const std::string& id, int version = 0) const;
  GradePlan plan(const std::string& id, int version = 0) const;
  // Files of a version, 404 when absent: a shot's .cube (by its plan name), the rendered
  // output, the report, a shot's middle frame.
  std::filesystem::path lut_path(const std::string& id, const std::string& file,
                                 int version = 0) const;
  std::filesystem::path output_path(const std::string& id, int version = 0) const;
  // The grade's report: ext ".html" or ".pdf" ("" = the server's default format).
  std::filesystem::path report_path(const std::string& id, const std::string& ext = "") const;
  std::filesystem::path frame_path(const std::string& id, int shot) const;

  // A new plan version from the current one (409 while the job runs or before it graded).
  nlohmann::json refine(const std::string& id, const Refinement& r);
  nlohmann::json set_excluded(const std::string& id, int shot, bool excluded);
  // A different reference still for one shot: queues a re-grade (grade_clip with --shot-ref for
  // that shot and --lock for every other graded shot, --exclude for excluded ones) whose plan,
  // LUTs and render become a new version. The still is kept as input/shot_NNN.vK<ext>.
  nlohmann::json set_shot_reference(const std::string& id, int shot, const std::string& bytes,
                                    const std::string& ext, const std::string& name);
  // The current version's parent becomes current (409 at version 1).
  nlohmann::json undo(const std::string& id);
  // Queues rendering of the current version (409 while the job runs).
  nlohmann::json render(const std::string& id);
  // The refinement applied to the current plan, nothing written: the LUT of `shot`.
  Lut3D preview_lut(const std::string& id, const Refinement& r, int shot) const;

 private:
  struct Job;
  std::shared_ptr<Job> find(const std::string& id) const;
  std::filesystem::path dir(const std::string& id) const;
  void save(const Job& job) const;  // job.json; caller holds mutex_
  nlohmann::json describe(const Job& job) const;
  int add_version(Job& job, const GradePlan& plan, const std::string& command);
  // Queues `task` for an idle job (its edit lock held), with job.rec[key] = value.
  nlohmann::json enqueue(Job& job, const std::string& task, const std::string& key,
                         nlohmann::json value);
  void worker();
  // The job's grade options (its inputs and options; outputs as version `version`), and a copy
  // of its record taken under the lock in `rec`.
  GradeOptions grade_options(Job& job, int version, nlohmann::json& rec) const;
  void run_grade(Job& job);
  void run_render(Job& job, int version);
  void run_regrade(Job& job);
  void write_frames(const std::string& id, const GradePlan& plan) const;
  void load_existing();
  // read_plan through a small cache: a plan whose shots hold residual LUTs (learned grades) is
  // megabytes of JSON, and the preview reads the current one at every slider move. An entry is
  // used while the file's size and modification time are unchanged.
  std::shared_ptr<const GradePlan> cached_plan(const std::filesystem::path& file) const;

  std::filesystem::path data_dir_, jobs_dir_;
  std::string report_ext_;
  mutable std::mutex mutex_;
  std::condition_variable queue_cv_, done_cv_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  struct CachedPlan {
    std::filesystem::file_time_type written;
    std::uintmax_t bytes = 0;
    std::shared_ptr<const GradePlan> plan;
    std::uint64_t used = 0;  // for evicting the least recently used
  };
  mutable std::mutex plan_cache_mutex_;
  mutable std::map<std::string, CachedPlan> plan_cache_;
  mutable std::uint64_t plan_cache_clock_ = 0;
};

}  // namespace autograde::server
