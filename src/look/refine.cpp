// The refinement loop on plan JSON: formats and units are documented in refine.hpp.
#include "autograde/look/refine.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "autograde/core/error.hpp"

namespace autograde {

namespace {

float finite_or_usage(float v, const char* name) {
  if (!std::isfinite(v)) throw_usage(std::string("--") + name + " needs a finite number");
  return v;
}

float percent_factor(float v, const char* name) {
  finite_or_usage(v, name);
  if (v <= -100.f) throw_usage(std::string("--") + name + " is a percentage change and must be > -100");
  return 1.f + v / 100.f;
}

// Flattens a Look's JSON to "name" -> number for change lists ("lift[1]", "split_toning.balance").
void flatten(const nlohmann::json& j, const std::string& prefix,
             std::vector<std::pair<std::string, nlohmann::json>>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else if (j.is_array() && prefix != "residual.table") {
    for (size_t k = 0; k < j.size(); ++k) flatten(j[k], prefix + "[" + std::to_string(k) + "]", out);
  } else {
    out.emplace_back(prefix, j);
  }
}

const nlohmann::json& shots_of(const nlohmann::json& plan, const std::string& src) {
  if (!plan.is_object()) throw_bad_input(src, "a plan must be a JSON object");
  if (!plan.contains("shots") || !plan["shots"].is_array())
    throw_bad_input(src, "the plan has no \"shots\" array");
  const auto& shots = plan["shots"];
  for (size_t i = 0; i < shots.size(); ++i)
    if (!shots[i].is_object()) throw_bad_input(src, fmt::format("shots[{}] is not an object", i));
  return shots;
}

}  // namespace

Look apply_sliders(const Look& in, const Sliders& s) {
  const LookLimits lim;
  Look l = in;
  if (s.exposure)
    l.exposure = std::clamp(in.exposure + finite_or_usage(*s.exposure, "exposure"), -lim.exposure, lim.exposure);
  if (s.contrast)
    l.contrast = std::clamp(in.contrast * percent_factor(*s.contrast, "contrast"), lim.contrast_min,
                            lim.contrast_max);
  if (s.saturation)
    l.saturation = std::clamp(in.saturation * percent_factor(*s.saturation, "saturation"), 0.f,
                              lim.saturation_max);
  if (s.temperature)
    l.temperature = std::clamp(in.temperature + finite_or_usage(*s.temperature, "temperature") / 100.f,
                               -lim.temperature, lim.temperature);
  if (s.tint)
    l.tint = std::clamp(in.tint + finite_or_usage(*s.tint, "tint") / 100.f, -lim.tint, lim.tint);
  if (s.strength) {
    const float v = finite_or_usage(*s.strength, "strength");
    if (v < 0.f || v > 1.f) throw_usage("--strength is the Look's mix with the input, 0..1");
    l.strength = v;
  }
  return l;
}

std::vector<std::string> look_changes(const Look& before, const Look& after) {
  std::vector<std::pair<std::string, nlohmann::json>> a, b;
  flatten(to_json(before), "", a);
  flatten(to_json(after), "", b);
  std::vector<std::string> out;
  for (const auto& [key, vb] : b) {
    auto it = std::find_if(a.begin(), a.end(), [&](const auto& p) { return p.first == key; });
    if (it != a.end() && it->second == vb) continue;
    if (it != a.end() && it->second.is_number() && vb.is_number())
      out.push_back(fmt::format("{} {:.3f} -> {:.3f}", key, it->second.get<double>(), vb.get<double>()));
    else
      out.push_back(fmt::format("{} {} -> {}", key, it == a.end() ? "(none)" : it->second.dump(), vb.dump()));
  }
  for (const auto& [key, va] : a)
    if (std::none_of(b.begin(), b.end(), [&](const auto& p) { return p.first == key; }))
      out.push_back(fmt::format("{} {} -> (none)", key, va.dump()));
  return out;
}

RefineOutcome refine_plan(const nlohmann::json& plan, const Refinement& r, const std::string& src) {
  const auto& shots = shots_of(plan, src);
  if (r.text.empty() && r.sliders.empty())
    throw_usage("nothing to refine: give a text command and/or slider options (or --undo)");
  if (plan.contains("history") && !plan["history"].is_array())
    throw_bad_input(src, "\"history\" must be an array");

  RefineOutcome out;
  Look delta = identity_look();
  if (!r.text.empty()) {
    delta = look_from_prompt(r.text, &out.explanation);
    if (out.explanation.terms.empty())
      throw_usage("no word of \"" + r.text + "\" was understood" +
                  (out.explanation.unknown.empty() ? std::string()
                                                   : " (unknown: " + out.explanation.unknown.front() + ")"));
  }

  std::vector<size_t> targets;
  if (r.shot) {
    if (*r.shot < 0 || size_t(*r.shot) >= shots.size())
      throw_usage(fmt::format("--shot {} is out of range: the plan has {} shots (0-based)", *r.shot,
                              shots.size()));
    targets.push_back(size_t(*r.shot));
  } else {
    for (size_t i = 0; i < shots.size(); ++i) targets.push_back(i);
  }
  if (targets.empty()) throw_bad_input(src, "the plan has no shots to refine");

  out.plan = plan;
  nlohmann::json looks = nlohmann::json::array();
  for (size_t i : targets) {
    nlohmann::json& shot = out.plan["shots"][i];
    const bool had = shot.contains("look");
    const Look before = had ? look_from_json(shot["look"], fmt::format("{}: shots[{}].look", src, i))
                            : identity_look();
    Look after = r.text.empty() ? before : add(before, delta);
    after = apply_sliders(after, r.sliders);
    for (const auto& c : look_changes(before, after)) out.changes.push_back(fmt::format("shot {}: {}", i, c));
    looks.push_back({{"shot", i}, {"before", had ? shot["look"] : nlohmann::json(nullptr)},
                     {"after", to_json(after)}});
    shot["look"] = to_json(after);
  }

  const bool created = !plan.contains("history");
  nlohmann::json& history = out.plan["history"];
  if (created) history = nlohmann::json::array();
  nlohmann::json entry{{"version", history.size() + 1},
                       {"command", r.command},
                       {"changes", out.changes},
                       {"looks", looks}};
  if (created) entry["created_history"] = true;
  history.push_back(std::move(entry));
  return out;
}

nlohmann::json undo_refinement(const nlohmann::json& plan, const std::string& src) {
  shots_of(plan, src);
  if (!plan.contains("history") || !plan["history"].is_array() || plan["history"].empty())
    throw_usage(src + ": nothing to undo (the plan has no refinement history)");
  nlohmann::json out = plan;
  const nlohmann::json entry = out["history"].back();
  if (!entry.is_object() || !entry.contains("looks") || !entry["looks"].is_array())
    throw_bad_input(src, "the last history entry has no \"looks\" to restore");
  auto& shots = out["shots"];
  for (const auto& l : entry["looks"]) {
    if (!l.is_object() || !l.contains("shot") || !l["shot"].is_number_unsigned() || !l.contains("before"))
      throw_bad_input(src, "a history entry's looks need \"shot\" and \"before\"");
    const size_t i = l["shot"].get<size_t>();
    if (i >= shots.size()) throw_bad_input(src, fmt::format("history names shot {} but the plan has {}", i, shots.size()));
    if (l["before"].is_null())
      shots[i].erase("look");
    else
      shots[i]["look"] = l["before"];
  }
  out["history"].erase(out["history"].size() - 1);
  if (entry.value("created_history", false) && out["history"].empty()) out.erase("history");
  return out;
}

}  // namespace autograde
