#pragma once
// How far a single picture can tell a defect's severity from the picture's own look: the
// "orbit" of the four defect families that are pure scalings and never clip.
//
// saturation_low scales every pixel's (x - Y) by 2^(-0.9 a), contrast_low scales (x - 0.5)
// by 2^(-0.6 a), exposure_dark / exposure_bright scale (-ln x) by 2^(+-0.8 a) (defects.hpp).
// A picture is then a coordinate t (log2 of the scaled quantity's mean or median) plus a
// remainder the defect leaves untouched (the quantity divided by that mean or median), and
// the defect moves t by exactly step * a. A clean picture with a naturally lower t looks
// exactly like a detuned one: whatever a classifier does, it can only weigh how usual each
// candidate t is among clean pictures, and how well the remainder predicts t. bench/
// correct_ceiling.cpp turns that into a ceiling on exact class + severity (issue 7).
#include <optional>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/learn/defects.hpp"

namespace autograde::learn {

// The shift of orbit_coordinate per unit amount (a = 1 is 100 %), log2 units; nullopt for a
// family that is not a clip-free scaling.
std::optional<double> orbit_step(Family f);

// t for a family with an orbit (throws std::invalid_argument for the others, or when the
// picture has no spread in the scaled quantity, e.g. a grey card for saturation).
double orbit_coordinate(const ImageF& image, Family f);

// Features of the remainder, which the defect leaves exactly unchanged: quantiles (10, 25,
// 75, 90 %) of the scaled quantity over its mean or median, and for saturation and contrast
// the share of chroma in six hue sectors (a scaling about grey or about 0.5 keeps each
// pixel's hue).
std::vector<double> orbit_invariants(const ImageF& image, Family f);

}  // namespace autograde::learn
