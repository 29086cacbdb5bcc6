#include <algorithm>
#include <cmath>

#include "autograde/color/color.hpp"
#include "lattice_fit.hpp"

namespace autograde::look_detail {

Lut3D lut_from_function(int size, const std::function<Rgb(Rgb)>& f) {
  Lut3D lut = Lut3D::identity(size);
  for (size_t i = 0; i < lut.table.size(); i += 3) {
    const Rgb o = f({lut.table[i], lut.table[i + 1], lut.table[i + 2]});
    for (int c = 0; c < 3; ++c) lut.table[i + c] = o[c];
  }
  return lut;
}

void apply_strength(Lut3D& lut, float strength) {
  lut = mix_with_identity(lut, std::clamp(strength, 0.f, 1.f));
}


float regularise_lut(Lut3D& lut) {
  const Lut3D id = Lut3D::identity(lut.size);
  for (size_t i = 0; i < lut.table.size(); ++i) {
    float& v = lut.table[i];
    v = std::isfinite(v) ? std::clamp(v, 0.f, 1.f) : id.table[i];
  }
  if (grey_axis_monotone(lut)) return 1.f;
  const Lut3D original = lut;
  for (int step = 7; step >= 0; --step) {
    const float mix = float(step) / 8.f;
    lut = mix_with_identity(original, mix);
    if (grey_axis_monotone(lut)) return mix;
  }
  return 0.f;
}

}  // namespace autograde::look_detail
