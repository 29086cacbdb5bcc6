#pragma once
// Colour science primitives. Every function says which encoding its numbers are in.
//   display code values: non-linear R'G'B' in 0..1 as stored in an 8/10-bit file
//   linear: scene- or display-linear RGB of the named primaries, 1.0 = diffuse white
//   XYZ: CIE 1931, Y = 1 for white; Lab: CIE 1976 L*a*b* with D65 white (L* 0..100)
#include <array>

#include "autograde/core/image.hpp"  // Rgb

namespace autograde {

using Vec3 = std::array<float, 3>;
using Mat3 = std::array<std::array<double, 3>, 3>;

// --- Transfer functions -------------------------------------------------------------------
// IEC 61966-2-1 sRGB piecewise curve.
float srgb_to_linear(float v);
float linear_to_srgb(float v);
// ITU-R BT.709-6 camera OETF (and its exact inverse).
float rec709_oetf(float linear);
float rec709_inverse_oetf(float v);
// ITU-R BT.1886 reference EOTF with black 0 and white 1: a pure 2.4 power.
float bt1886_eotf(float v);
float bt1886_inverse_eotf(float linear);
// ITU-R BT.2020-2 (Table 4) OETF: the BT.709 shape with alpha = 1.09929682680944 and
// beta = 0.018053968510807 (the 10/12-bit precise constants), and its exact inverse.
float rec2020_oetf(float linear);
float rec2020_inverse_oetf(float v);
// SMPTE RP 431-2 DCI-P3 reference projector: code value = linear^(1/2.6) (linear 0..1 of
// the 48 cd/m2 white). Display P3 (Apple, SMPTE EG 432-1 primaries) uses the sRGB curve above.
float dci_p3_eotf(float v);
float dci_p3_inverse_eotf(float linear);

// --- Gamuts -------------------------------------------------------------------------------
struct Chromaticities {
  double rx, ry, gx, gy, bx, by, wx, wy;
};
// ITU-R BT.709-6 / sRGB (IEC 61966-2-1), ITU-R BT.2020-2, SMPTE EG 432-1 Display P3 (D65),
// SMPTE RP 431-2 DCI-P3 (DCI white x 0.314 y 0.351), ACES AP0 (SMPTE ST 2065-1) and AP1
// (ACEScg, AMPAS S-2014-004), both with the ACES white x 0.32168 y 0.33767.
extern const Chromaticities kRec709;
extern const Chromaticities kRec2020;
extern const Chromaticities kDisplayP3;
extern const Chromaticities kDciP3;
extern const Chromaticities kAcesAP0;
extern const Chromaticities kAcesAP1;

// Normalised primary matrix (SMPTE RP 177-1993): linear RGB → XYZ with white Y = 1.
Mat3 rgb_to_xyz_matrix(const Chromaticities& c);
Mat3 inverse(const Mat3& m);
Mat3 multiply(const Mat3& a, const Mat3& b);
// m · v. (Not named `apply`: Vec3 is a std::array, so ADL would also find std::apply.)
Vec3 apply_matrix(const Mat3& m, Vec3 v);
// XYZ under white (src_x, src_y) → XYZ under white (dst_x, dst_y): Bradford (Lam 1985) von
// Kries adaptation, the CAT of ICC.1:2010 Annex E and of OpenColorIO's "_BFD" built-ins.
Mat3 bradford_adaptation(double src_x, double src_y, double dst_x, double dst_y);
// Linear RGB in `from` → linear RGB in `to`: through XYZ, with Bradford adaptation when the
// white points differ (none when they are the same).
Mat3 rgb_to_rgb_matrix(const Chromaticities& from, const Chromaticities& to);

// --- Perceptual spaces ---------------------------------------------------------------------
// CIE 15:2004 L*a*b* relative to D65 (x 0.3127, y 0.3290).
Vec3 xyz_to_lab(Vec3 xyz);
Vec3 lab_to_xyz(Vec3 lab);
// Display sRGB code values ↔ Lab (D65), the common path for "how does this pixel look".
Vec3 srgb_to_lab(Vec3 srgb);
Vec3 lab_to_srgb(Vec3 lab);
// Björn Ottosson's OKLab ("A perceptual color space for image processing", 2020) from linear
// sRGB/Rec.709 (his combined M1 * sRGB matrix), and back.
Vec3 linear_srgb_to_oklab(Vec3 rgb);
Vec3 oklab_to_linear_srgb(Vec3 lab);
// The same space from CIE XYZ (D65, Y = 1 for white) with his XYZ → LMS matrix M1.
Vec3 xyz_to_oklab(Vec3 xyz);
Vec3 oklab_to_xyz(Vec3 lab);
// OKLCh: L, chroma, hue in radians (atan2 range, -pi..pi).
Vec3 oklab_to_oklch(Vec3 lab);
Vec3 oklch_to_oklab(Vec3 lch);

// --- Colour difference ---------------------------------------------------------------------
// CIE 1976 ΔE*ab: Euclidean distance between two L*a*b* values.
float delta_e76(Vec3 lab1, Vec3 lab2);
// CIEDE2000 (CIE 142-2001) with kL = kC = kH = 1, as given by Sharma, Wu & Dalal (2005).
float ciede2000(Vec3 lab1, Vec3 lab2);

// Relative luminance Y of display code values read as sRGB (IEC 61966-2-1 decode, then the
// BT.709 primaries' Y row): what "tones invert" means for a display-referred LUT. Luma on code
// values (below) is not monotone in Y for saturated colours: a strongly tinted grade can raise
// Y while its code-value luma falls.
float display_luminance(Vec3 code_values);
// Rec.709 luma weights (ITU-R BT.709-6 item 3.2) on whatever encoding the input is in.
inline float rec709_luma(Vec3 v) { return 0.2126f * v[0] + 0.7152f * v[1] + 0.0722f * v[2]; }

}  // namespace autograde
