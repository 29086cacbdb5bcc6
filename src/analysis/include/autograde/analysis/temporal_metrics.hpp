#pragma once
// Temporal consistency of a graded clip (issue 4), measured on the rendered output, codec
// noise included, so a user can see that grading added no flicker and no drift.
//
// Encoding: all frames are Rec.709/sRGB display code values 0..1 (what VideoReader returns);
// L*a*b* is CIE 1976 (D65) decoded with the sRGB curve (color.hpp srgb_to_lab).
//
//  (a) Grade stability within a shot: pixels are binned by their *input* colour (bins³ cells
//      over input code values); for two frames of one shot the mean *output* colour of every
//      cell both frames populate is compared with CIEDE2000 (CIE 142-2001), after adjusting
//      each frame's cell mean to the same input colour (analysis of covariance: a slope shared
//      by both frames, one intercept per frame), because the two frames' colours are spread
//      differently inside a cell. One LUT per shot gives ~0 plus codec noise; a grade that
//      changes within the shot gives its change. The raw (unadjusted) value is kept too.
//  (b) Optical-flow warping error, the design's temporal loss (seed 001, eq. 28):
//      L = 1/(N-1) Σ_t ‖G(I_t) − warp(G(I_{t+1}), w_t)‖₁, with w_t the forward DIS flow of the
//      *input* frames t → t+1 (Kroeger et al., "Fast Optical Flow using Dense Inverse Search",
//      ECCV 2016; OpenCV cv::DISOpticalFlow). Occluded pixels are excluded by the forward–
//      backward check of Sundaram, Brox & Keutzer (ECCV 2010):
//      |w_f + w_b(x + w_f)|² ≤ 0.01 (|w_f|² + |w_b(x + w_f)|²) + 0.5. Reported for the input
//      (G = identity) and the output, as mean absolute difference in 8-bit code values.
//  (c) Frame-to-frame change of the frame's mean L*a*b* (ΔE*ab of consecutive means), input
//      and output: grading that flickers moves the output's means more than the input's.
#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde {

struct BinConsistency {
  double mean_de2000 = 0;        // pixel-weighted mean over shared cells, at equal input colour
  double unadjusted_de2000 = 0;  // the same with plain cell means
  double max_de2000 = 0;         // over shared cells with enough pixels
  int cells = 0;                 // cells populated by both frames
  double coverage = 0;           // fraction of frame A's pixels inside the shared cells
};

// (a) for one frame pair: in_a/out_a and in_b/out_b of the same size per pair; cells need at
// least `min_pixels` pixels in each frame to count. Error(Usage) on size mismatch.
BinConsistency bin_consistency(const ImageF& in_a, const ImageF& out_a, const ImageF& in_b,
                               const ImageF& out_b, int bins = 16, int min_pixels = 8);

struct WarpError {
  double input = 0;           // eq. 28 on the input frames, 8-bit code values
  double output = 0;          // eq. 28 on the output frames, same flow and mask
  double valid_fraction = 0;  // pixels kept by the occlusion check (mean over pairs)
  int pairs = 0;
};

// (b) for one consecutive pair (frame t and t+1): adds the pair's errors to `acc`.
void add_warp_error(const ImageF& in_t, const ImageF& out_t, const ImageF& in_t1,
                    const ImageF& out_t1, WarpError& acc);

// (c) summarised: the frame-to-frame steps of the mean L*a*b* (ΔE*ab).
struct StepStats {
  double mean = 0, max = 0;
  int64_t steps = 0;
};

// A shot's metrics (a), (b), (c).
struct TemporalMetrics {
  int64_t first_frame = 0, last_frame = 0;
  std::optional<BinConsistency> consistency;      // (a): needs two frames
  WarpError warp;                                 // (b)
  StepStats lab_change_input, lab_change_output;  // (c)
};

// {"consistency": {...}, "warp_error": {...}, "mean_lab_change": {...}} (the plan's "metrics").
nlohmann::json to_json(const TemporalMetrics& metrics);
// Error(BadInput) naming `source_name` for a malformed object.
TemporalMetrics temporal_metrics_from_json(const nlohmann::json& j,
                                           const std::string& source_name = "metrics");

// Streaming per-shot accumulator for (a), (b), (c): feed the shot's frames in order.
class ShotTemporalMeter {
 public:
  // `flow_stride`: compute (b) on every flow_stride-th consecutive pair (1 = all).
  explicit ShotTemporalMeter(int64_t first_frame, int64_t last_frame, int flow_stride = 1);
  // `in_code`: the input frame as decoded (cells of (a) are input code values); `in_display`:
  // the same frame converted to Rec.709 display (the baseline of (b) and (c); the same image
  // for Rec.709 input); `out`: the rendered frame. All the same size.
  void add(int64_t frame_index, const ImageF& in_code, const ImageF& in_display, const ImageF& out);
  TemporalMetrics result() const;

 private:
  int64_t first_, last_;
  int stride_;
  ImageF first_in_, first_out_, prev_in_, prev_out_;  // prev_in_: display
  int64_t prev_index_ = -1;
  BinConsistency consistency_;
  bool have_consistency_ = false;
  WarpError warp_;
  std::vector<float> lab_step_in_, lab_step_out_;
  std::array<float, 3> prev_lab_in_{}, prev_lab_out_{};
};

// Mean CIE L*a*b* of a display-code-value frame (sRGB decoding).
std::array<float, 3> mean_lab(const ImageF& image);

}  // namespace autograde
