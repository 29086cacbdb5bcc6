#pragma once
// Image operations every layer shares. Encodings pass through unchanged (the caller says what
// the numbers are).
#include <string>

#include "autograde/core/image.hpp"

namespace autograde {

// Integer-factor box average: the smallest factor k that brings the long side to at most
// `max_side`, then every k x k block (k² whole pixels, the remainder at the right and bottom
// edges dropped) becomes its mean, accumulated in double. 3 channels out (alpha dropped); never
// enlarges. Cheap and exact enough for statistics; not a resampler for viewing.
// Error(BadInput) naming `name` for an empty image, fewer than 3 channels or a NaN/infinity.
ImageF block_average(const ImageF& image, int max_side, const std::string& name);

}  // namespace autograde
