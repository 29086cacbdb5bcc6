#include "autograde/report/contact_sheet.hpp"

#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "autograde/core/error.hpp"
#include "autograde/look/look.hpp"
#include "cairo_image.hpp"

namespace autograde {

namespace {

using namespace report_detail;

constexpr int kGap = 8, kLine = 17;
constexpr double kFontSize = 13;

}  // namespace

ImageF contact_sheet(const std::vector<ContactSheetRow>& rows) {
  if (rows.empty()) throw_internal("contact_sheet: no rows");
  int frame_width = 0;
  for (const ContactSheetRow& r : rows) {
    if (r.before.width != r.after.width || r.before.height != r.after.height ||
        (!r.before.empty() && (r.before.channels < 3 || r.after.channels < 3)))
      throw_internal("contact_sheet: before and after must be RGB pictures of one size");
    frame_width = std::max(frame_width, r.before.width);
  }
  const int width = 3 * kGap + 2 * frame_width;
  // Captions are wrapped first (on a scratch surface) so the sheet's height is known.
  const Surface scratch = rgb_surface(1, 1);
  const Context measure = context(scratch.get());
  set_font(measure.get(), kFontSize);
  std::vector<std::vector<std::string>> captions;
  int height = kGap;
  for (const ContactSheetRow& r : rows) {
    captions.push_back(wrap_text(measure.get(), r.caption, width - 2.0 * kGap));
    height += int(captions.back().size()) * kLine + 6 + r.before.height + kGap;
  }
  const Surface surface = rgb_surface(width, height);
  const Context cr = context(surface.get());
  cairo_set_source_rgb(cr.get(), 0.12, 0.12, 0.12);  // a dark neutral surround, as in a suite
  cairo_paint(cr.get());
  set_font(cr.get(), kFontSize);
  int y = kGap;
  for (size_t i = 0; i < rows.size(); ++i) {
    cairo_set_source_rgb(cr.get(), 0.85, 0.85, 0.85);
    for (const std::string& line : captions[i]) {
      y += kLine;
      cairo_move_to(cr.get(), kGap, y - 4);
      cairo_show_text(cr.get(), line.c_str());
    }
    y += 6;
    cairo_surface_flush(surface.get());
    if (!rows[i].before.empty()) {  // a shot without a sample frame keeps its caption only
      paint_image(surface.get(), rows[i].before, kGap, y);
      paint_image(surface.get(), rows[i].after, 2 * kGap + frame_width, y);
    }
    y += rows[i].before.height + kGap;
  }
  return image_from_surface(surface.get());
}

ImageF grade_contact_sheet(const GradePreviewInputs& in) {
  std::vector<ContactSheetRow> rows;
  for (size_t i = 0; i < in.plan->shots.size(); ++i) {
    const ShotPlan& s = in.plan->shots[i];
    rows.push_back(
        {in.before[i], in.after[i],
         fmt::format("shot {}   frames {}-{}   before | after\n{}", i, s.first_frame, s.last_frame,
                     s.excluded ? std::string("excluded: no grade")
                                : look_summary(s.look) + (s.locked ? " (locked)" : ""))});
  }
  return contact_sheet(rows);
}

}  // namespace autograde
