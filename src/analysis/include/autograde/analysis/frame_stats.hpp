#pragma once
// Cheap per-frame statistics for shot summaries and for guessing the input colour space.
// Input: display-referred R'G'B' code values 0..1 (what VideoReader / read_image return).
#include <string>
#include <vector>

#include "autograde/color/color.hpp"
#include "autograde/core/image.hpp"

namespace autograde {

struct FrameStats {
  // CIE L*a*b* (D65), decoding the code values with the sRGB curve (srgb_to_lab); for
  // BT.1886 video the difference is a small shift in the darkest tones.
  Vec3 mean_lab{0, 0, 0};
  float l_p01 = 0, l_p05 = 0, l_p50 = 0, l_p95 = 0, l_p99 = 0;  // L* percentiles
  float l_stddev = 0;                                           // global contrast in L*
  float mean_chroma = 0;                                        // mean C*ab
  // Rec.709 luma Y' of the code values (not linear light).
  float luma_mean = 0, luma_stddev = 0;
  float luma_p01 = 0, luma_p99 = 0;  // "black level" and "white level"
  int samples = 0;                   // pixels measured
};

// Statistics of `image` (3 or 4 channels, code values 0..1). Large images are measured on a
// regular subsample of at most `max_samples` pixels.
FrameStats compute_frame_stats(const ImageF& image, int max_samples = 1 << 16);

// "Looks like log footage": camera log curves (ARRI LogC3, Sony S-Log3, Panasonic V-Log, ...)
// put black at 7–13 % of the code range and diffuse white near 55–65 %, so an ungraded log
// frame has lifted blacks, a narrow code-value spread and no values near display white.
// Graded Rec.709 pictures almost always reach close to black and white somewhere. A flat,
// foggy display-referred picture can still look log: it is a suggestion, not a decision.
struct LogFootageVerdict {
  bool looks_log = false;
  float black_level = 0;  // median over frames of the 1st luma percentile
  float white_level = 0;  // median of the 99th luma percentile
  float spread = 0;       // median (p99 - p1)
  float chroma = 0;       // median mean C*ab
  int frames = 0;
  std::string reason;  // one line for the user
};

LogFootageVerdict assess_log_footage(const std::vector<FrameStats>& frames);

}  // namespace autograde
