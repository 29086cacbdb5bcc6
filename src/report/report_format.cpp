#include "autograde/report/report_format.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "autograde/core/error.hpp"
#include "autograde/report/report_html.hpp"
#include "autograde/report/report_pdf.hpp"

namespace autograde {

ReportRenderer report_renderer_for(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  if (ext == ".pdf") return [](const GradeReportInputs& in) { return render_report_pdf(in); };
  if (ext == ".html" || ext == ".htm")
    return [](const GradeReportInputs& in) { return render_report_html(in); };
  throw_usage("--report '" + path + "': the report is .pdf or .html (by its extension)");
}

}  // namespace autograde
