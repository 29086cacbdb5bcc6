#include "prompt_compose.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "autograde/look/prompt.hpp"

namespace autograde::prompt {

namespace {

constexpr float kDeg = std::numbers::pi_v<float> / 180.f;

struct Soft {
  std::string* hit;
  float operator()(float x, float limit, const char* name) const {
    const float y = limit * std::tanh(x / limit);
    if (hit && std::abs(x) > 1e-6f && std::abs(y) < 0.85f * std::abs(x)) {
      if (hit->find(name) == std::string::npos) *hit += std::string(hit->empty() ? "" : ", ") + name;
    }
    return y;
  }
  float log_mul(float m, float log_limit, const char* name) const {
    return std::exp((*this)(std::log(std::max(m, 1e-4f)), log_limit, name));
  }
};

float cap(float total, float negated) {
  if (negated > 0.f) return std::min(total, 0.f);
  if (negated < 0.f) return std::max(total, 0.f);
  return total;
}

float cap_log(float total, float negated) {
  return std::exp(cap(std::log(std::max(total, 1e-4f)), std::log(std::max(negated, 1e-4f))));
}

// Removes from tint (hue, amount) its component along the negated tint's direction.
void cap_tint(float& hue, float& amount, float neg_hue, float neg_amount) {
  if (neg_amount <= 0.f || amount <= 0.f) return;
  float a = amount * std::cos(hue * kDeg), b = amount * std::sin(hue * kDeg);
  const float ua = std::cos(neg_hue * kDeg), ub = std::sin(neg_hue * kDeg);
  const float along = a * ua + b * ub;
  if (along <= 0.f) return;
  a -= along * ua;
  b -= along * ub;
  amount = std::hypot(a, b);
  if (amount > 1e-7f) {
    hue = std::atan2(b, a) / kDeg;
    if (hue < 0.f) hue += 360.f;
  } else {
    amount = 0.f;
  }
}

}  // namespace

Look soft_limit(const Look& d, std::string* hit) {
  const Soft s{hit};
  Look l = d;
  l.black_point = s(d.black_point, 0.1f, "black point");
  l.white_point = 1.f + s(d.white_point - 1.f, 0.15f, "white point");
  l.exposure = s(d.exposure, 1.0f, "exposure");
  l.temperature = s(d.temperature, 0.8f, "temperature");
  l.tint = s(d.tint, 0.5f, "tint");
  l.contrast = s.log_mul(d.contrast, std::log(1.8f), "contrast");
  for (int c = 0; c < 3; ++c) {
    l.lift[c] = s(d.lift[c], 0.08f, "lift");
    l.gamma[c] = s.log_mul(d.gamma[c], std::log(1.5f), "gamma");
    l.gain[c] = s.log_mul(d.gain[c], std::log(1.35f), "gain");
  }
  l.fade = s(d.fade, 0.2f, "fade");
  if (d.saturation > 1.f) l.saturation = s.log_mul(d.saturation, std::log(1.7f), "saturation");
  l.vibrance = s(d.vibrance, 0.6f, "vibrance");
  for (int k = 0; k < kHueSectors; ++k) {
    l.hue_shift_deg[k] = s(d.hue_shift_deg[k], 30.f, "hue shift");
    if (d.hue_saturation[k] > 0.f)
      l.hue_saturation[k] = s.log_mul(1.f + d.hue_saturation[k], std::log(2.5f), "hue saturation") - 1.f;
  }
  l.split.shadow_amount = s(d.split.shadow_amount, 0.08f, "split toning");
  l.split.highlight_amount = s(d.split.highlight_amount, 0.08f, "split toning");
  return clamp_to_limits(l);
}

Look cap_against(const Look& t, const Look& n) {
  Look l = t;
  l.black_point = cap(t.black_point, n.black_point);
  l.white_point = 1.f + cap(t.white_point - 1.f, n.white_point - 1.f);
  l.exposure = cap(t.exposure, n.exposure);
  l.temperature = cap(t.temperature, n.temperature);
  l.tint = cap(t.tint, n.tint);
  l.contrast = cap_log(t.contrast, n.contrast);
  for (int c = 0; c < 3; ++c) {
    l.lift[c] = cap(t.lift[c], n.lift[c]);
    l.gamma[c] = cap_log(t.gamma[c], n.gamma[c]);
    l.gain[c] = cap_log(t.gain[c], n.gain[c]);
  }
  l.fade = cap(t.fade, n.fade);
  l.saturation = cap_log(t.saturation, n.saturation);
  l.vibrance = cap(t.vibrance, n.vibrance);
  for (int k = 0; k < kHueSectors; ++k) {
    l.hue_shift_deg[k] = cap(t.hue_shift_deg[k], n.hue_shift_deg[k]);
    l.hue_saturation[k] = cap(t.hue_saturation[k], n.hue_saturation[k]);
  }
  cap_tint(l.split.shadow_hue_deg, l.split.shadow_amount, n.split.shadow_hue_deg, n.split.shadow_amount);
  cap_tint(l.split.highlight_hue_deg, l.split.highlight_amount, n.split.highlight_hue_deg,
           n.split.highlight_amount);
  return l;
}

const char* axis_name(int axis) {
  static const char* const names[] = {"warmth", "tint", "brightness", "contrast", "saturation", "fade"};
  return names[axis];
}

float axis_threshold(int axis) {
  static const float t[] = {0.1f, 0.08f, 0.12f, 0.06f, 0.08f, 0.02f};
  return t[axis];
}

std::array<float, kAxisCount> axes_of(const Look& d) {
  std::array<float, kAxisCount> a{};
  // Split-toning tints in OKLab (a, b): 0.03 of b reads about as warm as 0.2 stops of
  // temperature on mid-grey, hence the factor 6 (same for a and tint).
  const float sb = d.split.shadow_amount * std::sin(d.split.shadow_hue_deg * kDeg) +
                   d.split.highlight_amount * std::sin(d.split.highlight_hue_deg * kDeg);
  const float sa = d.split.shadow_amount * std::cos(d.split.shadow_hue_deg * kDeg) +
                   d.split.highlight_amount * std::cos(d.split.highlight_hue_deg * kDeg);
  a[kWarmth] = d.temperature + 3.f * sb;
  a[kTint] = d.tint + 3.f * sa;
  const float gamma_mean = (std::log(d.gamma[0]) + std::log(d.gamma[1]) + std::log(d.gamma[2])) / 3.f;
  a[kExposure] = d.exposure + gamma_mean + (d.lift[0] + d.lift[1] + d.lift[2]);
  a[kContrast] = std::log(std::max(d.contrast, 1e-4f));
  float hs = 0.f;
  for (float h : d.hue_saturation) hs += h / kHueSectors;
  a[kSaturation] = std::log(std::max(d.saturation, 1e-4f)) + 0.5f * d.vibrance + hs;
  a[kFade] = d.fade;
  return a;
}

}  // namespace autograde::prompt

namespace autograde {

Look scale_delta(const Look& delta, float k) {
  if (k >= 0.f) return scale(delta, k);
  Look flipped = delta;
  flipped.split.shadow_hue_deg = std::fmod(delta.split.shadow_hue_deg + 180.f, 360.f);
  flipped.split.highlight_hue_deg = std::fmod(delta.split.highlight_hue_deg + 180.f, 360.f);
  Look out = scale(flipped, k);  // every other parameter reverses with k < 0
  out.split.shadow_amount = delta.split.shadow_amount * -k;
  out.split.highlight_amount = delta.split.highlight_amount * -k;
  out.split.balance = delta.split.balance * -k;  // the crossover does not reverse
  return out;
}

}  // namespace autograde
