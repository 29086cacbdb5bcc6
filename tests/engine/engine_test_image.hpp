#pragma once
// A test image in any engine pixel format, deliberately misaligned (base address + 1 byte) and
// with row strides that are not a multiple of the pixel or vector size.
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "autograde/engine/pixel_format.hpp"

namespace autograde::testing {

struct TestImage {
  PixelFormat format;
  int width = 0, height = 0;
  std::vector<std::uint8_t> storage[4];
  ImageView view;

  TestImage(PixelFormat f, int w, int h) : format(f), width(w), height(h) {
    const int planes = f.layout == Layout::Planar ? f.channels : 1;
    view.width = w;
    view.height = h;
    for (int p = 0; p < planes; ++p) {
      const std::ptrdiff_t stride = std::ptrdiff_t(w * pixel_stride_bytes(f)) + 3 + 2 * p;
      storage[p].assign(size_t(stride) * h + 8, 0xCD);
      view.planes[p] = storage[p].data() + 1;
      view.strides[p] = stride;
    }
  }

  std::uint8_t* sample_ptr(int x, int y, int c) const {
    if (format.layout == Layout::Planar)
      return view.planes[c] + std::ptrdiff_t(y) * view.strides[c] + x * sample_bytes(format.type);
    return view.planes[0] + std::ptrdiff_t(y) * view.strides[0] +
           (size_t(x) * format.channels + c) * sample_bytes(format.type);
  }

  // The raw sample as a float (integer code or float value).
  float get(int x, int y, int c) const {
    const std::uint8_t* p = sample_ptr(x, y, c);
    switch (sample_bytes(format.type)) {
      case 1:
        return float(*p);
      case 2: {
        std::uint16_t v;
        std::memcpy(&v, p, 2);
        return float(v);
      }
      default: {
        float v;
        std::memcpy(&v, p, 4);
        return v;
      }
    }
  }

  void set(int x, int y, int c, float v) {
    std::uint8_t* p = sample_ptr(x, y, c);
    switch (sample_bytes(format.type)) {
      case 1:
        *p = std::uint8_t(v);
        break;
      case 2: {
        const std::uint16_t u = std::uint16_t(v);
        std::memcpy(p, &u, 2);
        break;
      }
      default:
        std::memcpy(p, &v, 4);
    }
  }

  // Random content: integer codes over the whole range (first pixels 0 and max), floats in
  // [-0.2, 1.2] with NaN and infinities sprinkled in.
  void fill_random(unsigned seed) {
    std::mt19937 rng(seed);
    const float max = sample_max(format.type);
    const bool is_float = format.type == SampleType::F32;
    std::uniform_real_distribution<float> uf(-0.2f, 1.2f);
    std::uniform_int_distribution<int> ui(0, int(max));
    int k = 0;
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x, ++k)
        for (int c = 0; c < format.channels; ++c) {
          float v = is_float ? uf(rng) : float(ui(rng));
          if (k == 0) v = 0.f;
          if (k == 1) v = max;
          if (is_float && k % 23 == 5)
            v = c == 0 ? std::numeric_limits<float>::quiet_NaN()
                       : (c == 1 ? std::numeric_limits<float>::infinity()
                                 : -std::numeric_limits<float>::infinity());
          set(x, y, c, v);
        }
  }
};

}  // namespace autograde::testing
