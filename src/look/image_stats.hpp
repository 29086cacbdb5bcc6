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

// Flattened view of the statistics, kStatCount values: tone..., then the band colour means as
// (cast a, cast b, split a, split b, bend a, bend b), then log_chroma. The band means of
// photographs move together (a warm scene is warm in its shadows and highlights alike: their
// correlation over the prior's photographs is 0.9-0.98), so they are re-expressed per OKLab
// channel as the cast c = (s + m + h)/3, the split h - s and the bend m - (s + h)/2 of the
// shadow / midtone / highlight means. Content varies little in split and bend, so a grade
// that tones shadows and highlights apart stands out there, while one common cast stays as
// ambiguous as it is. The priors treat the flattened statistics independently.
constexpr int kStatCount = kToneQuantiles + 2 * kBands + 1;
constexpr int kCastStat = kToneQuantiles;  // first of the six band-colour statistics
std::array<float, kStatCount> flatten(const GradeStats& s);
// The band means (shadows, midtones, highlights; a, b) of six flattened band-colour values
// (cast a, cast b, split a, split b, bend a, bend b); linear, so it maps effects alike.
std::array<std::array<float, 2>, kBands> band_ab_of(const float* cast_split_bend);

// Mean and standard deviation of every statistic over natural, ungraded photographs, and the
// distribution of grade effects (see natural_priors.cpp for where they come from).
// Grade effects are heavy-tailed: most looks move a statistic a little, a few move it a lot
// (a monochrome look, a strong cast). They are also lopsided: a look may take all the chroma
// away, but hardly any triples it. So per statistic the grade effect δ has a two-sided prior,
// a scale mixture of half-normals on each side: Σk πk⁻ 2N(δ; 0, (sk⁻)²) for δ < 0 and
// Σk πk⁺ 2N(δ; 0, (sk⁺)²) for δ > 0 (all weights sum to 1). Content is c ~ N(μc, σc²).
// (A heavy-tailed content prior on every statistic was tried and measured no better; it makes
// the estimate redescend, a huge deviation read as content, which is wrong for a monochrome look.
// Only the overall colour (the cast) is treated so, as a hard rejection: fit_auto_look reads a
// reference whose cast lies outside the content prior's 99 % region as a one-hued scene and
// transfers none of its colour.)
// Also tried and measured no better out of sample (2026-11-30; bench_match --half odd and
// bench_lutgen's held-out split): the tone quantiles re-expressed on orthonormal polynomials
// (level, tilt, curvature, ...; 9.313 -> 9.307 and 9.294 -> 9.316, better only on the half the
// priors are fitted on), and the band colours read as the chroma mode nearest neutral instead of
// the mean (a robust white point; photographs' spread of it is no smaller: 9.313 -> 9.707).
constexpr int kGradeMixture = 3;
using GradeSides = std::array<std::array<float, kGradeMixture>, 2>;  // [δ < 0, δ > 0][k]

struct NaturalPriors {
  std::array<float, kStatCount> mean;    // μc: content statistics of ungraded photographs
  std::array<float, kStatCount> stddev;  // their spread σc
  std::array<GradeSides, kStatCount> grade_weight;  // πk⁻, πk⁺ per statistic
  std::array<GradeSides, kStatCount> grade_stddev;  // sk⁻, sk⁺ per statistic
};
const NaturalPriors& natural_priors();

// The estimate of statistic i's grade effect from the reference's deviation d = r - μc under
// r = c + δ: the posterior median of δ, minus its value at d = 0 (an average reference asks for
// no change, the product's promise, although the prior's own median effect is not zero).
// The median, not the mean: it minimises the expected absolute error, and a colour error in
// the picture grows linearly with a statistic's error, not with its square; where the posterior
// is split between "content" (near 0) and "grade" (near d) it follows the likelier one instead
// of landing between them. For one grade component (a half-normal side of scale s) the posterior
// of δ is a normal N(m, v), m = s²/(s² + σc²)·d, v = s²σc²/(s² + σc²), truncated to that side,
// with evidence 2N(d; 0, s² + σc²)·Φ(±m/√v); the median solves Σ weights·CDFs = ½ by bisection.
// It is monotone in d (a Gaussian location likelihood has a monotone likelihood ratio). A small
// deviation is explained mostly by content (shrunk hard); one content rarely produces passes
// almost fully; a reference far more colourful than photographs usually are is mostly content.
float posterior_grade_effect(const NaturalPriors& prior, int i, float d);
// The posterior median of δ given d, not centred (the tests check it against quadrature).
double posterior_median_effect(const NaturalPriors& prior, int i, double d);

}  // namespace autograde::look_detail
