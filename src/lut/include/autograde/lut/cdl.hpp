#pragma once
// ASC Color Decision List (ASC CDL v1.2, American Society of Cinematographers Technology
// Committee, 2009): the ten numbers a colourist hands to a finishing tool (Resolve,
// Baselight, Avid) per shot, plus the .cdl/.ccc XML files and the CMX 3600 EDL comment
// lines that carry them. fit_cdl turns one of our LUTs into the closest CDL and a residual
// LUT for what a CDL cannot express, so a hand-off keeps the editable part editable.
//
// Encoding: a CDL works on whatever code values it is given; for our LUTs that is the LUT's
// input encoding (usually display Rec.709 code values 0..1). The saturation step's luma
// weights are Rec.709's, fixed by the spec whatever the material's primaries.
#include <array>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde {

struct Cdl {
  std::array<double, 3> slope{1, 1, 1};
  std::array<double, 3> offset{0, 0, 0};
  std::array<double, 3> power{1, 1, 1};
  double saturation = 1;
};

// Error(BadInput) naming `what` unless every number is finite and inside the spec's ranges:
// slope >= 0, power > 0, saturation >= 0 (offset is unbounded).
void validate(const Cdl& cdl, const std::string& what);

// ASC CDL v1.2 forward ("v1.2_Fwd", OpenColorIO's CDL_ASC style), computed in double:
//   per channel  out = clamp01(in * slope + offset) ^ power
//   then         luma = 0.2126 R + 0.7152 G + 0.0722 B;  out = clamp01(luma + sat (out - luma))
// v1.2 clamps both results to [0,1] (above 1 as well as below 0), so a CDL never produces
// values outside 0..1 and NaN becomes 0 (as in OCIO). OCIO's *default* CDLTransform style is
// CDL_NO_CLAMP, not this one: set CDL_ASC to compare.
Rgb apply_cdl(const Cdl& cdl, Rgb in);

struct CdlFit {
  Cdl cdl;
  // apply_cdl(cdl, x) against lut(x) over every lattice node x, in the LUT's output units
  // (normalised code values: ×255 for 8-bit steps): root mean square over nodes and channels,
  // and the largest single-channel difference.
  double rms_error = 0;
  double max_error = 0;
  // What the CDL cannot express, to be applied after it: residual(apply_cdl(cdl, x)) ≈ lut(x).
  // Its input is the CDL's output, so its domain is 0..1; same lattice size as `lut`. Entry
  // at node y: y + (lut − CDL)(x), x the CDL's preimage of y, the difference interpolated
  // tetrahedrally from the lattice (so a LUT that is exactly a CDL gets an identity residual).
  Lut3D residual;
  // |tetrahedral(residual, apply_cdl(cdl, x)) − lut(x)| over the lattice: how well the pair
  // reproduces the LUT. It stays small only where the CDL is invertible (see fit_cdl).
  double residual_max_error = 0;
  // Lattice nodes where a clamp of the CDL was active: there distinct inputs can share one
  // output, and the residual cannot tell them apart.
  int clamped_nodes = 0;
  int iterations = 0;  // Levenberg–Marquardt iterations taken
};

// Least-squares fit of the ten CDL numbers to `lut`, sampled at every lattice node with equal
// weight (Levenberg–Marquardt, analytic Jacobian, parameters projected onto slope 0..4,
// offset −1..1, power 0.1..4, saturation 0..4). Equal weights because the lattice is uniform
// in the LUT's input code values: with no footage at hand, every code value counts the same,
// and the numbers reported mean "over the cube". The residual absorbs the rest anyway.
//
// Limits of the residual: where the CDL is not invertible — a slope of 0 (that channel's
// input is lost), a saturation of 0 (chroma lost), or inputs the clamps fold together
// (in * slope + offset outside 0..1, or saturation pushing a channel past 0 or 1) — one
// residual entry has to serve several inputs, and the pair reproduces the LUT only for one
// of them. Residual nodes just outside the CDL's image continue the inverse and the
// difference linearly (within one domain width) rather than clamp them, so a smooth LUT stays
// smooth across the image's edge. The residual's lattice is not the LUT's lattice seen
// through the CDL, so kinks and curvature in `lut` are resampled: measured on 33³ LUTs, a
// 30° hue rotation (affine) composes back within 3e-7, the same rotation clipped to 0..1
// within 0.011; a channel cross, whose best CDL clamps, not at all (1.09 at 17³):
// residual_max_error and clamped_nodes tell a caller when to hand off the LUT alone. A
// power above 1 stretches the inverse near black, so the residual is coarse there.
//
// `in_range` restricts the CDL so that no clamp acts inside the unit cube (offset 0..0.5,
// slope + offset <= 1, saturation <= 1): a worse fit of the LUT, but one the residual can
// always complete, for a hand-off where CDL + residual must reproduce the LUT. `residual_size`
// (0: the LUT's own) is the residual's lattice: the CDL warps the space the residual samples, so
// a finer residual reproduces a strongly curved LUT more closely.
CdlFit fit_cdl(const Lut3D& lut, bool in_range = false, int residual_size = 0);

// The LUT to apply after `cdl` so that the pair equals `grade` (input code values 0..1 → output),
// sampled from `grade` itself at the CDL's preimage of every node of a size³ lattice (no
// LUT-of-a-LUT resampling): exact at the nodes wherever the CDL is invertible; nodes outside the
// CDL's image of the unit cube take the grade at the nearest input (the preimage clamped to 0..1).
Lut3D cdl_residual(const Cdl& cdl, int size, const std::function<Rgb(Rgb)>& grade);

// One ColorDecisionList (.cdl) with one ColorDecision/ColorCorrection, namespace
// "urn:ASC:CDL:v1.01" as the spec's schema; `description` (omitted when empty) goes into the
// SOPNode, where OpenColorIO and Resolve read it. Numbers with 6 decimals and '.' whatever
// the locale; id and description are XML-escaped. Error(BadInput) for an invalid CDL.
std::string format_cdl_xml(const Cdl& cdl, const std::string& id, const std::string& description);

// One ColorCorrectionCollection (.ccc) with a ColorCorrection per (id, cdl), in order.
std::string format_ccc_xml(const std::vector<std::pair<std::string, Cdl>>& corrections);

// The two CMX 3600 comment lines of the spec's EDL section, each ending in '\n':
//   *ASC_SOP (s s s)(o o o)(p p p)
//   *ASC_SAT s
std::string edl_asc_lines(const Cdl& cdl);

}  // namespace autograde
