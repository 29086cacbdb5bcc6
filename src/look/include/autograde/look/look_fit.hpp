#pragma once
// Every parameter of a Look fitted to corresponding pixels: what the explicit Look model can
// express of a grade seen as before/after pairs (the same pixels ungraded and graded).
//
// Fitted: black and white point, exposure, temperature, tint, contrast (pivot fixed at the
// default), lift / gamma / gain per channel, fade, saturation, vibrance, the eight hue-vs-hue
// and hue-vs-sat control points and split toning (shadow and highlight tint, balance); never a
// residual LUT — the point is the part a colourist can read and edit. Levenberg–Marquardt on
// code-value differences with a numerical Jacobian and a small ridge towards "no change" (so
// parameters the pixels do not constrain, such as the hue of a sector the picture lacks, stay
// neutral), then clamped to LookLimits.
#include <span>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/look/look.hpp"

namespace autograde {

struct LookPairFit {
  Look look;
  double rms = 0.0;  // root mean square code-value error of the fitted Look on the samples
};

// Which parameter groups may move (the others stay neutral): for asking how much of a grade a
// smaller Look expresses.
struct LookFitParts {
  bool per_channel = true;   // lift / gamma / gain per channel; false: one value for all three
  bool hue_controls = true;  // hue-vs-hue and hue-vs-sat control points
};

// `before` and `after` are display-referred code values, pixel i of one matching pixel i of
// the other; at most `max_samples` evenly strided pairs are used. Error(BadInput) when the
// sizes differ or there are fewer than 16 pairs.
LookPairFit fit_look_to_pairs(const std::vector<Rgb>& before, const std::vector<Rgb>& after,
                              size_t max_samples = 2000, const LookFitParts& parts = {});

// The same over before/after stills of equal size (first three channels, clamped to 0..1),
// pooled: the Look that best explains `autograde lut --before A --after B`.
// Error(BadInput) when the counts or a pair's sizes differ.
LookPairFit fit_look_to_images(std::span<const ImageF> before, std::span<const ImageF> after,
                               size_t max_samples = 2000);

// The parametric Look (no residual) closest to a whole grade — typically a Look whose residual
// LUT holds a learned or transferred match — on an n³ lattice of the display cube, the grade
// taken at full strength: how a LUT grade reads as Look parameters, and at what error (rms).
// n = 6 is the reading look_summary prints (about 0.13 s) and bench_match's NAME+fit scores.
LookPairFit fit_look_to_grade(const Look& grade, int n = 6);

}  // namespace autograde
