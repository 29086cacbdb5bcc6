// The refinement loop on a GradePlan: the history format is documented in refine_plan.hpp.
#include "autograde/pipeline/refine_plan.hpp"

#include <fmt/format.h>

#include "autograde/core/error.hpp"

namespace autograde {

using nlohmann::json;

RefineOutcome refine_plan(const GradePlan& plan, const Refinement& r, const std::string& src) {
  if (r.text.empty() && r.sliders.empty())
    throw_usage("nothing to refine: give a text command and/or slider options (or --undo)");
  if (!plan.history.is_array()) throw_bad_input(src, "\"history\" must be an array");

  RefineOutcome out;
  const Look delta = text_command_delta(r.text, &out.explanation);

  std::vector<size_t> targets;
  if (r.shot) {
    if (*r.shot < 0 || size_t(*r.shot) >= plan.shots.size())
      throw_usage(fmt::format("--shot {} is out of range: the plan has {} shots (0-based)", *r.shot,
                              plan.shots.size()));
    if (plan.shots[size_t(*r.shot)].excluded)
      throw_usage(fmt::format("--shot {}: the shot is excluded from the grade (\"excluded\" in "
                              "the plan); grade again without --exclude {} to grade it",
                              *r.shot, *r.shot));
    // A locked shot named on its own is an explicit edit of its approved look: allowed.
    targets.push_back(size_t(*r.shot));
  } else {
    // Excluded shots stay ungraded and locked shots keep their look: "all shots" means the
    // others (name a locked shot with --shot to edit it).
    for (size_t i = 0; i < plan.shots.size(); ++i)
      if (!plan.shots[i].excluded && !plan.shots[i].locked) targets.push_back(i);
    if (targets.empty() && !plan.shots.empty())
      throw_usage("every shot of the plan is excluded or locked: name a locked shot with --shot N "
                  "to refine it");
  }
  if (targets.empty()) throw_bad_input(src, "the plan has no shots to refine");

  out.plan = plan;
  json looks = json::array();
  for (size_t i : targets) {
    Look& look = out.plan.shots[i].look;
    const Look after = refine_look(look, delta, r.sliders);
    for (const auto& c : look_changes(look, after))
      out.changes.push_back(fmt::format("shot {}: {}", i, c));
    // The parameters alone: refinement keeps the residual (add()), which for a learned grade
    // is megabytes of JSON per shot that each entry would otherwise copy twice.
    looks.push_back(
        {{"shot", i}, {"before", parameters_to_json(look)}, {"after", parameters_to_json(after)}});
    look = after;
  }
  json& history = out.plan.history;
  history.push_back({{"version", history.size() + 1},
                     {"command", r.command},
                     {"changes", out.changes},
                     {"looks", std::move(looks)}});
  return out;
}

GradePlan undo_refinement(const GradePlan& plan, const std::string& src) {
  if (!plan.history.is_array() || plan.history.empty())
    throw_usage(src + ": nothing to undo (the plan has no refinement history)");
  GradePlan out = plan;
  const json entry = out.history.back();
  if (!entry.is_object() || !entry.contains("looks") || !entry["looks"].is_array())
    throw_bad_input(src, "the last history entry has no \"looks\" to restore");
  for (const auto& l : entry["looks"]) {
    if (!l.is_object() || !l.contains("shot") || !l["shot"].is_number_unsigned() ||
        !l.contains("before"))
      throw_bad_input(src, "a history entry's looks need \"shot\" and \"before\"");
    const size_t i = l["shot"].get<size_t>();
    if (i >= out.shots.size())
      throw_bad_input(
          src, fmt::format("history names shot {} but the plan has {}", i, out.shots.size()));
    // null: the shot had no "look" key, which plan_from_json reads as identity_look(). An
    // entry without a residual keeps the shot's own (refinement never changes it).
    Look before = l["before"].is_null()
                      ? identity_look()
                      : look_from_json(l["before"],
                                       fmt::format("{}: last history entry, shot {} before", src, i));
    if (!l["before"].is_null() && !l["before"].contains("residual"))
      before.residual = out.shots[i].look.residual;
    out.shots[i].look = std::move(before);
  }
  out.history.erase(out.history.size() - 1);
  return out;
}

std::string refinement_command(const Refinement& r) {
  std::string cmd = "refine";
  if (!r.text.empty()) cmd += " \"" + r.text + "\"";
  if (r.sliders.exposure) cmd += fmt::format(" --exposure {:+g}", *r.sliders.exposure);
  if (r.sliders.contrast) cmd += fmt::format(" --contrast {:+g}", *r.sliders.contrast);
  if (r.sliders.saturation) cmd += fmt::format(" --saturation {:+g}", *r.sliders.saturation);
  if (r.sliders.temperature) cmd += fmt::format(" --temperature {:+g}", *r.sliders.temperature);
  if (r.sliders.tint) cmd += fmt::format(" --tint {:+g}", *r.sliders.tint);
  if (r.sliders.strength) cmd += fmt::format(" --strength {:g}", *r.sliders.strength);
  if (r.shot) cmd += fmt::format(" --shot {}", *r.shot);
  return cmd;
}

}  // namespace autograde
