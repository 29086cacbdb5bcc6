#pragma once
// Skin: a colour model learned from the corpus's face sets (model card models/skin.md), used
// inside the person and face regions so a skin-coloured wall is not skin. It must hold from
// the lightest to the darkest tones (issue 21): no fixed chroma box tuned on light skin.
#include <span>

#include "autograde/core/image.hpp"
#include "autograde/semantic/regions.hpp"

namespace autograde {

// Soft skin mask (0..1) at rgb's size. `faces` and `person` (1-channel, rgb's size, may be
// empty) come from person_segmenter.hpp; with neither, the colour model alone decides.
ImageF skin_mask(const ImageF& rgb, std::span<const FaceBox> faces, const ImageF& person);

}  // namespace autograde
