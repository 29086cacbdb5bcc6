#pragma once
// Where the shipped weights are: $AUTOGRADE_MODELS when set, else the source tree's models/
// folder (compiled in), so a built autograde finds them without installation.
#include <string>

namespace autograde::learn {

constexpr const char* kDefectModelFile = "defect_classifier.agnn";
constexpr const char* kCorrectionModelFile = "lut_corrector.agnn";

std::string model_dir();
std::string model_path(const std::string& file);  // model_dir() / file

}  // namespace autograde::learn
