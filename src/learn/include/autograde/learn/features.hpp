#pragma once
// The image description both learned models read: cheap global statistics that say what a
// colourist reads off scopes (levels, clipping, casts per tonal band, chroma), independent of
// image size and content layout, so a small MLP on them generalises across pictures.
//
// Input: display-referred code values (sRGB / Rec.709 R'G'B' 0..1). The image is first reduced
// to at most kFeatureSide pixels on its longer side (area average) so the statistics do not
// depend on resolution. Lab is CIE 1976 L*a*b* (D65) of the sRGB code values.
//
// Layout (kFeatureCount = 112 floats), version kFeatureVersion:
//   [0,44)    percentiles {0.2,1,5,10,25,50,75,90,95,99,99.8} of R, G, B, luma (code values)
//   [44,52)   fraction of samples <= 0.5/255 and >= 254.5/255 for R, G, B, luma
//   [52,62)   percentiles {5,25,50,75,95} of a*, then of b* (divided by 100)
//   [62,66)   percentiles {10,50,90,99} of chroma C*ab (/100)
//   [66,68)   mean a*, mean b* (/100)
//   [68,88)   five L* bands [0,20) .. [80,100]: fraction of pixels, mean a*, mean b*, mean C*
//   [88,104)  16-bin luma histogram (fractions)
//   [104,110) mean R,G,B of the brightest 5 % and of the darkest 5 % (by luma)
//   [110,112) mean log2((R+0.02)/(G+0.02)), log2((B+0.02)/(G+0.02)) over pixels with luma in
//             [0.1, 0.9]
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde::learn {

constexpr int kFeatureCount = 112;
constexpr int kFeatureVersion = 1;
constexpr int kFeatureSide = 128;

// Reduces `image` (any size) and describes it.
std::vector<float> image_features(const ImageF& image);
// A shot's description: the mean of image_features over a few of its frames (not empty).
std::vector<float> mean_image_features(const std::vector<ImageF>& frames);
// Describes an image that is already small (no reduction), e.g. a training crop.
std::vector<float> thumbnail_features(const ImageF& thumbnail);

}  // namespace autograde::learn
