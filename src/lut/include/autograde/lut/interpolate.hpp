#pragma once
// Scalar reference interpolation. The fast engine (src/engine) is tested against these.
// Input outside the LUT's domain is clamped to it.
#include "autograde/core/image.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde {

enum class Interp { Tetrahedral, Trilinear };

Interp parse_interp(const std::string& name);  // "tetrahedral" | "trilinear", else Error(Usage)
const char* interp_name(Interp interp);

Rgb sample_trilinear(const Lut3D& lut, Rgb in);
Rgb sample_tetrahedral(const Lut3D& lut, Rgb in);
Rgb sample(const Lut3D& lut, Rgb in, Interp interp);
Rgb sample(const Lut1D& lut, Rgb in);                   // per channel, linear
Rgb sample(const LutFile& lut, Rgb in, Interp interp);  // shaper then 3D table

// `lut` sampled at every node of a size^3 identity lattice (its domain stays 0..1).
Lut3D resample(const Lut3D& lut, int size, Interp interp);

// Applies to the first three channels of every pixel, in place; alpha untouched.
void apply_reference(const LutFile& lut, ImageF& image, Interp interp);
void apply_reference(const Lut3D& lut, ImageF& image, Interp interp);

}  // namespace autograde
