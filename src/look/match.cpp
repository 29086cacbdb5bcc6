// match_reference: one entry point for every matching method (match.hpp).
#include "autograde/look/match.hpp"

#include <algorithm>

#include "autograde/core/error.hpp"
#include "autograde/core/image_ops.hpp"
#include "image_stats.hpp"
#include "lattice_fit.hpp"
#include "methods.hpp"

namespace autograde {

const std::vector<std::string>& match_method_names() {
  static const std::vector<std::string> names{"auto", "reinhard", "mkl", "hist", "idt"};
  return names;
}

MatchResult match_reference(const ImageF& reference, std::span<const ImageF> sources,
                            const MatchOptions& options, const std::string& reference_name) {
  const auto& names = match_method_names();
  if (std::find(names.begin(), names.end(), options.method) == names.end()) {
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    throw_usage("unknown matching method '" + options.method + "' (" + list + ")");
  }
  if (options.lut_size < 2 || options.lut_size > 129)
    throw_usage("LUT size must be 2..129, got " + std::to_string(options.lut_size));
  if (!(options.strength >= 0.f && options.strength <= 1.f))
    throw_usage("strength must be in 0..1");
  if (!(options.transfer >= 0.f && options.transfer <= 1.f))
    throw_usage("transfer must be in 0..1, got " + std::to_string(options.transfer));
  if (options.transfer > 0.f && options.method != "auto")
    throw_usage("--transfer dials `auto` towards the reference's whole palette; method '" + options.method +
                "' is a transfer of its own (leave --transfer at 0 or use --method auto)");
  if (options.transfer > 0.f && sources.empty())
    throw_usage("--transfer carries the reference's colours onto a source: give --source");
  const int analysis = std::clamp(options.analysis_size, 8, 2048);
  // Whole k x k blocks (not the exact area) keep the statistics, and so bench_match's numbers
  // and the tuned priors, as they were measured.

  const std::vector<Rgb> ref = look_detail::pixels_of(area_average(
      reference, {.max_side = analysis, .grid = AreaGrid::WholeBlocks, .name = reference_name}));
  std::vector<Rgb> src;
  for (size_t i = 0; i < sources.size(); ++i) {
    auto px = look_detail::pixels_of(
        area_average(sources[i], {.max_side = analysis,
                                  .grid = AreaGrid::WholeBlocks,
                                  .name = "source " + std::to_string(i + 1)}));
    src.insert(src.end(), px.begin(), px.end());
  }
  // Many frames: keep an evenly strided subset so cost does not grow with the clip.
  constexpr size_t kMaxSourcePixels = 1 << 17;
  if (src.size() > kMaxSourcePixels) {
    std::vector<Rgb> sub;
    const double step = double(src.size()) / kMaxSourcePixels;
    for (size_t k = 0; k < kMaxSourcePixels; ++k) sub.push_back(src[size_t(double(k) * step)]);
    src.swap(sub);
  }

  MatchResult result;
  result.method = options.method;
  if (options.method == "auto" && options.transfer > 0.f) {
    // The dial: auto's grade at full strength blended with the full transfer, then the
    // strength mixes the blend with identity as it does for every LUT method.
    auto fit = look_detail::fit_auto_look(src, ref);
    const Lut3D full = look_detail::full_transfer_lut(src, ref, options.lut_size);
    result.lut = look_detail::blend_perceptual(bake_look(fit.look, options.lut_size), full, options.transfer);
    look_detail::apply_strength(result.lut, options.strength);
    result.confidence = fit.confidence;
    result.notes = fit.notes;
    result.transfer = options.transfer;
  } else if (options.method == "auto") {
    auto fit = look_detail::fit_auto_look(src, ref);
    fit.look.strength = options.strength;
    result.lut = bake_look(fit.look, options.lut_size);
    result.look = fit.look;
    result.confidence = fit.confidence;
    result.notes = fit.notes;
  } else {
    if (src.empty())
      throw_usage("method '" + options.method +
                  "' transfers the reference's colour distribution onto a source: give --source");
    if (options.method == "reinhard")
      result.lut = look_detail::reinhard_lut(src, ref, options.lut_size);
    else if (options.method == "mkl")
      result.lut = look_detail::mkl_lut(src, ref, options.lut_size);
    else if (options.method == "hist")
      result.lut = look_detail::hist_lut(src, ref, options.lut_size);
    else
      result.lut = look_detail::idt_lut(src, ref, options.lut_size);
    look_detail::apply_strength(result.lut, options.strength);
  }
  const float kept = look_detail::regularise_lut(result.lut);
  if (kept < 1.f)
    result.notes.push_back("mapping inverted tones along the grey axis; mixed " +
                           std::to_string(kept) + " of it with identity to keep it monotone");
  return result;
}

}  // namespace autograde
