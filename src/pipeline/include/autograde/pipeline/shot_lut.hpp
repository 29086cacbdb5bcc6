#pragma once
// The one LUT a shot is rendered with: input code values → (camera log → Rec.709 display,
// color/camera_log.hpp) → the shot's correction Look, when auto-correction made one → the
// shot's Look (display code values → display code values).
// Both functions are sampled exactly at every lattice point (no LUT-of-a-LUT resampling).
#include "autograde/color/camera_log.hpp"
#include "autograde/core/image.hpp"
#include "autograde/look/look.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde {

// size³ lattice over input code values 0..1; output Rec.709 display code values 0..1.
Lut3D bake_shot_lut(CameraLog input, const Look& look, int size, const Look* correction = nullptr);

// The function bake_shot_lut samples, at one input code value (for LUTs on other lattices,
// such as the hand-off's after-CDL LUT, sampled from the grade itself rather than a LUT).
Rgb shot_grade(CameraLog input, const Look& look, const Look* correction, Rgb code);

// Input code values → Rec.709 display code values, in place (3 or 4 channels; identity for
// Rec709). Used on sampled frames before matching, so matching sees what a viewer would.
void to_display(CameraLog input, ImageF& image);

}  // namespace autograde
