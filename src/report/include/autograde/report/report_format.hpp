#pragma once
// Which report a path asks for (issue 22: `grade --report out.pdf` writes PDF, `.html` HTML).
#include <string>

#include "autograde/pipeline/grade.hpp"

namespace autograde {

// By the path's extension, case-insensitive: ".pdf" → render_report_pdf, ".html" or ".htm" →
// render_report_html. Error(Usage) naming the path for anything else.
ReportRenderer report_renderer_for(const std::string& path);

}  // namespace autograde
