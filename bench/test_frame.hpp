#pragma once
// Shared by bench_lut_apply and bench_region_render: the frame both grade, and our view of it.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "autograde/engine/pixel_format.hpp"

namespace autograde::bench {

// A frame of spatially coherent content like footage (gradients, a soft pattern, grain), packed
// or planar (ffmpeg's gbrp plane order), in code values: what the LUT benches grade.
inline std::vector<std::uint8_t> make_frame(const PixelFormat& f, int w, int h) {
  const size_t bps = sample_bytes(f.type);
  std::vector<std::uint8_t> buf(size_t(w) * h * 3 * bps);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> grain(-0.03f, 0.03f);
  const float max = sample_max(f.type);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const float u = float(x) / float(w), v = float(y) / float(h);
      const float rgb[3] = {u, v, 0.5f + 0.45f * std::sin(9.f * u + 5.f * v)};
      for (int c = 0; c < 3; ++c) {
        const float val = std::clamp(rgb[c] + grain(rng), 0.f, 1.f);
        // ffmpeg's gbrp order: plane 0 = G, 1 = B, 2 = R.
        const size_t idx = f.layout == Layout::Packed
                               ? (size_t(y) * w + x) * 3 + c
                               : size_t((c + 2) % 3) * w * h + size_t(y) * w + x;
        if (f.type == SampleType::U8) {
          buf[idx] = std::uint8_t(std::lround(val * max));
        } else if (f.type == SampleType::F32) {
          std::memcpy(&buf[idx * 4], &val, 4);
        } else {
          const std::uint16_t s = std::uint16_t(std::lround(val * max));
          std::memcpy(&buf[idx * 2], &s, 2);
        }
      }
    }
  return buf;
}

// A frame buffer laid out as make_frame makes it (and as ffmpeg reads it) seen as our ImageView:
// packed, or planar with our planes R, G, B at ffmpeg's file offsets G, B, R.
inline ImageView view_of(std::vector<std::uint8_t>& buf, const PixelFormat& f, int w, int h) {
  ImageView v;
  v.width = w;
  v.height = h;
  const size_t bps = sample_bytes(f.type);
  if (f.layout == Layout::Packed) {
    v.planes[0] = buf.data();
    v.strides[0] = std::ptrdiff_t(w) * 3 * bps;
  } else {
    const size_t plane = size_t(w) * h * bps;
    v.planes[0] = buf.data() + 2 * plane;
    v.planes[1] = buf.data();
    v.planes[2] = buf.data() + plane;
    for (int p = 0; p < 3; ++p) v.strides[p] = std::ptrdiff_t(w) * bps;
  }
  return v;
}

}  // namespace autograde::bench
