#pragma once
// Still images through OpenImageIO: PNG, JPEG, TIFF, OpenEXR, DPX and whatever else the
// installed OIIO reads. Pixels come back as float: integer formats normalised to 0..1 code
// values (display-referred, or log for log DPX), float formats as stored.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde {

struct ImageMeta {
  SampleFormat format = SampleFormat::U8;  // how the file stored its samples
  int bits_per_sample = 8;                 // e.g. 10 for 10-bit DPX stored as U16
  std::string color_space;                 // OIIO's "oiio:ColorSpace" when the file says
  std::vector<uint8_t> icc_profile;        // kept verbatim when present
  std::map<std::string, std::string> text_attributes;  // textual metadata (Exif, DPX, ...)
  // RGBA only: true when the colour channels are premultiplied by alpha as stored (OpenEXR,
  // associated-alpha TIFF); false for straight colour (PNG, unassociated TIFF), which is read
  // and written as stored, never divided or multiplied by alpha.
  bool associated_alpha = false;
  // Written only (image sequences): the frame's SMPTE timecode "HH:MM:SS:FF" for the header
  // field where the format has one (OpenEXR timeCode, DPX TimeCode), and the frame rate
  // (OpenEXR framesPerSecond). Read back, they appear among text_attributes ("dpx:TimeCode")
  // or not at all.
  std::string timecode;
  int fps_num = 0, fps_den = 1;
};

struct LoadedImage {
  ImageF image;  // 3 or 4 channels
  ImageMeta meta;
};

// Error(BadInput) naming the file when it is missing, not a regular file, over
// input_limits::kImageBytes, or declares more than max_image_pixels() (checked before
// decoding).
LoadedImage read_image(const std::string& path);

// The picture-size budget of read_image: 100 megapixels by default (1.6 GB as float RGBA,
// above 12K 2:1 and every still camera), raised with the CLI's --max-image-megapixels.
constexpr std::uint64_t kDefaultMaxImagePixels = 100'000'000;
std::uint64_t max_image_pixels();
void set_max_image_pixels(std::uint64_t pixels);

// Writes atomically (temp + rename). `meta.format` picks the sample type unless the file
// format cannot hold it (e.g. float into PNG → 16-bit); integer samples are rounded, clamped.
void write_image(const std::string& path, const ImageF& image, const ImageMeta& meta);

bool is_image_path(const std::string& path);  // by extension, for CLI dispatch

}  // namespace autograde
