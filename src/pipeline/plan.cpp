#include "autograde/pipeline/plan.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

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
      "version",  "input",  "input_colorspace", "reference", "prompt",     "method", "strength", "transfer",
      "lut_size", "interp", "luts_dir",         "encode",    "continuity", "shots",  "history",
      "regions"};
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
  j["transfer"] = p.transfer;
  j["lut_size"] = p.lut_size;
  j["interp"] = interp_name(p.interp);
  j["luts_dir"] = p.luts_dir;
  j["encode"] = {{"codec", p.encode.codec},
                 {"crf", p.encode.crf},
                 {"preset", p.encode.preset},
                 {"threads", p.encode.threads},
                 {"chunk_frames", p.encode.chunk_frames}};
  j["regions"] = {{"protect_skin", p.regions.protect_skin},
                  {"classes", p.regions.classes},
                  {"mask_width", p.regions.mask_width}};
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
    // Written only when set, so plans without per-shot control read as before.
    if (s.excluded) shots.back()["excluded"] = true;
    if (s.locked) shots.back()["locked"] = true;
    if (!s.regions.empty()) {
      json regions = json::array();
      for (const ShotRegion& r : s.regions)
        regions.push_back({{"class", r.region}, {"strength", r.strength}, {"lut", r.lut_file}});
      shots.back()["regions"] = regions;
    }
  }
  j["shots"] = shots;
  j["history"] = p.history;
  return j;
}

namespace {

// One plan field at a time, each with its path ("shots[2].look.strength") in every error, so a
// hand-edited or hostile plan is refused with the file, the field and what is allowed
// (issue 24). Absent optional fields take the defaults GradePlan declares.
class FieldReader {
 public:
  explicit FieldReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void bad(const std::string& field, const std::string& what) const {
    throw_bad_input(file_, field + ": " + what);
  }

  const json* find(const json& obj, const std::string& key) const {
    auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
  }
  const json& require(const json& obj, const std::string& key, const std::string& field) const {
    const json* v = find(obj, key);
    if (!v) bad(field, "missing (required)");
    return *v;
  }
  const json& object(const json& v, const std::string& field) const {
    if (!v.is_object()) bad(field, "must be a JSON object");
    return v;
  }
  int64_t integer(const json& v, const std::string& field, int64_t lo, int64_t hi) const {
    if (!v.is_number_integer()) bad(field, "must be an integer");
    const int64_t x = v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)
                          ? INT64_MAX
                          : v.get<int64_t>();
    if (x < lo || x > hi)
      bad(field, std::to_string(x) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return x;
  }
  double number(const json& v, const std::string& field, double lo, double hi) const {
    if (!v.is_number()) bad(field, "must be a number");
    const double x = v.get<double>();
    if (!(x >= lo && x <= hi))
      bad(field, fmt::format("{} is outside {}..{}", x, lo, hi));
    return x;
  }
  std::string string(const json& v, const std::string& field) const {
    if (!v.is_string()) bad(field, "must be a string");
    return v.get<std::string>();
  }
  std::string one_of(const json& v, const std::string& field,
                     const std::vector<std::string>& allowed) const {
    std::string x = string(v, field);
    if (std::find(allowed.begin(), allowed.end(), x) == allowed.end())
      bad(field, "'" + x + "' is not one of " + fmt::format("{}", fmt::join(allowed, ", ")));
    return x;
  }
  void only_keys(const json& obj, const std::string& field,
                 const std::vector<std::string>& keys) const {
    for (auto it = obj.begin(); it != obj.end(); ++it)
      if (std::find(keys.begin(), keys.end(), it.key()) == keys.end())
        bad(field, "unknown key '" + it.key() + "' (known: " + fmt::format("{}", fmt::join(keys, ", ")) +
                       ")");
  }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

const std::vector<std::string>& encoder_presets() {
  // x264's and x265's preset names (the same list in both).
  static const std::vector<std::string> p{"ultrafast", "superfast", "veryfast", "faster",
                                          "fast",      "medium",    "slow",     "slower",
                                          "veryslow",  "placebo"};
  return p;
}

}  // namespace

void check_lut_file_name(const std::string& name, const std::string& source) {
  check_file_name(name, source);
  if (fs::path(name).extension() != ".cube")
    throw_bad_input(source, "LUT file name '" + name + "' must end in .cube");
}

GradePlan plan_from_json(const json& j, const std::string& name) {
  const FieldReader r(name);
  if (!j.is_object()) throw_bad_input(name, "plan is not a JSON object");
  GradePlan p;
  p.version = int(r.integer(r.require(j, "version", "version"), "version", 1, kPlanVersion));

  const json& input = r.object(r.require(j, "input", "input"), "input");
  p.input_path = r.string(r.require(input, "path", "input.path"), "input.path");
  if (p.input_path.empty()) r.bad("input.path", "is empty");
  if (const json* probe = r.find(input, "probe")) p.input_probe = r.object(*probe, "input.probe");

  const json& cs = r.object(r.require(j, "input_colorspace", "input_colorspace"), "input_colorspace");
  p.colorspace_info = cs;
  try {
    p.input_colorspace =
        parse_input_colorspace(r.string(r.require(cs, "name", "input_colorspace.name"),
                                        "input_colorspace.name"));
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::BadInput) throw;
    r.bad("input_colorspace.name", e.what());
  }

