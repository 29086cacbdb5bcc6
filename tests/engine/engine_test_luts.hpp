#pragma once
// Test LUTs for the engine: smooth but clearly non-identity looks, with some entries outside
// [0,1], so that interpolation, clamping and rounding are all exercised.
#include "autograde/lut/lut.hpp"

namespace autograde::testing {

// A 3D look of the given size: a contrast curve, channel cross-talk and deterministic noise.
Lut3D make_test_cube(int size, unsigned seed, bool odd_domain = false);
// A 1D shaper (gamma-like per channel) of the given size.
Lut1D make_test_shaper(int size, bool odd_domain = false);

}  // namespace autograde::testing
