#pragma once
// The refinement loop (issue 6; DESIGN.md "refinement edits the plan"): text commands and
// sliders edit the Looks stored in a plan, every edit is recorded in the plan's history, and
// the last edit can be undone exactly.
//
// The part of plan.json this file reads and writes (every other key is left untouched, so the
// pipeline owns the rest of the format):
//   {
//     "shots":   [ { ..., "look": <to_json(Look)> }, ... ],   // "look" may be absent = identity
//     "history": [ { "version": k,            // 1 for the first refinement, 2 for the next, ...
//                    "command": "refine \"more cinematic\" --contrast +10",
//                    "changes": ["shot 0: contrast 1.000 -> 1.150", ...],
//                    "looks":   [ { "shot": i, "before": <look or null>, "after": <look> } ],
//                    "created_history": true }  // only on an entry that created "history"
//                ]
//   }
// The plan's top-level "version" (its schema version, owned by the pipeline) is never changed.
//
// Slider units (all optional, all deltas except strength):
//   exposure     stops, added to Look::exposure                         (+0.3 = 0.3 stop brighter)
//   contrast     percent of the contrast slope: contrast *= 1 + v/100   (+10 = 10% steeper)
//   saturation   percent of chroma: saturation *= 1 + v/100             (-5 = 5% less saturated)
//   temperature  -100..100 scale, 100 = 1 stop of red/blue balance: temperature += v/100 stops
//                (+ = warmer; +8 = 0.08 stop, R x1.028 and B x0.973 in linear light)
//   tint         same scale on green/magenta: tint += v/100 stops (+ = magenta, - = green)
//   strength     absolute 0..1: the Look's mix with the input is set to this value
// A slider changes exactly its own Look parameter (clamped to LookLimits). Percent sliders need
// v > -100.
// Text commands ("more cinematic", "a bit warmer", "less yellow") go through
// look_from_prompt and are added with add(): "more X" and "Xer" are half the vocabulary's X,
// "a bit more X" a quarter, "much more X" all of it, "less X" minus half.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "autograde/look/look.hpp"
#include "autograde/look/prompt.hpp"

namespace autograde {

struct Sliders {
  std::optional<float> exposure;     // stops
  std::optional<float> contrast;     // percent
  std::optional<float> saturation;   // percent
  std::optional<float> temperature;  // ±100 scale (100 = 1 stop)
  std::optional<float> tint;         // ±100 scale (100 = 1 stop, + magenta)
  std::optional<float> strength;     // absolute 0..1
  bool empty() const {
    return !exposure && !contrast && !saturation && !temperature && !tint && !strength;
  }
};

// Applies the sliders to one Look (units above). Error(Usage) for a percent <= -100 or a
// non-finite value.
Look apply_sliders(const Look& look, const Sliders& sliders);

// One line per Look parameter that differs ("temperature 0.000 -> 0.150"), in to_json order.
std::vector<std::string> look_changes(const Look& before, const Look& after);

struct Refinement {
  std::string text;          // may be empty
  Sliders sliders;
  std::optional<int> shot;   // 0-based index into "shots"; all shots when absent
  std::string command;       // recorded in the history entry
};

struct RefineOutcome {
  nlohmann::json plan;
  std::vector<std::string> changes;
  PromptExplanation explanation;  // of `text` (empty when no text)
};

// Error(BadInput) naming `source_name` for a malformed plan (no "shots" array, a bad look or
// history); Error(Usage) for a shot out of range, an empty refinement or a text of which no
// word was understood.
RefineOutcome refine_plan(const nlohmann::json& plan, const Refinement& refinement,
                          const std::string& source_name = "plan");

// The plan exactly as it was before its last refinement (JSON-equal). Error(Usage) when the
// history is empty, Error(BadInput) when the last entry is malformed.
nlohmann::json undo_refinement(const nlohmann::json& plan, const std::string& source_name = "plan");

}  // namespace autograde
