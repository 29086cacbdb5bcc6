#pragma once
// LUT data, kept apart from the code that applies it (as OpenColorIO keeps Lut3DOpData apart
// from its renderers). Values are float and may lie outside [0,1]; the encoding of input and
// output is whatever the LUT was built for (for .cube files: usually display Rec.709 code
// values, or camera log in).
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde {

constexpr int kMinLut3DSize = 2;
constexpr int kMaxLut3DSize = 256;
constexpr int kMinLut1DSize = 2;
constexpr int kMaxLut1DSize = 65536;

struct Lut1D {
  int size = 0;
  Rgb domain_min{0.f, 0.f, 0.f};
  Rgb domain_max{1.f, 1.f, 1.f};
  std::vector<float> table;  // size * 3, entry i at [3i, 3i+3)

  static Lut1D identity(int size);
  Rgb entry(int i) const { return {table[3 * i], table[3 * i + 1], table[3 * i + 2]}; }
};

struct Lut3D {
  int size = 0;
  Rgb domain_min{0.f, 0.f, 0.f};
  Rgb domain_max{1.f, 1.f, 1.f};
  // size^3 * 3 floats, red varying fastest (the .cube order): entry (r,g,b) at index(r,g,b).
  std::vector<float> table;

  static Lut3D identity(int size);
  size_t index(int r, int g, int b) const { return 3 * ((size_t(b) * size + g) * size + r); }
  float* at(int r, int g, int b) { return table.data() + index(r, g, b); }
  const float* at(int r, int g, int b) const { return table.data() + index(r, g, b); }
  bool has_default_domain() const;
};

// identity + t (lut - identity), entry by entry in float (`id + t * (v - id)`), keeping `lut`'s
// size and domain: t = 0 is identity, 1 the LUT itself, anything between a partial grade.
Lut3D mix_with_identity(const Lut3D& lut, float t);

// True when the display luminance (color.hpp display_luminance) of the entries along the grey
// diagonal never falls by more than `tolerance`: the LUT does not invert tones. Every matching
// method's LUT is held to it.
bool grey_axis_monotone(const Lut3D& lut, float tolerance = 1e-5f);

// What one LUT file holds: an optional 1D table (standalone, or a shaper applied before the
// 3D table, as Resolve writes them) and an optional 3D table. At least one is present.
struct LutFile {
  std::string title;
  std::optional<Lut1D> shaper;
  std::optional<Lut3D> cube;
};

// Checks sizes, domains and finiteness; throws Error(BadInput) naming `what`.
void validate(const Lut3D& lut, const std::string& what);
void validate(const Lut1D& lut, const std::string& what);

}  // namespace autograde
