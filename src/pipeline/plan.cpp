#include "autograde/pipeline/plan.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace autograde {

namespace {
// The keys GradePlan has a field for. "tool" is not one of them: grade writes it through
// `extra`, so reading it back as an unknown key is what keeps it when refine rewrites a plan.
const std::set<std::string>& known_keys() {
  static const std::set<std::string> k{
      "version",  "input",  "input_colorspace", "reference", "prompt",     "method", "strength",
      "lut_size", "interp", "luts_dir",         "encode",    "continuity", "shots",  "history"};
  return k;
}
}  // namespace

int default_encoder_threads() {
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  return std::clamp(cores * 3 / 2, 1, 4);
}

json plan_to_json(const GradePlan& p) {
  json j = p.extra.is_object() ? p.extra : json::object();
  j["version"] = p.version;
  json input = p.input_probe.is_object() ? json{{"probe", p.input_probe}} : json::object();
  input["path"] = p.input_path;
  j["input"] = input;
  json cs = p.colorspace_info.is_object() ? p.colorspace_info : json::object();
  cs["name"] = std::string(camera_log_name(p.input_colorspace));
  j["input_colorspace"] = cs;
  j["reference"] = p.reference;
  j["prompt"] = p.prompt;
  j["method"] = p.method;
  j["strength"] = p.strength;
  j["lut_size"] = p.lut_size;
  j["interp"] = interp_name(p.interp);
  j["luts_dir"] = p.luts_dir;
  j["encode"] = {{"codec", p.encode.codec},
                 {"crf", p.encode.crf},
                 {"preset", p.encode.preset},
                 {"threads", p.encode.threads}};
  j["continuity"] = p.continuity ? continuity_plan_json(*p.continuity) : json{{"enabled", false}};
  json shots = json::array();
  for (const auto& s : p.shots) {
    shots.push_back({{"index", s.index},
                     {"first_frame", s.first_frame},
                     {"last_frame", s.last_frame},
                     {"frames", s.last_frame - s.first_frame + 1},
                     {"start_time", s.start_time},
                     {"end_time", s.end_time},
                     {"starts_with", s.starts_with},
                     {"scene", s.scene},
                     {"look", to_json(s.look)},
                     {"lut", s.lut_file},
                     {"match", s.match},
                     {"metrics", s.metrics ? to_json(*s.metrics) : json::object()}});
    if (s.correction) shots.back()["correction"] = to_json(*s.correction);
  }
  j["shots"] = shots;
  j["history"] = p.history;
  return j;
}

GradePlan plan_from_json(const json& j, const std::string& name) {
  auto bad = [&](const std::string& what) { throw_bad_input(name, what); };
  if (!j.is_object()) bad("plan is not a JSON object");
  GradePlan p;
  try {
    p.version = j.at("version").get<int>();
    if (p.version > kPlanVersion)
      bad("plan version " + std::to_string(p.version) +
          " is newer than this autograde understands (" + std::to_string(kPlanVersion) + ")");
    const json& input = j.at("input");
    p.input_path = input.at("path").get<std::string>();
    if (input.contains("probe")) p.input_probe = input.at("probe");
    const json& cs = j.at("input_colorspace");
    p.colorspace_info = cs;
    try {
      p.input_colorspace = parse_input_colorspace(cs.at("name").get<std::string>());
    } catch (const Error& e) {
      bad(std::string("input_colorspace: ") + e.what());
    }
    p.reference = j.value("reference", "");
    p.prompt = j.value("prompt", "");
    p.method = j.value("method", "auto");
    p.strength = j.value("strength", 1.f);
    p.lut_size = j.value("lut_size", 33);
    if (p.lut_size < 2 || p.lut_size > 129) bad("lut_size must be 2..129");
    try {
      p.interp = parse_interp(j.value("interp", std::string("tetrahedral")));
    } catch (const Error& e) {
      bad(e.what());
    }
    p.luts_dir = j.value("luts_dir", "");
    if (j.contains("encode")) {
      p.encode.codec = j["encode"].value("codec", "auto");
      p.encode.crf = j["encode"].value("crf", -1);
      p.encode.preset = j["encode"].value("preset", "medium");
      p.encode.threads = j["encode"].value("threads", 0);  // absent: written before pinning
      if (p.encode.threads < 0 || p.encode.threads > 64) bad("encode.threads must be 0..64");
    }
    if (j.contains("continuity") && j["continuity"].is_object() &&
        j["continuity"].value("enabled", false))
      p.continuity = continuity_from_plan_json(j["continuity"], name);
    p.history = j.value("history", json::array());
    if (!p.history.is_array()) bad("\"history\" must be an array");
    const json& shots = j.at("shots");
    if (!shots.is_array() || shots.empty()) bad("\"shots\" must be a non-empty array");
    for (size_t i = 0; i < shots.size(); ++i) {
      const json& s = shots[i];
      ShotPlan sp;
      sp.index = int(i);
      sp.first_frame = s.at("first_frame").get<int64_t>();
      sp.last_frame = s.at("last_frame").get<int64_t>();
      sp.start_time = s.value("start_time", 0.0);
      sp.end_time = s.value("end_time", 0.0);
      sp.starts_with = s.value("starts_with", "cut");
      sp.scene = s.value("scene", 0);
      sp.look = s.contains("look") && !s["look"].is_null()
                    ? look_from_json(s["look"], name + ": shot " + std::to_string(i) + " look")
                    : identity_look();
      if (s.contains("correction") && !s["correction"].is_null())
        sp.correction =
            look_from_json(s["correction"], name + ": shot " + std::to_string(i) + " correction");
      sp.lut_file = s.value("lut", "");
      sp.match = s.value("match", json::object());
      if (s.contains("metrics") && s["metrics"].is_object() && !s["metrics"].empty())
        sp.metrics = temporal_metrics_from_json(s["metrics"],
                                                name + ": shot " + std::to_string(i) + " metrics");
      const int64_t expected_first = i == 0 ? 0 : p.shots.back().last_frame + 1;
      if (sp.first_frame != expected_first || sp.last_frame < sp.first_frame)
        bad("shot " + std::to_string(i) + ": frames " + std::to_string(sp.first_frame) + ".." +
            std::to_string(sp.last_frame) +
            " do not continue the previous shot (expected first frame " +
            std::to_string(expected_first) + ")");
      p.shots.push_back(std::move(sp));
    }
  } catch (const json::exception& e) {
    bad(std::string("malformed plan: ") + e.what());
  }
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known_keys().count(it.key())) p.extra[it.key()] = it.value();
  return p;
}

GradePlan read_plan(const std::string& path) {
  const std::string text = read_file(path);
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) throw_bad_input(path, "not valid JSON");
  GradePlan p = plan_from_json(j, path);
  if (!p.luts_dir.empty() && fs::path(p.luts_dir).is_relative())
    p.luts_dir = (fs::path(path).parent_path() / p.luts_dir).lexically_normal().string();
  return p;
}

int shot_of_frame(const GradePlan& plan, int64_t frame) {
  for (size_t i = 0; i < plan.shots.size(); ++i)
    if (frame <= plan.shots[i].last_frame) return frame >= plan.shots[i].first_frame ? int(i) : -1;
  return -1;
}

}  // namespace autograde
