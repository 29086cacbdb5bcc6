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
constexpr std::array<float, kToneQuantiles> kToneLevels{0.01f, 0.05f, 0.25f, 0.5f, 0.75f, 0.95f, 0.99f};
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

// Mean and standard deviation of every statistic over natural, ungraded photographs (see
// natural_priors.cpp for where they come from).
struct NaturalPriors {
  std::array<float, kStatCount> mean;    // μc: content statistics of ungraded photographs
  std::array<float, kStatCount> stddev;  // their spread (diagonal of Σc)
  // The linear minimum-mean-square-error (Wiener) estimate of the grade's effect δ on the
  // statistics from the reference's deviation d = r - μc, under r = c + δ with content
  // c ~ N(μc, Σc) and grade effect δ ~ N(0, Σg):  δ̂ = Σg (Σg + Σc)^-1 d = transfer · d.
  // Σg is centred on identity (no grade) so an ungraded reference gives no change on average.
  std::array<std::array<float, kStatCount>, kStatCount> transfer;
};
const NaturalPriors& natural_priors();

}  // namespace autograde::look_detail
