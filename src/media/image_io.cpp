#include "autograde/media/image_io.hpp"

#include <OpenImageIO/imageio.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"

namespace autograde {

namespace {

std::string lower_ext(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

SampleFormat format_of(const OIIO::TypeDesc& t) {
  if (t == OIIO::TypeDesc::UINT8 || t == OIIO::TypeDesc::INT8) return SampleFormat::U8;
  if (t == OIIO::TypeDesc::HALF) return SampleFormat::Half;
  if (t == OIIO::TypeDesc::FLOAT || t == OIIO::TypeDesc::DOUBLE) return SampleFormat::F32;
  return SampleFormat::U16;
}

OIIO::TypeDesc type_of(SampleFormat f) {
  switch (f) {
    case SampleFormat::U8: return OIIO::TypeDesc::UINT8;
    case SampleFormat::U16: return OIIO::TypeDesc::UINT16;
    case SampleFormat::Half: return OIIO::TypeDesc::HALF;
    case SampleFormat::F32: return OIIO::TypeDesc::FLOAT;
  }
  return OIIO::TypeDesc::UINT8;
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
  static const char* exts[] = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".exr", ".dpx",
                               ".bmp", ".tga", ".hdr", ".webp", ".jp2", ".ppm", ".pgm"};
  const std::string e = lower_ext(path);
  return std::any_of(std::begin(exts), std::end(exts), [&](const char* x) { return e == x; });
}

LoadedImage read_image(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw_bad_input(path, "no such file");
  // Straight (unassociated) alpha as stored: without this hint OIIO premultiplies PNG colour
  // by alpha on read, and a LUT must see the colour, not the colour times coverage.
  OIIO::ImageSpec config;
  config.attribute("oiio:UnassociatedAlpha", 1);
  auto in = OIIO::ImageInput::open(path, &config);
  if (!in) throw_bad_input(path, "cannot read image: " + OIIO::geterror());
  const OIIO::ImageSpec& spec = in->spec();
  if (spec.width <= 0 || spec.height <= 0) throw_bad_input(path, "image has no pixels");
  if (size_t(spec.width) * size_t(spec.height) > size_t(1) << 30)
    throw_bad_input(path, "image is larger than 1 gigapixel");
  LoadedImage out;
  const int file_channels = spec.nchannels;
  const int channels = file_channels >= 4 ? 4 : 3;
  out.image = ImageF(spec.width, spec.height, channels);
  if (file_channels >= 3) {
    if (!in->read_image(0, 0, 0, channels, OIIO::TypeDesc::FLOAT, out.image.pixels.data()))
      throw_bad_input(path, "cannot decode image: " + in->geterror());
  } else {  // grey (+alpha): replicate into RGB
    std::vector<float> grey(size_t(spec.width) * spec.height);
    if (!in->read_image(0, 0, 0, 1, OIIO::TypeDesc::FLOAT, grey.data()))
      throw_bad_input(path, "cannot decode image: " + in->geterror());
    for (size_t i = 0; i < grey.size(); ++i)
      for (int c = 0; c < 3; ++c) out.image.pixels[3 * i + c] = grey[i];
  }
  // Some decoders (libjpeg on a truncated file) fill the missing part and only leave a
  // message: a half-grey picture must not pass for the real one.
  if (std::string err = in->geterror(); !err.empty())
    throw_bad_input(path, "cannot decode image: " + err);
  for (float& v : out.image.pixels)
    if (!std::isfinite(v)) v = 0.f;  // EXR can hold NaN/Inf; never let them reach a LUT
  out.meta.format = format_of(spec.format);
  out.meta.bits_per_sample = spec.get_int_attribute("oiio:BitsPerSample", int(spec.format.size() * 8));
  // 10- and 12-bit samples (DPX) come through a 16-bit expansion that is off by up to ~0.015 of
  // a code value; snap back to code / (2^bits - 1) so the floats are the exact code values.
  if (out.meta.format == SampleFormat::U16 && out.meta.bits_per_sample > 8 &&
      out.meta.bits_per_sample < 16) {
    const float top = float((1 << out.meta.bits_per_sample) - 1);
    for (float& v : out.image.pixels) v = std::round(v * top) / top;
  }
  out.meta.associated_alpha =
      channels == 4 && spec.get_int_attribute("oiio:UnassociatedAlpha", 0) == 0;
  out.meta.color_space = spec.get_string_attribute("oiio:ColorSpace");
  if (const OIIO::ParamValue* icc = spec.find_attribute("ICCProfile")) {
    const auto* bytes = static_cast<const uint8_t*>(icc->data());
    out.meta.icc_profile.assign(bytes, bytes + icc->type().size());
  }
  for (const auto& p : spec.extra_attribs) {
    if (p.type() == OIIO::TypeDesc::STRING && p.name().string().rfind("oiio:", 0) != 0)
      out.meta.text_attributes[p.name().string()] = p.get_string();
  }
  return out;
}

void write_image(const std::string& path, const ImageF& image, const ImageMeta& meta) {
  if (image.empty()) throw_internal("write_image: empty image for " + path);
  const std::string ext = lower_ext(path);
  PendingOutput pending(path);
  auto out = OIIO::ImageOutput::create(path);
  if (!out) throw_usage("cannot write '" + path + "': unsupported image format");
  const SampleFormat fmt = supported_format(ext, meta.format);
  OIIO::ImageSpec spec(image.width, image.height, image.channels, type_of(fmt));
  if (image.channels == 4) {
    spec.alpha_channel = 3;
    // Straight colour stays straight (PNG, TIFF written as unassociated); premultiplied input
    // is converted by OIIO where the target format needs straight colour (e.g. EXR → PNG).
    if (!meta.associated_alpha) spec.attribute("oiio:UnassociatedAlpha", 1);
  }
  if (fmt == SampleFormat::U16 && meta.bits_per_sample > 8 && meta.bits_per_sample < 16 &&
      ext == ".dpx")
    spec.attribute("oiio:BitsPerSample", meta.bits_per_sample);
  if (!meta.color_space.empty()) spec.attribute("oiio:ColorSpace", meta.color_space);
  if (!meta.icc_profile.empty())
    spec.attribute("ICCProfile", OIIO::TypeDesc(OIIO::TypeDesc::UINT8, int(meta.icc_profile.size())),
                   meta.icc_profile.data());
  for (const auto& [k, v] : meta.text_attributes) spec.attribute(k, v);
  if (ext == ".jpg" || ext == ".jpeg") spec.attribute("Compression", "jpeg:95");
  // Integer outputs: OIIO converts float→int by clamping and rounding to nearest.
  if (!out->open(pending.temp_path(), spec))
    throw_usage("cannot write '" + path + "': " + out->geterror());
  if (!out->write_image(OIIO::TypeDesc::FLOAT, image.pixels.data()))
    throw_internal("writing '" + path + "' failed: " + out->geterror());
  if (!out->close()) throw_internal("closing '" + path + "' failed: " + out->geterror());
  pending.commit();
}

}  // namespace autograde
