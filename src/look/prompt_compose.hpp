#pragma once
// Composition of prompt deltas: soft limits, negation caps, and the axes on which
// contradictions are judged.
#include <array>
#include <string>

#include "autograde/look/look.hpp"

namespace autograde::prompt {

// Per-parameter soft limit: x -> L tanh(x / L) on each parameter's offset from neutral
// (in log space for multiplicative parameters), so deltas keep their order but cannot run
// away. Saturation is limited upwards only (down to monochrome stays possible). `hit`
// receives the names of parameters whose offset was compressed by more than 15%.
Look soft_limit(const Look& delta, std::string* hit = nullptr);

// Keeps `total` from moving in any direction `negated` moves (per parameter, relative to
// neutral; split-toning tints lose their component along the negated tint).
Look cap_against(const Look& total, const Look& negated);

// Perceptual axes for contradiction reports.
enum Axis { kWarmth, kTint, kExposure, kContrast, kSaturation, kFade, kAxisCount };
const char* axis_name(int axis);
std::array<float, kAxisCount> axes_of(const Look& delta);
// Magnitude from which a term counts as pulling an axis.
float axis_threshold(int axis);

}  // namespace autograde::prompt
