#pragma once
// Spatial evidence the global histogram statistics of features.hpp lack: how the picture's
// edges, flat areas and local detail look, which separates a defect (a per-pixel tone or colour
// function applied to the whole frame) from content that merely happens to be dark, colourful
// or low in contrast.
//
// Input: a thumbnail (already reduced, e.g. to 128 px) in display-referred code values
// (sRGB / Rec.709 R'G'B', clamped to 0..1). "Linear" below is IEC 61966-2-1 decoded light.
// Derivatives are central differences on interior pixels.
//
// Layout (kSpatialFeatureCount = 35 floats):
//   [0,4)   grey-edge (van de Weijer, Gevers & Gijsenij 2007, IEEE TIP 16(9)), linear light:
//           e_c = (mean |grad c|^p)^(1/p); log2(e_R/e_G), log2(e_B/e_G) for p = 1, then p = 6
//   [4,6)   second-order grey-edge, p = 1 on |laplacian c|: log2(R/G), log2(B/G)
//   [6,8)   shades of grey (Finlayson & Trezzi 2004), p = 6 on linear values: log2(R/G), log2(B/G)
//   [8,10)  edge-weighted mean of log2(R/G), log2(B/G) (linear + 0.01), weight |grad luma|
//   [10,12) mean log2(R/G), log2(B/G) (linear + 0.01) of the 10 % least saturated pixels
//           with luma in [0.15, 0.95] (nearly achromatic surfaces)
//   [12,20) luma gradient profile: 8 luma bins of width 1/8: log2 of the bin's mean |grad Y|
//           over the picture's mean |grad Y| (+1e-3 both; 0 for an empty bin) — the slope of
//           the tone curve at each level multiplies the gradients of that level
//   20      log2(mean |grad Y| + 1e-3)
//   [21,24) flat areas (every channel's |grad| < 0.5/255) as a fraction of all pixels: with
//           luma < 0.1, with luma > 0.9, all — crushed blacks / clipped whites are flat
//   [24,26) fraction of pixels with any channel <= 0.5/255, with any channel >= 254.5/255
//   26      log2((mean |grad (R-Y)| + |grad (B-Y)| + 1e-3) / (mean |grad Y| + 1e-3)): chroma
//           detail against luma detail
//   27      log2((mean |R-Y| + |B-Y| + 1e-3) / (std Y + 1e-3)): chroma against tonal spread
//   28      log2((mean |grad Y| + 1e-3) / (std Y + 1e-3)): local against global contrast
//   29      log2 of the mean standard deviation of luma over 8x8 blocks over the global one
//   [30,33) minimum of R, G, B after a 3x3 box blur (noise-robust black point per channel)
//   33      maximum of luma after a 3x3 box blur
//   34      mean over R, G, B of the channel's maximum after a 3x3 box blur
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde::learn {

constexpr int kSpatialFeatureCount = 35;

// Error(Internal) for an image smaller than 3x3.
std::vector<float> spatial_features(const ImageF& thumbnail);

}  // namespace autograde::learn
