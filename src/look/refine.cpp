// Refining one Look with a text command and sliders: units are documented in refine.hpp.
#include "autograde/look/refine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "autograde/core/error.hpp"

namespace autograde {

namespace {

float finite_or_usage(float v, const char* name) {
  if (!std::isfinite(v)) throw_usage(std::string("--") + name + " needs a finite number");
  return v;
}

float percent_factor(float v, const char* name) {
  finite_or_usage(v, name);
  if (v <= -100.f)
    throw_usage(std::string("--") + name + " is a percentage change and must be > -100");
  return 1.f + v / 100.f;
}

// Flattens a Look's JSON to "name" -> number for change lists ("lift[1]", "split_toning.balance").
void flatten(const nlohmann::json& j, const std::string& prefix,
             std::vector<std::pair<std::string, nlohmann::json>>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else if (j.is_array()) {
    for (size_t k = 0; k < j.size(); ++k)
      flatten(j[k], prefix + "[" + std::to_string(k) + "]", out);
  } else {
    out.emplace_back(prefix, j);
  }
}

}  // namespace

Look apply_sliders(const Look& in, const Sliders& s) {
  const LookLimits lim;
  Look l = in;
  if (s.exposure)
    l.exposure = std::clamp(in.exposure + finite_or_usage(*s.exposure, "exposure"), -lim.exposure,
                            lim.exposure);
  if (s.contrast)
    l.contrast = std::clamp(in.contrast * percent_factor(*s.contrast, "contrast"), lim.contrast_min,
                            lim.contrast_max);
  if (s.saturation)
    l.saturation = std::clamp(in.saturation * percent_factor(*s.saturation, "saturation"), 0.f,
                              lim.saturation_max);
  if (s.temperature)
    l.temperature =
        std::clamp(in.temperature + finite_or_usage(*s.temperature, "temperature") / 100.f,
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
  // Parameters only: refinement never changes the residual LUT, and its JSON is large.
  flatten(parameters_to_json(before), "", a);
  flatten(parameters_to_json(after), "", b);
  std::vector<std::string> out;
  // Plain references, not structured bindings: the lambdas capture `key`, which clang before 16
  // rejects for bindings (the sanitizer build uses clang 14).
  for (const auto& entry_b : b) {
    const std::string& key = entry_b.first;
    const nlohmann::json& vb = entry_b.second;
    auto it = std::find_if(a.begin(), a.end(), [&](const auto& p) { return p.first == key; });
    if (it != a.end() && it->second == vb) continue;
    if (it != a.end() && it->second.is_number() && vb.is_number())
      out.push_back(
          fmt::format("{} {:.3f} -> {:.3f}", key, it->second.get<double>(), vb.get<double>()));
    else
      out.push_back(
          fmt::format("{} {} -> {}", key, it == a.end() ? "(none)" : it->second.dump(), vb.dump()));
  }
  for (const auto& entry_a : a)
    if (std::none_of(b.begin(), b.end(), [&](const auto& p) { return p.first == entry_a.first; }))
      out.push_back(fmt::format("{} {} -> (none)", entry_a.first, entry_a.second.dump()));
  return out;
}

Look text_command_delta(const std::string& text, PromptExplanation* explanation) {
  if (text.empty()) return identity_look();
  PromptExplanation local;
  PromptExplanation& e = explanation ? *explanation : local;
  Look delta = look_from_prompt(text, &e);
  if (e.terms.empty())
    throw_usage("no word of \"" + text + "\" was understood" +
                (e.unknown.empty() ? std::string() : " (unknown: " + e.unknown.front() + ")"));
  return delta;
}

Look refine_look(const Look& look, const Look& text_delta, const Sliders& sliders) {
  // Compared through to_json so every field counts (is_identity() has a tolerance and skips
  // the split-toning hues, the balance and the pivot).
  const bool neutral = to_json(text_delta) == to_json(identity_look());
  return apply_sliders(neutral ? look : add(look, text_delta), sliders);
}

}  // namespace autograde
