#pragma once
// The LUTs that regions get (issue 21), each built from the shot's base LUT and the "ungraded"
// LUT of the same lattice (the input conversion alone: identity for Rec.709 input, camera log →
// Rec.709 display otherwise), so every one stays a LUT (DESIGN.md principle 1).
#include "autograde/lut/lut.hpp"

namespace autograde {

// Skin kept natural under the look: lightness follows the look's exposure and contrast (the
// base LUT's lightness), hue and chroma stay near the ungraded skin and inside the skin locus,
// so the look still reads on a face without a cast.
Lut3D skin_region_lut(const Lut3D& base, const Lut3D& ungraded);

// For users who can load one LUT only: the base LUT with skin protection done in colour space
// (a soft skin-hue qualifier blends towards skin_region_lut by `protect` 0..1).
Lut3D skin_protected_lut(const Lut3D& base, const Lut3D& ungraded, float protect);

// Opt-in region looks on top of the base: deeper, cleaner blue sky; greens kept rich and
// away from the look's cast.
Lut3D sky_region_lut(const Lut3D& base, const Lut3D& ungraded);
Lut3D foliage_region_lut(const Lut3D& base, const Lut3D& ungraded);

}  // namespace autograde
