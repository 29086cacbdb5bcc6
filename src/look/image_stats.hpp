#pragma once
// Internal to ag_look: image sampling and the statistics `auto` compares against
// natural-image priors. All pixels are display-referred code values (sRGB/Rec.709 R'G'B');
// perceptual statistics use OKLab (Ottosson 2020) of the sRGB-decoded values.
#include <array>
#include <string>
#include <vector>

#include "autograde/color/color.hpp"
#include "autograde/core/image.hpp"

namespace autograde::look_detail {

// Area-averaged downscale so the long side is at most `max_side` (never upscales); alpha is
// dropped. Error(BadInput) naming `name` for an empty image or non-finite samples.
ImageF analysis_image(const ImageF& image, int max_side, const std::string& name);

// Pixels of an analysis image as code-value triples clamped to 0..1.
std::vector<Rgb> pixels_of(const ImageF& image);

constexpr int kToneQuantiles = 7;
constexpr std::array<float, kToneQuantiles> kToneLevels{0.01f, 0.05f, 0.25f, 0.5f,
                                                        0.75f, 0.95f, 0.99f};
constexpr int kBands = 3;  // shadows, midtones, highlights (weights of OKLab L, see band_weights)

struct GradeStats {
  // Quantiles of "grey code value": the code value of the grey with the pixel's OKLab L.
  std::array<float, kToneQuantiles> tone{};
  // Band-weighted mean OKLab (a, b).
  std::array<std::array<float, 2>, kBands> band_ab{};
  // log(mean OKLab chroma + 0.01).
  float log_chroma = 0.f;
};

// Band weights of OKLab lightness L: (1-L)^2, 2L(1-L), L^2 (a partition of unity).
std::array<float, kBands> band_weights(float L);

GradeStats grade_stats(const std::vector<Rgb>& pixels);

// Flattened view of the statistics (tone..., a/b per band..., log_chroma), kStatCount values.
constexpr int kStatCount = kToneQuantiles + 2 * kBands + 1;
std::array<float, kStatCount> flatten(const GradeStats& s);

// Mean and standard deviation of every statistic over natural, ungraded photographs, and the
// distribution of grade effects (see natural_priors.cpp for where they come from).
// Grade effects are heavy-tailed: most looks move a statistic a little, a few move it a lot
// (a monochrome look, a strong cast). Per statistic the grade effect δ is modelled as a
// zero-mean Gaussian scale mixture Σk πk N(0, sk²) and the content c ~ N(μc, σc²).
constexpr int kGradeMixture = 3;

struct NaturalPriors {
  std::array<float, kStatCount> mean;    // μc: content statistics of ungraded photographs
  std::array<float, kStatCount> stddev;  // their spread σc
  std::array<std::array<float, kGradeMixture>, kStatCount> mix_weight;  // πk per statistic
  std::array<std::array<float, kGradeMixture>, kStatCount> mix_stddev;  // sk per statistic
};
const NaturalPriors& natural_priors();

// The minimum-mean-square-error estimate of statistic i's grade effect from the reference's
// deviation d = r - μc under r = c + δ: E[δ | d] = Σk Rk(d) · sk²/(sk² + σc²) · d, with
// Rk(d) ∝ πk N(d; 0, sk² + σc²) the posterior responsibility of component k. A small
// deviation is explained mostly by content (shrunk hard); one content rarely produces passes
// almost fully — a nonlinear Wiener filter.
float posterior_grade_effect(const NaturalPriors& prior, int i, float d);

}  // namespace autograde::look_detail
