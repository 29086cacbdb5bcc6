#pragma once
// The learn layer's shipped weight files; where they are is core/model_files.hpp.
#include <string>

#include "autograde/core/model_files.hpp"

namespace autograde::learn {

constexpr const char* kDefectModelFile = "defect_classifier.agnn";
constexpr const char* kCorrectionModelFile = "lut_corrector.agnn";

using autograde::model_dir;
using autograde::model_path;

}  // namespace autograde::learn
