// Delta algebra on Looks (look.hpp) and a readable description for --explain.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numbers>

#include "autograde/look/look.hpp"

namespace autograde {

namespace {

constexpr float kDeg = std::numbers::pi_v<float> / 180.f;

// Split-toning tint as an OKLab (a, b) vector and back.
std::array<float, 2> vec(float hue_deg, float amount) {
  return {amount * std::cos(hue_deg * kDeg), amount * std::sin(hue_deg * kDeg)};
}
void from_vec(std::array<float, 2> v, float& hue_deg, float& amount, float keep_hue) {
  amount = std::hypot(v[0], v[1]);
  hue_deg = amount > 1e-9f ? std::atan2(v[1], v[0]) / kDeg : keep_hue;
  if (hue_deg < 0.f) hue_deg += 360.f;
}

float pow_k(float x, float k) { return std::pow(std::max(x, 1e-6f), k); }

}  // namespace

bool is_identity(const Look& l, float tol) {
  auto near = [&](float a, float b) { return std::abs(a - b) <= tol; };
  bool id = near(l.black_point, 0) && near(l.white_point, 1) && near(l.exposure, 0) &&
            near(l.temperature, 0) && near(l.tint, 0) && near(l.contrast, 1) && near(l.fade, 0) &&
            near(l.saturation, 1) && near(l.vibrance, 0) && near(l.split.shadow_amount, 0) &&
            near(l.split.highlight_amount, 0) && !l.residual;
  for (int c = 0; c < 3; ++c)
    id = id && near(l.lift[c], 0) && near(l.gamma[c], 1) && near(l.gain[c], 1);
  for (int k = 0; k < kHueSectors; ++k)
    id = id && near(l.hue_shift_deg[k], 0) && near(l.hue_saturation[k], 0);
  return id || near(l.strength, 0);
}

Look clamp_to_limits(const Look& in, const LookLimits& lim) {
  Look l = in;
  auto sym = [](float v, float m) { return std::clamp(v, -m, m); };
  l.black_point = std::clamp(l.black_point, -0.5f, 0.5f);
  l.white_point = std::clamp(l.white_point, l.black_point + 0.05f, 1.5f);
  l.exposure = sym(l.exposure, lim.exposure);
  l.temperature = sym(l.temperature, lim.temperature);
  l.tint = sym(l.tint, lim.tint);
  l.contrast = std::clamp(l.contrast, lim.contrast_min, lim.contrast_max);
  l.pivot = std::clamp(l.pivot, 0.05f, 0.95f);
  for (int c = 0; c < 3; ++c) {
    l.lift[c] = sym(l.lift[c], lim.lift);
    l.gamma[c] = std::clamp(l.gamma[c], lim.gamma_min, lim.gamma_max);
    l.gain[c] = std::clamp(l.gain[c], lim.gain_min, lim.gain_max);
  }
  l.fade = std::clamp(l.fade, 0.f, lim.fade);
  l.saturation = std::clamp(l.saturation, 0.f, lim.saturation_max);
  l.vibrance = sym(l.vibrance, lim.vibrance);
  for (int k = 0; k < kHueSectors; ++k) {
    l.hue_shift_deg[k] = sym(l.hue_shift_deg[k], lim.hue_shift_deg);
    l.hue_saturation[k] = std::clamp(l.hue_saturation[k], lim.hue_saturation_min, lim.hue_saturation_max);
  }
  l.split.shadow_amount = std::clamp(l.split.shadow_amount, 0.f, lim.split_amount);
  l.split.highlight_amount = std::clamp(l.split.highlight_amount, 0.f, lim.split_amount);
  l.split.balance = sym(l.split.balance, 1.f);
  l.strength = std::clamp(l.strength, 0.f, 1.f);
  return l;
}

Look add(const Look& base, const Look& d, const LookLimits& limits) {
  Look l = base;
  l.black_point += d.black_point;
  l.white_point += d.white_point - 1.f;
  l.exposure += d.exposure;
  l.temperature += d.temperature;
  l.tint += d.tint;
  l.contrast *= d.contrast;
  if (d.contrast != 1.f) l.pivot = d.pivot;  // the delta's pivot wins when it changes contrast
  for (int c = 0; c < 3; ++c) {
    l.lift[c] += d.lift[c];
    l.gamma[c] *= d.gamma[c];
    l.gain[c] *= d.gain[c];
  }
  l.fade += d.fade;
  l.saturation *= d.saturation;
  l.vibrance += d.vibrance;
  for (int k = 0; k < kHueSectors; ++k) {
    l.hue_shift_deg[k] += d.hue_shift_deg[k];
    l.hue_saturation[k] = (1.f + l.hue_saturation[k]) * (1.f + d.hue_saturation[k]) - 1.f;
  }
  auto s0 = vec(l.split.shadow_hue_deg, l.split.shadow_amount);
  auto s1 = vec(d.split.shadow_hue_deg, d.split.shadow_amount);
  from_vec({s0[0] + s1[0], s0[1] + s1[1]}, l.split.shadow_hue_deg, l.split.shadow_amount,
           l.split.shadow_hue_deg);
  auto h0 = vec(l.split.highlight_hue_deg, l.split.highlight_amount);
  auto h1 = vec(d.split.highlight_hue_deg, d.split.highlight_amount);
  from_vec({h0[0] + h1[0], h0[1] + h1[1]}, l.split.highlight_hue_deg, l.split.highlight_amount,
           l.split.highlight_hue_deg);
  l.split.balance += d.split.balance;
  return clamp_to_limits(l, limits);
}

Look scale(const Look& d, float k) {
  Look l = d;
  l.black_point = d.black_point * k;
  l.white_point = 1.f + (d.white_point - 1.f) * k;
  l.exposure = d.exposure * k;
  l.temperature = d.temperature * k;
  l.tint = d.tint * k;
  l.contrast = pow_k(d.contrast, k);
  for (int c = 0; c < 3; ++c) {
    l.lift[c] = d.lift[c] * k;
    l.gamma[c] = pow_k(d.gamma[c], k);
    l.gain[c] = pow_k(d.gain[c], k);
  }
  l.fade = d.fade * k;
  l.saturation = pow_k(d.saturation, k);
  l.vibrance = d.vibrance * k;
  for (int i = 0; i < kHueSectors; ++i) {
    l.hue_shift_deg[i] = d.hue_shift_deg[i] * k;
    l.hue_saturation[i] = pow_k(1.f + d.hue_saturation[i], k) - 1.f;
  }
  l.split.shadow_amount = std::max(0.f, d.split.shadow_amount * k);
  l.split.highlight_amount = std::max(0.f, d.split.highlight_amount * k);
  l.split.balance = d.split.balance * k;
  l.strength = d.strength;
  return l;
}

std::string describe(const Look& l) {
  std::string s;
  auto line = [&](const std::string& t) { s += "  " + t + "\n"; };
  if (l.black_point != 0.f || l.white_point != 1.f)
    line(fmt::format("black/white point: {:.3f} / {:.3f} (code values)", l.black_point, l.white_point));
  if (l.exposure != 0.f) line(fmt::format("exposure: {:+.2f} stops", l.exposure));
  if (l.temperature != 0.f) line(fmt::format("temperature: {:+.3f} stops (+ = warmer)", l.temperature));
  if (l.tint != 0.f) line(fmt::format("tint: {:+.3f} stops (+ = magenta)", l.tint));
  if (l.contrast != 1.f) line(fmt::format("contrast: {:.3f} (slope at pivot {:.3f})", l.contrast, l.pivot));
  if (l.lift != Rgb{0, 0, 0}) line(fmt::format("lift: {:+.3f} {:+.3f} {:+.3f}", l.lift[0], l.lift[1], l.lift[2]));
  if (l.gamma != Rgb{1, 1, 1}) line(fmt::format("gamma: {:.3f} {:.3f} {:.3f}", l.gamma[0], l.gamma[1], l.gamma[2]));
  if (l.gain != Rgb{1, 1, 1}) line(fmt::format("gain: {:.3f} {:.3f} {:.3f}", l.gain[0], l.gain[1], l.gain[2]));
  if (l.fade != 0.f) line(fmt::format("fade: {:.3f}", l.fade));
  if (l.saturation != 1.f) line(fmt::format("saturation: {:.3f}", l.saturation));
  if (l.vibrance != 0.f) line(fmt::format("vibrance: {:+.3f}", l.vibrance));
  for (int k = 0; k < kHueSectors; ++k) {
    if (l.hue_shift_deg[k] != 0.f) line(fmt::format("hue {:3d}°: shift {:+.1f}°", k * 45, l.hue_shift_deg[k]));
    if (l.hue_saturation[k] != 0.f) line(fmt::format("hue {:3d}°: saturation {:+.3f}", k * 45, l.hue_saturation[k]));
  }
  if (l.split.shadow_amount != 0.f || l.split.highlight_amount != 0.f)
    line(fmt::format("split toning: shadows {:.0f}° x {:.4f}, highlights {:.0f}° x {:.4f}, balance {:+.2f} (OKLab)",
                     l.split.shadow_hue_deg, l.split.shadow_amount, l.split.highlight_hue_deg,
                     l.split.highlight_amount, l.split.balance));
  if (l.residual) line(fmt::format("residual LUT: {}^3", l.residual->size));
  if (l.strength != 1.f) line(fmt::format("strength: {:.2f}", l.strength));
  if (s.empty()) s = "  (identity)\n";
  return s;
}

}  // namespace autograde
