#pragma once
// Facts about a LUT that a colorist asks before trusting it.
#include "autograde/lut/lut.hpp"

namespace autograde {

struct LutFacts {
  bool identity = false;         // every entry within tolerance of its lattice position
  bool neutral_monotone = true;  // luminance non-decreasing along the grey diagonal
  float min_value = 0.f, max_value = 0.f;
  float max_identity_error = 0.f;
};

// The neutral-axis check reads the output as display code values (display_luminance, color.hpp).
LutFacts inspect(const LutFile& lut, float identity_tolerance = 1e-4f);

}  // namespace autograde
