#pragma once
// The image description both learned models read: cheap global statistics that say what a
// colourist reads off scopes (levels, clipping, casts per tonal band, chroma), independent of
// image size and content layout, so a small MLP on them generalises across pictures; then
// (version 2) a block of spatial cues — grey-edge casts, flat clipped areas, gradients per tone
// level — that tell a defect from content which merely looks like one (spatial_features.hpp).
//
// Input: display-referred code values (sRGB / Rec.709 R'G'B' 0..1). The image is first reduced
// to at most kFeatureSide pixels on its longer side (area average) so the statistics do not
// depend on resolution. Lab is CIE 1976 L*a*b* (D65) of the sRGB code values.
//
// Layout (kFeatureCount = 147 floats), version kFeatureVersion (2; version 1 was the first 112
// alone, and a model file of another version is refused with an error naming both):
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
//   [112,147) spatial evidence (edges, flat areas, local contrast): spatial_features.hpp
#include <string>
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde::learn {

constexpr int kGlobalFeatureCount = 112;  // the version-1 block
constexpr int kFeatureCount = 147;
constexpr int kFeatureVersion = 2;
constexpr int kFeatureSide = 128;

// Error(BadInput) naming `source_name` unless a model's meta.feature_version `found` is
// kFeatureVersion (checked before the input count, so old weights get this message).
void require_feature_version(int found, const std::string& source_name, const std::string& model);

// Reduces `image` (any size) and describes it.
std::vector<float> image_features(const ImageF& image);
// A shot's description: the mean of image_features over a few of its frames (not empty).
std::vector<float> mean_image_features(const std::vector<ImageF>& frames);
// Describes an image that is already small (no reduction), e.g. a training crop.
std::vector<float> thumbnail_features(const ImageF& thumbnail);

}  // namespace autograde::learn
