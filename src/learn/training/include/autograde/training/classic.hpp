#pragma once
// The classic automatic correction the learned one is measured against: grey-world white
// balance (Buchsbaum 1980: the scene average is grey) followed by auto-levels (stretch the
// 0.5 % / 99.5 % luma percentiles to black and white). Returned as a LUT, like ours.
// Input / output: display-referred code values (sRGB); the gains act in linear light
// (IEC 61966-2-1 decode), the levels in code values.
#include "autograde/core/image.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde::learn {

Lut3D classic_auto_correct_lut(const ImageF& image, int size = 33);

}  // namespace autograde::learn
