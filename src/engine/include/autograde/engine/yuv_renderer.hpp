#pragma once
// Fused video path: Y'CbCr → R'G'B' → LUT → Y'CbCr in one pass over the frame, so a decoded
// frame is read once and written once (no intermediate RGB frame).
//
// Matrix and range: ITU-R BT.709-6 (Kr = 0.2126, Kb = 0.0722), limited ("video") range:
// Y' = 16..235 and Cb/Cr = 16..240 at 8 bits, scaled by 2^(bits-8) above (64..940/960 at 10
// bits). R'G'B' are the non-linear Rec.709 code values normalised to 0..1 that .cube looks
// expect. Chroma is replicated onto the luma samples it covers and, after the LUT, the chroma
// of those samples is averaged back (box filter), so an identity LUT returns the input within
// rounding. Values that fall outside 0..1 in R'G'B' are clamped by the LUT's domain.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde {

namespace engine_detail {
struct PreparedLut;
}

struct YuvFormat {
  int bit_depth = 8;      // 8 (uint8 samples) or 10/12/16 (uint16 little-endian, low bits)
  int log2_chroma_w = 1;  // 1 for 4:2:0 and 4:2:2, 0 for 4:4:4
  int log2_chroma_h = 1;  // 1 for 4:2:0, 0 for 4:2:2 and 4:4:4

  static YuvFormat yuv420(int bits) { return {bits, 1, 1}; }
  static YuvFormat yuv422(int bits) { return {bits, 1, 0}; }
  static YuvFormat yuv444(int bits) { return {bits, 0, 0}; }
  bool operator==(const YuvFormat&) const = default;
};

// Planes Y, Cb, Cr; chroma planes are ceil(width / 2^log2_chroma_w) × ceil(height / 2^...).
struct YuvImage {
  int width = 0;
  int height = 0;
  std::array<std::uint8_t*, 3> planes{};
  std::array<std::ptrdiff_t, 3> strides{};  // bytes
};

struct ConstYuvImage {
  int width = 0;
  int height = 0;
  std::array<const std::uint8_t*, 3> planes{};
  std::array<std::ptrdiff_t, 3> strides{};

  ConstYuvImage() = default;
  ConstYuvImage(const YuvImage& v)  // NOLINT: a writable view is also a readable one
      : width(v.width), height(v.height), strides(v.strides) {
    for (int p = 0; p < 3; ++p) planes[p] = v.planes[p];
  }
};

class YuvLutRenderer {
 public:
  YuvLutRenderer(std::shared_ptr<const engine_detail::PreparedLut> lut, YuvFormat format);

  // src and dst may be the same planes (in place). Threads: oneTBB, current task arena.
  void apply(const ConstYuvImage& src, const YuvImage& dst) const;
  void apply(const YuvImage& image) const { apply(ConstYuvImage(image), image); }

  const YuvFormat& format() const { return format_; }

 private:
  std::shared_ptr<const engine_detail::PreparedLut> lut_;
  YuvFormat format_;
};

// Error(Usage) for an unsupported format (bit depth outside 8/10/12/16, subsampling > 2).
YuvLutRenderer make_yuv_renderer(const LutFile& lut, YuvFormat format, Interp interp);

}  // namespace autograde
