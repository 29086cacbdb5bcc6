#include "autograde/report/lut_image.hpp"

#include "autograde/core/error.hpp"

namespace autograde {

namespace {

// Each tile pixel's input (r, g, b) inside the LUT's domain, and what `shade` makes of it and the
// LUT's output.
template <class Shade>
ImageF slices_of(const Lut3D& lut, int slices, int tile, Interp interp, Shade shade) {
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
        const Rgb in{across(0, r), across(1, g), across(2, b)};
        const Rgb v = shade(in, sample(lut, in, interp));
        float* q = out.at(s * (tile + kGap) + x, y);
        q[0] = v[0], q[1] = v[1], q[2] = v[2];
      }
  }
  return out;
}

}  // namespace

ImageF lut_slices(const Lut3D& lut, int slices, int tile, Interp interp) {
  return slices_of(lut, slices, tile, interp, [](const Rgb&, const Rgb& out) { return out; });
}

ImageF lut_change_slices(const Lut3D& lut, float gain, int slices, int tile, Interp interp) {
  return slices_of(lut, slices, tile, interp, [gain](const Rgb& in, const Rgb& out) {
    return Rgb{0.5f + gain * (out[0] - in[0]), 0.5f + gain * (out[1] - in[1]),
               0.5f + gain * (out[2] - in[2])};
  });
}

}  // namespace autograde
