#pragma once
// Correction of a clip without a reference (`autograde analyze` and `correct` on clips): the
// learned defect analysis and correction (learn/analyzer.hpp, learn/corrector.hpp) per shot, so
// a correction cannot flicker within a shot. It is a pipeline like `grade`: one analysis pass
// (clip_analysis.hpp) → the input colour space (input_colorspace.hpp: camera log is brought to
// Rec.709 display before anything is judged) → per shot, the mean image features of a few frames
// spread over it → analysis and correction LUT → the one clip renderer (render_clip.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include "autograde/learn/analyzer.hpp"
#include "autograde/learn/corrector.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/lut.hpp"
#include "autograde/pipeline/input_colorspace.hpp"

namespace autograde {

struct ClipCorrectionOptions {
  std::string input_colorspace = "auto";  // "auto" or a camera_log name
  int frames_per_shot = 5;
  bool full = false;  // the whole predicted correction, not scaled by do-no-harm strength
  bool quiet = false;
};

struct ShotCorrection {
  int shot = 0;
  int64_t first_frame = 0, last_frame = 0;  // inclusive
  learn::Analysis analysis;
  float strength = 0;  // the share of the predicted correction that is applied
  // Input code values → corrected Rec.709 display code values (empty without a corrector).
  // Rec.709 input: the corrector's own lattice, applied trilinearly as it was trained; camera
  // log: input → display → correction baked on a 33³ lattice.
  Lut3D lut;
};

struct ClipCorrection {
  InputColorspaceChoice colorspace;
  std::vector<ShotCorrection> shots;
  Interp interp = Interp::Trilinear;  // how `lut` is meant to be applied
};

// `corrector` may be null (analysis only). Error(BadInput) naming the file for an unreadable
// clip, Error(Usage) for an unknown colour space.
ClipCorrection plan_clip_correction(const std::string& path, const learn::DefectAnalyzer& analyzer,
                                    const learn::LutCorrector* corrector,
                                    const ClipCorrectionOptions& options = {});

// Renders `in` with each shot's LUT into `out` (audio kept; the file appears when complete).
void correct_clip(const std::string& in, const std::string& out, const ClipCorrection& plan,
                  bool quiet);

}  // namespace autograde
