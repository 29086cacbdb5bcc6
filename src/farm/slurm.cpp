#include "autograde/farm/slurm.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/core/progress.hpp"

extern char** environ;
namespace fs = std::filesystem;
using nlohmann::json;

namespace autograde {

namespace {

constexpr int kMaxRounds = 2;

struct Run {
  int status = -1;  // exit code; -1 when the program could not be started
  std::string output;
};

// Runs a program (looked up on PATH) with its arguments as given, no shell; stdout and
// stderr together.
Run run_program(const std::vector<std::string>& args) {
  int fds[2];
  if (pipe(fds) != 0) throw_internal("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  Run r;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) r.output.append(buf, size_t(n));
  close(fds[0]);
  if (rc != 0) return r;
  int ws = 0;
  while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
  return r;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A single-quoted word for /bin/sh.
std::string sh_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string self_path() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw_internal("cannot find this program's path (/proc/self/exe)");
  return p.string();
}

void write_scripts(const FarmJob& job, const std::string& autograde) {
  const std::string ag = sh_quote(autograde), dir = sh_quote(job.dir);
  // A task's process that dies is run again in the same allocation: a crash or a kill -9 costs
  // a retry, not the job. Each attempt starts clean (run_farm_task removes old output first).
  const std::string task = fmt::format(
      "#!/bin/sh\n"
      "# One autograde farm task per array index (written by autograde; see farm_job.hpp).\n"
      "for attempt in 1 2 3; do\n"
      "  {} farm task {} \"$SLURM_ARRAY_TASK_ID\" && exit 0\n"
      "  echo \"autograde farm: task $SLURM_ARRAY_TASK_ID, attempt $attempt failed\" >&2\n"
      "done\n"
      "exit 1\n",
      ag, dir);
  const std::string join = fmt::format(
      "#!/bin/sh\n"
      "# The autograde farm join (written by autograde; see farm_job.hpp).\n"
      "exec {} farm join {}\n",
      ag, dir);
  for (const auto& [name, text] : {std::pair{"task.sh", task}, std::pair{"join.sh", join}}) {
    const std::string path = (fs::path(job.dir) / name).string();
    write_file_atomic(path, text);
    fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec,
                    fs::perm_options::replace);
  }
}

// sbatch --parsable prints "id" or "id;cluster".
std::string sbatch(std::vector<std::string> args) {
  args.insert(args.begin(), {"sbatch", "--parsable"});
  const Run r = run_program(args);
  if (r.status != 0)
    throw_usage(r.status < 0 ? "cannot run sbatch: is Slurm installed (slurm-wlm)?"
                             : "sbatch refused the farm job: " + trimmed(r.output));
  std::string id = trimmed(r.output);
  if (const size_t nl = id.rfind('\n'); nl != std::string::npos) id = id.substr(nl + 1);
  if (const size_t semi = id.find(';'); semi != std::string::npos) id.resize(semi);
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw_internal("sbatch printed '" + trimmed(r.output) + "', not a job id");
  return id;
}

// Submits `tasks` as an array and a join after them; records the ids.
void submit(FarmJob& job, const std::vector<int>& tasks) {
  const json& ex = job.executor;
  std::vector<std::string> common;
  if (const std::string p = ex.value("partition", ""); !p.empty())
    common.push_back("--partition=" + p);
  const std::string logs = (fs::path(job.dir) / "logs").string();
  const std::string name = fs::path(job.dir).filename().string();
  std::vector<std::string> a = common;
  a.insert(a.end(), {"--job-name=ag-task-" + name,
                     fmt::format("--array={}", fmt::join(tasks, ",")), "--requeue",
                     fmt::format("--cpus-per-task={}", ex.value("cpus_per_task", 1)),
                     "--open-mode=append", "--output=" + logs + "/task_%a.log",
                     "--chdir=" + job.dir, (fs::path(job.dir) / "task.sh").string()});
  const std::string array = sbatch(a);
  std::vector<std::string> j = common;
  j.insert(j.end(), {"--job-name=ag-join-" + name, "--dependency=afterany:" + array,
                     "--open-mode=append", "--output=" + logs + "/join.log",
                     "--chdir=" + job.dir, (fs::path(job.dir) / "join.sh").string()});
  const std::string join = sbatch(j);
  job.executor["arrays"].push_back(array);
  job.executor["join"] = join;
  write_farm_job(job);
}

// The job's state as squeue tells it ("" when Slurm no longer knows the job).
std::string slurm_state(const std::string& id) {
  const Run r = run_program({"squeue", "-h", "-t", "all", "-j", id, "-o", "%T"});
  if (r.status != 0) return "";
  std::string s = trimmed(r.output);
  if (const size_t nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

}  // namespace

bool slurm_available() {
  const Run r = run_program({"scontrol", "ping"});
  return r.status == 0 && r.output.find("UP") != std::string::npos;
}

void require_slurm() {
  if (!slurm_available())
    throw_usage(
        "--farm slurm: no Slurm controller answers (`scontrol ping`); start one (a test cluster: "
        "scripts/slurm-local.sh start) or use --farm local");
}

void submit_slurm(FarmJob& job, const SlurmOptions& o) {
  if (o.cpus_per_task < 1) throw_usage("--cpus-per-task must be at least 1");
  job.executor = {{"kind", "slurm"},
                  {"partition", o.partition},
                  {"cpus_per_task", o.cpus_per_task},
                  {"arrays", json::array()}};
  write_scripts(job, o.autograde.empty() ? self_path() : o.autograde);
  std::vector<int> all(job.tasks.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = int(i);
  submit(job, all);
}

void submit_slurm_batch(std::vector<FarmJob>& jobs, const SlurmOptions& o,
                        const std::string& batch_dir) {
  if (o.cpus_per_task < 1) throw_usage("--cpus-per-task must be at least 1");
  const std::string ag = o.autograde.empty() ? self_path() : o.autograde;
  // The array's index → (job folder, task): one line each, read by the batch's task script.
  std::string table;
  for (FarmJob& job : jobs) {
    job.executor = {{"kind", "slurm"},
                    {"partition", o.partition},
                    {"cpus_per_task", o.cpus_per_task},
                    {"arrays", json::array()}};
    write_scripts(job, ag);
    for (size_t t = 0; t < job.tasks.size(); ++t) table += fmt::format("{}\t{}\n", job.dir, t);
  }
  fs::create_directories(fs::path(batch_dir) / "logs");
  write_file_atomic((fs::path(batch_dir) / "tasks.tsv").string(), table);
  const std::string script = (fs::path(batch_dir) / "task.sh").string();
  write_file_atomic(
      script,
      fmt::format("#!/bin/sh\n"
                  "# One task of a batch of autograde farm jobs per array index (tasks.tsv).\n"
                  "line=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {})\n"
                  "dir=$(printf '%s' \"$line\" | cut -f1)\n"
                  "task=$(printf '%s' \"$line\" | cut -f2)\n"
                  "for attempt in 1 2 3; do\n"
                  "  {} farm task \"$dir\" \"$task\" && exit 0\n"
                  "  echo \"autograde farm: $dir task $task, attempt $attempt failed\" >&2\n"
                  "done\n"
                  "exit 1\n",
                  sh_quote((fs::path(batch_dir) / "tasks.tsv").string()), sh_quote(ag)));
  fs::permissions(script, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec,
                  fs::perm_options::replace);
  std::vector<std::string> common;
  if (!o.partition.empty()) common.push_back("--partition=" + o.partition);
  size_t total = 0;
  for (const FarmJob& job : jobs) total += job.tasks.size();
  std::vector<std::string> a = common;
  a.insert(a.end(), {"--job-name=ag-batch", fmt::format("--array=0-{}", total - 1), "--requeue",
                     fmt::format("--cpus-per-task={}", o.cpus_per_task), "--open-mode=append",
                     "--output=" + batch_dir + "/logs/task_%a.log", "--chdir=" + batch_dir,
                     script});
  const std::string array = sbatch(a);
  for (FarmJob& job : jobs) {
    std::vector<std::string> j = common;
    j.insert(j.end(), {"--job-name=ag-join-" + fs::path(job.dir).filename().string(),
                       "--dependency=afterany:" + array, "--open-mode=append",
                       "--output=" + job.dir + "/logs/join.log", "--chdir=" + job.dir,
                       (fs::path(job.dir) / "join.sh").string()});
    job.executor["arrays"].push_back(array);
    job.executor["join"] = sbatch(j);
    write_farm_job(job);
  }
}

bool resubmit_slurm(FarmJob& job, const std::vector<int>& missing) {
  if (job.round >= kMaxRounds) return false;
  ++job.round;
  submit(job, missing);
  return true;
}

bool run_farm_join(const std::string& dir) {
  FarmJob job = read_farm_job(dir);
  try {
    const FarmJoinOutcome out = join_farm_job(dir);
    if (out.missing.empty()) return true;
    if (job.executor.value("kind", "") == "slurm" && resubmit_slurm(job, out.missing)) {
      fmt::print(stderr, "autograde farm: tasks {} did not finish; submitted again (round {})\n",
                 fmt::join(out.missing, ", "), job.round);
      return false;
    }
    throw_bad_input(job.dir, fmt::format("farm tasks {} never finished (after {} rounds); their "
                                         "logs: {}/logs/task_<N>.log",
                                         fmt::join(out.missing, ", "), job.round, job.dir));
  } catch (const Error& e) {
    write_farm_result(job, false, 0, e.what());
    throw;
  }
}

FarmWaitResult wait_farm_job(const std::string& dir, bool quiet) {
  FarmJob job = read_farm_job(dir);
  ProgressBar bar("farm", job.frames, quiet);
  std::string last_join;
  int gone = 0;
  for (;;) {
    if (const json res = read_farm_result(job); !res.is_null()) {
      bar.finish();
      FarmWaitResult w;
      w.done = res.value("state", "") == "done";
      w.frames = res.value("frames", int64_t(0));
      w.error = res.value("error", "");
      for (const json& x : res.value("warnings", json::array())) w.warnings.push_back(x);
      return w;
    }
    job = read_farm_job(dir);  // a resubmission changes the join's id
    int64_t done = 0;
    for (size_t t = 0; t < job.tasks.size(); ++t)
      if (read_farm_task_status(job, t).done) done += job.tasks[t].last - job.tasks[t].first + 1;
    bar.update(done);
    const std::string join = job.executor.value("join", "");
    const std::string state = join.empty() ? "" : slurm_state(join);
    const bool ended = state.empty() || state == "COMPLETED" || state == "FAILED" ||
                       state == "CANCELLED" || state == "TIMEOUT" || state == "NODE_FAIL" ||
                       state == "OUT_OF_MEMORY" || state == "BOOT_FAIL" || state == "DEADLINE";
    // The join writes its result before it ends; give the file system a few polls to show it.
    gone = ended && join == last_join ? gone + 1 : 0;
    last_join = join;
    if (gone > 5) {
      bar.finish();
      FarmWaitResult w;
      w.error = fmt::format("the farm's join (Slurm job {}) ended ({}) without a result; its log: "
                            "{}/logs/join.log",
                            join, state.empty() ? "gone" : state, job.dir);
      return w;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

FarmRenderResult render_on_slurm(const GradePlan& plan, const std::string& output,
                                 const FarmRenderOptions& o) {
  require_slurm();
  std::string shared = o.shared;
  if (shared.empty())
    shared = (fs::absolute(output).parent_path() / ".autograde-farm").string();
  FarmJob job = create_farm_job(plan, output, shared, o.tasks);
  submit_slurm(job, o.slurm);
  FarmRenderResult r;
  r.job_dir = job.dir;
  r.join_id = read_farm_job(job.dir).executor.value("join", "");
  if (!o.wait) return r;
  const FarmWaitResult w = wait_farm_job(job.dir, o.quiet);
  if (!w.done)
    throw_bad_input(plan.input_path, fmt::format("the farm render of '{}' failed: {} (job folder "
                                                 "kept: {})",
                                                 output, w.error, job.dir));
  r.waited = true;
  r.frames = w.frames;
  r.warnings = w.warnings;
  std::error_code ec;
  fs::remove_all(job.dir, ec);
  if (fs::is_empty(shared, ec)) fs::remove(shared, ec);
  return r;
}

std::string farm_status_text(const std::string& dir) {
  const FarmJob job = read_farm_job(dir);
  size_t done = 0;
  int64_t frames = 0;
  for (size_t t = 0; t < job.tasks.size(); ++t)
    if (read_farm_task_status(job, t).done) {
      ++done;
      frames += job.tasks[t].last - job.tasks[t].first + 1;
    }
  std::string s = fmt::format("job:    {}\noutput: {}\ntasks:  {}/{} done, {}/{} frames\n", job.dir,
                              job.output, done, job.tasks.size(), frames, job.frames);
  if (job.executor.value("kind", "") == "slurm") {
    const std::string join = job.executor.value("join", "");
    s += fmt::format("slurm:  arrays {}, join {} ({}), round {}\n",
                     fmt::join(job.executor.value("arrays", std::vector<std::string>{}), " "),
                     join, join.empty() ? "-" : slurm_state(join), job.round);
  }
  if (const json res = read_farm_result(job); !res.is_null())
    s += res.value("state", "") == "done"
             ? fmt::format("result: done, {} frames in {}\n", res.value("frames", int64_t(0)),
                           job.output)
             : fmt::format("result: failed: {}\n", res.value("error", ""));
  else
    s += "result: not yet\n";
  return s;
}

}  // namespace autograde
