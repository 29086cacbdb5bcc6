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

namespace autograde {

namespace {

constexpr int kGap = 8, kLine = 17;
constexpr double kFontSize = 13;

// A cairo RGB24 surface (0x00RRGGBB per pixel) from display code values 0..1.
void paint_image(cairo_surface_t* surface, const ImageF& image, int x0, int y0) {
  cairo_surface_flush(surface);
  unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  for (int y = 0; y < image.height; ++y) {
    auto* row = reinterpret_cast<uint32_t*>(data + size_t(y0 + y) * size_t(stride)) + x0;
    for (int x = 0; x < image.width; ++x) {
      const float* p = image.pixels.data() + (size_t(y) * image.width + x) * image.channels;
      auto byte = [](float v) { return uint32_t(std::lround(std::clamp(v, 0.f, 1.f) * 255.f)); };
      row[x] = (byte(p[0]) << 16) | (byte(p[1]) << 8) | byte(p[2]);
    }
  }
  cairo_surface_mark_dirty(surface);
}

// The caption's lines as drawn: its own lines, each wrapped at spaces to `width` pixels.
std::vector<std::string> wrap(cairo_t* cr, const std::string& text, double width) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    std::string line;
    size_t word = start;
    while (word < end) {
      const size_t next = std::min(text.find(' ', word), end);
      const std::string candidate =
          line + (line.empty() ? "" : " ") + text.substr(word, next - word);
      cairo_text_extents_t ext;
      cairo_text_extents(cr, candidate.c_str(), &ext);
      if (!line.empty() && ext.x_advance > width) {
        lines.push_back(line);
        line = text.substr(word, next - word);
      } else {
        line = candidate;
      }
      word = next + 1;
    }
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

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
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> scratch(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1), cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> measure(cairo_create(scratch.get()),
                                                             cairo_destroy);
  auto set_font = [](cairo_t* c) {
    cairo_select_font_face(c, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(c, kFontSize);
  };
  set_font(measure.get());
  std::vector<std::vector<std::string>> captions;
  int height = kGap;
  for (const ContactSheetRow& r : rows) {
    captions.push_back(wrap(measure.get(), r.caption, width - 2.0 * kGap));
    height += int(captions.back().size()) * kLine + 6 + r.before.height + kGap;
  }
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height), cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), cairo_destroy);
  cairo_set_source_rgb(cr.get(), 0.12, 0.12, 0.12);  // a dark neutral surround, as in a suite
  cairo_paint(cr.get());
  set_font(cr.get());
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
  cairo_surface_flush(surface.get());
  ImageF out(width, height, 3);
  const unsigned char* data = cairo_image_surface_get_data(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  for (int yy = 0; yy < height; ++yy)
    for (int x = 0; x < width; ++x) {
      const uint32_t v = reinterpret_cast<const uint32_t*>(data + size_t(yy) * size_t(stride))[x];
      float* p = out.pixels.data() + (size_t(yy) * width + x) * 3;
      p[0] = float((v >> 16) & 0xff) / 255.f;
      p[1] = float((v >> 8) & 0xff) / 255.f;
      p[2] = float(v & 0xff) / 255.f;
    }
  return out;
}

ImageF grade_contact_sheet(const GradePreviewInputs& in) {
  std::vector<ContactSheetRow> rows;
  for (size_t i = 0; i < in.plan->shots.size(); ++i) {
    const ShotPlan& s = in.plan->shots[i];
    rows.push_back({in.before[i], in.after[i],
                    fmt::format("shot {}   frames {}-{}   before | after\n{}", i, s.first_frame,
                                s.last_frame,
                                s.excluded ? std::string("excluded: no grade")
                                           : look_summary(s.look) + (s.locked ? " (locked)" : ""))});
  }
  return contact_sheet(rows);
}

}  // namespace autograde
