#pragma once
// How far a region moved: the mean CIEDE2000 between two pictures of the same size, weighted
// per pixel by a soft mask (the design's ΔE of equation 40 for the skin region: the skin shift
// of a grade is masked_ciede2000(ungraded, graded, skin mask)). Pictures are display code values
// read as sRGB (color.hpp srgb_to_lab).
#include "autograde/core/image.hpp"

namespace autograde {

// Error(Usage) when the sizes differ or the mask is not 1-channel; NaN when the mask is empty
// (all zero).
double masked_ciede2000(const ImageF& a, const ImageF& b, const ImageF& mask);

// The mask resized bilinearly to width x height (pixel centres aligned), values clamped 0..1.
ImageF resize_mask(const ImageF& mask, int width, int height);

}  // namespace autograde