  if (const json* v = r.find(j, "reference")) p.reference = r.string(*v, "reference");
  if (const json* v = r.find(j, "prompt")) p.prompt = r.string(*v, "prompt");
  // Which method found the Looks is a record (render never re-matches), so it is only checked
  // to be a string: the method table lives with the matchers, above the plan format.
  if (const json* v = r.find(j, "method")) p.method = r.string(*v, "method");
  if (const json* v = r.find(j, "strength")) p.strength = float(r.number(*v, "strength", 0, 1));
  if (const json* v = r.find(j, "transfer")) p.transfer = float(r.number(*v, "transfer", 0, 1));
  if (const json* v = r.find(j, "lut_size")) p.lut_size = int(r.integer(*v, "lut_size", 2, 129));
  if (const json* v = r.find(j, "interp")) {
    try {
      p.interp = parse_interp(r.string(*v, "interp"));
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::BadInput) throw;
      r.bad("interp", e.what());
    }
  }
  if (const json* v = r.find(j, "luts_dir")) p.luts_dir = r.string(*v, "luts_dir");

  // A plan written before chunked encoding (no encode.chunk_frames) renders in one piece, as
  // it did.
  p.encode.chunk_frames = -1;
  if (const json* e = r.find(j, "encode")) {
    r.object(*e, "encode");
    r.only_keys(*e, "encode", {"codec", "crf", "preset", "threads", "chunk_frames"});
    if (const json* v = r.find(*e, "codec"))
      p.encode.codec = r.one_of(*v, "encode.codec",
                                {"auto", "h264", "h264_10", "hevc", "hevc_10", "prores",
                                 "prores4444", "dnxhr_hq", "dnxhr_hqx", "ffv1"});
    // -1 is the encoder's default; x264's and x265's CRF scale is 0..51.
    if (const json* v = r.find(*e, "crf")) p.encode.crf = int(r.integer(*v, "encode.crf", -1, 51));
    if (const json* v = r.find(*e, "preset"))
      p.encode.preset = r.one_of(*v, "encode.preset", encoder_presets());
    // Absent: a plan written before the thread count was pinned (0 = the encoder's choice).
    if (const json* v = r.find(*e, "threads"))
      p.encode.threads = int(r.integer(*v, "encode.threads", 0, 64));
    if (const json* v = r.find(*e, "chunk_frames"))
      p.encode.chunk_frames = int(r.integer(*v, "encode.chunk_frames", -1, 1000000));
  }

  if (const json* g = r.find(j, "regions")) {
    r.object(*g, "regions");
    r.only_keys(*g, "regions", {"protect_skin", "classes", "mask_width"});
    if (const json* v = r.find(*g, "protect_skin"))
      p.regions.protect_skin = float(r.number(*v, "regions.protect_skin", 0, 1));
    if (const json* v = r.find(*g, "classes")) {
      if (!v->is_array()) r.bad("regions.classes", "must be an array");
      for (size_t k = 0; k < v->size(); ++k)
        p.regions.classes.push_back(r.one_of((*v)[k], "regions.classes[" + std::to_string(k) + "]",
                                             {"sky", "foliage"}));
    }
    // Masks are computed at this width at every render; networks need a few hundred pixels.
    if (const json* v = r.find(*g, "mask_width"))
      p.regions.mask_width = int(r.integer(*v, "regions.mask_width", 64, 4096));
  }

  if (const json* c = r.find(j, "continuity")) {
    r.object(*c, "continuity");
    const json* enabled = r.find(*c, "enabled");
    if (enabled && !enabled->is_boolean()) r.bad("continuity.enabled", "must be true or false");
    if (enabled && enabled->get<bool>()) p.continuity = continuity_from_plan_json(*c, name);
  }
  if (const json* h = r.find(j, "history")) {
    if (!h->is_array()) r.bad("history", "must be an array");
    p.history = *h;
  }

  const json& shots = r.require(j, "shots", "shots");
  if (!shots.is_array() || shots.empty()) r.bad("shots", "must be a non-empty array");
  // With an exactly counted input, no shot may reach past its last frame.
  int64_t last_input_frame = INT64_MAX;
  const json* exact = r.find(p.input_probe, "frames_exact");
  const json* frames = r.find(p.input_probe, "frames");
  if (exact && exact->is_boolean() && exact->get<bool>() && frames && frames->is_number_integer())
    last_input_frame = frames->get<int64_t>() - 1;
  std::set<std::string> lut_names;
  for (size_t i = 0; i < shots.size(); ++i) {
    const std::string at = "shots[" + std::to_string(i) + "]";
    const json& s = r.object(shots[i], at);
    // "frames" is derived from first/last_frame and not read back.
    r.only_keys(s, at,
                {"index", "first_frame", "last_frame", "frames", "start_time", "end_time",
                 "starts_with", "scene", "look", "correction", "lut", "match", "metrics",
                 "excluded", "locked", "regions"});
    ShotPlan sp;
    sp.index = int(i);
    if (const json* v = r.find(s, "index"))
      if (r.integer(*v, at + ".index", 0, INT32_MAX) != int64_t(i))
        r.bad(at + ".index", "is " + v->dump() + " but the shot is number " + std::to_string(i) +
                                 " in the list");
    const int64_t expected_first = i == 0 ? 0 : p.shots.back().last_frame + 1;
    sp.first_frame = r.integer(r.require(s, "first_frame", at + ".first_frame"), at + ".first_frame",
                               0, INT64_MAX);
    if (sp.first_frame != expected_first)
      r.bad(at + ".first_frame",
            fmt::format("is {} but must be {}: shots are contiguous ({})", sp.first_frame,
                        expected_first,
                        i == 0 ? "the first starts at frame 0" : "each starts after the last"));
    sp.last_frame = r.integer(r.require(s, "last_frame", at + ".last_frame"), at + ".last_frame",
                              sp.first_frame, last_input_frame);
    if (const json* v = r.find(s, "start_time"))
      sp.start_time = r.number(*v, at + ".start_time", 0, 1e9);
    if (const json* v = r.find(s, "end_time"))
      sp.end_time = r.number(*v, at + ".end_time", sp.start_time, 1e9);
    sp.starts_with = "cut";
    if (const json* v = r.find(s, "starts_with"))
      sp.starts_with = r.one_of(*v, at + ".starts_with", {"start", "cut", "fade"});
    if (const json* v = r.find(s, "scene")) sp.scene = int(r.integer(*v, at + ".scene", 0, INT32_MAX));
    // Required: a shot without a Look used to render ungraded without a word.
    sp.look = look_from_json(r.require(s, "look", at + ".look"), name + ": " + at + ".look");
    if (const json* v = r.find(s, "correction"))
      sp.correction = look_from_json(*v, name + ": " + at + ".correction");
    sp.lut_file = fmt::format("shot_{:03d}.cube", i);
    if (const json* v = r.find(s, "lut")) sp.lut_file = r.string(*v, at + ".lut");
    check_lut_file_name(sp.lut_file, name + ": " + at + ".lut");
    if (!lut_names.insert(sp.lut_file).second)
      r.bad(at + ".lut", "'" + sp.lut_file + "' is also another shot's LUT file");
    if (const json* v = r.find(s, "match")) sp.match = r.object(*v, at + ".match");
    for (auto [key, flag] : {std::pair{"excluded", &sp.excluded}, std::pair{"locked", &sp.locked}})
      if (const json* v = r.find(s, key)) {
        if (!v->is_boolean()) r.bad(at + "." + key, "must be true or false");
        *flag = v->get<bool>();
      }
    // An excluded shot renders with its Look like any other, so a hand-edited plan that keeps
    // a grade on it would say one thing and do another: refused instead.
    if (sp.excluded && (!is_identity(sp.look) || sp.correction))
      r.bad(at + ".excluded", "an excluded shot has no grade: its look must be the identity and "
                              "it has no correction");
    if (const json* v = r.find(s, "regions")) {
      if (!v->is_array()) r.bad(at + ".regions", "must be an array");
      const json& list = *v;
      std::set<std::string> seen;
      for (size_t k = 0; k < list.size(); ++k) {
        const std::string rat = at + ".regions[" + std::to_string(k) + "]";
        const json& e = r.object(list[k], rat);
        r.only_keys(e, rat, {"class", "strength", "lut"});
        ShotRegion region;
        region.region = r.one_of(r.require(e, "class", rat + ".class"), rat + ".class",
                                 {"skin", "sky", "foliage"});
        if (!seen.insert(region.region).second)
          r.bad(rat + ".class", "'" + region.region + "' is listed twice");
        region.strength =
            float(r.number(r.require(e, "strength", rat + ".strength"), rat + ".strength", 0, 1));
        region.lut_file = r.string(r.require(e, "lut", rat + ".lut"), rat + ".lut");
        check_lut_file_name(region.lut_file, name + ": " + rat + ".lut");
        if (!lut_names.insert(region.lut_file).second)
          r.bad(rat + ".lut", "'" + region.lut_file + "' is also another LUT file of the plan");
        sp.regions.push_back(std::move(region));
      }
      if (sp.excluded && !sp.regions.empty())
        r.bad(at + ".regions", "an excluded shot has no grade, so no region grades either");
    }
    if (const json* v = r.find(s, "metrics"); v && !r.object(*v, at + ".metrics").empty())
      sp.metrics = temporal_metrics_from_json(*v, name + ": " + at + ".metrics");
    p.shots.push_back(std::move(sp));
  }
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known_keys().count(it.key())) p.extra[it.key()] = it.value();
  return p;
}

json read_plan_json(const std::string& path) {
  const std::string text = read_file(path, input_limits::kPlanBytes, "plan");
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) throw_bad_input(path, "not valid JSON");
  return j;
}

GradePlan read_plan(const std::string& path) {
  GradePlan p = plan_from_json(read_plan_json(path), path);
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
