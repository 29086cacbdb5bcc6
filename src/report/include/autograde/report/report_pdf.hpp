#pragma once
// The grade report as a PDF (issue 22), drawn with cairo's PDF surface, A4 landscape, for the
// director's and colourist's desk: a cover with the inputs and settings (reference thumbnail,
// prompt, method, strength, transfer, encode settings, tool versions) and one page per shot:
// before/after still, luma waveform and vectorscope before and after, the Look in words, the
// shot's LUT as a picture and its temporal measures. The same content as the HTML report
// (report_html.hpp); both say it through report_content.hpp.
#include <string>

#include "autograde/pipeline/grade.hpp"

namespace autograde {

// The PDF file's bytes. Error(Internal) when cairo fails.
std::string render_report_pdf(const GradeReportInputs& inputs);

}  // namespace autograde
