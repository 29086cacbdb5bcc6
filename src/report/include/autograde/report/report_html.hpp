#pragma once
// The grade report (DESIGN.md: "a report with before/after frames and scopes"): one
// self-contained HTML file (images embedded as base64 PNG data URIs, no external files):
// per shot a before/after frame pair, the shot's Look on a colour chart and grey ramp, RGB
// parade and vectorscope of before and after, the Look's parameters and the temporal metrics;
// the continuity table when the grade used it.
#include <cstdint>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/lut/lut.hpp"
#include "autograde/pipeline/grade.hpp"

namespace autograde {

// `frame_width`: width of the before/after frames shown per shot.
std::string render_report_html(const GradeReportInputs& inputs, int frame_width = 480);

// Scopes, display code values in → an RGB image (3 channels, 0..1).
ImageF rgb_parade(const ImageF& image, int panel_width = 160, int height = 128);
ImageF vectorscope(const ImageF& image, int size = 160);
// The colour chart the report shows a Look on: hue × lightness sweeps above a grey ramp,
// display code values.
ImageF look_chart(int width = 384, int height = 160);

// PNG bytes of an 8-bit rendering of `image` (through image_io, via a registered temp folder).
std::string encode_png(const ImageF& image);

}  // namespace autograde
