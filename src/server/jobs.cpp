#include "jobs.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <random>
#include <set>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/core/progress.hpp"
#include "autograde/look/look.hpp"
#include "autograde/pipeline/handoff.hpp"
#include "autograde/pipeline/region_grades.hpp"
#include "autograde/pipeline/render.hpp"
#include "autograde/pipeline/shot_lut.hpp"
#include "autograde/pipeline/shot_sampling.hpp"
#include "autograde/report/report_html.hpp"
#include "autograde/report/report_pdf.hpp"
#include "request_checks.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace autograde::server {

namespace {

// Thrown by the progress observer of a job whose cancel flag is set; unwinds out of the library
// call (its staging folders remove themselves on the way).
struct Cancelled {};

std::string now_utc() {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::time(nullptr)));
}

std::string new_id() {
  static std::mutex m;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lk(m);
  return fmt::format("{:016x}", rng());
}

bool valid_id(const std::string& id) {
  return id.size() == 16 && std::all_of(id.begin(), id.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) &&
                  !std::isupper(static_cast<unsigned char>(c));
         });
}

bool terminal(const std::string& state) {
  return state == "done" || state == "failed" || state == "cancelled";
}

// Where each progress label of the library sits in a job's overall progress.
double overall(const std::string& task, std::string_view label, double frac) {
  if (task == "render") return frac;
  if (label == "analyse") return 0.4 * frac;
  if (label == "sample") return 0.4 + 0.1 * frac;
  return 0.5 + 0.5 * frac;  // render
}

std::string vname(const char* stem, int version, const std::string& ext) {
  return fmt::format("{}.v{}{}", stem, version, ext);
}

}  // namespace

struct JobStore::Job {
  json rec;
  std::atomic<bool> cancel{false};
  bool active = false;  // a worker holds it (guarded by mutex_)
  std::mutex edit;      // serialises plan edits (refine, undo, exclusion, render requests)
};

JobStore::JobStore(fs::path data_dir, int workers, std::string report_ext)
    : data_dir_(std::move(data_dir)),
      jobs_dir_(data_dir_ / "jobs"),
      report_ext_(std::move(report_ext)) {
  std::error_code ec;
  fs::create_directories(jobs_dir_, ec);
  if (ec)
    throw_usage(fmt::format("--data: cannot create '{}': {}", jobs_dir_.string(), ec.message()));
  load_existing();
  for (int i = 0; i < std::max(1, workers); ++i) workers_.emplace_back([this] { worker(); });
}

