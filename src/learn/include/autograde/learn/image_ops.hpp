#pragma once
// Small image operations the learning layer needs on thumbnails (encoding is whatever the
// input is in; the learning layer passes display-referred code values). Area-average
// reduction is core's area_average (core/image_ops.hpp).
#include "autograde/core/image.hpp"

namespace autograde::learn {

// The rectangle [x, x+w) x [y, y+h), 3 channels; clipped to the image.
ImageF crop(const ImageF& image, int x, int y, int w, int h);
void flip_horizontal(ImageF& image);

}  // namespace autograde::learn
