#pragma once
// How the pixels a renderer reads and writes are stored. The engine never owns pixels: callers
// (image I/O, the video pipeline, benchmarks) describe their buffers with plane pointers and
// byte strides, as FFmpeg's AVFrame does, without the engine depending on FFmpeg.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace autograde {

// U10/U12 live in 16-bit little-endian containers with the value in the low bits (FFmpeg's
// *10LE/*12LE layouts on a little-endian host). Integer code values map to 0..1 as code/max.
enum class SampleType : std::uint8_t { U8, U10, U12, U16, F32 };

// Packed: R,G,B(,A) interleaved in plane 0. Planar: plane 0 = R, 1 = G, 2 = B, 3 = A (a caller
// holding FFmpeg's GBR order passes its planes reordered).
enum class Layout : std::uint8_t { Packed, Planar };

struct PixelFormat {
  SampleType type = SampleType::F32;
  Layout layout = Layout::Packed;
  int channels = 3;  // 3 (RGB) or 4 (RGBA; alpha is copied, never graded)

  bool operator==(const PixelFormat&) const = default;
};

int sample_bits(SampleType type);                    // 8, 10, 12, 16 or 32
std::size_t sample_bytes(SampleType type);           // 1, 2, 2, 2, 4
float sample_max(SampleType type);                   // largest code value (1.0 for F32)
std::string format_name(const PixelFormat& format);  // e.g. "rgb24", "gbrpf32", "rgba64"

// Bytes of plane p for one pixel (channels × sample for packed, one sample for planar).
std::size_t pixel_stride_bytes(const PixelFormat& format);

struct ImageView {
  int width = 0;
  int height = 0;
  std::array<std::uint8_t*, 4> planes{};
  std::array<std::ptrdiff_t, 4> strides{};  // bytes between rows, per plane; any value works
};

struct ConstImageView {
  int width = 0;
  int height = 0;
  std::array<const std::uint8_t*, 4> planes{};
  std::array<std::ptrdiff_t, 4> strides{};

  ConstImageView() = default;
  ConstImageView(const ImageView& v)  // NOLINT: a writable view is also a readable one
      : width(v.width), height(v.height), strides(v.strides) {
    for (int p = 0; p < 4; ++p) planes[p] = v.planes[p];
  }
};

}  // namespace autograde
