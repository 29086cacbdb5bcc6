// Data split and sample helpers of the learned LUT generator (lutgen_data.hpp).
#include "autograde/training/lutgen_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <random>

#include "autograde/core/error.hpp"
#include "autograde/look/look.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/training/match_protocol.hpp"

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
  for (const auto& p :
       files_with_extensions(luts_dir, {".cube", ".png", ".3dl", ".spi3d", ".clf"})) {
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

Lut3D film_look(uint64_t seed, int size) {
  Draw r(seed * 0xD1B54A32D192ED03ull + 101);
  float m[3][3];
  for (int i = 0; i < 3; ++i) {
    float sum = 0;
    for (int j = 0; j < 3; ++j) sum += (m[i][j] = i == j ? 1.f : float(0.06 * r.normal()));
    for (int j = 0; j < 3; ++j) m[i][j] /= sum;
  }
  const double contrast = r.uniform() * 0.8;  // mix with smoothstep: 0 = linear
  const double toe = r.chance(0.6) ? 0.07 * r.uniform() : 0.0;
  const double shoulder = r.chance(0.5) ? 1.0 - 0.1 * r.uniform() : 1.0;
  double gamma[3];
  for (double& g : gamma) g = std::exp(0.08 * r.normal());
  const Look mild = scale(random_look(seed ^ 0x5eedf11ull), float(r.range(0.3, 0.7)));
  Lut3D lut = Lut3D::identity(size);
  for (size_t i = 0; i < lut.table.size(); i += 3) {
    const float in[3] = {lut.table[i], lut.table[i + 1], lut.table[i + 2]};
    Rgb o;
    for (int c = 0; c < 3; ++c) {
      double x = std::clamp(double(m[c][0] * in[0] + m[c][1] * in[1] + m[c][2] * in[2]), 0.0, 1.0);
      x = std::pow(x, gamma[c]);
      x = (1 - contrast) * x + contrast * x * x * (3 - 2 * x);
      o[size_t(c)] = float(toe + (shoulder - toe) * x);
    }
    o = apply_look(mild, o);
    for (int c = 0; c < 3; ++c) lut.table[i + size_t(c)] = o[size_t(c)];
  }
  return lut;
}

namespace {

// (1 - k) a + k b, both on the same lattice.
Lut3D mix(const Lut3D& a, const Lut3D& b, float k) {
  Lut3D out = a;
  for (size_t i = 0; i < out.table.size(); ++i) out.table[i] += k * (b.table[i] - a.table[i]);
  return out;
}

}  // namespace

LutgenValidation lutgen_validation(const LutgenSplit& split) {
  constexpr int kSize = 33;
  LutgenValidation v;
  for (size_t i = 0; i < split.train_images.size(); ++i)
    if (i % 6 == 5) v.photos.push_back(split.train_images[i]);
  std::vector<const NamedLut*> luts;
  for (size_t i = 0; i < split.train_luts.size(); ++i)
    if (i % 5 == 4) luts.push_back(&split.train_luts[i]);
  std::vector<Lut3D> fine;
  for (const NamedLut* l : luts) fine.push_back(resample(l->lut, kSize, Interp::Tetrahedral));
  for (const NamedLut* l : luts) v.looks.push_back(*l);
  for (size_t i = 0; i < luts.size(); ++i)
    v.looks.push_back({luts[i]->name + "@50%", mix_with_identity(fine[i], 0.5f)});
  for (size_t i = 0; i < luts.size(); ++i)
    for (size_t j = i + 1; j < luts.size(); ++j)
      v.looks.push_back({luts[i]->name + "+" + luts[j]->name, mix(fine[i], fine[j], 0.5f)});
  for (size_t i = 0; i < luts.size(); ++i) {
    // Training's random Looks use seeds below 2^40; these are far above.
    const Look mild = scale(random_look((uint64_t(0xA11) << 48) + i), 0.5f);
    Lut3D l = fine[i];
    for (size_t k = 0; k < l.table.size(); k += 3) {
      const Rgb o = apply_look(mild, {l.table[k], l.table[k + 1], l.table[k + 2]});
      for (int c = 0; c < 3; ++c) l.table[k + size_t(c)] = o[size_t(c)];
    }
    v.looks.push_back({luts[i]->name + "+mild-look", std::move(l)});
  }
  v.looks.push_back({"identity", Lut3D::identity(kSize)});
  for (int k = 0; k < kValidationFilmLooks; ++k)
    v.looks.push_back({"film-look-" + std::to_string(k),
                       film_look((uint64_t(0xF11) << 48) + uint64_t(k), kSize)});
  return v;
}

std::pair<size_t, size_t> lutgen_case_photos(size_t look, int pair, int pairs, size_t n) {
  const size_t a = (look * size_t(pairs) + size_t(pair)) % n;
  const size_t b = (a + 1 + (look * 7 + size_t(pair) * 3) % (n - 1)) % n;  // never equal to a
  return {a, b};
}

}  // namespace autograde::learn
