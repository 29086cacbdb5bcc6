#pragma once
// Matching a reference still: one interface for every method, selected by name.
//
// Encoding: every image passed here holds display-referred code values (Rec.709 / sRGB R'G'B'
// in 0..1, as read_image returns 8/16-bit files); the returned LUT maps display-referred code
// values to display-referred code values and is meant for display-referred footage.
//
// Methods (--method NAME):
//   auto      ours, the default. Separates the reference's grade from its content: statistics
//             of the reference (tone quantiles, per-tonal-band chroma offsets, chroma level)
//             are compared with priors of natural-image statistics; only the part of each
//             deviation that content variation cannot explain is kept (empirical-Bayes
//             shrinkage), so weak evidence gives a Look close to identity. The result is an
//             explicit Look (MatchResult::look) baked to a LUT.
//   reinhard  Reinhard, Ashikhmin, Gooch & Shirley, "Color Transfer between Images", IEEE CG&A
//             2001: per-channel mean/std transfer in lαβ.
//   mkl       Pitié & Kokaram, "The linear Monge-Kantorovitch linear colour mapping for
//             example-based colour transfer", IET CVMP 2007: the linear map between the RGB
//             Gaussians that minimises displacement.
//   hist      per-channel histogram (CDF) matching in RGB.
//   idt       Pitié, Kokaram & Dahyot, "N-dimensional probability density function transfer
//             and its application to colour transfer", ICCV 2005 / CVIU 2007: iterative 1D
//             marginal matching along random rotations (sliced transport), regularised by a
//             smooth lattice fit of the resulting mapping.
// The classic methods map a source distribution onto the reference's, so they need a source
// (Error(Usage) without one); `auto` works from the reference alone and uses the source's
// statistics when given. Every method returns a smooth LUT with finite values in 0..1 whose
// neutral axis does not invert.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/look/look.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde {

struct MatchOptions {
  std::string method = "auto";
  float strength = 1.f;  // 0..1, mix of the matched LUT with identity
  // `auto` only, 0..1 (--transfer): 0 = only the grade `auto` separates from the reference's
  // content; 1 = the reference's whole colour distribution (palette and tone) carried onto the
  // sources; in between, the two LUTs blended in OKLab. Above 0 it needs sources, and the
  // result is a LUT (MatchResult::look stays empty).
  float transfer = 0.f;
  int lut_size = 33;     // 2..129
  // Images are analysed at most this size on their long side (area-averaged), which keeps
  // every method fast and resolution independent.
  int analysis_size = 256;
};

struct MatchResult {
  Lut3D lut;
  std::string method;
  std::optional<Look> look;      // set by `auto`: the fitted Look (what --explain prints)
  // 0..1: for `auto`, how much of the reference's deviation was trusted; for `learned`, how far
  // the ensemble's networks agree (lutgen_match.cpp)
  float confidence = 1.f;
  float transfer = 0.f;          // the MatchOptions::transfer the LUT was made with
  std::vector<std::string> notes;  // human-readable remarks (e.g. "reference is monochrome")
};

// Names accepted by MatchOptions::method, default first.
const std::vector<std::string>& match_method_names();

// `reference_name` names the reference in error messages. Throws Error(BadInput) for an
// empty or non-finite reference, Error(Usage) for an unknown method, a classic method or a
// transfer above 0 without sources, or a transfer with a method other than `auto`.
MatchResult match_reference(const ImageF& reference, std::span<const ImageF> sources,
                            const MatchOptions& options, const std::string& reference_name = "reference");

}  // namespace autograde
