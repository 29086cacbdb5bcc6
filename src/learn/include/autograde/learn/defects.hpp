#pragma once
// The defect families the classifier names and the generator synthesises: the research set of
// Kundert-Gibbs et al. (colour casts, black point, white point, contrast, saturation; 24 detune
// classes at 33/66/100 %) extended with exposure and saturation in both directions.
//
// Encoding: every defect is a per-pixel function of display-referred code values (sRGB /
// Rec.709 R'G'B' in 0..1, as stored in an 8-bit file) returning code values clamped to 0..1.
// Because they are per-pixel functions, a correction LUT can undo them (up to clipping).
//
// Magnitudes (a = severity/3, i.e. 1/3, 2/3, 1 for 33 %, 66 %, 100 %):
//   cast_*          linear-light channel gains 2^(a * 1.2 * d) (IEC 61966-2-1 decode), with the
//                   log2 direction d spread 1 stop and averaging 0: green (-1/3, 2/3, -1/3),
//                   magenta = -green, blue (-1/3, -1/3, 2/3), red (2/3, -1/3, -1/3),
//                   cyan = -red, orange/warm (1/2, 0, -1/2). 100 % = 1.2 stops between channels.
//   black_high      milky blacks: y = b + (1 - b) x, b = 0.15 a
//   black_low       crushed blacks: y = max(0, (x - b) / (1 - b)), b = 0.15 a
//   white_low       grey whites: y = x (1 - 0.3 a)
//   white_high      clipped whites: y = min(1, x / (1 - 0.3 a))
//   contrast_high   y = 0.5 + (x - 0.5) 2^(0.6 a), clipped (Resolve-style linear contrast, pivot 0.5)
//   contrast_low    y = 0.5 + (x - 0.5) 2^(-0.6 a)
//   saturation_*    y = Y + (x - Y) 2^(+-0.9 a), Y = Rec.709 luma of the code values, clipped
//   exposure_dark   mid-tone level with both ends kept: y = x^(2^(0.8 a))
//   exposure_bright y = x^(2^(-0.8 a))
// Several defects are applied in the fixed order black point → white point → exposure →
// contrast → saturation → cast (a camera-to-grade order: levels first, colour last), whatever
// their order in the vector.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde::learn {

enum class Family : int {
  CastGreen,
  CastMagenta,
  CastBlue,
  CastOrange,
  CastRed,
  CastCyan,
  BlackHigh,
  BlackLow,
  WhiteHigh,
  WhiteLow,
  ContrastHigh,
  ContrastLow,
  SaturationHigh,
  SaturationLow,
  ExposureDark,
  ExposureBright,
};
constexpr int kFamilyCount = 16;
constexpr int kSeverityCount = 3;  // 1 = 33 %, 2 = 66 %, 3 = 100 %

// Families that act on the same property; at most one of a group is applied at once
// (too green and too magenta together is not a defect, it is a smaller one).
enum class Group : int { Cast, BlackPoint, WhitePoint, Contrast, Saturation, Exposure };
constexpr int kGroupCount = 6;

struct Defect {
  Family family = Family::CastGreen;
  int severity = 1;  // 1..3
  // The amount actually applied, normally severity / 3; the training generator jitters it a
  // little around the nominal value so the classifier learns bands, not three exact points.
  float amount = 1.f / 3.f;
};

Group group_of(Family f);
const char* family_name(Family f);          // "cast_green", "black_high", ...
const char* family_description(Family f);   // "too green", "black point too high", ...
std::optional<Family> family_from_name(const std::string& name);
int severity_percent(int severity);  // 33, 66, 100
Defect make_defect(Family f, int severity);  // amount = severity / 3

// One pixel through the defects (order as documented above, regardless of vector order).
Rgb apply_defects(const std::vector<Defect>& defects, Rgb code_value);
// Whole image (first three channels; alpha untouched).
void apply_defects(const std::vector<Defect>& defects, ImageF& image);

// The continuous form of a set of defects (at most one per group): signed amounts in severity
// units (1 = the 100 % magnitude above), what the learned corrector regresses.
//   [0,3) cast: a * d, d the cast's log2 direction (so linear gains are 2^(1.2 * value));
//         zero mean over the three channels
//   3 black point (+ milky, - crushed)     4 white point (+ clipped/high, - grey/low)
//   5 exposure (+ dark, - bright)          6 contrast (+ high, - low)
//   7 saturation (+ high, - low)
constexpr int kAmountCount = 8;
using DefectAmounts = std::array<float, kAmountCount>;
DefectAmounts defect_amounts(const std::vector<Defect>& defects);
// The inverse of the defects that `amounts` describe (stages undone in reverse order: cast,
// saturation, contrast, exposure, white point, black point), for one pixel in code values
// (0..1, clamped). Exact where the forward defects did not clip, when the amounts are right.
Rgb invert_amounts(const DefectAmounts& amounts, Rgb code_value);

}  // namespace autograde::learn
