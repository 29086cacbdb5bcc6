#pragma once
// Sky and foliage: no pretrained segmentation ships in Debian or npm (DESIGN.md), so a small
// classifier on colour, brightness, position and texture, trained on the corpus's sky set and
// masks annotated here (model card models/sky_foliage.md says how).
#include "autograde/core/image.hpp"

namespace autograde {

ImageF sky_mask(const ImageF& rgb);      // soft 0..1 at rgb's size
ImageF foliage_mask(const ImageF& rgb);  // soft 0..1 at rgb's size

}  // namespace autograde
