// `autograde refine`: edit the Looks in a plan with words and sliders, or undo the last edit.
// Thin: parse, call src/pipeline (refine_plan.hpp documents the history, look/refine.hpp the
// slider units), write.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/pipeline/plan.hpp"
#include "autograde/pipeline/refine_plan.hpp"
#include "commands.hpp"

namespace autograde::cli {

namespace {

Runner add_refine(CLI::App& app, const GlobalOptions& global) {
  auto* sub = app.add_subcommand(
      "refine", "Refine a plan's Looks with words and sliders (recorded, undoable)");
  struct Opts {
    std::string plan, text, out;
    Sliders sliders;
    float exposure = 0, contrast = 0, saturation = 0, temperature = 0, tint = 0, strength = 1;
    int shot = -1;
    bool undo = false, explain = false;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("PLAN", o->plan, "plan.json to refine")->required();
  sub->add_option("TEXT", o->text, "a text command, e.g. \"more cinematic\", \"a bit warmer\"");
  sub->add_option("-o,--output", o->out, "refined plan (never the input)")->required();
  // Every slider is refused outside its documented range (not clamped without a word); the
  // ranges are the Look's own limits (look.hpp LookLimits) in the sliders' units.
  auto* exposure = sub->add_option("--exposure", o->exposure, "-4..4 stops, added (+0.3)")
                       ->check(CLI::Range(-4.0, 4.0));
  auto* contrast =
      sub->add_option("--contrast", o->contrast, "-75..300 percent of the contrast slope (+10)")
          ->check(CLI::Range(-75.0, 300.0));
  auto* saturation =
      sub->add_option("--saturation", o->saturation, "-100..300 percent of chroma (-5)")
          ->check(CLI::Range(-100.0, 300.0));
  auto* temperature =
      sub->add_option("--temperature", o->temperature, "-100..100, 100 = 1 stop warmer (+8)")
          ->check(CLI::Range(-100.0, 100.0));
  auto* tint =
      sub->add_option("--tint", o->tint, "-100..100, 100 = 1 stop magenta, - = green (-2)")
          ->check(CLI::Range(-100.0, 100.0));
  auto* strength =
      sub->add_option("--strength", o->strength, "set the Look's mix with the input, 0..1")
          ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--shot", o->shot, "refine only this shot (numbered from 0, as in the plan); default: every shot that "
                  "is neither excluded nor locked")
      ->check(CLI::Range(0, 1000000));
  sub->add_flag("--undo", o->undo, "step back to the plan before its last refinement");
  sub->add_flag("--explain", o->explain, "print what each word of TEXT matched and contributed");
  return [=, &global] {
    refuse_overwrite_input(o->plan, o->out);
    const nlohmann::json json = read_plan_json(o->plan);
    // plan_from_json rather than read_plan: read_plan makes a relative luts_dir absolute (for
    // rendering), and the refined plan must keep luts_dir exactly as the user's file had it.
    const GradePlan plan = plan_from_json(json, o->plan);
    GradePlan result;
    if (o->undo) {
      if (!o->text.empty() || exposure->count() || contrast->count() || saturation->count() ||
          temperature->count() || tint->count() || strength->count())
        throw_usage("--undo takes no text or sliders");
      result = undo_refinement(plan, o->plan);
      if (!global.quiet) fmt::print(stderr, "undid the last refinement of {}\n", o->plan);
    } else {
      Refinement r;
      r.text = o->text;
      if (exposure->count()) r.sliders.exposure = o->exposure;
      if (contrast->count()) r.sliders.contrast = o->contrast;
      if (saturation->count()) r.sliders.saturation = o->saturation;
      if (temperature->count()) r.sliders.temperature = o->temperature;
      if (tint->count()) r.sliders.tint = o->tint;
      if (strength->count()) r.sliders.strength = o->strength;
      if (o->shot >= 0) r.shot = o->shot;
      r.command = refinement_command(r);
      RefineOutcome out = refine_plan(plan, r, o->plan);
      if (o->explain && !o->text.empty()) fmt::print("{}", format_explanation(out.explanation));
      for (const auto& u : out.explanation.unknown)
        fmt::print(stderr, "warning: not understood: {}\n", u);
      for (const auto& c : out.explanation.contradictions) fmt::print(stderr, "warning: {}\n", c);
      if (!global.quiet)
        for (const auto& c : out.changes) fmt::print(stderr, "  {}\n", c);
      result = std::move(out.plan);
    }
    write_file_atomic(o->out, plan_to_json(result).dump(2) + "\n");
    if (!global.quiet) fmt::print(stderr, "wrote {}\n", o->out);
  };
}

}  // namespace

AUTOGRADE_COMMAND(45, add_refine);

}  // namespace autograde::cli
