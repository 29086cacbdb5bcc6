#pragma once
// The refinement loop on a plan (issue 6; DESIGN.md "refinement edits the plan"): a text
// command and sliders (look/refine.hpp: units, vocabulary scaling) edit the Looks of a plan's
// shots, every edit is recorded in the plan's history, and the last edit can be undone
// exactly. The pipeline owns plan.json (plan.hpp, issue 19), so this works on the typed
// GradePlan: the Looks are ShotPlan::look; the history stays JSON (GradePlan::history) because
// it is a log to be read back, not data the grade uses.
//
// One history entry, appended per refinement:
//   { "version": k,            // 1 for the first refinement, 2 for the next, ...
//     "command": "refine \"more cinematic\" --contrast +10",
//     "changes": ["shot 0: contrast 1.000 -> 1.150", ...],
//     "looks":   [ { "shot": i, "before": <to_json(Look)>, "after": <to_json(Look)> }, ... ] }
// The Looks are written without their residual LUT (refinement never changes it; undo keeps the
// shot's own); entries written before 2026-12-07 may hold it, and undo then restores that one.
// "before" is null in entries written by versions that edited the JSON of a shot without a
// "look"; undo reads it as identity_look(), which is what plan_from_json gives such a shot.
// Those versions also marked the entry that created "history" with "created_history": true;
// it is not written any more (plan_to_json always writes "history") and is ignored by undo.
// The plan's top-level "version" (its schema version) is never changed.
#include <optional>
#include <string>
#include <vector>

#include "autograde/look/prompt.hpp"
#include "autograde/look/refine.hpp"
#include "autograde/pipeline/plan.hpp"

namespace autograde {

struct Refinement {
  std::string text;  // a text command; may be empty
  Sliders sliders;
  // 0-based index into GradePlan::shots (not an excluded shot); when absent, every shot that
  // is neither excluded nor locked.
  std::optional<int> shot;
  std::string command;      // recorded in the history entry
};

struct RefineOutcome {
  GradePlan plan;                    // the refined plan, its history one entry longer
  std::vector<std::string> changes;  // "shot i: <look_changes line>", also in the history entry
  PromptExplanation explanation;     // of `text` (empty when no text)
};

// The command line that makes `r` (`refine "TEXT" --exposure +0.3 ... --shot N`): what the CLI
// and the server record as Refinement::command.
std::string refinement_command(const Refinement& r);

// Error(Usage) for a shot out of range or excluded, a plan whose shots are all excluded or
// locked (without --shot), an empty refinement (no text and no slider), a text
// of which no word was understood or a bad slider value; Error(BadInput) naming `source_name`
// for a plan without shots or whose history is not an array.
RefineOutcome refine_plan(const GradePlan& plan, const Refinement& refinement,
                          const std::string& source_name = "plan");

// The plan as it was before its last refinement (plan_to_json-equal). Error(Usage) naming
// `source_name` when the history is empty; Error(BadInput) naming it when the last entry is
// malformed (no "looks", a look without "shot"/"before", a shot the plan does not have, a bad
// "before" Look).
GradePlan undo_refinement(const GradePlan& plan, const std::string& source_name = "plan");

}  // namespace autograde
