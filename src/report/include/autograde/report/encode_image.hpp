#pragma once
// Pictures as file bytes for embedding in a report: an 8-bit rendering of display code values
// written through image_io (OpenImageIO) into a registered temporary folder and read back.
#include <string>

#include "autograde/core/image.hpp"

namespace autograde {

// PNG (lossless: scopes, charts, anything with hard edges).
std::string encode_png(const ImageF& image);
// JPEG at image_io's quality 95 (photographic frames, a fraction of the PNG's size).
std::string encode_jpeg(const ImageF& image);

}  // namespace autograde
