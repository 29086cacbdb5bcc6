#pragma once
// The colour histogram behind shot detection: the design's H(I) (seed 001, eq. 29) with 256
// bins = 16 luma × 4 Cb × 4 Cr, plus a coarse spatial layout (4×4 regions × 16 luma bins) so
// that two shots with similar colours but different framing still differ.
#include <array>

#include "autograde/core/image.hpp"

namespace autograde {

struct ColorHistogram {
  static constexpr int kLumaBins = 16;
  static constexpr int kChromaBins = 4;
  static constexpr int kColorBins = kLumaBins * kChromaBins * kChromaBins;  // 256
  static constexpr int kRegions = 16;                                       // 4 × 4 grid
  std::array<float, kColorBins> color{};                                    // sums to 1
  std::array<float, kRegions * kLumaBins> regions{};                        // each region sums to 1
  float luma_mean = 0;    // Rec.709 Y' of the code values
  float luma_stddev = 0;  // spread of Y' (≈ 0 for a black, white or flat frame)
};

// Input: display code values 0..1, 3 or 4 channels (a small analysis frame, e.g. 128 wide).
// Luma votes go to the two nearest bins (linear weights) so a slow exposure change moves the
// histogram smoothly instead of jumping between bins.
ColorHistogram compute_color_histogram(const ImageF& image);

// ½ Σ|H_t − H_t−1| over the 256 colour bins (total-variation distance, 0..1): eq. 29's sum,
// normalised.
float color_distance(const ColorHistogram& a, const ColorHistogram& b);
// Mean over the 16 regions of the regions' luma-histogram TV distance (0..1).
float layout_distance(const ColorHistogram& a, const ColorHistogram& b);
// What shot detection thresholds: the mean of the two (0..1).
float frame_difference(const ColorHistogram& a, const ColorHistogram& b);

}  // namespace autograde
