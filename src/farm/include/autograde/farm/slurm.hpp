#pragma once
// Slurm as the farm's executor (issue 23): a farm job's tasks (farm_job.hpp) as one job array,
// and its join as a job that runs after all of them (afterany: the join itself tells a finished
// task from a missing one). Recovery, in three layers:
//   - a task whose process dies (killed, out of memory) is run again inside its allocation, up
//     to three attempts (the batch script's loop);
//   - a task whose allocation is lost (node failure, preemption) is requeued by Slurm
//     (--requeue);
//   - a task that ended without a segment (cancelled with scancel, or out of attempts) is found
//     by the join, which submits those tasks again with a new join after them, up to two rounds;
//     then the job fails naming them.
// A corrupt segment is never re-rendered silently: the join fails naming the task.
#include <string>
#include <vector>

#include "autograde/farm/farm_job.hpp"

namespace autograde {

struct SlurmOptions {
  std::string partition;  // "" = the cluster's default
  int cpus_per_task = 1;
  std::string autograde;  // the binary the tasks run; "" = this one (/proc/self/exe)
};

// True when Slurm's commands are installed and a controller answers (`scontrol ping`).
bool slurm_available();
// Error(Usage) saying how to start one when no controller answers.
void require_slurm();

// Writes DIR/task.sh and DIR/join.sh and submits every task and the join; records the job ids
// in job.json. Error(Usage) when sbatch is missing or refuses (its message is quoted).
void submit_slurm(FarmJob& job, const SlurmOptions& options);

// Several jobs (a batch of clips) as one array over all their tasks, and one join per job after
// it; each job can still resubmit its own missing tasks. `batch_dir` holds the array's table.
void submit_slurm_batch(std::vector<FarmJob>& jobs, const SlurmOptions& options,
                        const std::string& batch_dir);

// For the join running under Slurm: submits `missing` tasks again and a new join after them.
// Returns false (nothing submitted) when the job has had its two rounds.
bool resubmit_slurm(FarmJob& job, const std::vector<int>& missing);

struct FarmWaitResult {
  bool done = false;
  int64_t frames = 0;
  std::string error;  // when !done
  std::vector<std::string> warnings;
};

// The join as an executor runs it (`autograde farm join DIR`): join_farm_job; when tasks never
// finished, under Slurm they are submitted again (resubmit_slurm) and this returns false;
// otherwise, and on any error, result.json records the failure and the error propagates.
// Returns true when the output was written.
bool run_farm_join(const std::string& dir);

// Waits for the job's result (result.json), showing progress from the tasks' records, and
// watching the join's Slurm job: a join that ended without a result fails the wait, naming
// its log.
FarmWaitResult wait_farm_job(const std::string& dir, bool quiet);

struct FarmRenderOptions {
  std::string shared;  // the job folders' parent; "" = <output folder>/.autograde-farm
  int tasks = 8;
  SlurmOptions slurm;
  bool wait = true;
  bool quiet = false;
};

struct FarmRenderResult {
  std::string job_dir;  // removed when the render finished here
  std::string join_id;  // the Slurm job whose end means the output is there
  bool waited = false;
  int64_t frames = 0;
  std::vector<std::string> warnings;
};

// Renders `plan` into `output` on Slurm: creates the job, submits it and, with `wait`, waits
// for it and removes the job folder. Error(BadInput) when the job fails, saying why and where
// its folder (kept) is; Error(Usage) when no Slurm controller answers.
FarmRenderResult render_on_slurm(const GradePlan& plan, const std::string& output,
                                 const FarmRenderOptions& options);

// A few lines for `autograde farm status`: tasks done, frames, the join's state, the result.
std::string farm_status_text(const std::string& dir);

}  // namespace autograde
