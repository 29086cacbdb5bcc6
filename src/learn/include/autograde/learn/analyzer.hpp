#pragma once
// "What is wrong with this shot": the defect classifier (a small MLP on image_features).
//
// Output layout of the network: kFamilyCount groups of 4 logits, family f at [4f, 4f+4) =
// (absent, 33 %, 66 %, 100 %), each group a softmax of its own — so several families can be
// present at once (multi-label) and each carries its own severity and confidence. A family is
// reported when P(present) = 1 - P(absent) exceeds the model's meta "presence_threshold"
// (default 0.5: more likely present than absent; the trainer calibrates it on the validation
// pictures, so that "fine" is said as often as the evidence allows). "Fine" means no family is
// reported.
#include <array>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/learn/defects.hpp"
#include "autograde/learn/mlp.hpp"

namespace autograde::learn {

struct Finding {
  Family family = Family::CastGreen;
  int severity = 1;             // 1..3 (33, 66, 100 %)
  float presence = 0.f;         // P(family present) = 1 - P(absent)
  float confidence = 0.f;       // P(this severity) for this family
  float expected_amount = 0.f;  // probability-weighted severity in 0..1 (absent counts 0)
  // The narrowest run of severities around `severity` that holds at least kSeverityRangeMass of
  // the probability given the family is present. One picture often cannot pin the severity
  // down (a naturally flat picture looks like a contrast defect: models/correct.md, "The
  // ceiling"), so the range says how far apart the plausible severities are.
  int severity_low = 1, severity_high = 1;
};
constexpr float kSeverityRangeMass = 0.8f;

struct Analysis {
  std::vector<Finding> defects;  // present families, most likely first
  float fine_confidence = 1.f;   // min over families of P(absent)
  // probabilities[f] = (absent, 33, 66, 100) for family f.
  std::array<std::array<float, 4>, kFamilyCount> probabilities{};
  bool fine() const { return defects.empty(); }
};

class DefectAnalyzer {
 public:
  explicit DefectAnalyzer(Mlp mlp, const std::string& source_name = "defect model");
  static DefectAnalyzer load(const std::string& path);

  // `image` in display-referred code values, any size.
  Analysis analyze(const ImageF& image) const;
  Analysis analyze_features(const std::vector<float>& features) const;
  const Mlp& network() const { return mlp_; }
  float presence_threshold() const { return presence_threshold_; }

 private:
  Mlp mlp_;
  float presence_threshold_ = 0.5f;
};

// {"fine", "fine_confidence", "defects": [{"defect", "description", "severity_percent",
// "severity_range_percent": [low, high], "presence", "confidence"}]} — what `analyze --json`
// prints and plan.json records.
nlohmann::json to_json(const Analysis& analysis);

// Probabilities from the raw 64 logits (grouped softmax), shared with the trainer's metrics; a
// family is reported when its P(present) exceeds `presence_threshold`.
Analysis analysis_from_logits(const std::vector<float>& logits, float presence_threshold = 0.5f);

}  // namespace autograde::learn
