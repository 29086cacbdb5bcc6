#pragma once
// The ground-truth protocol for reference matching (issue 3; as used by Deep Preset / Neural
// Preset): for a creative LUT L and two different photos A and B, the reference is L(B) saved
// as an 8-bit still and the truth is L(A). Shared by bench_match, bench_lutgen and the learned
// generator's trainer so all three build cases and score them the same way.
//
// Encoding: images hold display-referred code values 0..1 (sRGB / Rec.709 R'G'B').
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde {

// Regular files under `dir` (recursive) whose lower-case extension is one of `extensions`
// (".png", ...), sorted by path; empty when `dir` is not a folder.
std::vector<std::filesystem::path> files_with_extensions(
    const std::filesystem::path& dir, const std::vector<std::string>& extensions);

// The protocol's reduction to <= max_side on the long side (never enlarges), three channels
// out: core's area_average with whole k x k blocks and float sums (what the published
// numbers were made with). An image whose short side is below k averages the pixels it has.
ImageF reduce_image(const ImageF& image, int max_side);

// Code values quantised to 8 bits, as a PNG/JPEG would store them.
void quantise_8bit(ImageF& image);

// `lut` applied (tetrahedral) to every pixel, clamped to 0..1.
ImageF apply_lut_clamped(const Lut3D& lut, const ImageF& image);

// A creative look from a LUT file: display-referred in and out — no 1D shaper, the unit
// domain, and no "log" in its path (camera-log input LUTs are conversions, not looks).
// nullopt when the file is not one; Error(BadInput) when it cannot be read.
std::optional<Lut3D> load_creative_lut(const std::filesystem::path& path);

struct MatchScore {
  double mean = 0;  // mean per-pixel CIEDE2000 (CIE 142-2001, sRGB -> Lab D65)
  double p90 = 0;   // its 90th percentile
  double psnr = 0;  // PSNR in dB on 8-bit code values
};
// `out` against `truth` (same size, 3 channels).
MatchScore score_against_truth(const ImageF& out, const ImageF& truth);

}  // namespace autograde
