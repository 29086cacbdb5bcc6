// `autograde serve` end to end: the real binary on a free loopback port with a private --data
// folder, driven over HTTP (httplib's client). The CLI run on the same inputs is the reference:
// the downloaded .cube files must be byte-identical to what `autograde grade` writes.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "autograde/lut/cube_io.hpp"
#include "autograde/server/routes.hpp"
#include "cli_support.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using autograde::testing::quoted;
using autograde::testing::sh;
using nlohmann::json;

namespace {

fs::path source(const std::string& rel) { return autograde::testing::source_dir() / rel; }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A port nobody listens on: the kernel picks one for a socket bound to port 0.
int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

// `autograde serve` as a child process; killed (SIGKILL) when the object dies.
class Server {
 public:
  Server(const fs::path& data, std::vector<std::string> extra = {}) : data_(data) {
    start(std::move(extra));
  }
  ~Server() { stop(SIGKILL); }

  void start(std::vector<std::string> extra) {
    port_ = free_port();
    std::vector<std::string> args{AUTOGRADE_CLI,         "serve",  "--port",
                                  std::to_string(port_), "--data", data_.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    log_ = data_.string() + ".log";
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      FILE* f = std::fopen(log_.c_str(), "a");
      ::dup2(fileno(f), 1);
      ::dup2(fileno(f), 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    // Ready when it answers.
    for (int i = 0; i < 500; ++i) {
      if (auto r = client().Get("/api/health"); r) return;  // 401 with --token is an answer too
      int st;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "server did not come up: " << slurp(log_);
  }

  void stop(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int st;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
  }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(120, 0);
    c.set_write_timeout(120, 0);
    return c;
  }
  int port() const { return port_; }

 private:
  fs::path data_;
  std::string log_;
  int port_ = 0;
  pid_t pid_ = -1;
};

json parse(const httplib::Result& r) {
  EXPECT_TRUE(r) << "no response";
  if (!r) return json();
  json j = json::parse(r->body, nullptr, false);
  return j;
}

httplib::MultipartFormDataItems upload(const fs::path& clip, const fs::path& ref,
                                       const std::string& prompt, const std::string& options = "") {
  httplib::MultipartFormDataItems items{
      {"clip", slurp(clip), clip.filename().string(), "application/octet-stream"}};
  if (!ref.empty())
    items.push_back({"reference", slurp(ref), ref.filename().string(), "image/png"});
  if (!prompt.empty()) items.push_back({"prompt", prompt, "", ""});
  if (!options.empty()) items.push_back({"options", options, "", ""});
  return items;
}

// Follows the job's event stream to its end; returns the last state (and checks that progress
// never goes backwards within the grade).
json follow(const Server& s, const std::string& id) {
  json last;
  std::string buf;
  double progress = 0;
  bool monotone = true;
  auto c = s.client();
  auto r = c.Get(("/api/jobs/" + id + "/events").c_str(), [&](const char* data, size_t n) {
    buf.append(data, n);
    for (size_t at; (at = buf.find("\n\n")) != std::string::npos; buf.erase(0, at + 2)) {
      const std::string ev = buf.substr(0, at);
      if (ev.rfind("data: ", 0) != 0) continue;
      last = json::parse(ev.substr(6));
      const double p = last.value("progress", 0.0);
      monotone = monotone && p + 1e-9 >= progress;
      progress = p;
    }
    return true;
  });
  EXPECT_TRUE(r) << "event stream failed";
  EXPECT_TRUE(monotone) << "progress went backwards";
  return last;
}

json wait_done(const Server& s, const std::string& id, int seconds = 300) {
  auto c = s.client();
  json j;
  for (int i = 0; i < seconds * 10; ++i) {
    j = parse(c.Get(("/api/jobs/" + id).c_str()));
    const std::string st = j.value("state", "");
    if (st != "queued" && st != "running") return j;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "job " << id << " did not finish";
  return j;
}

// Every .cube the CLI wrote into `dir`, by name.
std::map<std::string, std::string> cubes_in(const fs::path& dir) {
  std::map<std::string, std::string> m;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".cube") m[e.path().filename().string()] = slurp(e.path());
  return m;
}

std::map<std::string, std::string> download_cubes(const Server& s, const std::string& id,
                                                  int version = 0) {
  auto c = s.client();
  std::map<std::string, std::string> m;
  const std::string q = version ? fmt::format("?version={}", version) : "";
  const json list = parse(c.Get(("/api/jobs/" + id + "/luts" + q).c_str()));
  for (const auto& l : list["luts"]) {
    auto r = c.Get(l["url"].get<std::string>().c_str());
    EXPECT_TRUE(r && r->status == 200) << l.dump();
    if (r) m[l["file"]] = r->body;
  }
  return m;
}

// The short clip of the pipeline tests: 3.5 s of the bundled excerpt at 320x180 (two cuts).
fs::path short_clip(const fs::path& dir) {
  const fs::path out = dir / "short.mp4";
  EXPECT_TRUE(sh(
      "ffmpeg -nostdin -v error -y -i " + quoted(source("data/video/tears_of_steel_excerpt.mp4")) +
      " -t 3.5 -vf scale=320:180 -an -c:v libx264 -preset veryfast -crf 16 -pix_fmt yuv420p " +
      quoted(out)));
  return out;
}

// A clip slow enough to be caught mid-grade: the excerpt at 1280x720.
fs::path big_clip(const fs::path& dir) {
  const fs::path out = dir / "big.mp4";
  EXPECT_TRUE(sh(
      "ffmpeg -nostdin -v error -y -i " + quoted(source("data/video/tears_of_steel_excerpt.mp4")) +
      " -vf scale=1280:720 -an -c:v libx264 -preset ultrafast -pix_fmt yuv420p " + quoted(out)));
  return out;
}

// Six frames at 160x90: a job that takes a moment.
fs::path tiny_clip(const fs::path& dir) {
  const fs::path out = dir / "tiny.mp4";
  EXPECT_TRUE(
      sh("ffmpeg -nostdin -v error -y -ss 1 -i " +
         quoted(source("data/video/tears_of_steel_excerpt.mp4")) +
         " -frames:v 6 -vf scale=160:90 -an -c:v libx264 -preset veryfast -pix_fmt yuv420p " +
         quoted(out)));
  return out;
}

// Waits until the job runs and has made some progress; false when it ended first.
bool running(const Server& s, const std::string& id) {
  auto c = s.client();
  for (int i = 0; i < 1000; ++i) {
    const json j = parse(c.Get(("/api/jobs/" + id).c_str()));
    if (j["state"] == "running" && j["progress"].get<double>() > 0.02) return true;
    if (j["state"] != "queued" && j["state"] != "running") return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

const fs::path kRef = source("data/images/reference_teal_orange.png");

}  // namespace

TEST(ServerApi, FullJobOnBundledClipMatchesCli) {
  const fs::path dir = autograde::testing::scratch_dir("server_full");
  const fs::path clip = source("data/video/tears_of_steel_excerpt.mp4");
  Server s(dir / "data");
  auto c = s.client();
  auto created = c.Post("/api/jobs", upload(clip, kRef, ""));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string id = parse(created)["id"];

  // The CLI on the same inputs, meanwhile.
  const auto cli =
      autograde::testing::run_cli("grade " + quoted(clip) + " --ref " + quoted(kRef) + " -o " +
                                      quoted(dir / "cli" / "out.mp4") + " --quiet",
                                  "mkdir -p " + quoted(dir / "cli") + " && ");
  ASSERT_EQ(cli.code, 0) << cli.out;

  const json done = follow(s, id);
  ASSERT_EQ(done.value("state", ""), "done") << done.dump(2);
  EXPECT_EQ(done["version"], 1);
  EXPECT_DOUBLE_EQ(done["progress"].get<double>(), 1.0);

  const auto expected = cubes_in(dir / "cli" / "out_luts");
  const auto got = download_cubes(s, id);
  ASSERT_FALSE(expected.empty());
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [name, bytes] : expected)
    EXPECT_TRUE(got.at(name) == bytes) << name << " differs from the CLI's";

  // The zip holds the same bytes (stored), one entry per shot, and unzips with the system tool.
  auto zip = c.Get(("/api/jobs/" + id + "/luts.zip").c_str());
  ASSERT_TRUE(zip && zip->status == 200);
  EXPECT_EQ(zip->body.substr(0, 4), std::string("PK\x03\x04", 4));
  for (const auto& [name, bytes] : expected) {
    EXPECT_NE(zip->body.find(name), std::string::npos) << name;
    EXPECT_NE(zip->body.find(bytes), std::string::npos) << name;
  }
  std::ofstream(dir / "luts.zip", std::ios::binary) << zip->body;
  if (sh("command -v unzip")) {
    ASSERT_TRUE(sh("cd " + quoted(dir) + " && mkdir unz && cd unz && unzip -q ../luts.zip"));
    EXPECT_EQ(cubes_in(dir / "unz"), expected);
  }

  const json plan = parse(c.Get(("/api/jobs/" + id + "/plan").c_str()));
  size_t files = 0;  // each shot's LUT, its region LUTs and, with skin, the protected copy
  for (const auto& shot : plan["shots"]) {
    ++files;
    if (shot.contains("regions"))
      for (const auto& r : shot["regions"]) files += r["class"] == "skin" ? 2 : 1;
  }
  EXPECT_EQ(files, expected.size());
  auto out = c.Get(("/api/jobs/" + id + "/output").c_str());
  ASSERT_TRUE(out && out->status == 200);
  EXPECT_EQ(out->body.substr(4, 4), "ftyp");
  EXPECT_GT(out->body.size(), 10000u);
  auto report = c.Get(("/api/jobs/" + id + "/report").c_str());
  ASSERT_TRUE(report && report->status == 200);
  EXPECT_NE(report->body.find("<html"), std::string::npos);
  auto pdf = c.Get(("/api/jobs/" + id + "/report?format=pdf").c_str());
  ASSERT_TRUE(pdf && pdf->status == 200);
  EXPECT_EQ(pdf->body.compare(0, 5, "%PDF-"), 0);
  EXPECT_EQ(pdf->get_header_value("Content-Type"), "application/pdf");
  auto doc = c.Get(("/api/jobs/" + id + "/report?format=doc").c_str());
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->status, 400);
  auto frame = c.Get(("/api/jobs/" + id + "/shots/0/frame.png").c_str());
  ASSERT_TRUE(frame && frame->status == 200);
  EXPECT_EQ(frame->body.substr(1, 3), "PNG");
}

TEST(ServerApi, RefineRenderUndoExcludeMatchCli) {
  const fs::path dir = autograde::testing::scratch_dir("server_refine");
  const fs::path clip = short_clip(dir);
  Server s(dir / "data");
  auto c = s.client();
  const std::string id = parse(c.Post("/api/jobs", upload(clip, kRef, "")))["id"];
  ASSERT_EQ(wait_done(s, id)["state"], "done");

  // Refine: the sliders and words of `autograde refine`, a new version with its own LUTs.
  const json body = {{"text", "a bit warmer"},
                     {"sliders", {{"exposure", 0.3}, {"saturation", -10}}}};
  auto r = c.Post(("/api/jobs/" + id + "/refine").c_str(), body.dump(), "application/json");
  ASSERT_TRUE(r && r->status == 201) << (r ? r->body : "");
  const json refined = parse(r);
  EXPECT_EQ(refined["version"], 2);
  EXPECT_FALSE(refined["refined"]["changes"].empty());

  // The same refinement through the CLI, on the server's own plan v1, then `render --luts`.
  const fs::path plan1 = dir / "plan1.json";
  std::ofstream(plan1) << parse(c.Get(("/api/jobs/" + id + "/plan?version=1").c_str())).dump(2);
  const auto ref = autograde::testing::run_cli(
      "refine " + quoted(plan1) + " \"a bit warmer\" --exposure 0.3 --saturation -10 -o " +
      quoted(dir / "plan2.json") + " --quiet");
  ASSERT_EQ(ref.code, 0) << ref.out;
  const auto rend = autograde::testing::run_cli("render " + quoted(dir / "plan2.json") + " -o " +
                                                quoted(dir / "cli2.mp4") + " --luts " +
                                                quoted(dir / "cli2_luts") + " --quiet");
  ASSERT_EQ(rend.code, 0) << rend.out;
  const auto v1 = download_cubes(s, id, 1);
  const auto v2 = download_cubes(s, id, 2);
  const auto cli2 = cubes_in(dir / "cli2_luts");
  ASSERT_EQ(v2.size(), cli2.size());
  for (const auto& [name, bytes] : cli2) {
    EXPECT_TRUE(v2.at(name) == bytes) << name << " v2 differs from the CLI's refine + render";
    EXPECT_NE(v1.at(name), bytes) << name << " did not change";
  }

  // The live preview's LUT (nothing saved) is v2's LUT, applied to v1.
  {
    auto undo = c.Post(("/api/jobs/" + id + "/undo").c_str(), "", "application/json");
    ASSERT_TRUE(undo && undo->status == 200) << (undo ? undo->body : "");
    EXPECT_EQ(parse(undo)["version"], 1);
    json pv = body;
    pv["shot"] = 1;
    auto p = c.Post(("/api/jobs/" + id + "/preview").c_str(), pv.dump(), "application/json");
    ASSERT_TRUE(p && p->status == 200);
    const int n = std::stoi(p->get_header_value("X-Lut-Size"));
    ASSERT_EQ(p->body.size(), size_t(n * n * n * 3) * sizeof(float));
    const auto cube = autograde::parse_cube(v2.at("shot_001.cube"), "v2");
    std::vector<float> got(p->body.size() / sizeof(float));
    std::memcpy(got.data(), p->body.data(), p->body.size());
    float worst = 0;
    for (size_t i = 0; i < got.size(); ++i)
      worst = std::max(worst, std::abs(got[i] - cube.cube->table[i]));
    EXPECT_LT(worst, 1e-6f);  // the .cube's 8 decimals
  }

  // Refine again from v1 (v3, parent 1), render it, undo back to v1.
  r = c.Post(("/api/jobs/" + id + "/refine").c_str(), json{{"sliders", {{"contrast", 20}}}}.dump(),
             "application/json");
  ASSERT_TRUE(r && r->status == 201);
  EXPECT_EQ(parse(r)["version"], 3);
  EXPECT_EQ(parse(c.Get(("/api/jobs/" + id + "/output?version=3").c_str()))["status"],
            404);  // not rendered yet
  auto q = c.Post(("/api/jobs/" + id + "/render").c_str(), "", "application/json");
  ASSERT_TRUE(q && q->status == 202) << (q ? q->body : "");
  const json rendered = wait_done(s, id);
  ASSERT_EQ(rendered["state"], "done") << rendered.dump(2);
  auto out3 = c.Get(("/api/jobs/" + id + "/output?version=3").c_str());
  ASSERT_TRUE(out3 && out3->status == 200);
  auto out1 = c.Get(("/api/jobs/" + id + "/output?version=1").c_str());
  ASSERT_TRUE(out1 && out1->status == 200);
  EXPECT_NE(out1->body, out3->body);
  EXPECT_EQ(parse(c.Post(("/api/jobs/" + id + "/undo").c_str(), "", "application/json"))["version"],
            1);
  EXPECT_EQ(parse(c.Post(("/api/jobs/" + id + "/undo").c_str(), "", "application/json"))["status"],
            409);

  // Exclude shot 0: its LUT becomes the input conversion alone (identity for Rec.709 input).
  auto ex = c.Post(("/api/jobs/" + id + "/shots/0/exclude").c_str(), R"({"excluded": true})",
                   "application/json");
  ASSERT_TRUE(ex && ex->status == 201) << (ex ? ex->body : "");
  const json excluded = parse(ex);
  EXPECT_EQ(excluded["version"], 4);
  const auto v4 = download_cubes(s, id, 4);
  const auto id_cube = autograde::parse_cube(v4.at("shot_000.cube"), "v4");
  const int n = id_cube.cube->size;
  EXPECT_NEAR(id_cube.cube->at(n - 1, 0, 0)[0], 1.f, 1e-5f);
  EXPECT_EQ(v4.at("shot_001.cube"), v1.at("shot_001.cube"));
  // Include it again: back to the grade's look.
  ex = c.Post(("/api/jobs/" + id + "/shots/0/exclude").c_str(), R"({"excluded": false})",
              "application/json");
  ASSERT_TRUE(ex && ex->status == 201);
  EXPECT_EQ(download_cubes(s, id, 5).at("shot_000.cube"), v1.at("shot_000.cube"));

  // The server's render of a shot's frame (the browser test's reference) is a PNG.
  auto png = c.Get(("/api/jobs/" + id + "/shots/1/render.png?version=2").c_str());
  ASSERT_TRUE(png && png->status == 200);
  EXPECT_EQ(png->body.substr(1, 3), "PNG");

  // Delete: gone from the API and the disk.
  auto del = c.Delete(("/api/jobs/" + id).c_str());
  ASSERT_TRUE(del && del->status == 200);
  EXPECT_EQ(parse(c.Get(("/api/jobs/" + id).c_str()))["status"], 404);
  EXPECT_FALSE(fs::exists(dir / "data" / "jobs" / id));
}

TEST(ServerApi, ShotReferenceRegradesOneShotLikeCli) {
  const fs::path dir = autograde::testing::scratch_dir("server_shotref");
  const fs::path clip = short_clip(dir);
  Server s(dir / "data");
  auto c = s.client();
  const std::string id = parse(c.Post("/api/jobs", upload(clip, {}, "warm summer evening")))["id"];
  ASSERT_EQ(wait_done(s, id)["state"], "done");
  const auto v1 = download_cubes(s, id, 1);
  ASSERT_GE(v1.size(), 2u);
  auto r = c.Post(("/api/jobs/" + id + "/shots/1/reference").c_str(),
                  httplib::MultipartFormDataItems{{"reference", slurp(kRef), "teal.png", ""}});
  ASSERT_TRUE(r && r->status == 202) << (r ? r->body : "");
  const json j = wait_done(s, id);
  ASSERT_EQ(j["state"], "done") << j.dump(2);
  EXPECT_EQ(j["version"], 2);
  // `autograde grade --shot-ref 1=IMG` on the same inputs writes the same LUTs: shot 1 matched
  // to the still, the others as the prompt made them (locked from v1 here, so unchanged).
  const auto cli = autograde::testing::run_cli(
      "grade " + quoted(clip) + " --prompt \"warm summer evening\" --shot-ref 1=" + quoted(kRef) +
      " -o " + quoted(dir / "cli.mp4") + " --quiet");
  ASSERT_EQ(cli.code, 0) << cli.out;
  const auto v2 = download_cubes(s, id, 2);
  EXPECT_EQ(v2, cubes_in(dir / "cli_luts"));
  EXPECT_NE(v2.at("shot_001.cube"), v1.at("shot_001.cube"));
  EXPECT_EQ(v2.at("shot_000.cube"), v1.at("shot_000.cube"));
  EXPECT_TRUE(c.Get(("/api/jobs/" + id + "/output?version=2").c_str())->status == 200);
  // A reference that is not a still.
  r = c.Post(("/api/jobs/" + id + "/shots/1/reference").c_str(),
             httplib::MultipartFormDataItems{{"reference", slurp(clip), "x.png", ""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
}

TEST(ServerApi, RestartMidJobMarksItFailedWithReason) {
  const fs::path dir = autograde::testing::scratch_dir("server_restart");
  const fs::path clip = big_clip(dir);
  const fs::path tiny = tiny_clip(dir);
  std::string id, queued_id;
  {
    Server s(dir / "data");
    auto c = s.client();
    id = parse(c.Post("/api/jobs", upload(clip, kRef, "")))["id"];
    queued_id = parse(c.Post("/api/jobs", upload(tiny, {}, "warm")))["id"];  // --jobs 1: waits
    ASSERT_TRUE(running(s, id)) << "the grade finished before it could be interrupted";
    s.stop(SIGKILL);
  }
  Server s(dir / "data");
  auto c = s.client();
  const json j = parse(c.Get(("/api/jobs/" + id).c_str()));
  EXPECT_EQ(j["state"], "failed");
  EXPECT_NE(j["error"].get<std::string>().find("server stopped"), std::string::npos) << j.dump(2);
  // Nothing half-written is left in the job's folder, and nothing is published.
  for (const auto& e : fs::directory_iterator(dir / "data" / "jobs" / id)) {
    const std::string name = e.path().filename().string();
    EXPECT_TRUE(name == "input" || name == "job.json") << "left behind: " << name;
  }
  // The queued job is not lost: it runs after the restart.
  EXPECT_EQ(wait_done(s, queued_id)["state"], "done");
}

TEST(ServerApi, CancelAndDeleteRunningJobs) {
  const fs::path dir = autograde::testing::scratch_dir("server_cancel");
  const fs::path clip = big_clip(dir);
  Server s(dir / "data", {"--jobs", "2"});
  auto c = s.client();
  const std::string a = parse(c.Post("/api/jobs", upload(clip, kRef, "")))["id"];
  const std::string b = parse(c.Post("/api/jobs", upload(clip, kRef, "")))["id"];
  ASSERT_TRUE(running(s, a));
  auto r = c.Post(("/api/jobs/" + a + "/cancel").c_str(), "", "application/json");
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
  const json cancelled = wait_done(s, a, 60);
  EXPECT_EQ(cancelled["state"], "cancelled") << cancelled.dump(2);
  for (const auto& e : fs::directory_iterator(dir / "data" / "jobs" / a)) {
    const std::string name = e.path().filename().string();
    EXPECT_TRUE(name == "input" || name == "job.json") << "left behind: " << name;
  }
  EXPECT_EQ(parse(c.Post(("/api/jobs/" + a + "/cancel").c_str(), "", "application/json"))["status"],
            409);
  // Deleting a running job cancels it first; its folder goes.
  ASSERT_TRUE(running(s, b));
  auto del = c.Delete(("/api/jobs/" + b).c_str());
  ASSERT_TRUE(del && del->status == 200) << (del ? del->body : "");
  EXPECT_FALSE(fs::exists(dir / "data" / "jobs" / b));
  EXPECT_EQ(parse(c.Get(("/api/jobs/" + b).c_str()))["status"], 404);
  EXPECT_EQ(parse(c.Get("/api/jobs"))["jobs"].size(), 1u);
}

TEST(ServerApi, TwentyConcurrentSmallJobsAllCorrect) {
  const fs::path dir = autograde::testing::scratch_dir("server_many");
  const fs::path clip = tiny_clip(dir);
  // Four different requests, each with its CLI reference.
  const std::vector<std::string> prompts{"warm summer evening", "cold blue night", "bleach bypass",
                                         "teal and orange"};
  std::vector<std::map<std::string, std::string>> expected;
  for (size_t k = 0; k < prompts.size(); ++k) {
    const fs::path out = dir / fmt::format("cli{}", k);
    fs::create_directories(out);
    const auto r =
        autograde::testing::run_cli("grade " + quoted(clip) + " --prompt \"" + prompts[k] + "\"" +
                                    " -o " + quoted(out / "o.mp4") + " --quiet");
    ASSERT_EQ(r.code, 0) << r.out;
    expected.push_back(cubes_in(out / "o_luts"));
  }
  Server s(dir / "data", {"--jobs", "4"});
  std::vector<std::string> ids(20);
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  for (size_t i = 0; i < ids.size(); ++i)
    threads.emplace_back([&, i] {
      auto c = s.client();
      auto r = c.Post("/api/jobs", upload(clip, {}, prompts[i % prompts.size()]));
      if (r && r->status == 201) {
        ids[i] = json::parse(r->body)["id"];
        ++created;
      }
    });
  for (auto& t : threads) t.join();
  ASSERT_EQ(created, 20);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 20u);
  for (size_t i = 0; i < ids.size(); ++i) {
    const json j = wait_done(s, ids[i]);
    ASSERT_EQ(j["state"], "done") << j.dump(2);
    EXPECT_EQ(download_cubes(s, ids[i]), expected[i % prompts.size()]) << "job " << i;
    auto out = s.client().Get(("/api/jobs/" + ids[i] + "/output").c_str());
    EXPECT_TRUE(out && out->status == 200 && out->body.substr(4, 4) == "ftyp") << "job " << i;
  }
  EXPECT_EQ(parse(s.client().Get("/api/jobs"))["jobs"].size(), 20u);
}

TEST(ServerApi, BadRequestsAreRefusedAndWriteNothing) {
  const fs::path dir = autograde::testing::scratch_dir("server_bad");
  const fs::path data = dir / "data";
  Server s(data, {"--max-upload", "2M"});
  auto c = s.client();
  const std::string png = slurp(kRef);
  auto listing = [&] {
    std::vector<std::string> v;
    for (const auto& e : fs::recursive_directory_iterator(dir)) v.push_back(e.path().string());
    std::sort(v.begin(), v.end());
    return v;
  };
  const auto before = listing();
  auto expect = [&](const httplib::Result& r, int status, const std::string& what,
                    const std::string& words) {
    ASSERT_TRUE(r) << what;
    EXPECT_EQ(r->status, status) << what << ": " << r->body;
    const json j = json::parse(r->body, nullptr, false);
    ASSERT_TRUE(j.is_object() && j.contains("error")) << what << ": not a JSON error: " << r->body;
    EXPECT_NE(j["error"].get<std::string>().find(words), std::string::npos)
        << what << ": " << j["error"];
  };
  using Items = httplib::MultipartFormDataItems;

  // 413: larger than --max-upload.
  expect(c.Post("/api/jobs", Items{{"clip", std::string(3 << 20, 'x'), "big.mp4", ""},
                                   {"prompt", "warm", "", ""}}),
         413, "oversize", "max-upload");
  // 404: unknown job (well-formed and not), unknown route.
  expect(c.Get("/api/jobs/0123456789abcdef"), 404, "unknown job", "no job");
  expect(c.Get("/api/jobs/nope/plan"), 404, "malformed id", "no job");
  expect(c.Post("/api/jobs/0123456789abcdef/refine", R"({"text":"warmer"})", "application/json"),
         404, "refine unknown", "no job");
  expect(c.Get("/api/nothing"), 404, "unknown route", "no route");
  // 400: path traversal or absolute paths anywhere: path, query, file names, JSON bodies, options.
  expect(c.Get("/api/jobs/../../../etc/passwd"), 400, "traversal in path", "..");
  expect(c.Get("/api/jobs/%2e%2e/%2e%2e/etc/passwd"), 400, "encoded traversal in path", "..");
  expect(c.Get("/api/jobs/0123456789abcdef/luts/..%2f..%2fjob.json"), 400,
         "traversal in a LUT name", "..");
  expect(c.Get("/api/jobs/0123456789abcdef/plan?version=/etc/passwd"), 400,
         "absolute path in query", "absolute");
  expect(
      c.Post("/api/jobs", Items{{"clip", png, "../../evil.png", ""}, {"prompt", "warm", "", ""}}),
      400, "traversal in file name", "..");
  expect(c.Post("/api/jobs", Items{{"clip", png, "/etc/evil.png", ""}, {"prompt", "warm", "", ""}}),
         400, "absolute file name", "absolute");
  expect(c.Post("/api/jobs", Items{{"clip", png, "a.png", ""},
                                   {"prompt", "warm", "", ""},
                                   {"options", R"({"method":"/etc/passwd"})", "", ""}}),
         400, "absolute path in options", "absolute");
  expect(c.Post("/api/jobs",
                Items{{"clip", png, "a.png", ""}, {"prompt", "../../etc/passwd", "", ""}}),
         400, "traversal in prompt", "..");
  expect(
      c.Post("/api/jobs/0123456789abcdef/refine", R"({"text":"/etc/shadow"})", "application/json"),
      400, "absolute path in JSON", "absolute");
  // 400: malformed options and bodies.
  expect(c.Post("/api/jobs", Items{{"clip", png, "a.png", ""},
                                   {"prompt", "warm", "", ""},
                                   {"options", "{not json", "", ""}}),
         400, "options not JSON", "options");
  expect(c.Post("/api/jobs", Items{{"clip", png, "a.png", ""},
                                   {"prompt", "warm", "", ""},
                                   {"options", R"({"strength": 7})", "", ""}}),
         400, "strength out of range", "options.strength");
  expect(c.Post("/api/jobs", Items{{"clip", png, "a.png", ""},
                                   {"prompt", "warm", "", ""},
                                   {"options", R"({"colour": 1})", "", ""}}),
         400, "unknown option", "options.colour");
  expect(c.Post("/api/jobs", Items{{"clip", png, "a.png", ""},
                                   {"prompt", "warm", "", ""},
                                   {"options", R"({"method": "magic"})", "", ""}}),
         400, "unknown method", "magic");
  expect(c.Post("/api/jobs", Items{{"clip", png, "a.png", ""}}), 400,
         "neither reference nor prompt", "prompt");
  expect(c.Post("/api/jobs", Items{{"prompt", "warm", "", ""}}), 400, "no clip", "clip");
  // 415: unsupported media, by content rather than name.
  expect(c.Post("/api/jobs", Items{{"clip", std::string(5000, 'z'), "clip.mp4", ""},
                                   {"prompt", "warm", "", ""}}),
         415, "random bytes named .mp4", "not a supported");
  expect(c.Post("/api/jobs",
                Items{{"clip", png, "a.png", ""},
                      {"reference", slurp(source("data/video/tears_of_steel_excerpt.mp4")), "r.mp4",
                       ""}}),
         415, "a video as reference", "reference");
  expect(c.Post("/api/jobs", "clip=1", "application/x-www-form-urlencoded"), 415, "not multipart",
         "multipart");
  expect(c.Post("/api/jobs/0123456789abcdef/refine", "warmer", "text/plain"), 415,
         "refine not JSON", "application/json");

  EXPECT_EQ(parse(c.Get("/api/jobs"))["jobs"].size(), 0u);
  // Nothing was written anywhere but the (still empty) job folder.
  auto after = listing();
  std::erase_if(after,
                [&](const std::string& p) { return p.rfind((dir / "data.log").string(), 0) == 0; });
  std::vector<std::string> expected_after = before;
  std::erase_if(expected_after,
                [&](const std::string& p) { return p.rfind((dir / "data.log").string(), 0) == 0; });
  EXPECT_EQ(after, expected_after);
}

TEST(ServerApi, OpenApiDocumentsEveryRoute) {
  const fs::path dir = autograde::testing::scratch_dir("server_openapi");
  Server s(dir / "data");
  const json doc = parse(s.client().Get("/api/openapi.json"));
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<std::pair<std::string, std::string>> registered, documented;
  for (const auto& r : autograde::server::api_routes()) {
    std::string m = r.method;
    std::transform(m.begin(), m.end(), m.begin(), ::tolower);
    registered.insert({r.path, m});
  }
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, op] : item.items())
      if (method != "parameters") documented.insert({path, method});
  EXPECT_EQ(registered, documented);
  // Every registered route answers (404 for the unknown job, never "no route").
  auto c = s.client();
  for (const auto& [path, method] : registered) {
    std::string p = path;
    for (auto [from, to] :
         {std::pair{"{id}", "0123456789abcdef"}, {"{shot}", "0"}, {"{file}", "shot_000.cube"}})
      if (auto at = p.find(from); at != std::string::npos)
        p.replace(at, std::string(from).size(), to);
    httplib::Result r = method == "get"    ? c.Get(p.c_str())
                        : method == "post" ? c.Post(p.c_str(), "{}", "application/json")
                                           : c.Delete(p.c_str());
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->body.find("no route"), std::string::npos)
        << method << " " << path << " is not registered";
  }
}

TEST(ServerApi, OtherThanLoopbackNeedsToken) {
  const fs::path dir = autograde::testing::scratch_dir("server_token");
  const auto refused =
      autograde::testing::run_cli("serve --host 0.0.0.0 --port 0 --data " + quoted(dir / "d"));
  EXPECT_EQ(refused.code, 2) << refused.out;
  EXPECT_NE(refused.out.find("--token"), std::string::npos) << refused.out;
  Server s(dir / "data", {"--token", "s3cret"});
  auto c = s.client();
  auto r = c.Get("/api/jobs");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  c.set_bearer_token_auth("wrong");
  EXPECT_EQ(c.Get("/api/jobs")->status, 401);
  c.set_bearer_token_auth("s3cret");
  EXPECT_EQ(c.Get("/api/jobs")->status, 200);
}
