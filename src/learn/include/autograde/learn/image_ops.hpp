#pragma once
// Small image operations the learning layer needs on thumbnails (encoding is whatever the
// input is in; the learning layer passes display-referred code values).
#include "autograde/core/image.hpp"

namespace autograde::learn {

// Box-filter (area-average) reduction so that the longer side is at most `max_side`; images
// already small enough are returned unchanged. Output has 3 channels (alpha dropped).
ImageF downsample_area(const ImageF& image, int max_side);
// Area-average resample to exactly w x h (any aspect; used for fixed-size training tiles).
ImageF resize_area(const ImageF& image, int w, int h);
// The rectangle [x, x+w) x [y, y+h), 3 channels; clipped to the image.
ImageF crop(const ImageF& image, int x, int y, int w, int h);
void flip_horizontal(ImageF& image);

}  // namespace autograde::learn
