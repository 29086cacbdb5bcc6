#pragma once
// One writer for every LUT file format we produce, chosen by the output path's extension
// (issue 24: `-o look.3dl` must give a .3dl, not .cube text under that name). The table of
// formats is the single source for help texts and error messages, and check_lut_output_path
// lets a command refuse a bad `-o` before it spends minutes analysing a clip.
#include <string>
#include <vector>

#include "autograde/lut/lut.hpp"

namespace autograde {

struct LutFormat {
  std::string extension;    // lower case, with the dot: ".cube"
  std::string description;  // one line for help texts: who reads it, what precision it holds
};

// Every extension write_lut accepts, .cube first (the format DESIGN.md promises).
const std::vector<LutFormat>& lut_output_formats();

// "  .cube  Adobe/Resolve cube ...\n" lines for a command's --help.
std::string lut_output_formats_help();

// Error(Usage) naming `path` and listing the supported extensions when its extension (compared
// case-insensitively) is not one write_lut can write. Touches no file.
void check_lut_output_path(const std::string& path);

// Writes `lut` (whatever encoding it was built for; the files say nothing about it) in the
// format `path`'s extension names. The file is staged beside `path` and renamed when complete,
// so an error leaves nothing behind. `title` goes where the format has a place for it (.cube
// TITLE, CLF/CTF Description) and is dropped elsewhere.
//
// Limits of the formats: .3dl and the Hald images store 0..1 integers, so values outside are
// clamped. Error(Usage) when a LUT needs more than its format holds: a domain other than 0..1
// (only .cube, .clf and .ctf keep one), or a .3dl smaller than 4³ (readers fail on it).
void write_lut(const Lut3D& lut, const std::string& path, const std::string& title = "");

}  // namespace autograde
