#pragma once
// Row-level entry points of the SIMD kernels (lut_kernels.cpp, one copy per Highway target,
// chosen at run time). Internal to ag_engine; threading happens in the callers.
#include <array>
#include <cstddef>
#include <cstdint>

#include "autograde/engine/pixel_format.hpp"
#include "autograde/engine/yuv_renderer.hpp"
#include "prepared_lut.hpp"

namespace autograde::engine_detail {

struct RowJob {
  PixelFormat format;
  int width = 0;
  int y0 = 0, y1 = 0;  // rows [y0, y1)
  std::array<const std::uint8_t*, 4> src{};
  std::array<std::ptrdiff_t, 4> src_stride{};
  std::array<std::uint8_t*, 4> dst{};
  std::array<std::ptrdiff_t, 4> dst_stride{};
};

struct YuvJob {
  YuvFormat format;
  int width = 0, height = 0;
  int cy0 = 0, cy1 = 0;  // chroma rows [cy0, cy1) and the luma rows they cover
  std::array<const std::uint8_t*, 3> src{};
  std::array<std::ptrdiff_t, 3> src_stride{};
  std::array<std::uint8_t*, 3> dst{};
  std::array<std::ptrdiff_t, 3> dst_stride{};
};

void render_rows(const PreparedLut& lut, const RowJob& job);
void render_yuv_rows(const PreparedLut& lut, const YuvJob& job);
const char* simd_target_name();
// The LUT on n samples of three float planes (raw samples as the LUT was prepared for), out
// may be in. n must be a multiple of transform_lanes() (every sample up to it is read and
// written).
void transform_planes(const PreparedLut& lut, const float* const* in, float* const* out, size_t n);
size_t transform_lanes();

}  // namespace autograde::engine_detail
