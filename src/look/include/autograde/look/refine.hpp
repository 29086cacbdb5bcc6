#pragma once
// Refining one Look (issue 6; DESIGN.md "refinement edits the plan"): a text command and
// sliders edit a Look. Applying a refinement to a plan's shots, recording it in the plan's
// history and undoing it belong to the pipeline (pipeline/refine_plan.hpp), which owns
// plan.json (issue 19: one owner for the format).
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

// One line per Look parameter that differs ("temperature 0.000 -> 0.150"), in to_json order; the
// residual LUT is not a parameter and is not compared.
std::vector<std::string> look_changes(const Look& before, const Look& after);

// The delta a text command describes (look_from_prompt), to be given to refine_look.
// identity_look() for an empty text (`explanation` is then left as it is). Error(Usage) when
// no word of a non-empty text was understood: look_from_prompt never fails, and a refinement
// that silently did nothing would look like it had worked.
Look text_command_delta(const std::string& text, PromptExplanation* explanation = nullptr);

// One refined Look: `look` + `text_delta` (add(), clamped to LookLimits), then the sliders.
// A delta equal to identity_look() (what an empty text gives) is not added at all: add()
// re-derives split toning from chroma vectors, so even a neutral add would move the floats,
// and a sliders-only refinement must change exactly the sliders' parameters.
// Error(Usage) as apply_sliders.
Look refine_look(const Look& look, const Look& text_delta, const Sliders& sliders);

}  // namespace autograde
