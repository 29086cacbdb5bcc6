#include "autograde/lut/lut.hpp"

#include <cmath>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"

namespace autograde {

Lut1D Lut1D::identity(int size) {
  Lut1D lut;
  lut.size = size;
  lut.table.resize(size_t(size) * 3);
  for (int i = 0; i < size; ++i) {
    float v = float(i) / float(size - 1);
    lut.table[3 * i] = lut.table[3 * i + 1] = lut.table[3 * i + 2] = v;
  }
  return lut;
}

Lut3D mix_with_identity(const Lut3D& lut, float t) {
  Lut3D out = lut;
  const Lut3D id = Lut3D::identity(lut.size);
  for (size_t i = 0; i < out.table.size(); ++i)
    out.table[i] = id.table[i] + t * (lut.table[i] - id.table[i]);
  return out;
}

bool grey_axis_monotone(const Lut3D& lut, float tolerance) {
  float prev = -1e30f;
  for (int i = 0; i < lut.size; ++i) {
    const float* e = lut.at(i, i, i);
    const float y = display_luminance({e[0], e[1], e[2]});
    if (y < prev - tolerance) return false;
    prev = std::max(prev, y);
  }
  return true;
}

Lut3D Lut3D::identity(int size) {
  Lut3D lut;
  lut.size = size;
  lut.table.resize(size_t(size) * size * size * 3);
  const float scale = 1.f / float(size - 1);
  for (int b = 0; b < size; ++b)
    for (int g = 0; g < size; ++g)
      for (int r = 0; r < size; ++r) {
        float* e = lut.at(r, g, b);
        e[0] = float(r) * scale;
        e[1] = float(g) * scale;
        e[2] = float(b) * scale;
      }
  return lut;
}

bool Lut3D::has_default_domain() const {
  return domain_min == Rgb{0.f, 0.f, 0.f} && domain_max == Rgb{1.f, 1.f, 1.f};
}

namespace {
template <typename L>
void validate_common(const L& lut, size_t expected, int min_size, int max_size,
                     const std::string& what, const char* kind) {
  if (lut.size < min_size || lut.size > max_size)
    throw_bad_input(what, std::string(kind) + " size " + std::to_string(lut.size) + " is outside " +
                              std::to_string(min_size) + ".." + std::to_string(max_size));
  if (lut.table.size() != expected)
    throw_bad_input(what, std::string(kind) + " has " + std::to_string(lut.table.size() / 3) +
                              " entries, expected " + std::to_string(expected / 3));
  for (int c = 0; c < 3; ++c) {
    if (!std::isfinite(lut.domain_min[c]) || !std::isfinite(lut.domain_max[c]) ||
        !(lut.domain_min[c] < lut.domain_max[c]))
      throw_bad_input(what, std::string(kind) + " domain min must be below max in every channel");
  }
  for (float v : lut.table)
    if (!std::isfinite(v)) throw_bad_input(what, std::string(kind) + " holds NaN or infinity");
}
}  // namespace

void validate(const Lut3D& lut, const std::string& what) {
  size_t n = size_t(std::max(lut.size, 0));
  validate_common(lut, n * n * n * 3, kMinLut3DSize, kMaxLut3DSize, what, "3D LUT");
}

void validate(const Lut1D& lut, const std::string& what) {
  validate_common(lut, size_t(std::max(lut.size, 0)) * 3, kMinLut1DSize, kMaxLut1DSize, what,
                  "1D LUT");
}

}  // namespace autograde
