#include "autograde/learn/analyzer.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "autograde/core/error.hpp"
#include "autograde/learn/features.hpp"

namespace autograde::learn {

nlohmann::json to_json(const Analysis& a) {
  nlohmann::json d = nlohmann::json::array();
  for (const auto& f : a.defects)
    d.push_back({{"defect", family_name(f.family)},
                 {"description", family_description(f.family)},
                 {"severity_percent", severity_percent(f.severity)},
                 {"severity_range_percent",
                  {severity_percent(f.severity_low), severity_percent(f.severity_high)}},
                 {"presence", f.presence},
                 {"confidence", f.confidence}});
  return {{"fine", a.fine()}, {"fine_confidence", a.fine_confidence}, {"defects", d}};
}

Analysis analysis_from_logits(const std::vector<float>& logits, float presence_threshold) {
  if (logits.size() != size_t(4 * kFamilyCount)) throw_internal("defect logits: wrong length");
  Analysis a;
  a.fine_confidence = 1.f;
  for (int f = 0; f < kFamilyCount; ++f) {
    const float* z = logits.data() + 4 * f;
    const float zmax = *std::max_element(z, z + 4);
    std::array<float, 4> p{};
    float sum = 0.f;
    for (int k = 0; k < 4; ++k) sum += p[size_t(k)] = std::exp(z[k] - zmax);
    for (auto& v : p) v /= sum;
    a.probabilities[size_t(f)] = p;
    a.fine_confidence = std::min(a.fine_confidence, p[0]);
    const int best = int(std::max_element(p.begin() + 1, p.end()) - p.begin());
    if (1.f - p[0] > presence_threshold) {
      Finding fd;
      fd.family = Family(f);
      fd.severity = best;
      fd.presence = 1.f - p[0];
      fd.confidence = p[size_t(best)];
      fd.expected_amount = (p[1] * 1.f + p[2] * 2.f + p[3] * 3.f) / 3.f;
      // Narrowest run [lo, hi] containing `best` with enough of the present mass; among runs of
      // equal width, the one holding more.
      const float present = std::max(1e-12f, 1.f - p[0]);
      fd.severity_low = 1;
      fd.severity_high = 3;
      for (int width = 0; width < 3; ++width) {
        float best_mass = -1.f;
        for (int lo = std::max(1, best - width); lo <= best && lo + width <= 3; ++lo) {
          float mass = 0.f;
          for (int k = lo; k <= lo + width; ++k) mass += p[size_t(k)];
          if (mass / present >= kSeverityRangeMass && mass > best_mass) {
            best_mass = mass;
            fd.severity_low = lo;
            fd.severity_high = lo + width;
          }
        }
        if (best_mass >= 0.f) break;
      }
      a.defects.push_back(fd);
    }
  }
  // Opposite families of one group cannot both be true: keep the more likely.
  std::sort(a.defects.begin(), a.defects.end(),
            [](const Finding& x, const Finding& y) { return x.presence > y.presence; });
  std::vector<Finding> kept;
  for (const auto& d : a.defects)
    if (std::none_of(kept.begin(), kept.end(),
                     [&](const Finding& k) { return group_of(k.family) == group_of(d.family); }))
      kept.push_back(d);
  a.defects = std::move(kept);
  return a;
}

DefectAnalyzer::DefectAnalyzer(Mlp mlp, const std::string& source_name) : mlp_(std::move(mlp)) {
  require_feature_version(mlp_.meta.value("feature_version", 0), source_name, "defect model");
  if (mlp_.inputs() != kFeatureCount || mlp_.outputs() != 4 * kFamilyCount)
    throw_bad_input(source_name, "defect model must map " + std::to_string(kFeatureCount) +
                                     " features to " + std::to_string(4 * kFamilyCount) +
                                     " outputs (has " + std::to_string(mlp_.inputs()) + " -> " +
                                     std::to_string(mlp_.outputs()) + ")");
  presence_threshold_ = std::clamp(mlp_.meta.value("presence_threshold", 0.5f), 0.f, 0.999f);
}

DefectAnalyzer DefectAnalyzer::load(const std::string& path) {
  return DefectAnalyzer(read_mlp(path), path);
}

Analysis DefectAnalyzer::analyze(const ImageF& image) const {
  return analyze_features(image_features(image));
}

Analysis DefectAnalyzer::analyze_features(const std::vector<float>& features) const {
  return analysis_from_logits(mlp_.forward(features), presence_threshold_);
}

}  // namespace autograde::learn
