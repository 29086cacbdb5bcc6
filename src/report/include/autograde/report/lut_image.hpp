#pragma once
// A 3D LUT shown as a picture (issue 22: "the LUT as a small image"): `slices` tiles side by
// side, blue rising from 0 to 1 tile by tile; inside a tile red rises left to right and green
// bottom to top. Each pixel is the LUT's output for that input, so the identity LUT draws the
// plain RGB cube and a grade shows as the same cube re-coloured. Input and output are the
// LUT's own encodings (for a shot's LUT: input code values → Rec.709 display code values).
#include "autograde/core/image.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde {

// Tiles `tile` pixels square, 2 pixels apart on a black strip.
ImageF lut_slices(const Lut3D& lut, int slices = 5, int tile = 48,
                  Interp interp = Interp::Tetrahedral);

// The same tiles showing what the LUT changes: 0.5 + gain × (output − input) per channel, so
// the identity is a flat mid-grey and a grade of a few code values still shows (a warm grade
// reads orange, a cool one blue). For a LUT whose input and output share an encoding.
ImageF lut_change_slices(const Lut3D& lut, float gain = 4.f, int slices = 5, int tile = 48,
                         Interp interp = Interp::Tetrahedral);

}  // namespace autograde
