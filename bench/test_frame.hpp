#pragma once
// Shared by bench_lut_apply and bench_region_render: the frame both grade.
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

}  // namespace autograde::bench
