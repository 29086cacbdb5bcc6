#pragma once
// Camera log footage → Rec.709, through OpenColorIO 2.1's built-in camera transforms.
//
// Encodings:
//   camera code values: the camera's log signal as full-range normalised code values
//     (10-bit code / 1023), R'G'B' in the camera's own wide gamut;
//   scene-linear Rec.709: linear light with Rec.709/sRGB primaries and D65 white, scaled as
//     the manufacturers scale it (an 18% grey card → 0.18, 90% white → 0.90);
//   Rec.709 display code values: BT.1886 (gamma 2.4) R'G'B' in 0..1 for a Rec.709 monitor.
//
// Route: camera → ACES2065-1 (OCIO built-in "<CAMERA>_to_ACES2065-1"; ARRI LogC4 is built here
// from ARRI's specification because OCIO 2.1 has no LogC4 built-in) → CIE XYZ D65 (OCIO
// "UTILITY - ACES-AP0_to_CIE-XYZ-D65_BFD", Bradford) → linear Rec.709 (IEC 61966-2-1 matrix).
// The display rendering, all OCIO 2.1 built-ins applied in ACES2065-1: the ACES 1.3 Reference
// Gamut Compression ("ACES-LMT - ACES 1.3 Reference Gamut Compression", which the Academy
// recommends for camera sources: it pulls camera colours that lie outside AP1 back in
// smoothly and leaves neutrals and in-gamut colours alone), the ACES 1.x SDR video output
// transform ("ACES-OUTPUT - ACES2065-1_to_CIE-XYZ-D65 - SDR-VIDEO_1.0": filmic tone scale,
// 18% grey → about 10% of display white, highlight roll-off) and "DISPLAY - CIE-XYZ-D65_to_
// REC.1886-REC.709" (Rec.709 primaries, BT.1886 inverse EOTF, gamma 2.4).
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "autograde/color/color.hpp"

namespace autograde {

enum class CameraLog {
  Rec709,   // already Rec.709 video: BT.709 OETF code values, passed through
  SLog3,    // Sony S-Log3 / S-Gamut3.Cine
  LogC3,    // ARRI ALEXA LogC3 (EI 800) / ALEXA Wide Gamut 3
  LogC4,    // ARRI LogC4 / ARRI Wide Gamut 4
  VLog,     // Panasonic V-Log / V-Gamut
  CLog3,    // Canon Log 3 / Cinema Gamut (daylight)
  Log3G10,  // RED Log3G10 / REDWideGamutRGB
};

// Every supported space, in the order above.
std::span<const CameraLog> all_camera_logs();
// The CLI name: rec709 slog3 logc3 logc4 vlog clog3 log3g10.
std::string_view camera_log_name(CameraLog space);
// Parses a CLI name (case-insensitive; '-' and '_' ignored, so "S-Log3" and "log3g10" work).
// Unknown names → Error(Usage) listing the valid ones.
CameraLog parse_input_colorspace(std::string_view name);

// ARRI Wide Gamut 4 primaries and D65 white (ARRI LogC4 Specification, 2022, §4.2).
extern const Chromaticities kArriWideGamut4;
// ARRI LogC4 curve (ARRI LogC4 Specification, 2022, §4.1): LogC4 signal (normalised code
// value, may be < 0 for the mirrored toe) ↔ relative scene-linear exposure (0.18 = mid grey).
double logc4_to_linear(double code);
double linear_to_logc4(double linear);

// Camera code values (interleaved RGB, in place) → scene-linear Rec.709.
void camera_log_to_linear_rec709(CameraLog space, std::span<float> rgb);
Vec3 camera_log_to_linear_rec709(CameraLog space, Vec3 code);

// Camera code values (interleaved RGB, in place) → Rec.709 display code values (BT.1886),
// clamped to [0, 1]. Rec709 input is passed through unchanged.
void camera_log_to_rec709_display(CameraLog space, std::span<float> rgb);
Vec3 camera_log_to_rec709_display(CameraLog space, Vec3 code);

// The display conversion sampled on a size³ lattice over camera code values 0..1, as a .cube
// table (red varying fastest, size³·3 floats, Rec.709 display code values). Camera log code
// values are already an even, perceptual spacing of exposure, so no 1D shaper is needed: wrap
// it as LutFile{title, {}, Lut3D{size, {0,0,0}, {1,1,1}, table}}. (The wrapping itself lives
// with the callers: src/lut is a later layer than src/color and must not be included here.)
// size 2..256, else Error(Usage).
std::vector<float> bake_camera_log_to_rec709_display(CameraLog space, int size);

}  // namespace autograde
