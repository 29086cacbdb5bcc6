#pragma once
// An image as the library passes it around: 32-bit float, interleaved channels, row-major,
// tightly packed. The numbers are in whatever encoding the producer says (the media layer
// returns display-referred code values normalised to 0..1; camera log stays log until a
// colour transform says otherwise).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace autograde {

// One colour triple; its encoding is stated by whoever passes it.
using Rgb = std::array<float, 3>;

// How the pixels were stored on disk, so a writer can keep the input's depth.
enum class SampleFormat { U8, U16, Half, F32 };

struct ImageF {
  int width = 0;
  int height = 0;
  int channels = 0;  // 3 (RGB) or 4 (RGBA); alpha is never graded
  std::vector<float> pixels;

  ImageF() = default;
  ImageF(int w, int h, int c) : width(w), height(h), channels(c), pixels(size_t(w) * h * c, 0.f) {}

  size_t pixel_count() const { return size_t(width) * size_t(height); }
  bool empty() const { return pixels.empty(); }
  float* row(int y) { return pixels.data() + size_t(y) * width * channels; }
  const float* row(int y) const { return pixels.data() + size_t(y) * width * channels; }
  float* at(int x, int y) { return row(y) + size_t(x) * channels; }
  const float* at(int x, int y) const { return row(y) + size_t(x) * channels; }
};

}  // namespace autograde
