#pragma once
// Clips: one analysis and one correction LUT per shot (shots from src/analysis), so the
// correction cannot flicker within a shot. The shot's description is the mean of the
// image_features of a few frames spread over it.
#include <functional>
#include <string>
#include <vector>

#include "autograde/learn/analyzer.hpp"
#include "autograde/learn/corrector.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde::learn {

struct ShotCorrection {
  int shot = 0;
  int64_t first_frame = 0, last_frame = 0;  // inclusive
  Analysis analysis;
  Lut3D lut;  // empty (size 0) when no corrector was given
};

// `corrector` may be null (analysis only).
std::vector<ShotCorrection> plan_clip(const std::string& path, const DefectAnalyzer& analyzer,
                                      const LutCorrector* corrector, int frames_per_shot = 5);

// Decodes `in`, applies each shot's LUT (trilinear, as trained) and encodes `out` (audio kept;
// written to a temporary file and renamed when complete).
void correct_clip(const std::string& in, const std::string& out,
                  const std::vector<ShotCorrection>& plan);

}  // namespace autograde::learn
