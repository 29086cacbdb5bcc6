#pragma once
// Private to the semantic layer and its trainer (src/learn/training/train_regions.cpp): the
// pieces of the skin and sky/foliage models that the trainer fits and the product runs, so
// both evaluate exactly the same code.
#include <span>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/semantic/regions.hpp"

namespace autograde::skin_detail {

// --- Shared image helpers -----------------------------------------------------------------
// OKLab (Ottosson 2020) of display code values (sRGB curve): 3 channels L, a, b.
ImageF to_oklab(const ImageF& rgb);
// Rec.709 luma of code values, 1 channel.
ImageF luma_of(const ImageF& rgb);
// Bilinear resize of any image (cv::resize INTER_AREA when shrinking).
ImageF resize_image(const ImageF& img, int w, int h);
// He, Sun & Tang's guided filter ("Guided Image Filtering", ECCV 2010 / TPAMI 2013) with a
// grey guide: edges of `p` snap to edges of the guide, so a mask computed coarsely gets soft,
// picture-following borders without halos. `guide` and `p` are 1-channel, same size.
ImageF guided_filter(const ImageF& guide, const ImageF& p, int radius, float eps);
// The long side up to which masks are computed and feathered at the picture's own size. Above
// it they are computed at this size and brought up with He & Sun's fast guided filter ("Fast
// Guided Filter", 2015): the filter's linear coefficients, found at the lower size, are
// upsampled and applied to the full-size guide. Full HD then costs a few passes instead of a
// dozen full-size box filters, and edges still follow the full-size picture.
inline constexpr int kFeatherSide = 640;
// The full-size soft mask from `p_low` (1-channel, any smaller size): `guide_full` is the
// full-size luma; radius is in pixels of p_low's size.
ImageF guided_upsample(const ImageF& guide_full, const ImageF& p_low, int radius, float eps);
// Max filter (dilation) of a 1-channel mask with a square of half-size r.
ImageF dilate_mask(const ImageF& m, int r);
void clamp01(ImageF& m);

// --- Skin ---------------------------------------------------------------------------------
// The chroma plane the colour table is indexed by. Ratio space divides a and b by lightness,
// so shading (the same skin lit more or less) moves a pixel much less than in a/b: the same
// table can then serve the lightest and darkest tones.
struct ColourTable {
  int nL = 4, nu = 48, nv = 48;
  float u0 = -0.2f, u1 = 0.4f, v0 = -0.2f, v1 = 0.4f;
  bool ratio = true;
  std::vector<float> llr;  // log P(colour | skin) - log P(colour | not skin), nL * nu * nv
  void uv(float L, float a, float b, float& u, float& v) const;
  float lookup(float L, float a, float b) const;
};

struct SkinParams {
  // Generic colour probability g = sigmoid((llr - gen_bias) * gen_gain).
  float gen_bias = 0.f, gen_gain = 1.f;
  // Per-face colour similarity f = exp(-d^2 / (2 k^2)), d the robust Mahalanobis distance to
  // the face's own central skin in (u, v, L), L weighted by face_wL.
  float face_k = 2.5f, face_wL = 0.25f;
  float face_sigma_uv = 0.01f, face_sigma_L = 0.04f;  // floors on the per-face spread
  // Near a face (an ellipse scaled by near_rx/near_ry of the face box, centred near_dy box
  // heights below the box centre), f gated by g: f * (1 - gate + gate * g).
  float near_rx = 0.75f, near_ry = 1.0f, near_dy = 0.15f, gate = 0.5f;
  // Away from faces (other skin of the same people: hands, arms): far_weight * f' * g, f'
  // the same similarity with a tighter scale far_k (a wall of roughly skin colour is near).
  float far_weight = 0.6f, far_k = 2.5f;
  // With no face and no person mask, the colour model alone: g * no_face_conf.
  float no_face_conf = 0.8f;
  // Pixels far from faces that the generic model alone calls skin (a face the detector
  // missed): g * other_weight.
  float other_weight = 0.3f;
  // Feathering: guided filter radius as a fraction of the long side, and its eps.
  float smooth_frac = 0.01f, smooth_eps = 0.01f;
};

struct SkinModelData {
  ColourTable table;
  SkinParams params;
};

SkinModelData load_skin_model(const std::string& path);
void save_skin_model(const SkinModelData& m, const std::string& path);
const SkinModelData& bundled_skin_model();  // models/skin_model.json, loaded once

ImageF skin_mask_with(const SkinModelData& m, const ImageF& rgb, std::span<const FaceBox> faces,
                      const ImageF& person);

// --- Sky and foliage ----------------------------------------------------------------------
// A one-hidden-layer perceptron on per-pixel features computed at a low analysis size.
struct Mlp {
  int in = 0, hidden = 0;
  std::vector<float> mean, scale;  // feature standardisation
  std::vector<float> w1, b1, w2;   // hidden x in, hidden, hidden
  float b2 = 0.f;
  float logit(const float* x) const;
};

struct RegionClassifier {
  Mlp mlp;
  int analysis_side = 160;        // long side the features are computed at
  float smooth_frac = 0.015f, smooth_eps = 0.004f;
};

int region_feature_count();
// Features of every pixel of `small` (already at the analysis size), region_feature_count()
// per pixel, row-major.
std::vector<float> region_features(const ImageF& small);
// The classifier's probability at the analysis size (1 channel).
ImageF region_probability(const RegionClassifier& c, const ImageF& small);
// Full pipeline: downscale, classify, upsample, feather at rgb's size.
ImageF region_mask_with(const RegionClassifier& c, const ImageF& rgb);

// models/sky_foliage.json holds both classifiers under "sky" and "foliage".
RegionClassifier load_region_classifier(const std::string& path, const std::string& key);
void save_region_classifiers(const RegionClassifier& sky, const RegionClassifier& foliage,
                             const std::string& path);

}  // namespace autograde::skin_detail
