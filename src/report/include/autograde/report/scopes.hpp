#pragma once
// Video scopes of a picture (issue 22), as a colourist reads them: luma waveform, RGB parade,
// vectorscope and histogram. Input: display-referred Rec.709 R'G'B' code values 0..1 (what
// the media layer decodes; values outside 0..1 are clamped, NaN is skipped). Output: an RGB
// picture, display code values 0..1, graticule drawn.
//
// Every scope accumulates counts on its grid first (the *_counts functions, exposed so they
// can be checked against the formulas), then shows them through a log curve,
// log(1 + n) / log(1 + n_full), so that a handful of pixels still leave a visible trace beside
// a bright cluster (a linear display would lose them).
//
// Geometry (the tests hold the scopes to it):
// - Waveform, parade and histogram levels: code value v is drawn at row scope_row(v, height),
//   1.0 at the top, 0.0 at the bottom, a margin of about 4 % of the height above and below so
//   traces at the limits sit on visible graticule lines. Picture column x lands in scope column
//   x * width / picture width.
// - Vectorscope: Cb rightwards, Cr upwards, the usual orientation (red at about 103°
//   counter-clockwise from +Cb, between 11 and 12 o'clock); the centre at (size/2, size/2) in
//   continuous pixel coordinates, a chroma of 0.5 at 0.4 x size from it (so every colour inside
//   0..1, at most 0.596 for green and magenta, fits).
#include <array>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde {

// ITU-R BT.709-6 part 2 item 3.2: E'Y = 0.2126 E'R + 0.7152 E'G + 0.0722 E'B.
float bt709_luma(Rgb code_value);
// ITU-R BT.709-6 part 2 item 3.3: E'CB = (E'B − E'Y) / 1.8556, E'CR = (E'R − E'Y) / 1.5748
// (each −0.5..0.5 for code values 0..1).
struct CbCr {
  float cb = 0.f, cr = 0.f;
};
CbCr bt709_cbcr(Rgb code_value);

// Row (continuous, pixel centres at integers) where a level-style scope of `height` rows draws
// code value v (clamped to 0..1).
float scope_row(float code_value, int height);
// Continuous pixel position (x, y: pixel centres at k + 0.5) of a Cb/Cr pair in a vectorscope of
// `size` x `size` pixels.
std::array<float, 2> vectorscope_point(CbCr c, int size);

// The skin-tone line's angle, degrees counter-clockwise from +Cb. It is the NTSC "I" axis:
// I and Q are U and V (B'−Y', R'−Y') rotated by 33° (FCC 1953 colour standard; SMPTE 170M-2004
// keeps the same I/Q equations), which puts +I at 90° + 33° = 123°. Digital Cb/Cr scopes draw
// their skin-tone (flesh) line at this angle too; skin of any complexion falls near it.
constexpr float kSkinToneLineDegrees = 123.f;

// The colour bars the vectorscope's targets mark: 75 % bars (SMPTE RP 219's HD bars are 75 %
// amplitude): each primary and secondary at code value 0.75.
struct BarTarget {
  const char* label;  // "R", "Mg", "B", "Cy", "G", "Yl"
  Rgb code_value;     // 0 or 0.75 per channel
};
std::array<BarTarget, 6> bar_targets_75();

// Counts accumulated on a scope's grid, row-major, before display.
struct ScopeCounts {
  int width = 0, height = 0;
  std::vector<float> counts;
  float at(int x, int y) const { return counts[size_t(y) * size_t(width) + size_t(x)]; }
};

// channel 0, 1, 2: R', G', B'; -1: luma Y' (BT.709).
ScopeCounts waveform_counts(const ImageF& image, int channel, int width, int height);
ScopeCounts vectorscope_counts(const ImageF& image, int size);
// `bins` bins over 0..1 (bin = min(bins − 1, floor(v · bins))); height 1.
ScopeCounts histogram_counts(const ImageF& image, int channel, int bins);

// The scopes as pictures (black background, graticule with labels, trace).
ImageF luma_waveform(const ImageF& image, int width = 320, int height = 160);
ImageF rgb_parade(const ImageF& image, int panel_width = 160, int height = 160);
// Targets: 75 % bar boxes with labels, dots at 100 %; the skin-tone line; rings.
ImageF vectorscope(const ImageF& image, int size = 160);
// R, G, B filled (added, so overlaps read white) and luma as a line; heights on a square-root
// scale relative to the tallest bin of the four after ignoring the 1 % tallest, so a spike of
// clipped pixels does not flatten everything else.
ImageF histogram(const ImageF& image, int width = 256, int height = 128);

}  // namespace autograde
