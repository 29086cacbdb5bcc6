#include "autograde/media/image_io.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/core/image_module.hpp"

namespace autograde {

namespace {

std::string lower_ext(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext;
}

// What each writer can store, best first for a requested format.
SampleFormat supported_format(const std::string& ext, SampleFormat want) {
  const bool is_float = want == SampleFormat::F32 || want == SampleFormat::Half;
  if (ext == ".jpg" || ext == ".jpeg") return SampleFormat::U8;
  if (ext == ".png") return want == SampleFormat::U8 ? SampleFormat::U8 : SampleFormat::U16;
  if (ext == ".dpx") return is_float ? SampleFormat::U16 : want;
  if (ext == ".exr") return is_float ? want : SampleFormat::Half;
  return want;  // TIFF and the rest hold all four
}

}  // namespace

bool is_image_path(const std::string& path) {
  static const char* exts[] = {".png", ".jpg", ".jpeg", ".tif",  ".tiff", ".exr", ".dpx",
                               ".bmp", ".tga", ".hdr",  ".webp", ".jp2",  ".ppm", ".pgm"};
  const std::string e = lower_ext(path);
  return std::any_of(std::begin(exts), std::end(exts), [&](const char* x) { return e == x; });
}

namespace {
std::atomic<std::uint64_t> g_max_image_pixels{kDefaultMaxImagePixels};
}  // namespace

std::uint64_t max_image_pixels() { return g_max_image_pixels.load(); }
void set_max_image_pixels(std::uint64_t pixels) { g_max_image_pixels.store(pixels); }

LoadedImage read_image(const std::string& path) {
  check_input_file(path, input_limits::kImageBytes, "image");
  image_module::DecodedImage d;
  image_module::Status status;
  image_module::functions().read_image(path, max_image_pixels(), d, status);
  image_module::check(status);
  LoadedImage out;
  out.image = std::move(d.image);
  out.meta.format = d.format;
  out.meta.bits_per_sample = d.bits_per_sample;
  out.meta.associated_alpha = d.associated_alpha;
  out.meta.color_space = std::move(d.color_space);
  out.meta.icc_profile = std::move(d.icc_profile);
  out.meta.text_attributes = std::move(d.text_attributes);
  return out;
}

void write_image(const std::string& path, const ImageF& image, const ImageMeta& meta) {
  if (image.empty()) throw_internal("write_image: empty image for " + path);
  PendingOutput pending(path);  // here, not in the module: the signal clean-up must see it
  image_module::EncodeRequest r;
  r.path = path;
  r.temp_path = pending.temp_path();
  r.image = &image;
  r.format = supported_format(lower_ext(path), meta.format);
  r.bits_per_sample = meta.bits_per_sample;
  r.associated_alpha = meta.associated_alpha;
  r.color_space = meta.color_space;
  r.icc_profile = meta.icc_profile;
  r.text_attributes = meta.text_attributes;
  r.timecode = meta.timecode;
  r.fps_num = meta.fps_num;
  r.fps_den = meta.fps_den;
  image_module::Status status;
  image_module::functions().write_image(r, status);
  image_module::check(status);
  pending.commit();
}

}  // namespace autograde
