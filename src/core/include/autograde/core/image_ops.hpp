#pragma once
// Image operations every layer shares. Encodings pass through unchanged (the caller says what
// the numbers are).
#include <string>

#include "autograde/core/image.hpp"

namespace autograde {

// How source pixels are grouped into output pixels by area_average.
enum class AreaGrid {
  // Output pixel (x, y) is the mean of the source rectangle it covers, [x·W/w, (x+1)·W/w) ×
  // [y·H/h, (y+1)·H/h), pixels cut by its edges weighted by the fraction covered (the same
  // result as OpenCV's INTER_AREA when shrinking). Any output size.
  Exact,
  // Integer factor k: every k x k block of whole pixels becomes its mean, the remainder at the
  // right and bottom edges dropped (an image narrower than k averages what it has). Cheaper
  // and, for k not dividing the size, a slightly different picture from Exact. Only with
  // max_side.
  WholeBlocks,
};

// What area_average makes. Either `max_side` (> 0) or `width` and `height` (both > 0).
struct AreaAverage {
  // The long side at most this; never enlarges. Exact: s = max_side / long side and the output
  // is max(1, round(W·s)) x max(1, round(H·s)) (the input's size when it already fits).
  // WholeBlocks: the smallest k with ceil(long side / k) <= max_side, output
  // max(1, W/k) x max(1, H/k).
  int max_side = 0;
  // Exactly this size (Exact only; may enlarge).
  int width = 0, height = 0;
  AreaGrid grid = AreaGrid::Exact;
  // Sums in float instead of double. Only for the matching ground-truth protocol
  // (training/match_protocol.hpp), whose benchmark numbers and lutgen training inputs were
  // made with float sums; on by itself it keeps them bit-identical. Nothing else should use it.
  bool float_sum = false;
  // Non-empty: the image is user input. An empty image, fewer than 3 channels or a NaN or
  // infinity among the pixels read is Error(BadInput) naming it. Empty: those are not checked
  // (1 or 2 channels are repeated into R, G, B; an empty image is an internal error).
  std::string name = {};
};

// The one area-average (box-filter) resampler: `image` reduced as `how` says, 3 channels out
// (alpha dropped), means accumulated in double unless float_sum. For statistics, thumbnails
// and measurement; not a resampler for viewing enlargements.
ImageF area_average(const ImageF& image, const AreaAverage& how);

}  // namespace autograde
