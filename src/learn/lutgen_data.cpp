// Data split and sample helpers of the learned LUT generator (lutgen_data.hpp).
#include "autograde/learn/lutgen_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <random>

#include "autograde/core/error.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/look/match_protocol.hpp"

namespace fs = std::filesystem;

namespace autograde::learn {

namespace {

// Portable draws from mt19937_64 (its output sequence is fixed by the standard; the
// <random> distributions are not).
struct Draw {
  std::mt19937_64 gen;
  explicit Draw(uint64_t seed) : gen(seed) {}
  double uniform() { return double(gen() >> 11) * (1.0 / 9007199254740992.0); }
  double range(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  bool chance(double p) { return uniform() < p; }
  double normal() {  // Box-Muller
    const double u = std::max(uniform(), 1e-12), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);
  }
};

}  // namespace

LutgenSplit lutgen_split(const std::string& images_dir, const std::string& luts_dir,
                         const std::string& videos_dir) {
  LutgenSplit s;
  const auto images = files_with_extensions(images_dir, {".png", ".jpg", ".jpeg", ".tif", ".tiff"});
  for (size_t i = 0; i < images.size(); ++i)
    (i % 2 == 0 ? s.train_images : s.test_images).push_back(images[i].string());
  for (const auto& v : files_with_extensions(videos_dir, {".mp4", ".mkv", ".mov", ".webm", ".avi"}))
    s.train_videos.push_back(v.string());
  size_t index = 0;
  for (const auto& p : files_with_extensions(luts_dir, {".cube", ".png", ".3dl", ".spi3d", ".clf"})) {
    try {
      std::optional<Lut3D> lut = load_creative_lut(p);
      if (!lut) continue;
      NamedLut n{p.parent_path().filename().string() + "/" + p.filename().string(),
                 std::move(*lut)};
      (index % 3 == 1 ? s.test_luts : s.train_luts).push_back(std::move(n));
      ++index;
    } catch (const Error& e) {
      std::fprintf(stderr, "skipping LUT: %s\n", e.what());
    }
  }
  return s;
}

Look random_look(uint64_t seed) {
  Draw r(seed * 0x9E3779B97F4A7C15ull + 17);
  Look l;
  if (r.chance(0.4)) l.exposure = float(0.25 * r.normal());
  if (r.chance(0.6)) l.temperature = float(0.3 * r.normal());
  if (r.chance(0.4)) l.tint = float(0.15 * r.normal());
  if (r.chance(0.6)) l.contrast = float(std::exp(0.2 * r.normal()));
  l.pivot = float(r.range(0.35, 0.55));
  if (r.chance(0.5))
    for (int c = 0; c < 3; ++c) {
      l.lift[size_t(c)] = float(0.03 * r.normal());
      l.gamma[size_t(c)] = float(std::exp(0.1 * r.normal()));
      l.gain[size_t(c)] = float(std::exp(0.08 * r.normal()));
    }
  if (r.chance(0.25)) l.fade = float(r.range(0.0, 0.12));
  if (r.chance(0.06))
    l.saturation = 0.f;
  else if (r.chance(0.6))
    l.saturation = float(std::clamp(std::exp(0.3 * r.normal()), 0.2, 1.8));
  if (r.chance(0.3)) l.vibrance = float(std::clamp(0.25 * r.normal(), -0.8, 0.8));
  if (r.chance(0.35))
    for (int k = 0; k < kHueSectors; ++k)
      l.hue_shift_deg[size_t(k)] = float(std::clamp(12.0 * r.normal(), -40.0, 40.0));
  if (r.chance(0.35))
    for (int k = 0; k < kHueSectors; ++k)
      l.hue_saturation[size_t(k)] = float(std::clamp(0.25 * r.normal(), -0.9, 1.5));
  if (r.chance(0.5)) {
    l.split.shadow_hue_deg = float(r.range(0, 360));
    l.split.shadow_amount = float(r.range(0, 0.06));
    l.split.highlight_hue_deg = float(r.range(0, 360));
    l.split.highlight_amount = float(r.range(0, 0.06));
    l.split.balance = float(r.range(-0.4, 0.4));
  }
  if (r.chance(0.2)) l.black_point = float(r.range(0, 0.06));
  if (r.chance(0.2)) l.white_point = float(r.range(0.9, 1.0));
  return clamp_to_limits(l);
}

}  // namespace autograde::learn
