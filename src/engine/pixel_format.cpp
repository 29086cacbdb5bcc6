#include "autograde/engine/pixel_format.hpp"

namespace autograde {

int sample_bits(SampleType type) {
  switch (type) {
    case SampleType::U8:
      return 8;
    case SampleType::U10:
      return 10;
    case SampleType::U12:
      return 12;
    case SampleType::U16:
      return 16;
    case SampleType::F32:
      return 32;
  }
  return 0;
}

std::size_t sample_bytes(SampleType type) {
  switch (type) {
    case SampleType::U8:
      return 1;
    case SampleType::F32:
      return 4;
    default:
      return 2;
  }
}

float sample_max(SampleType type) {
  return type == SampleType::F32 ? 1.f : float((1u << sample_bits(type)) - 1u);
}

std::size_t pixel_stride_bytes(const PixelFormat& f) {
  return f.layout == Layout::Packed ? sample_bytes(f.type) * f.channels : sample_bytes(f.type);
}

std::string format_name(const PixelFormat& f) {
  const bool a = f.channels == 4;
  if (f.layout == Layout::Packed) {
    switch (f.type) {
      case SampleType::U8:
        return a ? "rgba" : "rgb24";
      case SampleType::U16:
        return a ? "rgba64" : "rgb48";
      case SampleType::F32:
        return a ? "rgbaf32" : "rgbf32";
      default:
        return std::string(a ? "rgba" : "rgb") + std::to_string(sample_bits(f.type)) + "bit";
    }
  }
  const std::string base = a ? "gbrap" : "gbrp";
  switch (f.type) {
    case SampleType::U8:
      return base;
    case SampleType::F32:
      return base + "f32";
    default:
      return base + std::to_string(sample_bits(f.type));
  }
}

}  // namespace autograde
