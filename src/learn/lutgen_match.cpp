// `--method learned`: reference matching with the learned LUT generator (lutgen.hpp).
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <numbers>

#include "autograde/core/error.hpp"
#include "autograde/learn/lutgen.hpp"
#include "autograde/learn/models.hpp"
#include "autograde/lut/interpolate.hpp"

namespace autograde::learn {

std::vector<float> look_features(const Look& l) {
  std::vector<float> f(kLutgenLookFeatures, 0.f);
  auto ln = [](float x) { return std::log(std::max(x, 1e-3f)); };
  f[0] = l.exposure;
  f[1] = l.temperature;
  f[2] = l.tint;
  f[3] = ln(l.contrast);
  f[4] = l.pivot - 0.45f;
  for (int c = 0; c < 3; ++c) {
    f[size_t(5 + c)] = l.lift[size_t(c)];
    f[size_t(8 + c)] = ln(l.gamma[size_t(c)]);
    f[size_t(11 + c)] = ln(l.gain[size_t(c)]);
  }
  f[14] = l.fade;
  f[15] = l.saturation - 1.f;
  f[16] = l.vibrance;
  for (int k = 0; k < kHueSectors; ++k) {
    f[size_t(17 + k)] = l.hue_shift_deg[size_t(k)] / 60.f;
    f[size_t(25 + k)] = l.hue_saturation[size_t(k)];
  }
  constexpr float kDeg = float(std::numbers::pi / 180.0);
  f[33] = l.split.shadow_amount * std::cos(l.split.shadow_hue_deg * kDeg);
  f[34] = l.split.shadow_amount * std::sin(l.split.shadow_hue_deg * kDeg);
  f[35] = l.split.highlight_amount * std::cos(l.split.highlight_hue_deg * kDeg);
  f[36] = l.split.highlight_amount * std::sin(l.split.highlight_hue_deg * kDeg);
  f[37] = l.split.balance;
  f[38] = l.black_point;
  f[39] = l.white_point - 1.f;
  return f;
}

const LutgenModel& shipped_lutgen(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<LutgenModel>> cache;
  const std::string file = path.empty() ? model_path(kLutgenModelFile) : path;
  std::lock_guard lock(mutex);
  auto& slot = cache[file];
  if (!slot) slot = std::make_unique<LutgenModel>(read_lutgen(file));
  return *slot;
}

namespace {

Lut3D product_lut(const LutgenModel& model, const LutgenTokens* src, const LutgenTokens& ref,
                  const Look* prompt, const MatchOptions& options,
                  std::vector<std::string>& notes) {
  const Lut3D native = model.predict(src, ref, prompt);
  Lut3D lut = Lut3D::identity(options.lut_size);
  const float step = 1.f / float(options.lut_size - 1);
  for (int b = 0; b < options.lut_size; ++b)
    for (int g = 0; g < options.lut_size; ++g)
      for (int rr = 0; rr < options.lut_size; ++rr) {
        const Rgb out =
            sample_trilinear(native, {float(rr) * step, float(g) * step, float(b) * step});
        // The resampled residual (out - identity) back on this lattice's identity, rounded as
        // the shipped weights' benchmark numbers were measured.
        float* p = lut.at(rr, g, b);
        for (int c = 0; c < 3; ++c) p[c] = p[c] + (out[size_t(c)] - p[c]);
      }
  lut = mix_with_identity(lut, options.strength);
  for (float& v : lut.table) v = std::clamp(v, 0.f, 1.f);
  // The largest mix with identity that keeps the grey axis from inverting tones is kept
  // (bisection), as the other match methods promise.
  if (!grey_axis_monotone(lut)) {
    float lo = 0.f, hi = 1.f;
    for (int it = 0; it < 20; ++it) {
      const float m = 0.5f * (lo + hi);
      (grey_axis_monotone(mix_with_identity(lut, m)) ? lo : hi) = m;
    }
    lut = mix_with_identity(lut, lo);
    notes.push_back("the predicted LUT inverted tones along the grey axis; mixed " +
                    std::to_string(lo) + " of it with identity to keep it monotone");
  }
  return lut;
}

}  // namespace

MatchResult match_reference_learned(const ImageF& reference, std::span<const ImageF> sources,
                                    const MatchOptions& options, const std::string& reference_name,
                                    const Look* prompt, const std::string& model_file) {
  const LutgenModel& model = shipped_lutgen(model_file);
  bool patches = model.patches > 0;
  for (const LutgenModel& m : model.members) patches = patches || m.patches > 0;
  const LutgenTokens ref = lutgen_reference_tokens(reference, reference_name, patches);
  std::optional<LutgenTokens> src;
  if (!sources.empty()) src = lutgen_tokens(lutgen_pooled_pixels(sources, "source"));
  return learned_match(model, src ? &*src : nullptr, ref, prompt, options);
}

MatchResult learned_match(const LutgenModel& model, const LutgenTokens* src,
                          const LutgenTokens& ref, const Look* prompt,
                          const MatchOptions& options) {
  if (options.lut_size < 2 || options.lut_size > 129)
    throw_usage("LUT size must be 2..129, got " + std::to_string(options.lut_size));
  if (!(options.strength >= 0.f && options.strength <= 1.f))
    throw_usage("strength must be in 0..1");
  MatchResult r;
  r.method = "learned";
  // An ensemble: each network's product LUT (resampled, clamped, monotone on grey) on its own,
  // then their mean, which keeps all three properties (a convex combination).
  std::vector<Lut3D> each{product_lut(model, src, ref, prompt, options, r.notes)};
  for (const LutgenModel& member : model.members)
    each.push_back(product_lut(member, src, ref, prompt, options, r.notes));
  Lut3D mean = each.front();
  for (size_t k = 1; k < each.size(); ++k)
    for (size_t i = 0; i < mean.table.size(); ++i) mean.table[i] += each[k].table[i];
  for (float& v : mean.table) v /= float(each.size());
  // Confidence: how far the networks agree, against how far the grade goes. 1 when they predict
  // the same LUT, 0 when they differ from their mean as much as the mean differs from
  // identity (mean absolute differences over the lattice). One network has nothing to disagree
  // with, so it says 1.
  r.confidence = 1.f;
  if (each.size() > 1) {
    const Lut3D id = Lut3D::identity(mean.size);
    double spread = 0, reach = 0;
    for (size_t i = 0; i < mean.table.size(); ++i) {
      reach += std::abs(mean.table[i] - id.table[i]);
      for (const Lut3D& one : each) spread += std::abs(one.table[i] - mean.table[i]) / double(each.size());
    }
    r.confidence = float(std::clamp(1.0 - spread / std::max(reach, 1e-9), 0.0, 1.0));
  }
  if (!src) r.notes.push_back("no source given: the network read the reference alone");
  r.lut = std::move(mean);
  return r;
}

}  // namespace autograde::learn
