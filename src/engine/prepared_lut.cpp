#include "prepared_lut.hpp"

#include "autograde/core/error.hpp"

namespace autograde::engine_detail {

PreparedLut prepare_lut(const LutFile& lut, Interp interp, float in_scale, int code_count) {
  if (!lut.cube && !lut.shaper) throw_internal("make_renderer: the LUT holds no table");
  PreparedLut p;
  p.interp = interp;
  if (lut.shaper) {
    const Lut1D& s = *lut.shaper;
    if (code_count > 0 && code_count <= 65536) {
      // The scalar reference's own sample() per code value keeps the shaper bit-exact.
      p.code_count = code_count;
      p.code_table.resize(size_t(3) * code_count);
      const float max = float(code_count - 1);
      for (int k = 0; k < code_count; ++k) {
        const float v = float(k) / max;
        const Rgb out = sample(s, Rgb{v, v, v});
        for (int c = 0; c < 3; ++c) p.code_table[size_t(c) * code_count + k] = out[c];
      }
    } else {
      p.size1 = s.size;
      p.table1.resize(size_t(3) * s.size);
      for (int i = 0; i < s.size; ++i)
        for (int c = 0; c < 3; ++c) p.table1[size_t(c) * s.size + i] = s.table[3 * size_t(i) + c];
      for (int c = 0; c < 3; ++c) {
        const float inv = 1.f / (s.domain_max[c] - s.domain_min[c]);
        p.a1[c] = in_scale * inv;
        p.b1[c] = -s.domain_min[c] * inv;
      }
    }
  }
  if (lut.cube) {
    const Lut3D& t = *lut.cube;
    p.size3 = t.size;
    p.table3 = t.table;
    p.table4.assign(size_t(4) * t.size * t.size * t.size + 4, 0.f);
    for (size_t i = 0; i < t.table.size() / 3; ++i)
      for (int c = 0; c < 3; ++c) p.table4[4 * i + c] = t.table[3 * i + c];
    // Without a shaper the raw sample enters the 3D stage directly: fold its scale in.
    const float scale = lut.shaper ? 1.f : in_scale;
    for (int c = 0; c < 3; ++c) {
      const float inv = 1.f / (t.domain_max[c] - t.domain_min[c]);
      p.a3[c] = scale * inv;
      p.b3[c] = -t.domain_min[c] * inv;
    }
  }
  return p;
}

}  // namespace autograde::engine_detail
