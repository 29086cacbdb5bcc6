// autograde farm prepare|task|join|status: the render farm's steps (src/farm/farm_job.hpp), and
// the --farm options that `grade` and `render` share.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "autograde/core/error.hpp"
#include "autograde/farm/farm_job.hpp"
#include "autograde/farm/kubernetes.hpp"
#include "autograde/farm/slurm.hpp"
#include "autograde/pipeline/plan.hpp"
#include "commands.hpp"

namespace autograde::cli {

void add_farm_options(CLI::App* sub, FarmArgs& a) {
  sub->add_option("--farm", a.farm,
                  "where to render: local (here, the default) or slurm (a job array of encoder-"
                  "chunk ranges and a join, on the Slurm cluster this machine submits to)")
      ->check(CLI::IsMember({"local", "slurm"}));
  sub->add_option("--partition", a.options.slurm.partition, "with --farm slurm: the partition");
  sub->add_option("--tasks", a.options.tasks, "with --farm slurm: at most this many tasks (8)")
      ->check(CLI::Range(1, 100000));
  sub->add_option("--shared", a.options.shared,
                  "with --farm slurm: a folder every node reads and writes, for the job's "
                  "segments and records (default: OUT's folder/.autograde-farm)");
  sub->add_option("--cpus-per-task", a.options.slurm.cpus_per_task,
                  "with --farm slurm: cores each task asks for (1)")
      ->check(CLI::Range(1, 1024));
}

bool FarmArgs::on_slurm() const { return farm == "slurm"; }

namespace {

Runner add_farm(CLI::App& app, const GlobalOptions& global) {
  auto* farm = app.add_subcommand(
      "farm", "The render farm's steps, for schedulers (grade/render --farm slurm runs them)");
  farm->require_subcommand(1);

  auto dir = std::make_shared<std::string>();
  auto plan = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto shared = std::make_shared<std::string>();
  auto tasks = std::make_shared<int>(8);
  auto task = std::make_shared<int>(-1);

  auto* prepare = farm->add_subcommand(
      "prepare", "Split a plan's render into a job folder of tasks (any scheduler can run them)");
  prepare->add_option("PLAN", *plan, "plan file")->required();
  prepare->add_option("-o,--output", *output, "the video file the join writes")->required();
  prepare->add_option("--shared", *shared, "parent of the job folder")->required();
  prepare->add_option("--tasks", *tasks, "at most this many tasks")->check(CLI::Range(1, 100000));

  auto* run = farm->add_subcommand("task", "Render one task of a job into its segment");
  run->add_option("DIR", *dir, "job folder")->required();
  run->add_option("TASK", *task, "task number, from 0")->required();

  auto* join = farm->add_subcommand(
      "join", "Check every segment and join them into the output (or resubmit missing tasks)");
  join->add_option("DIR", *dir, "job folder")->required();

  auto* status = farm->add_subcommand("status", "Tasks done, the join, the result");
  status->add_option("DIR", *dir, "job folder")->required();

  auto k8s = std::make_shared<KubernetesOptions>();
  auto* kube = farm->add_subcommand(
      "k8s", "Prepare a job folder and print Kubernetes manifests for it (Indexed Job + join)");
  kube->add_option("PLAN", *plan, "plan file")->required();
  kube->add_option("-o,--output", *output, "the video file the join writes")->required();
  kube->add_option("--shared", *shared,
                   "the shared volume's mount path, the same here and in every pod; the clip and "
                   "the output must be on it (the job folder goes to its .autograde-farm)")
      ->required();
  kube->add_option("--tasks", *tasks, "at most this many tasks")->check(CLI::Range(1, 100000));
  kube->add_option("--image", k8s->image, "container image with autograde on PATH");
  kube->add_option("--claim", k8s->claim, "the ReadWriteMany PersistentVolumeClaim");
  kube->add_option("--parallelism", k8s->parallelism, "pods at once (default: one per task)");

  return [=, &global] {
    if (prepare->parsed()) {
      const FarmJob job = create_farm_job(read_plan(*plan), *output, *shared, *tasks);
      fmt::print("{}\n", job.dir);
      for (size_t t = 0; t < job.tasks.size() && !global.quiet; ++t)
        fmt::print("  task {}: frames {}-{}\n", t, job.tasks[t].first, job.tasks[t].last);
    } else if (run->parsed()) {
      run_farm_task(*dir, *task, global.quiet);
      fmt::print("task {} done\n", *task);
    } else if (join->parsed()) {
      if (run_farm_join(*dir))
        fmt::print("joined {}\n", read_farm_job(*dir).output);
    } else if (kube->parsed()) {
      k8s->mount = std::filesystem::absolute(*shared).lexically_normal().string();
      while (k8s->mount.size() > 1 && k8s->mount.back() == '/') k8s->mount.pop_back();
      const FarmJob job = create_farm_job(read_plan(*plan), *output,
                                          k8s->mount + "/.autograde-farm", *tasks);
      try {
        fmt::print("{}", kubernetes_manifests(job, *k8s));
      } catch (const Error&) {
        std::filesystem::remove_all(job.dir);
        throw;
      }
    } else {
      fmt::print("{}", farm_status_text(*dir));
    }
  };
}

}  // namespace

AUTOGRADE_COMMAND(80, add_farm);

}  // namespace autograde::cli
