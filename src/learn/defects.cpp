// Synthetic detuning; magnitudes and order are documented in defects.hpp.
#include "autograde/learn/defects.hpp"

#include <algorithm>
#include <cmath>

#include "autograde/color/color.hpp"

namespace autograde::learn {

namespace {

struct FamilyInfo {
  Family family;
  Group group;
  const char* name;
  const char* description;
};

constexpr std::array<FamilyInfo, kFamilyCount> kFamilies{{
    {Family::CastGreen, Group::Cast, "cast_green", "too green"},
    {Family::CastMagenta, Group::Cast, "cast_magenta", "too magenta"},
    {Family::CastBlue, Group::Cast, "cast_blue", "too blue"},
    {Family::CastOrange, Group::Cast, "cast_orange", "too orange (warm)"},
    {Family::CastRed, Group::Cast, "cast_red", "too red"},
    {Family::CastCyan, Group::Cast, "cast_cyan", "too cyan"},
    {Family::BlackHigh, Group::BlackPoint, "black_high", "black point too high"},
    {Family::BlackLow, Group::BlackPoint, "black_low", "black point too low"},
    {Family::WhiteHigh, Group::WhitePoint, "white_high", "white point too high"},
    {Family::WhiteLow, Group::WhitePoint, "white_low", "white point too low"},
    {Family::ContrastHigh, Group::Contrast, "contrast_high", "contrast too high"},
    {Family::ContrastLow, Group::Contrast, "contrast_low", "contrast too low"},
    {Family::SaturationHigh, Group::Saturation, "saturation_high", "saturation too high"},
    {Family::SaturationLow, Group::Saturation, "saturation_low", "saturation too low"},
    {Family::ExposureDark, Group::Exposure, "exposure_dark", "too dark"},
    {Family::ExposureBright, Group::Exposure, "exposure_bright", "too bright"},
}};

const FamilyInfo& info(Family f) { return kFamilies[size_t(f)]; }

float clamp01(float v) { return std::clamp(v, 0.f, 1.f); }

// log2 gain directions of the casts (defects.hpp), stops at 100 % before the 1.2 scale.
Rgb cast_direction(Family f) {
  constexpr float t = 1.f / 3.f;
  switch (f) {
    case Family::CastGreen: return {-t, 2 * t, -t};
    case Family::CastMagenta: return {t, -2 * t, t};
    case Family::CastBlue: return {-t, -t, 2 * t};
    case Family::CastOrange: return {0.5f, 0.f, -0.5f};
    case Family::CastRed: return {2 * t, -t, -t};
    case Family::CastCyan: return {-2 * t, t, t};
    default: return {0.f, 0.f, 0.f};
  }
}

constexpr float kCastStops = 1.2f;
constexpr float kBlackShift = 0.15f;
constexpr float kWhiteShift = 0.3f;
constexpr float kContrastStops = 0.6f;
constexpr float kSaturationStops = 0.9f;
constexpr float kExposureStops = 0.8f;

Rgb apply_one(const Defect& d, Rgb x) {
  const float a = d.amount;
  switch (d.family) {
    case Family::BlackHigh: {
      const float b = kBlackShift * a;
      for (auto& v : x) v = b + (1.f - b) * v;
      return x;
    }
    case Family::BlackLow: {
      const float b = kBlackShift * a;
      for (auto& v : x) v = clamp01((v - b) / (1.f - b));
      return x;
    }
    case Family::WhiteLow:
      for (auto& v : x) v *= 1.f - kWhiteShift * a;
      return x;
    case Family::WhiteHigh:
      for (auto& v : x) v = clamp01(v / (1.f - kWhiteShift * a));
      return x;
    case Family::ExposureDark:
    case Family::ExposureBright: {
      const float g = std::exp2((d.family == Family::ExposureDark ? 1.f : -1.f) * kExposureStops * a);
      for (auto& v : x) v = std::pow(clamp01(v), g);
      return x;
    }
    case Family::ContrastHigh:
    case Family::ContrastLow: {
      const float c = std::exp2((d.family == Family::ContrastHigh ? 1.f : -1.f) * kContrastStops * a);
      for (auto& v : x) v = clamp01(0.5f + (v - 0.5f) * c);
      return x;
    }
    case Family::SaturationHigh:
    case Family::SaturationLow: {
      const float k =
          std::exp2((d.family == Family::SaturationHigh ? 1.f : -1.f) * kSaturationStops * a);
      const float y = rec709_luma(x);
      for (auto& v : x) v = clamp01(y + (v - y) * k);
      return x;
    }
    default: {  // casts: linear-light gains, IEC 61966-2-1 decode / encode
      const Rgb dir = cast_direction(d.family);
      for (int c = 0; c < 3; ++c) {
        const float lin = srgb_to_linear(clamp01(x[c])) * std::exp2(kCastStops * a * dir[c]);
        x[c] = linear_to_srgb(std::min(1.f, lin));
      }
      return x;
    }
  }
}

int stage_of(Family f) {
  switch (group_of(f)) {
    case Group::BlackPoint: return 0;
    case Group::WhitePoint: return 1;
    case Group::Exposure: return 2;
    case Group::Contrast: return 3;
    case Group::Saturation: return 4;
    case Group::Cast: return 5;
  }
  return 5;
}

}  // namespace

Group group_of(Family f) { return info(f).group; }
const char* family_name(Family f) { return info(f).name; }
const char* family_description(Family f) { return info(f).description; }

std::optional<Family> family_from_name(const std::string& name) {
  for (const auto& i : kFamilies)
    if (name == i.name) return i.family;
  return std::nullopt;
}

int severity_percent(int severity) { return severity >= 3 ? 100 : severity == 2 ? 66 : 33; }

Defect make_defect(Family f, int severity) {
  severity = std::clamp(severity, 1, kSeverityCount);
  return {f, severity, float(severity) / float(kSeverityCount)};
}

Rgb apply_defects(const std::vector<Defect>& defects, Rgb x) {
  for (auto& v : x) v = clamp01(v);
  for (int stage = 0; stage <= 5; ++stage)
    for (const auto& d : defects)
      if (stage_of(d.family) == stage) x = apply_one(d, x);
  return x;
}

DefectAmounts defect_amounts(const std::vector<Defect>& defects) {
  DefectAmounts p{};
  for (const auto& d : defects) {
    const float a = d.amount;
    switch (d.family) {
      case Family::BlackHigh: p[3] += a; break;
      case Family::BlackLow: p[3] -= a; break;
      case Family::WhiteHigh: p[4] += a; break;
      case Family::WhiteLow: p[4] -= a; break;
      case Family::ExposureDark: p[5] += a; break;
      case Family::ExposureBright: p[5] -= a; break;
      case Family::ContrastHigh: p[6] += a; break;
      case Family::ContrastLow: p[6] -= a; break;
      case Family::SaturationHigh: p[7] += a; break;
      case Family::SaturationLow: p[7] -= a; break;
      default: {
        const Rgb dir = cast_direction(d.family);
        for (int c = 0; c < 3; ++c) p[size_t(c)] += a * dir[c];
      }
    }
  }
  return p;
}

Rgb invert_amounts(const DefectAmounts& p, Rgb x) {
  for (auto& v : x) v = clamp01(v);
  // Cast: divide the linear-light gains out (the mean is removed: only differences are a cast).
  const float cast_mean = (p[0] + p[1] + p[2]) / 3.f;
  for (int c = 0; c < 3; ++c) {
    const float lin = srgb_to_linear(x[c]) * std::exp2(-kCastStops * (p[size_t(c)] - cast_mean));
    x[c] = linear_to_srgb(std::min(1.f, lin));
  }
  {  // saturation about the Rec.709 luma of the code values (which the forward map keeps)
    const float k = std::exp2(-kSaturationStops * p[7]);
    const float y = rec709_luma(x);
    for (auto& v : x) v = clamp01(y + (v - y) * k);
  }
  {
    const float c = std::exp2(-kContrastStops * p[6]);
    for (auto& v : x) v = clamp01(0.5f + (v - 0.5f) * c);
  }
  {
    const float g = std::exp2(-kExposureStops * p[5]);
    for (auto& v : x) v = std::pow(clamp01(v), g);
  }
  {  // white point: + was y = x / (1 - 0.3 a), - was y = x (1 - 0.3 a)
    const float k = 1.f - kWhiteShift * std::min(std::abs(p[4]), 2.f);
    for (auto& v : x) v = clamp01(p[4] >= 0.f ? v * k : v / k);
  }
  {  // black point: + was y = b + (1 - b) x, - was y = (x - b) / (1 - b)
    const float b = kBlackShift * std::min(std::abs(p[3]), 3.f);
    for (auto& v : x) v = clamp01(p[3] >= 0.f ? (v - b) / (1.f - b) : b + (1.f - b) * v);
  }
  return x;
}

void apply_defects(const std::vector<Defect>& defects, ImageF& image) {
  const size_t n = image.pixel_count();
  const int ch = image.channels;
  for (size_t i = 0; i < n; ++i) {
    float* p = image.pixels.data() + i * size_t(ch);
    const Rgb out = apply_defects(defects, Rgb{p[0], p[1], p[2]});
    p[0] = out[0];
    p[1] = out[1];
    p[2] = out[2];
  }
}

}  // namespace autograde::learn