JobStore::~JobStore() {
  {
    std::lock_guard lk(mutex_);
    stopping_ = true;
    for (auto& [id, job] : jobs_) job->cancel = true;
  }
  queue_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

fs::path JobStore::dir(const std::string& id) const { return jobs_dir_ / id; }

void JobStore::save(const Job& job) const {
  write_file_atomic((dir(job.rec["id"]) / "job.json").string(), job.rec.dump(2) + "\n");
}

void JobStore::load_existing() {
  std::vector<std::pair<std::string, std::string>> queued;  // (created, id)
  for (const auto& e : fs::directory_iterator(jobs_dir_)) {
    const std::string name = e.path().filename().string();
    std::error_code ec;
    // An upload the previous server did not finish writing.
    if (name.ends_with(".partial")) {
      fs::remove_all(e.path(), ec);
      continue;
    }
    if (!valid_id(name) || !fs::exists(e.path() / "job.json")) continue;
    // Staging folders of work that a kill cut short (no signal handler ran).
    for (const auto& f : fs::directory_iterator(e.path()))
      if (f.path().filename().string().starts_with(".autograde-")) fs::remove_all(f.path(), ec);
    auto job = std::make_shared<Job>();
    try {
      job->rec = json::parse(read_file((e.path() / "job.json").string()));
    } catch (const std::exception& ex) {
      continue;  // not ours to judge or delete; it is never served either
    }
    std::string state = job->rec.value("state", "");
    if (state == "running") {
      job->rec["state"] = "failed";
      job->rec["error"] =
          fmt::format("the server stopped while this job was running ({} at {:.0f}%); {}",
                      job->rec.value("stage", "starting"), 100.0 * job->rec.value("progress", 0.0),
                      job->rec.value("task", "grade") == "render" ? "POST render to render it again"
                                                                  : "delete it and upload again");
      save(*job);
    } else if (state == "queued") {
      queued.emplace_back(job->rec.value("created", ""), name);
    }
    jobs_[name] = std::move(job);
  }
  std::sort(queued.begin(), queued.end());
  for (const auto& q : queued) queue_.push_back(q.second);
}

std::shared_ptr<JobStore::Job> JobStore::find(const std::string& id) const {
  std::lock_guard lk(mutex_);
  auto it = valid_id(id) ? jobs_.find(id) : jobs_.end();
  if (it == jobs_.end()) throw HttpError(404, fmt::format("no job '{}'", id));
  return it->second;
}

json JobStore::describe(const Job& job) const {
  json j = job.rec;
  const std::string id = j["id"];
  j["links"] = {{"self", "/api/jobs/" + id}, {"events", "/api/jobs/" + id + "/events"}};
  if (j.value("version", 0) > 0) {
    j["links"]["plan"] = "/api/jobs/" + id + "/plan";
    j["links"]["luts"] = "/api/jobs/" + id + "/luts";
    j["links"]["output"] = "/api/jobs/" + id + "/output";
    if (fs::exists(dir(id) / "report.v1.html"))
      j["links"]["report"] = "/api/jobs/" + id + "/report?format=html";
    if (fs::exists(dir(id) / "report.v1.pdf"))
      j["links"]["report_pdf"] = "/api/jobs/" + id + "/report?format=pdf";
  }
  return j;
}

json JobStore::create(const JobInputs& in) {
  const std::string id = new_id();
  const fs::path partial = jobs_dir_ / (id + ".partial");
  const fs::path final_dir = dir(id);
  fs::create_directories(partial / "input");
  json rec = {{"id", id},
              {"created", now_utc()},
              {"state", "queued"},
              {"task", "grade"},
              {"stage", ""},
              {"progress", 0.0},
              {"error", ""},
              {"source", "input/source" + in.source_ext},
              {"source_name", in.source_name},
              {"reference", in.reference_bytes.empty() ? "" : "input/reference" + in.reference_ext},
              {"reference_name", in.reference_name},
              {"prompt", in.prompt},
              {"options", in.options},
              {"version", 0},
              {"versions", json::array()}};
  try {
    write_file_atomic((partial / rec["source"].get<std::string>()).string(), in.source_bytes);
    if (!in.reference_bytes.empty())
      write_file_atomic((partial / rec["reference"].get<std::string>()).string(),
                        in.reference_bytes);
    write_file_atomic((partial / "job.json").string(), rec.dump(2) + "\n");
    fs::rename(partial, final_dir);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(partial, ec);
    throw;
  }
  auto job = std::make_shared<Job>();
  job->rec = rec;
  {
    std::lock_guard lk(mutex_);
    jobs_[id] = job;
    queue_.push_back(id);
  }
  queue_cv_.notify_one();
  std::lock_guard lk(mutex_);
  return describe(*job);
}

std::vector<json> JobStore::list() const {
  std::lock_guard lk(mutex_);
  std::vector<json> v;
  for (const auto& [id, job] : jobs_) v.push_back(describe(*job));
  std::sort(v.begin(), v.end(),
            [](const json& a, const json& b) { return a["created"] < b["created"]; });
  return v;
}

json JobStore::status(const std::string& id) const {
  auto job = find(id);
  std::lock_guard lk(mutex_);
  return describe(*job);
}

json JobStore::cancel(const std::string& id) {
  auto job = find(id);
  std::lock_guard lk(mutex_);
  const std::string state = job->rec["state"];
  if (terminal(state))
    throw HttpError(409, fmt::format("job {} is {}: nothing to cancel", id, state));
  job->cancel = true;
  if (state == "queued") {
    queue_.erase(std::remove(queue_.begin(), queue_.end(), id), queue_.end());
    job->rec["state"] = "cancelled";
    job->rec["error"] = "cancelled before it started";
    save(*job);
  }
  return describe(*job);
}

void JobStore::remove(const std::string& id) {
  auto job = find(id);
  std::unique_lock lk(mutex_);
  job->cancel = true;
  queue_.erase(std::remove(queue_.begin(), queue_.end(), id), queue_.end());
  // Cancelling takes effect at the job's next progress report (a frame, usually).
  if (!done_cv_.wait_for(lk, std::chrono::seconds(60), [&] { return !job->active; }))
    throw HttpError(409, fmt::format("job {} did not stop within 60 s; try again", id));
  jobs_.erase(id);
  lk.unlock();
  std::error_code ec;
  fs::remove_all(dir(id), ec);
  if (ec) throw_internal(fmt::format("cannot remove job {}: {}", id, ec.message()));
}

fs::path JobStore::plan_path(const std::string& id, int version) const {
  auto job = find(id);
  std::lock_guard lk(mutex_);
  const int current = job->rec.value("version", 0);
  if (current == 0)
    throw HttpError(
        404, fmt::format("job {} has no plan yet ({})", id, job->rec["state"].get<std::string>()));
  if (version == 0) version = current;
  for (const auto& v : job->rec["versions"])
    if (v["version"] == version) return dir(id) / vname("plan", version, ".json");
  throw HttpError(404, fmt::format("job {} has no plan version {}", id, version));
}

std::shared_ptr<const GradePlan> JobStore::cached_plan(const fs::path& file) const {
  constexpr size_t kEntries = 8;
  std::error_code ec;
  const auto written = fs::last_write_time(file, ec);
  const auto bytes = ec ? 0 : fs::file_size(file, ec);
  const std::string key = file.string();
  if (!ec) {
    std::lock_guard lk(plan_cache_mutex_);
    const auto it = plan_cache_.find(key);
    if (it != plan_cache_.end() && it->second.written == written && it->second.bytes == bytes) {
      it->second.used = ++plan_cache_clock_;
      return it->second.plan;
    }
  }
  // Read outside the lock (errors as read_plan's); a file that changed while it was read is
  // simply read again next time.
  auto plan = std::make_shared<const GradePlan>(read_plan(key));
  if (ec) return plan;
  std::lock_guard lk(plan_cache_mutex_);
  if (plan_cache_.size() >= kEntries && !plan_cache_.count(key)) {
    auto oldest = plan_cache_.begin();
    for (auto it = plan_cache_.begin(); it != plan_cache_.end(); ++it)
      if (it->second.used < oldest->second.used) oldest = it;
    plan_cache_.erase(oldest);
  }
  plan_cache_[key] = {written, bytes, plan, ++plan_cache_clock_};
  return plan;
}

GradePlan JobStore::plan(const std::string& id, int version) const {
  return *cached_plan(plan_path(id, version));
}

fs::path JobStore::lut_path(const std::string& id, const std::string& file, int version) const {
  const fs::path plan_file = plan_path(id, version);
  const auto held = cached_plan(plan_file);  // held: the cache may drop its copy meanwhile
  const GradePlan& p = *held;
  for (const PlanLutFile& f : plan_lut_files(p))
    if (f.file == file) return fs::path(p.luts_dir) / file;
  throw HttpError(
      404, fmt::format("job {}: no LUT '{}' in {}", id, file, plan_file.filename().string()));
}

fs::path JobStore::output_path(const std::string& id, int version) const {
  const fs::path plan_file = plan_path(id, version);
  const std::string v = plan_file.stem().extension().string();  // ".vN"
  const fs::path out = dir(id) / ("output" + v + ".mp4");
  if (!fs::exists(out))
    throw HttpError(
        404, fmt::format("job {}: plan {} is not rendered yet (POST /api/jobs/{}/render)", id,
                         v.substr(1), id));
  return out;
}

fs::path JobStore::report_path(const std::string& id, const std::string& ext) const {
  (void)find(id);
  const fs::path p = dir(id) / ("report.v1" + (ext.empty() ? report_ext_ : ext));
  if (!fs::exists(p)) throw HttpError(404, fmt::format("job {} has no report", id));
  return p;
}

fs::path JobStore::frame_path(const std::string& id, int shot) const {
  (void)find(id);
  const fs::path p = dir(id) / "frames" / fmt::format("shot_{:03d}.png", shot);
  if (!fs::exists(p)) throw HttpError(404, fmt::format("job {} has no frame of shot {}", id, shot));
  return p;
}

int JobStore::add_version(Job& job, const GradePlan& edited, const std::string& command) {
  const std::string id = job.rec["id"];
  int next = 0, current;
  {
    std::lock_guard lk(mutex_);
    for (const auto& v : job.rec["versions"]) next = std::max(next, v["version"].get<int>());
    current = job.rec["version"];
  }
  ++next;
  GradePlan plan = edited;
  // Relative, so a job folder can move (read_plan resolves it against the plan's folder).
  plan.luts_dir = vname("luts", next, "");
  const fs::path luts = dir(id) / plan.luts_dir;
  fs::create_directories(luts);
  write_plan_luts(plan, plan_luts(plan), luts.string());
  write_file_atomic((dir(id) / vname("plan", next, ".json")).string(),
                    plan_to_json(plan).dump(2) + "\n");
  std::lock_guard lk(mutex_);
  job.rec["versions"].push_back({{"version", next},
                                 {"parent", current},
                                 {"command", command},
                                 {"rendered", false},
                                 {"created", now_utc()}});
  job.rec["version"] = next;
  save(job);
  return next;
}

namespace {
void require_idle(const json& rec) {
  const std::string state = rec["state"];
  if (state == "queued" || state == "running")
    throw HttpError(
        409, fmt::format("job {} is {} ({}): wait for it or cancel it",
                         rec["id"].get<std::string>(), state, rec["task"].get<std::string>()));
  if (rec.value("version", 0) == 0)
    throw HttpError(409,
                    fmt::format("job {} has no plan (it {})", rec["id"].get<std::string>(), state));
}
}  // namespace

json JobStore::refine(const std::string& id, const Refinement& r) {
  auto job = find(id);
  std::lock_guard edit(job->edit);
  {
    std::lock_guard lk(mutex_);
    require_idle(job->rec);
  }
  const fs::path from = plan_path(id);
  RefineOutcome out = refine_plan(read_plan(from.string()), r, from.filename().string());
  const int v = add_version(*job, out.plan, r.command);
  std::lock_guard lk(mutex_);
  json j = describe(*job);
  j["refined"] = {
      {"version", v}, {"changes", out.changes}, {"not_understood", out.explanation.unknown}};
  return j;
}

json JobStore::set_excluded(const std::string& id, int shot, bool excluded) {
  auto job = find(id);
  std::lock_guard edit(job->edit);
  {
    std::lock_guard lk(mutex_);
    require_idle(job->rec);
  }
  GradePlan p = plan(id);
  if (shot < 0 || shot >= int(p.shots.size()))
    throw HttpError(404,
                    fmt::format("job {} has no shot {} (it has {})", id, shot, p.shots.size()));
  ShotPlan& s = p.shots[size_t(shot)];
  if (s.excluded == excluded)
    throw HttpError(409,
                    fmt::format("shot {} is already {}", shot, excluded ? "excluded" : "included"));
  if (excluded) {
    // What grade --exclude gives a shot (plan.hpp): the identity Look, no correction.
    s.look = identity_look();
    s.correction.reset();
  } else {
    // Back to the grade's own Look for the shot (plan version 1).
    const GradePlan first = plan(id, 1);  // held: a reference into the temporary would dangle
    const ShotPlan& graded = first.shots.at(size_t(shot));
    if (graded.excluded)
      throw HttpError(
          409, fmt::format("shot {} was excluded by the grade's options: it has no look to restore",
                           shot));
    s.look = graded.look;
    s.correction = graded.correction;
  }
  s.excluded = excluded;
  add_version(*job, p, fmt::format("{} shot {}", excluded ? "exclude" : "include", shot));
  std::lock_guard lk(mutex_);
  return describe(*job);
}

json JobStore::set_shot_reference(const std::string& id, int shot, const std::string& bytes,
                                  const std::string& ext, const std::string& name) {
  auto job = find(id);
  std::lock_guard edit(job->edit);
  int next = 0;
  {
    std::lock_guard lk(mutex_);
    require_idle(job->rec);
    for (const auto& v : job->rec["versions"]) next = std::max(next, v["version"].get<int>());
  }
  ++next;
  const GradePlan p = plan(id);
  if (shot < 0 || shot >= int(p.shots.size()))
    throw HttpError(404,
                    fmt::format("job {} has no shot {} (it has {})", id, shot, p.shots.size()));
  if (p.shots[size_t(shot)].excluded)
    throw HttpError(409, fmt::format("shot {} is excluded: include it first", shot));
  const std::string ref = fmt::format("input/shot_{:03d}.v{}{}", shot, next, ext);
  write_file_atomic((dir(id) / ref).string(), bytes);
  // The re-grade keeps the other shots' looks from this copy of the current plan (--lock reads
  // them from the plan it then replaces).
  write_file_atomic((dir(id) / vname("plan", next, ".json")).string(),
                    read_file(plan_path(id).string()));
  return enqueue(*job, "regrade", "regrade",
                 {{"version", next}, {"shot", shot}, {"reference", ref}, {"reference_name", name}});
}

json JobStore::undo(const std::string& id) {
  auto job = find(id);
  std::lock_guard edit(job->edit);
  std::lock_guard lk(mutex_);
  require_idle(job->rec);
  const int current = job->rec["version"];
  for (const auto& v : job->rec["versions"])
    if (v["version"] == current) {
      const int parent = v["parent"];
      if (parent == 0)
        throw HttpError(
            409, fmt::format("job {}: version {} is the grade; nothing to undo", id, current));
      job->rec["version"] = parent;
      save(*job);
      return describe(*job);
    }
  throw_internal(fmt::format("job {}: current version {} is not listed", id, current));
}

json JobStore::render(const std::string& id) {
  auto job = find(id);
  std::lock_guard edit(job->edit);
  int version;
  {
    std::lock_guard lk(mutex_);
    require_idle(job->rec);
    version = job->rec["version"];
  }
  return enqueue(*job, "render", "render_version", version);
}

json JobStore::enqueue(Job& job, const std::string& task, const std::string& key, json value) {
  {
    std::lock_guard lk(mutex_);
    job.cancel = false;
    job.rec["state"] = "queued";
    job.rec["task"] = task;
    job.rec[key] = std::move(value);
    job.rec["stage"] = "";
    job.rec["progress"] = 0.0;
    job.rec["error"] = "";
    save(job);
    queue_.push_back(job.rec["id"]);
  }
  queue_cv_.notify_one();
  std::lock_guard lk(mutex_);
  return describe(job);
}

Lut3D JobStore::preview_lut(const std::string& id, const Refinement& r, int shot) const {
  auto job = find(id);
  {
    std::lock_guard lk(mutex_);
    if (job->rec.value("version", 0) == 0)
      throw HttpError(409, fmt::format("job {} has no plan yet", id));
  }
  const fs::path from = plan_path(id);
  GradePlan p = *cached_plan(from);
  if (shot < 0 || shot >= int(p.shots.size()))
    throw HttpError(404,
                    fmt::format("job {} has no shot {} (it has {})", id, shot, p.shots.size()));
  if (!r.sliders.empty() || !r.text.empty()) {
    Refinement one = r;
    one.shot = shot;
    if (!p.shots[size_t(shot)].excluded) p = refine_plan(p, one, from.filename().string()).plan;
  }
  const ShotPlan& s = p.shots[size_t(shot)];
  // The function plan_luts bakes for every shot (render.cpp), for this shot alone.
  return bake_shot_lut(p.input_colorspace, s.look, p.lut_size,
                       s.correction ? &*s.correction : nullptr);
}

void JobStore::worker() {
  for (;;) {
    std::shared_ptr<Job> job;
    std::string task;
    int version = 0;
    {
      std::unique_lock lk(mutex_);
      queue_cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      const std::string id = queue_.front();
      queue_.pop_front();
      auto it = jobs_.find(id);
      if (it == jobs_.end() || it->second->rec["state"] != "queued") continue;
      job = it->second;
      job->active = true;
      job->cancel = false;
      job->rec["state"] = "running";
      job->rec["started"] = now_utc();
      task = job->rec["task"];
      version = job->rec.value("render_version", 0);
      save(*job);
    }
    std::string state = "done", error;
    try {
      const std::string t = task;
      ScopedProgressObserver observe([&, t](std::string_view label, int64_t done, int64_t total) {
        if (job->cancel) throw Cancelled{};
        std::lock_guard lk(mutex_);
        job->rec["stage"] = std::string(label);
        job->rec["progress"] =
            overall(t, label, total > 0 ? std::clamp(double(done) / double(total), 0.0, 1.0) : 0.0);
      });
      if (task == "grade")
        run_grade(*job);
      else if (task == "regrade")
        run_regrade(*job);
      else
        run_render(*job, version);
    } catch (const Cancelled&) {
      state = "cancelled";
      error = "cancelled while running";
    } catch (const std::exception& e) {
      state = "failed";
      error = e.what();
    }
    {
      std::lock_guard lk(mutex_);
      job->rec["state"] = state;
      job->rec["error"] = error;
      job->rec["finished"] = now_utc();
      if (state == "done") job->rec["progress"] = 1.0;
      if (jobs_.count(job->rec["id"])) save(*job);
      job->active = false;
    }
    done_cv_.notify_all();
  }
}

GradeOptions JobStore::grade_options(Job& job, int version, json& rec) const {
  {
    std::lock_guard lk(mutex_);
    rec = job.rec;
  }
  const fs::path d = dir(rec["id"]);
  GradeOptions o;
  apply_job_options(rec["options"], o);
  o.input = (d / rec["source"].get<std::string>()).string();
  if (!rec["reference"].get<std::string>().empty())
    o.reference = (d / rec["reference"].get<std::string>()).string();
  o.prompt = rec["prompt"];
  o.output = (d / vname("output", version, ".mp4")).string();
  o.plan_path = (d / vname("plan", version, ".json")).string();
  o.luts_dir = (d / vname("luts", version, "")).string();
  o.quiet = true;
  return o;
}

void JobStore::run_grade(Job& job) {
  json rec;
  GradeOptions o = grade_options(job, 1, rec);
  const std::string id = rec["id"];
  const fs::path d = dir(id);
  // Both reports from the same inputs: the HTML one is the grade's (staged with its outputs),
  // the PDF is written beside it in the job folder.
  o.report_path = (d / vname("report", 1, ".html")).string();
  const std::string pdf = (d / vname("report", 1, ".pdf")).string();
  o.report = [pdf](const GradeReportInputs& in) {
    write_file_atomic(pdf, render_report_pdf(in));
    return render_report_html(in);
  };
  const GradeResult r = grade_clip(o);
  write_frames(id, r.plan);
  std::lock_guard lk(mutex_);
  job.rec["versions"] = json::array({{{"version", 1},
                                      {"parent", 0},
                                      {"command", "grade"},
                                      {"rendered", true},
                                      {"created", now_utc()}}});
  job.rec["version"] = 1;
  job.rec["shots"] = r.plan.shots.size();
  job.rec["warnings"] = r.warnings;
}

void JobStore::run_render(Job& job, int version) {
  const std::string id = job.rec["id"];
  const GradePlan p = plan(id, version);
  RenderOptions ro;
  ro.quiet = true;
  ro.measure = false;
  (void)render_plan(p, (dir(id) / vname("output", version, ".mp4")).string(), ro);
  std::lock_guard lk(mutex_);
  for (auto& v : job.rec["versions"])
    if (v["version"] == version) v["rendered"] = true;
}

void JobStore::run_regrade(Job& job) {
  json rec;
  int v, shot;
  {
    std::lock_guard lk(mutex_);
    v = job.rec["regrade"]["version"];
    shot = job.rec["regrade"]["shot"];
  }
  GradeOptions o = grade_options(job, v, rec);
  const fs::path d = dir(rec["id"]);
  const fs::path plan_file = o.plan_path;
  try {
    // `autograde grade IN --shot-ref N=IMG --lock <others> --plan plan.vK.json`.
    o.exclude.clear();
    for (const ShotPlan& s : read_plan(plan_file.string()).shots)
      if (s.index != shot) (s.excluded ? o.exclude : o.lock).push_back(s.index);
    o.shot_refs = {
        fmt::format("{}={}", shot, (d / rec["regrade"]["reference"].get<std::string>()).string())};
    (void)grade_clip(o);
  } catch (...) {
    std::error_code ec;
    fs::remove(plan_file, ec);  // the copy the locks were read from; not a version
    throw;
  }
  std::lock_guard lk(mutex_);
  job.rec["versions"].push_back(
      {{"version", v},
       {"parent", job.rec["version"]},
       {"command",
        fmt::format("reference for shot {}: {}", shot, rec["regrade"].value("reference_name", ""))},
       {"rendered", true},
       {"created", now_utc()}});
  job.rec["version"] = v;
}

void JobStore::write_frames(const std::string& id, const GradePlan& plan) const {
  // Every shot's middle frame at full size, as input code values (the LUTs' input), from one
  // decode pass.
  std::vector<ShotRange> middles;
  for (const ShotPlan& s : plan.shots) {
    const int64_t m = (s.first_frame + s.last_frame) / 2;
    middles.push_back({m, m});
  }
  const fs::path frames = dir(id) / "frames";
  fs::create_directories(frames);
  const auto sampled = sample_shots(plan.input_path, middles, 1, 0);
  for (size_t i = 0; i < sampled.size() && i < plan.shots.size(); ++i)
    if (!sampled[i].empty())
      write_file_atomic((frames / fmt::format("shot_{:03d}.png", plan.shots[i].index)).string(),
                        encode_png(sampled[i][0].rgb));
}

}  // namespace autograde::server
