#pragma once
// "What is wrong with this shot": the defect classifier (a small MLP on image_features).
//
// Output layout of the network: kFamilyCount groups of 4 logits, family f at [4f, 4f+4) =
// (absent, 33 %, 66 %, 100 %), each group a softmax of its own — so several families can be
// present at once (multi-label) and each carries its own severity and confidence. "Fine" means
// no family is more likely present than absent.
#include <array>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "autograde/core/image.hpp"
#include "autograde/learn/defects.hpp"
#include "autograde/learn/mlp.hpp"

namespace autograde::learn {

struct Finding {
  Family family = Family::CastGreen;
  int severity = 1;          // 1..3 (33, 66, 100 %)
  float presence = 0.f;      // P(family present) = 1 - P(absent)
  float confidence = 0.f;    // P(this severity) for this family
  float expected_amount = 0.f;  // probability-weighted severity in 0..1 (absent counts 0)
};

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

 private:
  Mlp mlp_;
};

// {"fine", "fine_confidence", "defects": [{"defect", "description", "severity_percent",
// "presence", "confidence"}]} — what `analyze --json` prints and plan.json records.
nlohmann::json to_json(const Analysis& analysis);

// Probabilities from the raw 64 logits (grouped softmax), shared with the trainer's metrics.
Analysis analysis_from_logits(const std::vector<float>& logits);

}  // namespace autograde::learn
