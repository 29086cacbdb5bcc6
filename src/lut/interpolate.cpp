#include "autograde/lut/interpolate.hpp"

#include <algorithm>
#include <cmath>

#include "autograde/core/error.hpp"

namespace autograde {

Interp parse_interp(const std::string& name) {
  if (name == "tetrahedral") return Interp::Tetrahedral;
  if (name == "trilinear") return Interp::Trilinear;
  throw_usage("unknown interpolation '" + name + "' (expected tetrahedral or trilinear)");
}

const char* interp_name(Interp interp) {
  return interp == Interp::Tetrahedral ? "tetrahedral" : "trilinear";
}

namespace {

// Position of one channel on the lattice: base index and fraction, clamped to the domain.
// NaN maps to the domain minimum (the comparison below is false for NaN).
struct Coord {
  int i0;
  float f;
};

inline Coord locate(float v, float lo, float hi, int size) {
  float t = (v - lo) / (hi - lo);
  if (!(t > 0.f)) t = 0.f;
  if (t > 1.f) t = 1.f;
  float x = t * float(size - 1);
  int i0 = std::min(int(x), size - 2);
  return {i0, x - float(i0)};
}

inline void mad(Rgb& acc, const float* a, const float* b, float w) {
  for (int c = 0; c < 3; ++c) acc[c] += w * (a[c] - b[c]);
}

}  // namespace

Rgb sample_trilinear(const Lut3D& lut, Rgb in) {
  Coord r = locate(in[0], lut.domain_min[0], lut.domain_max[0], lut.size);
  Coord g = locate(in[1], lut.domain_min[1], lut.domain_max[1], lut.size);
  Coord b = locate(in[2], lut.domain_min[2], lut.domain_max[2], lut.size);
  Rgb out{};
  for (int c = 0; c < 3; ++c) {
    auto v = [&](int dr, int dg, int db) { return lut.at(r.i0 + dr, g.i0 + dg, b.i0 + db)[c]; };
    float c00 = v(0, 0, 0) + r.f * (v(1, 0, 0) - v(0, 0, 0));
    float c10 = v(0, 1, 0) + r.f * (v(1, 1, 0) - v(0, 1, 0));
    float c01 = v(0, 0, 1) + r.f * (v(1, 0, 1) - v(0, 0, 1));
    float c11 = v(0, 1, 1) + r.f * (v(1, 1, 1) - v(0, 1, 1));
    float c0 = c00 + g.f * (c10 - c00);
    float c1 = c01 + g.f * (c11 - c01);
    out[c] = c0 + b.f * (c1 - c0);
  }
  return out;
}

// Tetrahedral interpolation: the unit cube is split into six tetrahedra along its neutral
// diagonal (Kasson, Nin, Plouffe & Hafner 1995), so greys interpolate along the grey axis only.
Rgb sample_tetrahedral(const Lut3D& lut, Rgb in) {
  Coord r = locate(in[0], lut.domain_min[0], lut.domain_max[0], lut.size);
  Coord g = locate(in[1], lut.domain_min[1], lut.domain_max[1], lut.size);
  Coord b = locate(in[2], lut.domain_min[2], lut.domain_max[2], lut.size);
  auto p = [&](int dr, int dg, int db) { return lut.at(r.i0 + dr, g.i0 + dg, b.i0 + db); };
  const float* c000 = p(0, 0, 0);
  const float* c111 = p(1, 1, 1);
  Rgb out{c000[0], c000[1], c000[2]};
  const float fr = r.f, fg = g.f, fb = b.f;
  if (fr > fg) {
    if (fg > fb) {  // r > g > b
      const float *c100 = p(1, 0, 0), *c110 = p(1, 1, 0);
      mad(out, c100, c000, fr), mad(out, c110, c100, fg), mad(out, c111, c110, fb);
    } else if (fr > fb) {  // r > b >= g
      const float *c100 = p(1, 0, 0), *c101 = p(1, 0, 1);
      mad(out, c100, c000, fr), mad(out, c101, c100, fb), mad(out, c111, c101, fg);
    } else {  // b >= r > g
      const float *c001 = p(0, 0, 1), *c101 = p(1, 0, 1);
      mad(out, c001, c000, fb), mad(out, c101, c001, fr), mad(out, c111, c101, fg);
    }
  } else {
    if (fb > fg) {  // b > g >= r
      const float *c001 = p(0, 0, 1), *c011 = p(0, 1, 1);
      mad(out, c001, c000, fb), mad(out, c011, c001, fg), mad(out, c111, c011, fr);
    } else if (fb > fr) {  // g >= b > r
      const float *c010 = p(0, 1, 0), *c011 = p(0, 1, 1);
      mad(out, c010, c000, fg), mad(out, c011, c010, fb), mad(out, c111, c011, fr);
    } else {  // g >= r >= b
      const float *c010 = p(0, 1, 0), *c110 = p(1, 1, 0);
      mad(out, c010, c000, fg), mad(out, c110, c010, fr), mad(out, c111, c110, fb);
    }
  }
  return out;
}

Rgb sample(const Lut3D& lut, Rgb in, Interp interp) {
  return interp == Interp::Tetrahedral ? sample_tetrahedral(lut, in) : sample_trilinear(lut, in);
}

Lut3D resample(const Lut3D& lut, int size, Interp interp) {
  Lut3D out = Lut3D::identity(size);
  for (size_t i = 0; i < out.table.size(); i += 3) {
    const Rgb o = sample(lut, {out.table[i], out.table[i + 1], out.table[i + 2]}, interp);
    for (int c = 0; c < 3; ++c) out.table[i + size_t(c)] = o[size_t(c)];
  }
  return out;
}

Rgb sample(const Lut1D& lut, Rgb in) {
  Rgb out{};
  for (int c = 0; c < 3; ++c) {
    Coord k = locate(in[c], lut.domain_min[c], lut.domain_max[c], lut.size);
    float a = lut.table[3 * k.i0 + c], b = lut.table[3 * (k.i0 + 1) + c];
    out[c] = a + k.f * (b - a);
  }
  return out;
}

Rgb sample(const LutFile& lut, Rgb in, Interp interp) {
  if (lut.shaper) in = sample(*lut.shaper, in);
  if (lut.cube) in = sample(*lut.cube, in, interp);
  return in;
}

namespace {
template <typename F>
void for_each_pixel(ImageF& image, F&& f) {
  const int ch = image.channels;
  const size_t n = image.pixel_count();
  float* px = image.pixels.data();
  for (size_t i = 0; i < n; ++i, px += ch) {
    Rgb out = f(Rgb{px[0], px[1], px[2]});
    px[0] = out[0], px[1] = out[1], px[2] = out[2];
  }
}
}  // namespace

void apply_reference(const LutFile& lut, ImageF& image, Interp interp) {
  for_each_pixel(image, [&](Rgb in) { return sample(lut, in, interp); });
}

void apply_reference(const Lut3D& lut, ImageF& image, Interp interp) {
  for_each_pixel(image, [&](Rgb in) { return sample(lut, in, interp); });
}

}  // namespace autograde
