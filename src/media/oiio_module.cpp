// libautograde_oiio.so: every OpenImageIO call of the project, loaded on first use (see
// autograde/core/image_module.hpp for why). Failures are reported in Status, never thrown:
// the callers in ag_media and ag_lut turn them into autograde::Error.
#include <OpenImageIO/imageio.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exception>
#include <filesystem>
#include <vector>

#include "autograde/core/image_module.hpp"

namespace autograde::image_module {

namespace {

// ErrorKind values (autograde/core/error.hpp), without linking ag_core into the module.
constexpr int kUsage = 2, kBadInput = 3, kInternal = 4;

void fail(Status& s, int kind, const std::string& message) {
  s.kind = kind;
  s.message = message;
}
void bad_input(Status& s, const std::string& path, const std::string& what) {
  fail(s, kBadInput, path + ": " + what);
}

SampleFormat format_of(const OIIO::TypeDesc& t) {
  if (t == OIIO::TypeDesc::UINT8 || t == OIIO::TypeDesc::INT8) return SampleFormat::U8;
  if (t == OIIO::TypeDesc::HALF) return SampleFormat::Half;
  if (t == OIIO::TypeDesc::FLOAT || t == OIIO::TypeDesc::DOUBLE) return SampleFormat::F32;
  return SampleFormat::U16;
}

OIIO::TypeDesc type_of(SampleFormat f) {
  switch (f) {
    case SampleFormat::U8:
      return OIIO::TypeDesc::UINT8;
    case SampleFormat::U16:
      return OIIO::TypeDesc::UINT16;
    case SampleFormat::Half:
      return OIIO::TypeDesc::HALF;
    case SampleFormat::F32:
      return OIIO::TypeDesc::FLOAT;
  }
  return OIIO::TypeDesc::UINT8;
}

void read_image(const std::string& path, uint64_t max_pixels, DecodedImage& out,
                Status& status) {
  // Straight (unassociated) alpha as stored: without this hint OIIO premultiplies PNG colour
  // by alpha on read, and a LUT must see the colour, not the colour times coverage.
  OIIO::ImageSpec config;
  config.attribute("oiio:UnassociatedAlpha", 1);
  auto in = OIIO::ImageInput::open(path, &config);
  if (!in) return bad_input(status, path, "cannot read image: " + OIIO::geterror());
  const OIIO::ImageSpec& spec = in->spec();
  if (spec.width <= 0 || spec.height <= 0) return bad_input(status, path, "image has no pixels");
  // Checked on the header, before any pixel is allocated or decoded: a 1 MB PNG may declare
  // 20000x20000 (4.8 GB as float RGB).
  if (uint64_t(spec.width) * uint64_t(spec.height) > max_pixels)
    return bad_input(status, path,
                     "image is " + std::to_string(spec.width) + "x" + std::to_string(spec.height) +
                         ", over the limit of " + std::to_string(max_pixels / 1000000) +
                         " megapixels (raise it with --max-image-megapixels)");
  const int file_channels = spec.nchannels;
  const int channels = file_channels >= 4 ? 4 : 3;
  out.image = ImageF(spec.width, spec.height, channels);
  if (file_channels >= 3) {
    if (!in->read_image(0, 0, 0, channels, OIIO::TypeDesc::FLOAT, out.image.pixels.data()))
      return bad_input(status, path, "cannot decode image: " + in->geterror());
  } else {  // grey (+alpha): replicate into RGB
    std::vector<float> grey(size_t(spec.width) * spec.height);
    if (!in->read_image(0, 0, 0, 1, OIIO::TypeDesc::FLOAT, grey.data()))
      return bad_input(status, path, "cannot decode image: " + in->geterror());
    for (size_t i = 0; i < grey.size(); ++i)
      for (int c = 0; c < 3; ++c) out.image.pixels[3 * i + c] = grey[i];
  }
  // Some decoders (libjpeg on a truncated file) fill the missing part and only leave a
  // message: a half-grey picture must not pass for the real one.
  if (std::string err = in->geterror(); !err.empty())
    return bad_input(status, path, "cannot decode image: " + err);
  for (float& v : out.image.pixels)
    if (!std::isfinite(v)) v = 0.f;  // EXR can hold NaN/Inf; never let them reach a LUT
  out.format = format_of(spec.format);
  out.bits_per_sample = spec.get_int_attribute("oiio:BitsPerSample", int(spec.format.size() * 8));
  // 10- and 12-bit samples (DPX) come through a 16-bit expansion that is off by up to ~0.015 of
  // a code value; snap back to code / (2^bits - 1) so the floats are the exact code values.
  if (out.format == SampleFormat::U16 && out.bits_per_sample > 8 && out.bits_per_sample < 16) {
    const float top = float((1 << out.bits_per_sample) - 1);
    for (float& v : out.image.pixels) v = std::round(v * top) / top;
  }
  out.associated_alpha = channels == 4 && spec.get_int_attribute("oiio:UnassociatedAlpha", 0) == 0;
  out.color_space = spec.get_string_attribute("oiio:ColorSpace");
  if (const OIIO::ParamValue* icc = spec.find_attribute("ICCProfile")) {
    const auto* bytes = static_cast<const uint8_t*>(icc->data());
    out.icc_profile.assign(bytes, bytes + icc->type().size());
  }
  for (const auto& p : spec.extra_attribs) {
    if (p.type() == OIIO::TypeDesc::STRING && p.name().string().rfind("oiio:", 0) != 0)
      out.text_attributes[p.name().string()] = p.get_string();
  }
}

void read_lut_image(const std::string& path, ImageF& img, Status& status) {
  auto in = OIIO::ImageInput::open(path);
  if (!in) return bad_input(status, path, "cannot read LUT image: " + OIIO::geterror());
  const auto& spec = in->spec();
  // The largest LUT (256³) as an image is 4096x4096 (Hald level 16) or 65536x256 (a strip):
  // 2^24 pixels. Checked on the header, before decoding.
  if (spec.width <= 0 || spec.height <= 0 || spec.width > 65536 || spec.height > 65536 ||
      uint64_t(spec.width) * uint64_t(spec.height) > (uint64_t(1) << 24))
    return bad_input(status, path,
                     "LUT image is " + std::to_string(spec.width) + "x" +
                         std::to_string(spec.height) +
                         "; a LUT image holds at most 2^24 pixels (a 256^3 lattice)");
  img = ImageF(spec.width, spec.height, 3);
  if (spec.nchannels >= 3) {
    if (!in->read_image(0, 0, 0, 3, OIIO::TypeDesc::FLOAT, img.pixels.data()))
      return bad_input(status, path, "cannot decode LUT image: " + in->geterror());
    return;
  }
  // A one-channel (grey, or grey + alpha) LUT image is a neutral look, e.g. black-and-white:
  // every entry's output has R = G = B.
  std::vector<float> grey(img.pixel_count());
  if (!in->read_image(0, 0, 0, 1, OIIO::TypeDesc::FLOAT, grey.data()))
    return bad_input(status, path, "cannot decode LUT image: " + in->geterror());
  for (size_t i = 0; i < grey.size(); ++i)
    img.pixels[3 * i] = img.pixels[3 * i + 1] = img.pixels[3 * i + 2] = grey[i];
}

// "HH:MM:SS:FF" as SMPTE ST 12-1's packed binary-coded decimal (the layout OpenEXR's TimeCode
// and DPX's header store, and OIIO's TypeTimeCode carries): frame units in bits 0-3, tens in
// 4-5, drop-frame flag in bit 6, seconds in 8-14, minutes in 16-22, hours in 24-29; the
// second word holds the user bits (none). False when the text is not a timecode.
bool pack_timecode(const std::string& tc, unsigned (&packed)[2]) {
  if (tc.size() != 11) return false;
  int field[4];
  for (int k = 0; k < 4; ++k) {
    const char a = tc[size_t(3 * k)], b = tc[size_t(3 * k + 1)];
    if (!std::isdigit(static_cast<unsigned char>(a)) ||
        !std::isdigit(static_cast<unsigned char>(b)))
      return false;
    field[k] = (a - '0') * 10 + (b - '0');
  }
  const bool drop = tc[8] == ';' || tc[8] == '.';
  auto bcd = [](int v) { return unsigned((v / 10) << 4 | (v % 10)); };
  packed[0] = bcd(field[3]) | (drop ? 1u << 6 : 0u) | bcd(field[2]) << 8 | bcd(field[1]) << 16 |
              bcd(field[0]) << 24;
  packed[1] = 0;
  return true;
}

void write_image(const EncodeRequest& r, Status& status) {
  const ImageF& image = *r.image;
  const std::string& path = r.path;
  auto out = OIIO::ImageOutput::create(path);
  if (!out) return fail(status, kUsage, "cannot write '" + path + "': unsupported image format");
  OIIO::ImageSpec spec(image.width, image.height, image.channels, type_of(r.format));
  if (image.channels == 4) {
    spec.alpha_channel = 3;
    // Straight colour stays straight (PNG, TIFF written as unassociated); premultiplied input
    // is converted by OIIO where the target format needs straight colour (e.g. EXR → PNG).
    if (!r.associated_alpha) spec.attribute("oiio:UnassociatedAlpha", 1);
  }
  const std::string ext = std::filesystem::path(path).extension().string();
  std::string lower = ext;
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (r.format == SampleFormat::U16 && r.bits_per_sample > 8 && r.bits_per_sample < 16 &&
      lower == ".dpx")
    spec.attribute("oiio:BitsPerSample", r.bits_per_sample);
  if (!r.color_space.empty()) spec.attribute("oiio:ColorSpace", r.color_space);
  if (!r.icc_profile.empty())
    spec.attribute("ICCProfile", OIIO::TypeDesc(OIIO::TypeDesc::UINT8, int(r.icc_profile.size())),
                   r.icc_profile.data());
  for (const auto& [k, v] : r.text_attributes) spec.attribute(k, v);
  if (!r.timecode.empty()) {
    unsigned packed[2];
    if (!pack_timecode(r.timecode, packed))
      return fail(status, kInternal, "'" + r.timecode + "' is not a timecode (" + path + ")");
    // OIIO writes smpte:TimeCode as OpenEXR's timeCode attribute and as the DPX header's
    // time code; DPX readers also show it as the text "dpx:TimeCode".
    spec.attribute("smpte:TimeCode", OIIO::TypeTimeCode, packed);
    if (lower == ".dpx") spec.attribute("dpx:TimeCode", r.timecode);
  }
  if (r.fps_num > 0 && r.fps_den > 0) {
    const int rate[2] = {r.fps_num, r.fps_den};
    spec.attribute("FramesPerSecond", OIIO::TypeRational, rate);
  }
  if (lower == ".jpg" || lower == ".jpeg") spec.attribute("Compression", "jpeg:95");
  // Integer outputs: OIIO converts float→int by clamping and rounding to nearest.
  if (!out->open(r.temp_path, spec))
    return fail(status, kUsage, "cannot write '" + path + "': " + out->geterror());
  // OIIO stores 10- and 12-bit DPX samples by cutting the low bits of a 16-bit value, which
  // truncates; handing it exact code values / (2^bits - 1) makes that cut exact, so the samples
  // are rounded to nearest like every other integer output.
  std::vector<float> snapped;
  const float* pixels = image.pixels.data();
  if (r.format == SampleFormat::U16 && r.bits_per_sample > 8 && r.bits_per_sample < 16 &&
      lower == ".dpx") {
    const float top = float((1 << r.bits_per_sample) - 1);
    snapped.resize(image.pixels.size());
    for (size_t i = 0; i < snapped.size(); ++i)
      snapped[i] = std::round(std::clamp(image.pixels[i], 0.f, 1.f) * top) / top;
    pixels = snapped.data();
  }
  if (!out->write_image(OIIO::TypeDesc::FLOAT, pixels))
    return fail(status, kInternal, "writing '" + path + "' failed: " + out->geterror());
  if (!out->close())
    return fail(status, kInternal, "closing '" + path + "' failed: " + out->geterror());
}

// OIIO reports failures by return value; anything thrown (std::bad_alloc, a plugin's
// exception) must still not cross the module boundary.
template <typename F>
void guarded(Status& status, F&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    fail(status, kInternal, std::string("image I/O: ") + e.what());
  } catch (...) {
    fail(status, kInternal, "image I/O: unknown exception");
  }
}

}  // namespace

}  // namespace autograde::image_module

extern "C" __attribute__((visibility("default"))) void autograde_oiio_functions(
    autograde::image_module::Functions* out) {
  namespace m = autograde::image_module;
  out->read_image = [](const std::string& path, uint64_t max_pixels, m::DecodedImage& img,
                       m::Status& s) {
    m::guarded(s, [&] { m::read_image(path, max_pixels, img, s); });
  };
  out->read_lut_image = [](const std::string& path, autograde::ImageF& img, m::Status& s) {
    m::guarded(s, [&] { m::read_lut_image(path, img, s); });
  };
  out->write_image = [](const m::EncodeRequest& r, m::Status& s) {
    m::guarded(s, [&] { m::write_image(r, s); });
  };
}
