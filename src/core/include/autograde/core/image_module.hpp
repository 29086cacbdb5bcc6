#pragma once
// OpenImageIO runs in a module (libautograde_oiio.so) that is loaded on first use instead of
// being linked into the executables. Linking libOpenImageIO makes every process start load
// and relocate ~260 shared libraries (GDAL, OpenVDB, DCMTK, ...): ~0.5 s of CPU per start on
// the development machine, which every command paid even when it never touches a still image
// (`apply` on a .y4m stream or a clip, `render`, `scenes`); see bench/apply_y4m.cpp.
//
// Internal to ag_media (read_image, write_image) and ag_lut (LUT images). The module never
// throws across the boundary: it reports a failure in Status and the caller throws it.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde::image_module {

struct Status {
  int kind = 0;  // 0: success, else an ErrorKind value
  std::string message;
};

// A decoded still as read_image returns it: float pixels (3 or 4 channels, grey replicated to
// RGB; integer formats normalised to 0..1) and what the file says about them.
struct DecodedImage {
  ImageF image;
  SampleFormat format = SampleFormat::U8;
  int bits_per_sample = 8;
  bool associated_alpha = false;
  std::string color_space;
  std::vector<std::uint8_t> icc_profile;
  std::map<std::string, std::string> text_attributes;
};

struct EncodeRequest {
  std::string path;       // the target (names the format, and the file in messages)
  std::string temp_path;  // where to write; the caller renames it onto `path`
  const ImageF* image = nullptr;
  SampleFormat format = SampleFormat::U8;  // already one the format can hold
  int bits_per_sample = 8;
  bool associated_alpha = false;
  std::string color_space;
  std::vector<std::uint8_t> icc_profile;
  std::map<std::string, std::string> text_attributes;
  // SMPTE timecode "HH:MM:SS:FF" (';' before FF for drop-frame) for the header field where the
  // format has one (OpenEXR timeCode, DPX TimeCode); "" for none.
  std::string timecode;
  int fps_num = 0, fps_den = 1;  // frame rate of a sequence (OpenEXR framesPerSecond); 0: none
};

struct Functions {
  // RGB(A) with straight alpha as stored; Status BadInput for unreadable files and for
  // pictures of more than `max_pixels` (checked on the header, before decoding).
  void (*read_image)(const std::string& path, std::uint64_t max_pixels, DecodedImage& out,
                     Status& status) = nullptr;
  // A LUT image (Hald, strip): 3 channels, grey replicated.
  void (*read_lut_image)(const std::string& path, ImageF& out, Status& status) = nullptr;
  void (*write_image)(const EncodeRequest& request, Status& status) = nullptr;
};

// The module's entry points, loaded on the first call (thread-safe). Error(Internal) naming
// the module when it cannot be loaded. Search order: $AUTOGRADE_OIIO_MODULE, the running
// executable's folder, the build tree's copy.
const Functions& functions();

// Throws the Error a Status describes (no-op on success).
void check(const Status& status);

}  // namespace autograde::image_module

// The one symbol the module exports.
extern "C" void autograde_oiio_functions(autograde::image_module::Functions* out);
