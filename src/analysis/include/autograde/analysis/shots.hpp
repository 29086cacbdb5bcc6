#pragma once
// Shot detection (DESIGN.md data flow: clip → shots with frame ranges + sampled statistics).
//
// Signal: the design's histogram difference Σ|H(I_t) − H(I_t−1)| (seed 001, eq. 29), here
// the mean of a 256-bin colour histogram distance and a 4×4-region luma histogram distance
// (see color_histogram.hpp), on small analysis frames.
// Decision, per frame transition t−1 → t:
//   1. adaptive threshold from the neighbouring transitions (± window): a cut must exceed the
//      local median by `threshold_k` robust standard deviations (1.4826 × MAD), be `ratio`
//      times the local median, exceed `min_difference`, and be a local maximum;
//   2. flash filter: when a frame within `max_flash_frames` after the spike is again close to
//      the frame before it (a flash, strobe or a few bright frames), the spike is no cut;
//   3. fades: a run of flat frames (black, white or any uniform colour) approached by a
//      monotone ramp (contrast and mean moving towards the flat colour) is one fade
//      transition: no cut is reported inside it, and one boundary (kind "fade") is placed in
//      the flattest frame of the run when there is content on both sides;
//   4. minimum shot length: of two boundaries closer than `min_shot_seconds`, the stronger
//      one stays (fades win over cuts).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "autograde/analysis/color_histogram.hpp"
#include "autograde/analysis/frame_stats.hpp"
#include "autograde/core/image.hpp"

namespace autograde {

struct ShotDetectOptions {
  int analysis_width = 128;       // frames are downscaled to this width (area average)
  double window_seconds = 1.0;    // neighbourhood on each side for the adaptive threshold
  double threshold_k = 6.0;       // robust z-score a cut must exceed
  double ratio = 3.0;             // ... and this multiple of the local median difference
  double min_difference = 0.12;   // ... and this absolute difference (0..1)
  double min_shot_seconds = 0.3;  // shortest shot
  int max_flash_frames = 3;       // longest flash the filter removes
  double flat_stddev = 0.02;      // luma spread (code values) below which a frame is flat
  int fade_min_frames = 4;        // shortest ramp that makes a fade
  double fade_max_seconds = 4.0;  // longest ramp considered
  int samples_per_shot = 5;       // frame indices proposed for per-shot analysis
};

enum class BoundaryKind { Start, Cut, Fade };
std::string boundary_kind_name(BoundaryKind k);

struct ShotStats {
  Vec3 mean_lab{0, 0, 0};  // mean over the shot's frames of the frame mean L*a*b*
  float l_p05 = 0, l_p95 = 0;
  float mean_chroma = 0;
  float luma_p01 = 0, luma_p99 = 0;  // code values, mean over frames
  float l_stddev_over_time = 0;      // how much the frame mean L* moves within the shot
};

struct Shot {
  int index = 0;
  int64_t first_frame = 0, last_frame = 0;  // inclusive
  double start_time = 0;                    // time of the first frame
  double end_time = 0;                      // time of the last frame + one frame duration
  BoundaryKind starts_with = BoundaryKind::Start;
  float boundary_score = 0;  // difference at the boundary (0..1)
  ShotStats stats;
  std::vector<int64_t> sample_frames;
  int64_t frame_count() const { return last_frame - first_frame + 1; }
};

struct Transition {
  BoundaryKind kind = BoundaryKind::Fade;
  int64_t first_frame = 0, last_frame = 0;  // frames that belong to the transition
  int64_t boundary_frame = -1;              // first frame of the next shot, -1 when at a clip edge
};

struct ShotList {
  double fps = 0;
  int64_t frame_count = 0;
  std::vector<Shot> shots;
  std::vector<Transition> transitions;  // fades
  std::vector<int64_t> flashes;         // first frames of filtered flashes
  std::vector<float> difference;  // per frame: difference to the previous frame (0 for frame 0)
  std::vector<float> threshold;   // per frame: the adaptive threshold used
  std::vector<FrameStats> frame_stats;      // per analysis frame
  std::vector<int64_t> cut_frames() const;  // first frames of shots after hard cuts
};

// Streaming detector: feed analysis frames in order, then finish(). Memory: a few
// histograms plus ~200 bytes per frame.
class ShotDetector {
 public:
  explicit ShotDetector(double fps, ShotDetectOptions options = {});
  void add(const ImageF& analysis_frame, double time);
  ShotList finish();

 private:
  struct Record {
    double time = 0;
    float luma_mean = 0, luma_stddev = 0;
    std::vector<float> back;  // back[j-1] = difference to frame (this − j), j = 1..max_flash+1
  };
  double fps_;
  ShotDetectOptions options_;
  std::vector<ColorHistogram> recent_;  // ring of the last max_flash+1 histograms
  std::vector<Record> records_;
  std::vector<FrameStats> stats_;
};

// Reads `path` (downscaled to options.analysis_width) and detects its shots.
// `progress(frames_done, frames_expected)` is called after each frame when set.
ShotList detect_shots(const std::string& path, const ShotDetectOptions& options = {},
                      const std::function<void(int64_t, int64_t)>& progress = {});

}  // namespace autograde
