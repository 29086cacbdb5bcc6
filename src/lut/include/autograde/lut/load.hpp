#pragma once
// One entry point for every LUT a user may hand us: .cube through our own parser, Hald CLUT and
// lattice-strip images through OpenImageIO, and every other format OpenColorIO reads (.3dl,
// .csp, .spi1d, .spi3d, .clf, .ctf, ...) through OCIO.
#include <string>

#include "autograde/core/image.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde {

LutFile load_lut(const std::string& path);

// Decodes a LUT stored as an image (values 0..1). Accepts Hald CLUTs (square, side L^3, cube
// L^2) and tiled lattices: a row of N tiles of N×N (e.g. 256×16), a column of them, or k×k tiles
// (e.g. 512×512 holding 64³); inside a tile red runs along x and green along y, blue is the tile
// index. Where the size fits several layouts, the one whose table is smoothest wins when it is
// clearly smoother; otherwise Error(BadInput) says the layout is ambiguous.
Lut3D lut_from_image(const ImageF& image, const std::string& name);

// Hald CLUT image of the given level encoding `lut`'s lattice resampled to level^2 per axis.
ImageF hald_image(const Lut3D& lut);

// Samples an OCIO-readable LUT file on a lattice (or takes its 3D table as it is when the file
// is a single 3D LUT) — exposed for tests.
LutFile read_lut_with_ocio(const std::string& path);

}  // namespace autograde
