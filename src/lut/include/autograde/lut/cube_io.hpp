#pragma once
// Adobe Cube LUT Specification 1.0 (2013) plus Resolve's extensions (LUT_1D_INPUT_RANGE,
// LUT_3D_INPUT_RANGE, a 1D shaper followed by a 3D table in one file).
#include <string>
#include <string_view>

#include "autograde/lut/lut.hpp"

namespace autograde {

// Parses .cube text; `source_name` is used in error messages ("file:line: what").
LutFile parse_cube(std::string_view text, const std::string& source_name);
LutFile read_cube(const std::string& path);

// Writes a plain .cube every common consumer loads (Resolve, Premiere, OCIO, ffmpeg):
// optional TITLE, DOMAIN lines only when not 0..1, no 1D shaper unless the LutFile has one,
// 9 significant digits. Written to a temp file and renamed.
std::string format_cube(const LutFile& lut);
void write_cube(const LutFile& lut, const std::string& path);
void write_cube(const Lut3D& lut, const std::string& path, const std::string& title = "");

}  // namespace autograde
