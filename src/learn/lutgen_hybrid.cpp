// `--method hybrid`: the learned generator's LUT and `auto`'s LUT combined (lutgen.hpp).
#include <algorithm>
#include <cmath>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/learn/lutgen.hpp"

namespace autograde::learn {

Lut3D combine_luts(const Lut3D& learned, const Lut3D& automatic, float w_learned, float w_auto,
                   HybridSpace space) {
  if (learned.size != automatic.size || learned.table.size() != automatic.table.size())
    throw_usage("combine_luts: LUT sizes differ (" + std::to_string(learned.size) + " vs " +
                std::to_string(automatic.size) + ")");
  if (!std::isfinite(w_learned) || !std::isfinite(w_auto))
    throw_usage("combine_luts: weights must be finite");
  Lut3D out = Lut3D::identity(learned.size);
  const size_t n = out.table.size() / 3;
  for (size_t i = 0; i < n; ++i) {
    float* o = &out.table[3 * i];
    const float* a = &learned.table[3 * i];
    const float* b = &automatic.table[3 * i];
    if (space == HybridSpace::code_values) {
      // Displacements from identity (code values) added with their weights.
      for (int c = 0; c < 3; ++c) o[c] = o[c] + w_learned * (a[c] - o[c]) + w_auto * (b[c] - o[c]);
    } else {
      // The same in CIELAB (D65): displacements of each lattice point's Lab colour.
      const Vec3 id = srgb_to_lab({o[0], o[1], o[2]});
      const Vec3 la = srgb_to_lab({a[0], a[1], a[2]});
      const Vec3 lb = srgb_to_lab({b[0], b[1], b[2]});
      Vec3 m{};
      for (size_t c = 0; c < 3; ++c)
        m[c] = id[c] + w_learned * (la[c] - id[c]) + w_auto * (lb[c] - id[c]);
      const Vec3 rgb = lab_to_srgb(m);
      for (size_t c = 0; c < 3; ++c) o[c] = rgb[c];
    }
    for (int c = 0; c < 3; ++c) o[c] = std::isfinite(o[c]) ? std::clamp(o[c], 0.f, 1.f) : 0.f;
  }
  return out;
}

MatchResult hybrid_match(const MatchResult& learned, const MatchResult& automatic) {
  MatchResult r;
  r.method = "hybrid";
  r.lut = combine_luts(learned.lut, automatic.lut, kHybridLearnedWeight, kHybridAutoWeight,
                       HybridSpace::code_values);
  r.confidence = automatic.confidence;
  r.notes.push_back("learned and auto LUTs combined (" + std::to_string(kHybridLearnedWeight) +
                    " x learned + " + std::to_string(kHybridAutoWeight) + " x auto displacement)");
  for (const auto& n : learned.notes) r.notes.push_back("learned: " + n);
  for (const auto& n : automatic.notes) r.notes.push_back("auto: " + n);
  return r;
}

MatchResult match_reference_hybrid(const ImageF& reference, std::span<const ImageF> sources,
                                   const MatchOptions& options, const std::string& reference_name,
                                   const Look* prompt, const std::string& model_file) {
  MatchOptions o = options;
  o.method = "learned";
  const MatchResult learned =
      match_reference_learned(reference, sources, o, reference_name, prompt, model_file);
  o.method = "auto";
  const MatchResult automatic = match_reference(reference, sources, o, reference_name);
  return hybrid_match(learned, automatic);
}

}  // namespace autograde::learn
