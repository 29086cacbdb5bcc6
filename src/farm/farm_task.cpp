// One farm task: a range of whole encoder chunks rendered into a segment (farm_job.hpp).
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/farm/farm_job.hpp"
#include "autograde/pipeline/render.hpp"

namespace fs = std::filesystem;

namespace autograde {

void run_farm_task(const std::string& dir, int task, bool quiet) {
  const FarmJob job = read_farm_job(dir);
  if (task < 0 || size_t(task) >= job.tasks.size())
    throw_usage(fmt::format("farm job '{}' has tasks 0-{}, not {}", job.dir, job.tasks.size() - 1,
                            task));
  const auto start = std::chrono::steady_clock::now();
  const GradePlan plan = read_plan((fs::path(job.dir) / "plan.json").string());
  const FarmTaskRange& range = job.tasks[size_t(task)];
  const std::string segment = farm_segment_path(job, size_t(task));
  // A task run again (Slurm's requeue, a retry) starts clean: its old record and segment go
  // first, so the join never pairs a new segment with an old record.
  std::error_code ec;
  fs::remove(farm_status_path(job, size_t(task)), ec);
  fs::remove(segment, ec);

  RenderOptions ro;
  ro.quiet = quiet;
  ro.measure = false;  // the temporal metrics describe whole shots; a task may hold part of one
  ro.frames = FrameRange{range.first, range.last};
  ro.segment_of = job.output;
  const RenderResult r = render_plan(plan, segment, ro);
  if (r.frames != range.last - range.first + 1)
    throw_internal(fmt::format("farm task {} rendered {} frames of {}-{}", task, r.frames,
                               range.first, range.last));

  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const nlohmann::json status{{"state", "done"},
                              {"task", task},
                              {"first", range.first},
                              {"last", range.last},
                              {"frames", r.frames},
                              {"bytes", uint64_t(fs::file_size(segment))},
                              {"checksum", file_checksum(segment)},
                              {"seconds", seconds},
                              {"host", std::string(host)}};
  write_file_atomic(farm_status_path(job, size_t(task)), status.dump(2) + "\n");
}

}  // namespace autograde
