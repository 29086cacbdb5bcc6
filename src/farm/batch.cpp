#include "autograde/farm/batch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/farm/farm_job.hpp"
#include "autograde/media/video_writer.hpp"

namespace fs = std::filesystem;

namespace autograde {

namespace {

std::string lower_ext(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return e;
}

// The containers autograde writes are the ones a folder of clips is read for.
bool is_clip_name(const fs::path& p) {
  const std::vector<std::string>& exts = video_output_extensions();
  return std::find(exts.begin(), exts.end(), lower_ext(p)) != exts.end();
}

}  // namespace

std::vector<std::string> batch_inputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> clips;
  std::error_code ec;
  for (const std::string& in : inputs) {
    if (fs::is_directory(in, ec)) {
      std::vector<std::string> found;
      for (const auto& e : fs::directory_iterator(in))
        if (e.is_regular_file() && is_clip_name(e.path())) found.push_back(e.path().string());
      std::sort(found.begin(), found.end());
      clips.insert(clips.end(), found.begin(), found.end());
    } else if (lower_ext(in) == ".txt") {
      std::istringstream lines(read_file(in, input_limits::kPromptBytes, "clip list"));
      int n = 0;
      for (std::string line; std::getline(lines, line);) {
        ++n;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        fs::path p(line);
        if (p.is_relative()) p = fs::path(in).parent_path() / p;
        if (!fs::is_regular_file(p, ec))
          throw_bad_input(fmt::format("{}:{}", in, n), "'" + line + "' is not a file");
        clips.push_back(p.string());
      }
    } else {
      (void)check_input_file(in, UINT64_MAX, "clip");
      clips.push_back(in);
    }
  }
  if (clips.empty()) throw_usage("batch: no clips in " + fmt::format("{}", fmt::join(inputs, ", ")));
  std::map<std::string, std::string> stems;
  for (const std::string& c : clips) {
    const std::string stem = fs::path(c).stem().string();
    if (auto [it, fresh] = stems.emplace(stem, c); !fresh)
      throw_usage(fmt::format("batch: '{}' and '{}' would both be graded to {}.*", it->second, c,
                              stem));
  }
  return clips;
}

std::vector<BatchItem> grade_batch(const std::vector<std::string>& clips, const BatchOptions& o,
                                   const std::function<void(const std::string&)>& on_warning) {
  if (o.farm != "local" && o.farm != "slurm") throw_usage("--farm must be local or slurm");
  std::error_code ec;
  fs::create_directories(o.output_dir, ec);
  if (ec || !fs::is_directory(o.output_dir))
    throw_usage("cannot write into '" + o.output_dir + "': " + ec.message());
  const bool slurm = o.farm == "slurm";
  if (slurm) require_slurm();

  std::vector<BatchItem> items;
  std::vector<GradePlan> plans;
  for (const std::string& clip : clips) {
    const fs::path in(clip);
    const std::string ext = is_clip_name(in) && lower_ext(in) != ".m4v" ? lower_ext(in) : ".mp4";
    BatchItem item;
    item.input = clip;
    item.output = (fs::path(o.output_dir) / (in.stem().string() + ext)).string();
    item.plan_path = (fs::path(o.output_dir) / (in.stem().string() + ".plan.json")).string();
    GradeOptions g = o.grade;
    g.input = clip;
    g.output = item.output;
    g.plan_path = item.plan_path;
    g.luts_dir = (fs::path(o.output_dir) / (in.stem().string() + "_luts")).string();
    g.plan_only = slurm;
    try {
      GradeResult r = grade_clip(g, on_warning);
      item.frames = r.render.frames;
      item.shots = r.plan.shots.size();
      plans.push_back(std::move(r.plan));
    } catch (const Error& e) {
      throw Error(e.kind(), fmt::format("batch: grading '{}' failed: {}", clip, e.what()));
    }
    items.push_back(item);
  }
  if (!slurm) return items;

  std::string shared = o.farm_options.shared;
  if (shared.empty()) shared = (fs::absolute(o.output_dir) / ".autograde-farm").string();
  std::vector<FarmJob> jobs;
  for (size_t i = 0; i < items.size(); ++i)
    jobs.push_back(create_farm_job(plans[i], items[i].output, shared, o.farm_options.tasks));
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const std::string batch_dir =
      (fs::path(shared) /
       fmt::format("batch-{:x}", std::chrono::duration_cast<std::chrono::milliseconds>(now).count()))
          .string();
  submit_slurm_batch(jobs, o.farm_options.slurm, batch_dir);
  std::string failed;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const FarmWaitResult w = wait_farm_job(jobs[i].dir, o.farm_options.quiet);
    if (!w.done) {
      failed += fmt::format("\n  {}: {} (job folder kept: {})", items[i].input, w.error, jobs[i].dir);
      continue;
    }
    items[i].frames = w.frames;
    for (const std::string& x : w.warnings)
      if (on_warning) on_warning(items[i].input + ": " + x);
    fs::remove_all(jobs[i].dir, ec);
  }
  if (!failed.empty()) throw_bad_input("batch", "the farm render failed for" + failed);
  fs::remove_all(batch_dir, ec);
  if (fs::is_empty(shared, ec)) fs::remove(shared, ec);
  return items;
}

}  // namespace autograde
