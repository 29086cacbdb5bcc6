// Baking a Look: the stage order and units are documented in look.hpp.
#include "autograde/look/look.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/lut/interpolate.hpp"

namespace autograde {

namespace {

constexpr float kPi = std::numbers::pi_v<float>;

float clamp01(float v) { return std::clamp(v, 0.f, 1.f); }

// C1 power S-curve through (0,0), (p,p), (1,1) with slope c at p (look.hpp, stage 3).
float contrast_curve(float x, float c, float p) {
  x = clamp01(x);
  if (c == 1.f) return x;
  if (x <= p) return p * std::pow(x / p, c);
  return 1.f - (1.f - p) * std::pow((1.f - x) / (1.f - p), c);
}

// Soft shoulder for linear values pushed above white by gains > 1: identity below knee k,
// an exponential approach to 1 above (C1 at k). `amount` 0..1 blends it in so the Look stays
// continuous in its parameters (no jump between gain 1 and gain 1.0001).
float shoulder(float x, float amount) {
  constexpr float k = 0.8f;
  if (amount <= 0.f || x <= k) return x;
  const float rolled = k + (1.f - k) * (1.f - std::exp(-(x - k) / (1.f - k)));
  return x + amount * (rolled - x);
}

// Periodic Catmull-Rom interpolation of 8 control values at hue angle h (radians).
float sector_value(const std::array<float, kHueSectors>& v, float h) {
  float t = h / (2.f * kPi) * kHueSectors;
  t -= std::floor(t / kHueSectors) * kHueSectors;
  const int i1 = int(std::floor(t)) % kHueSectors;
  const float f = t - std::floor(t);
  auto at = [&](int i) { return v[size_t((i % kHueSectors + kHueSectors) % kHueSectors)]; };
  const float p0 = at(i1 - 1), p1 = at(i1), p2 = at(i1 + 1), p3 = at(i1 + 2);
  return 0.5f * ((2.f * p1) + (-p0 + p2) * f + (2.f * p0 - 5.f * p1 + 4.f * p2 - p3) * f * f +
                 (-p0 + 3.f * p1 - 3.f * p2 + p3) * f * f * f);
}

bool any_nonzero(const std::array<float, kHueSectors>& v) {
  return std::any_of(v.begin(), v.end(), [](float x) { return x != 0.f; });
}

}  // namespace

Look identity_look() { return Look{}; }

Rgb apply_look(const Look& look, Rgb in) {
  Rgb x = in;
  // 1. black / white point (code values).
  const float range = std::max(1e-3f, look.white_point - look.black_point);
  for (auto& v : x) v = clamp01((v - look.black_point) / range);

  // 2. exposure / temperature / tint as linear-light gains (IEC 61966-2-1 decode).
  const float ge = std::exp2(look.exposure);
  const Rgb gains{ge * std::exp2(0.5f * look.temperature), ge * std::exp2(-0.5f * look.tint),
                  ge * std::exp2(-0.5f * look.temperature)};
  if (gains != Rgb{1.f, 1.f, 1.f}) {
    const float over = std::clamp((std::max({gains[0], gains[1], gains[2]}) - 1.f) / 0.1f, 0.f, 1.f);
    for (int c = 0; c < 3; ++c) {
      float lin = srgb_to_linear(x[c]) * gains[c];
      x[c] = linear_to_srgb(std::min(1.f, shoulder(lin, over)));
    }
  }

  // 3. contrast around the pivot (code values).
  const float pivot = std::clamp(look.pivot, 0.05f, 0.95f);
  for (auto& v : x) v = contrast_curve(v, look.contrast, pivot);

  // 4. lift / gamma / gain (code values, per channel).
  for (int c = 0; c < 3; ++c) {
    float v = look.lift[c] + x[c] * (look.gain[c] - look.lift[c]);
    v = std::max(0.f, v);
    if (look.gamma[c] != 1.f) v = std::pow(v, 1.f / std::max(0.05f, look.gamma[c]));
    x[c] = v;
  }

  // 5. fade: soft toe that lifts black to `fade`.
  if (look.fade != 0.f)
    for (auto& v : x) {
      const float u = clamp01(v);
      v = u + look.fade * (1.f - u) * (1.f - u);
    }

  // 6. OKLab colour stage.
  const bool colour = look.saturation != 1.f || look.vibrance != 0.f ||
                      any_nonzero(look.hue_shift_deg) || any_nonzero(look.hue_saturation) ||
                      look.split.shadow_amount != 0.f || look.split.highlight_amount != 0.f;
  if (colour) {
    Vec3 lin{srgb_to_linear(clamp01(x[0])), srgb_to_linear(clamp01(x[1])),
             srgb_to_linear(clamp01(x[2]))};
    Vec3 lab = linear_srgb_to_oklab(lin);
    float a = lab[1], b = lab[2];
    const float chroma = std::hypot(a, b);
    // Hue-dependent edits fade out towards grey, where hue is undefined, so the map stays smooth.
    const float grey_fade = chroma * chroma / (chroma * chroma + 0.06f * 0.06f);
    const float hue = std::atan2(b, a);
    float scale = look.saturation;
    scale *= 1.f + look.vibrance * std::exp(-chroma / 0.1f);
    if (any_nonzero(look.hue_saturation))
      scale *= std::max(0.f, 1.f + grey_fade * sector_value(look.hue_saturation, hue));
    a *= scale;
    b *= scale;
    if (any_nonzero(look.hue_shift_deg)) {
      const float rot = grey_fade * sector_value(look.hue_shift_deg, hue) * kPi / 180.f;
      const float ca = std::cos(rot), sa = std::sin(rot);
      const float na = ca * a - sa * b, nb = sa * a + ca * b;
      a = na;
      b = nb;
    }
    if (look.split.shadow_amount != 0.f || look.split.highlight_amount != 0.f) {
      const float L = std::clamp(lab[0], 0.f, 1.f);
      const float t = std::pow(L, std::exp2(std::clamp(look.split.balance, -1.f, 1.f)));
      // Tints vanish at pure black and pure white so those stay neutral.
      const float ws = (1.f - t) * (1.f - t) * (1.f - std::exp(-L / 0.1f));
      const float wh = t * t * (1.f - std::exp(-(1.f - L) / 0.1f));
      const float hs = look.split.shadow_hue_deg * kPi / 180.f;
      const float hh = look.split.highlight_hue_deg * kPi / 180.f;
      a += ws * look.split.shadow_amount * std::cos(hs) + wh * look.split.highlight_amount * std::cos(hh);
      b += ws * look.split.shadow_amount * std::sin(hs) + wh * look.split.highlight_amount * std::sin(hh);
    }
    Vec3 out = oklab_to_linear_srgb({lab[0], a, b});
    for (int c = 0; c < 3; ++c) x[c] = linear_to_srgb(clamp01(out[c]));
  }

  // 7. residual LUT.
  if (look.residual) x = sample_tetrahedral(*look.residual, {clamp01(x[0]), clamp01(x[1]), clamp01(x[2])});

  // 8. strength.
  const float s = std::clamp(look.strength, 0.f, 1.f);
  Rgb out;
  for (int c = 0; c < 3; ++c) out[c] = clamp01(in[c] + s * (x[c] - in[c]));
  for (auto& v : out)
    if (!std::isfinite(v)) v = 0.f;
  return out;
}

ImageF apply_look_to_image(const Look& look, ImageF image) {
  for (size_t i = 0; i < image.pixel_count(); ++i) {
    float* p = image.pixels.data() + i * size_t(image.channels);
    const Rgb r = apply_look(look, {p[0], p[1], p[2]});
    p[0] = r[0], p[1] = r[1], p[2] = r[2];
  }
  return image;
}

Lut3D bake_look(const Look& look, int size) {
  if (size < 2 || size > 129) throw_usage("LUT size must be 2..129, got " + std::to_string(size));
  Lut3D lut = Lut3D::identity(size);
  for (size_t i = 0; i < lut.table.size(); i += 3) {
    Rgb o = apply_look(look, {lut.table[i], lut.table[i + 1], lut.table[i + 2]});
    lut.table[i] = o[0];
    lut.table[i + 1] = o[1];
    lut.table[i + 2] = o[2];
  }
  return lut;
}

}  // namespace autograde
