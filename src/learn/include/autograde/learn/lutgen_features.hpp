#pragma once
// The colour-statistics tokens the learned LUT generator (lutgen.hpp) reads from an image or a
// set of frames: what a colourist reads off the scopes, per tonal band, independent of image
// size and layout.
//
// Input: display-referred code values (sRGB / Rec.709 R'G'B' 0..1). Lab is CIE 1976 L*a*b*
// (D65) of the sRGB code values (IEC 61966-2-1 decode, CIE 15:2004 Lab).
//
// Tokens (version kLutgenFeatureVersion):
//   band tokens, kLutgenBands of them: soft tonal bands of L* (triangular weights centred on
//     L* = 0, 25, 50, 75, 100, a partition of unity); per band kLutgenBandFeatures values:
//       [0] band weight share, [1..3] weighted mean L*/100, a*/100, b*/100,
//       [4..6] weighted standard deviation of L*/100, a*/100, b*/100, [7] mean chroma C*ab/100,
//       [8..10] weighted mean R', G', B' code values, [11] log2 of the band weight share.
//     An empty band falls back (one pseudo-sample) to neutral grey at the band centre.
//   global token, kLutgenGlobalFeatures values:
//       [0,16)   L* histogram, 16 bins over 0..100 (fractions)
//       [16,28)  a* histogram, 12 bins over -60..60 (clamped; fractions)
//       [28,40)  b* histogram, 12 bins over -60..60
//       [40,48)  chroma-weighted hue histogram, 8 sectors of 45° from a*+ (normalised; zero
//                when the image is grey)
//       [48,69)  percentiles {1,5,25,50,75,95,99} of R', G', B'
//       [69,72)  mean C*ab/100, standard deviation of C*ab/100, share of pixels with C*ab < 5
#include <array>
#include <span>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde::learn {

constexpr int kLutgenFeatureVersion = 1;
constexpr int kLutgenBands = 5;
constexpr int kLutgenBandFeatures = 12;
constexpr int kLutgenGlobalFeatures = 72;
constexpr int kLutgenTokens = kLutgenBands + 1;  // band tokens then the global token
// Images are reduced (area average) to at most this many pixels on the long side first.
constexpr int kLutgenThumbSide = 160;

// Patch tokens (networks whose header has "patches"): where things are, which the pooled
// statistics above cannot say. The thumbnail is cut into a kLutgenPatchGrid x kLutgenPatchGrid
// grid (row-major from the top left); per cell kLutgenPatchFeatures values:
//   [0..2] mean L*/100, a*/100, b*/100, [3..5] their standard deviations, [6] mean C*ab/100,
//   [7] log2(mean |grad Y'| + 1e-3), [8] log2((mean |dY'/dx| + 1e-3) / (mean |dY'/dy| + 1e-3)),
//   [9] log2(mean |laplacian Y'| + 1e-3)
// with Y' the Rec.709 luma of the code values and central differences on interior pixels.
// Texture and position are what a grade changes least and what tells a blue sky from a blue
// wall, a sunset from an orange grade.
constexpr int kLutgenPatchGrid = 4;
constexpr int kLutgenPatches = kLutgenPatchGrid * kLutgenPatchGrid;
constexpr int kLutgenPatchFeatures = 10;
using LutgenPatch = std::array<float, kLutgenPatchFeatures>;

struct LutgenTokens {
  std::array<std::array<float, kLutgenBandFeatures>, kLutgenBands> band{};
  std::array<float, kLutgenGlobalFeatures> global{};
  std::vector<LutgenPatch> patches;  // kLutgenPatches of them, or empty (not computed)
};

// Statistics of a pixel set (code values, clamped to 0..1 here). Empty input gives the tokens
// of a mid-grey image.
LutgenTokens lutgen_tokens(std::span<const Rgb> pixels);

// The patch tokens of one thumbnail (lutgen_thumbnail's output). A cell too small to hold a
// pixel (or an interior one) reads as black (or flat).
std::vector<LutgenPatch> lutgen_patch_tokens(const ImageF& thumbnail);

// A reference still's tokens as the network reads them: the statistics of its thumbnail and,
// when `patches`, the thumbnail's patch tokens. Error(BadInput) as lutgen_thumbnail.
LutgenTokens lutgen_reference_tokens(const ImageF& image, const std::string& name, bool patches);

// Area-averaged reduction to <= kLutgenThumbSide on the long side (never enlarges); alpha is
// dropped, values clamped to 0..1. Error(BadInput) naming `name` for an empty image or a
// non-finite sample.
ImageF lutgen_thumbnail(const ImageF& image, const std::string& name);

// Pixels of thumbnails of every image, pooled (frames of a shot weigh equally per pixel).
std::vector<Rgb> lutgen_pooled_pixels(std::span<const ImageF> images, const std::string& name);

}  // namespace autograde::learn
