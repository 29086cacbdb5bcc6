#include "autograde/report/lut_image.hpp"

#include "autograde/core/error.hpp"

namespace autograde {

ImageF lut_slices(const Lut3D& lut, int slices, int tile, Interp interp) {
  if (slices < 2 || tile < 2 || slices * tile > 16384) throw_internal("lut_slices: bad size");
  if (lut.size < 2) throw_internal("lut_slices: empty LUT");
  constexpr int kGap = 2;
  ImageF out(slices * tile + (slices - 1) * kGap, tile, 3);
  const Rgb lo = lut.domain_min, hi = lut.domain_max;
  auto across = [&](int k, float t) { return lo[size_t(k)] + t * (hi[size_t(k)] - lo[size_t(k)]); };
  for (int s = 0; s < slices; ++s) {
    const float b = float(s) / float(slices - 1);
    for (int y = 0; y < tile; ++y)
      for (int x = 0; x < tile; ++x) {
        const float r = float(x) / float(tile - 1), g = 1.f - float(y) / float(tile - 1);
        const Rgb v = sample(lut, {across(0, r), across(1, g), across(2, b)}, interp);
        float* q = out.at(s * (tile + kGap) + x, y);
        q[0] = v[0], q[1] = v[1], q[2] = v[2];
      }
  }
  return out;
}

}  // namespace autograde
