#pragma once
// Where the shipped weights are: $AUTOGRADE_MODELS when set, else the source tree's models/
// folder (compiled in), so a built autograde finds them without installation. Every layer
// that loads weights (learn's networks, semantic's segmenters and detectors) asks here.
#include <string>

namespace autograde {

std::string model_dir();
std::string model_path(const std::string& file);  // model_dir() / file

}  // namespace autograde
