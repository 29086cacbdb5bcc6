#pragma once
// The grade report (DESIGN.md: "a report with before/after frames and scopes"): one
// self-contained HTML file (images embedded as base64 PNG data URIs, no external files):
// the settings, then per shot a before/after frame pair, luma waveform, RGB parade, vectorscope
// and histogram of before and after (scopes.hpp), the shot's Look on a colour chart and grey
// ramp, its LUT as a picture (lut_image.hpp), the Look in words and the temporal measures
// (report_content.hpp, shared with the PDF report); the continuity table when the grade used it.
#include <cstdint>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/lut/lut.hpp"
#include "autograde/pipeline/grade.hpp"
#include "autograde/report/encode_image.hpp"  // encode_png
#include "autograde/report/scopes.hpp"        // the scopes it shows (rgb_parade, vectorscope, ...)

namespace autograde {

// `frame_width`: width of the before/after frames shown per shot.
std::string render_report_html(const GradeReportInputs& inputs, int frame_width = 480);

// The colour chart the report shows a Look on: hue × lightness sweeps above a grey ramp,
// display code values.
ImageF look_chart(int width = 384, int height = 160);

}  // namespace autograde
