#include "autograde/report/report_pdf.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <string>
#include <vector>

#include "autograde/core/error.hpp"
#include "autograde/core/image_ops.hpp"
#include "autograde/report/encode_image.hpp"
#include "autograde/report/lut_image.hpp"
#include "autograde/report/report_content.hpp"
#include "autograde/report/scopes.hpp"
#include "cairo_image.hpp"

namespace autograde {

namespace {

using namespace report_detail;

// A4 landscape in PostScript points (ISO 216: 297 x 210 mm).
constexpr double kPageW = 841.89, kPageH = 595.28, kMargin = 28;
// Pictures are embedded at this many pixels per point (about 144 dpi): sharp on screen and on
// an office printer without making the file large.
constexpr double kPxPerPt = 2.0;
// Width of the frames read for the stills and the scopes.
constexpr int kStillWidth = 640;

constexpr double kInk[3] = {0.13, 0.13, 0.13};
constexpr double kQuiet[3] = {0.38, 0.38, 0.38};

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void ink(cairo_t* cr, const double* c) { cairo_set_source_rgb(cr, c[0], c[1], c[2]); }

// One line of text with its baseline at y.
void text(cairo_t* cr, double x, double y, const std::string& s, double size, bool bold = false,
          const double* colour = kInk) {
  set_font(cr, size, bold);
  ink(cr, colour);
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, s.c_str());
}

// Wrapped text from baseline y; at most up to `bottom` (the rest replaced by "…"). Returns the
// baseline after the last line.
double paragraph(cairo_t* cr, double x, double y, double width, const std::string& s, double size,
                 bool bold = false, const double* colour = kInk, double bottom = kPageH - kMargin) {
  set_font(cr, size, bold);
  const double line = size * 1.3;
  const std::vector<std::string> lines = wrap_text(cr, s, width);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (y + line > bottom && i + 1 < lines.size()) {
      text(cr, x, y, lines[i] + " …", size, bold, colour);
      return y + line;
    }
    text(cr, x, y, lines[i], size, bold, colour);
    y += line;
  }
  return y;
}

// Pictures of the footage go into the PDF as JPEG (cairo embeds a surface's JPEG data as is),
// a tenth of the size of the lossless pixels; the bytes must outlive the PDF surface.
using JpegStore = std::deque<std::string>;

// `image` fitted into the box (x, y, w, h), keeping its aspect, top-left aligned; returns the
// height used. With `jpeg_store`, embedded as JPEG (kept there), else losslessly (scopes: hard
// edges and black).
double picture(cairo_t* cr, const ImageF& image, double x, double y, double w, double h,
               JpegStore* jpeg_store = nullptr) {
  const double s = std::min(w / image.width, h / image.height);
  const Surface surface = image_surface(image);
  if (jpeg_store) {
    const std::string& jpeg = jpeg_store->emplace_back(encode_jpeg(image));
    cairo_surface_set_mime_data(surface.get(), CAIRO_MIME_TYPE_JPEG,
                                reinterpret_cast<const unsigned char*>(jpeg.data()), jpeg.size(),
                                nullptr, nullptr);
  }
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_scale(cr, s, s);
  cairo_set_source_surface(cr, surface.get(), 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
  cairo_rectangle(cr, 0, 0, image.width, image.height);
  cairo_fill(cr);
  cairo_restore(cr);
  return image.height * s;
}

double photo(cairo_t* cr, JpegStore& store, const ImageF& image, double x, double y, double w,
             double h) {
  return picture(cr, image, x, y, w, h, &store);
}

void placeholder(cairo_t* cr, double x, double y, double w, double h, const std::string& why) {
  cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
  cairo_rectangle(cr, x, y, w, h);
  cairo_fill(cr);
  text(cr, x + 8, y + h / 2, why, 9, false, kQuiet);
}

void footer(cairo_t* cr, int page, int pages, const std::string& left) {
  text(cr, kMargin, kPageH - 14, left, 7, false, kQuiet);
  const std::string right = fmt::format("page {} of {}", page, pages);
  set_font(cr, 7);
  cairo_text_extents_t e;
  cairo_text_extents(cr, right.c_str(), &e);
  text(cr, kPageW - kMargin - e.x_advance, kPageH - 14, right, 7, false, kQuiet);
}

void cover(cairo_t* cr, JpegStore& store, const GradeReportInputs& in,
           const std::vector<ShotStill>& stills) {
  const GradePlan& plan = *in.plan;
  text(cr, kMargin, kMargin + 20, "autograde report", 22, true);
  double y = kMargin + 48;
  const double name_w = 96, value_x = kMargin + name_w, value_w = 430;
  for (const ReportField& f : report_settings(in)) {
    text(cr, kMargin, y, f.name, 9, true, kQuiet);
    y = paragraph(cr, value_x, y, value_w, f.value, 9, false, kInk, kPageH - 200) + 3;
  }
  // The reference still, at most 270 x 200 pt, at the right.
  const double ref_x = value_x + value_w + 24, ref_w = kPageW - kMargin - ref_x;
  text(cr, ref_x, kMargin + 48, "reference", 9, true, kQuiet);
  if (in.reference && !in.reference->empty())
    photo(cr, store, area_average(*in.reference, {.max_side = int(ref_w * kPxPerPt)}), ref_x,
          kMargin + 56, ref_w, 200);
  else
    placeholder(cr, ref_x, kMargin + 56, ref_w, 60,
                plan.prompt.empty() ? "no reference still" : "no reference still: the prompt");
  // The shots at a glance, before | after thumbnails; a page each follows.
  y = std::max(y + 10, kMargin + 280);
  text(cr, kMargin, y, "shots", 12, true);
  text(cr, kMargin + 84, y, "before", 7.5, true, kQuiet);
  text(cr, kMargin + 84 + 68, y, "after", 7.5, true, kQuiet);
  y += 5;
  const double bottom = kPageH - kMargin - 12, thumb_w = 64, thumb_h = 36, row = thumb_h + 4;
  for (size_t i = 0; i < plan.shots.size(); ++i) {
    if (y + row > bottom) {
      text(cr, kMargin, y + 10, fmt::format("… and {} more (one page each)", plan.shots.size() - i),
           8.5, false, kQuiet);
      y += 14;
      break;
    }
    const ShotPlan& s = plan.shots[i];
    text(cr, kMargin, y + 14, fmt::format("shot {}", i), 8.5, true);
    text(cr, kMargin, y + 26, fmt::format("frames {}–{}", s.first_frame, s.last_frame), 7.5, false,
         kQuiet);
    const double tx = kMargin + 84;
    if (i < stills.size() && !stills[i].before.empty()) {
      // Thumbnails from the stills (already read), reduced so the cover stays small.
      const AreaAverage thumb{.max_side = int(thumb_w * kPxPerPt)};
      photo(cr, store, area_average(stills[i].before, thumb), tx, y, thumb_w, thumb_h);
      photo(cr, store, area_average(stills[i].after, thumb), tx + thumb_w + 4, y, thumb_w, thumb_h);
    }
    paragraph(cr, tx + 2 * thumb_w + 16, y + 14, kPageW - kMargin - (tx + 2 * thumb_w + 16),
              look_words(s).summary, 8.5);
    y += row;
  }
  if (plan.continuity) {
    std::string c = "continuity: spread of the shots' mean a*b* within each scene (ΔE*ab):";
    int k = 0;
    for (const ContinuityScene& sc : plan.continuity->scenes)
      c += fmt::format("  scene {}: {:.2f} → {:.2f} (input {:.2f})", k++, sc.ab_spread_before,
                       sc.ab_spread_after, sc.ab_spread_input);
    paragraph(cr, kMargin, std::min(y + 12, bottom), kPageW - 2 * kMargin, c, 8, false, kQuiet,
              bottom + 12);
  }
}

void shot_page(cairo_t* cr, JpegStore& store, const GradeReportInputs& in, size_t i,
               const ShotStill& still) {
  const ShotPlan& s = in.plan->shots[i];
  text(cr, kMargin, kMargin + 8, fmt::format("Shot {}", i), 16, true);
  paragraph(cr, kMargin + 70, kMargin + 7, kPageW - 2 * kMargin - 70, shot_heading(s), 9, false,
            kQuiet);
  // Two columns, before and after, of a still, its waveform and its vectorscope.
  const double col_w = 262, gap = 14, top = kMargin + 34;
  const double xs[2] = {kMargin, kMargin + col_w + gap};
  const char* side[2] = {"before", "after"};
  // Frames taller than 16:9 are fitted into a 16:9 box, so the scopes below keep their place.
  const double still_h =
      still.before.empty()
          ? col_w * 9 / 16
          : std::min(col_w * 9 / 16, col_w * still.before.height / std::max(1, still.before.width));
  const double wave_h = 112, scope = 176;
  const double y_wave = top + 12 + still_h + 18, y_scope = y_wave + wave_h + 18;
  for (int k = 0; k < 2; ++k) {
    const double x = xs[k];
    const ImageF& im = k == 0 ? still.before : still.after;
    text(cr, x, top + 8,
         k == 0 ? fmt::format("before: the input file, frame {}", still.frame)
                : "after: the graded clip, same frame",
         8, true, kQuiet);
    if (im.empty()) {
      placeholder(cr, x, top + 12, col_w, still_h, "frame not readable");
      continue;
    }
    photo(cr, store, im, x, top + 12, col_w, still_h);
    text(cr, x, y_wave - 4, fmt::format("luma waveform (BT.709 Y′, % of code range), {}", side[k]),
         8, true, kQuiet);
    picture(cr, luma_waveform(im, int(col_w * kPxPerPt), int(wave_h * kPxPerPt)), x, y_wave, col_w,
            wave_h);
    text(cr, x, y_scope - 4, fmt::format("vectorscope (Cb/Cr BT.709), {}", side[k]), 8, true,
         kQuiet);
    picture(cr, vectorscope(im, int(scope * kPxPerPt)), x + (col_w - scope) / 2, y_scope, scope,
            scope);
  }
  text(cr, xs[0], y_scope + scope + 11,
       "vectorscope: boxes at the 75 % colour bars, dots at 100 %, the line at 123° is the "
       "skin-tone (I) line",
       7, false, kQuiet);

  // The right panel: the Look in words, the temporal measures, the LUT as a picture.
  const double px = xs[1] + col_w + 22, pw = kPageW - kMargin - px;
  const double lut_h = 3 * (pw - 8) / 5 + 44;  // three strips of five square tiles + labels
  const double lut_top = kPageH - kMargin - lut_h;
  double y = top + 8;
  text(cr, px, y, "Look", 11, true);
  y += 15;
  const LookWords w = look_words(s);
  y = paragraph(cr, px, y, pw, w.summary, 9, true, kInk, lut_top);
  if (!w.confidence.empty()) y = paragraph(cr, px, y, pw, w.confidence, 8, false, kQuiet, lut_top);
  y += 3;
  for (const std::string& p : w.parameters)
    y = paragraph(cr, px + 6, y, pw - 6, p, 7.5, false, kInk, lut_top);
  for (const std::string& n : w.notes)
    y = paragraph(cr, px, y + 2, pw, "note: " + n, 7.5, false, kQuiet, lut_top);
  if (s.metrics) {
    y += 8;
    text(cr, px, y, "Temporal measures", 11, true);
    y += 13;
    const double in_x = px + pw - 116, out_x = px + pw - 56;
    text(cr, in_x, y, "input", 7.5, true, kQuiet);
    text(cr, out_x, y, "output", 7.5, true, kQuiet);
    y += 10;
    for (const MeasureRow& r : temporal_rows(*s.metrics)) {
      text(cr, in_x, y, r.input.empty() ? "–" : r.input, 7.5);
      text(cr, out_x, y, r.output, 7.5);
      y = paragraph(cr, px, y, in_x - px - 6, r.measure, 7.5, false, kInk, lut_top) + 2;
    }
  }
  // Regions: the masks over the ungraded still and the skin measures, where they fit above the
  // LUT.
  const RegionView rv = region_view(in, i, still);
  if (!rv.overlay.empty()) {
    const double ow = pw * 0.6;
    const double oh = ow * rv.overlay.height / std::max(1, rv.overlay.width);
    if (y + 30 + oh + 12.0 * double(rv.rows.size()) < lut_top) {
      y += 8;
      text(cr, px, y, "Regions", 11, true);
      y += 6;
      y += photo(cr, store, rv.overlay, px, y, ow, oh) + 10;
      text(cr, px, y - 2, "skin cyan, sky magenta, foliage yellow; faces boxed", 6.5, false, kQuiet);
      y += 8;
      const double in_x = px + pw - 116, out_x = px + pw - 56;
      text(cr, in_x, y, "without", 7.5, true, kQuiet);
      text(cr, out_x, y, "as graded", 7.5, true, kQuiet);
      y += 10;
      for (const MeasureRow& r : rv.rows) {
        text(cr, in_x, y, r.input.empty() ? "–" : r.input, 7.5);
        text(cr, out_x, y, r.output, 7.5);
        y = paragraph(cr, px, y, in_x - px - 6, r.measure, 7.5, false, kInk, lut_top) + 2;
      }
    }
  }
  // The shot's LUT: the input cube, the same cube through the LUT, and what the grade changes.
  if (in.luts && i < in.luts->size() && (*in.luts)[i].size >= 2) {
    const int tile = int((pw - 8) / 5 * kPxPerPt);
    double ly = lut_top + 8;
    text(cr, px, ly, "LUT " + s.lut_file, 9, true);
    ly += 4;
    auto strip = [&](const ImageF& im, const std::string& caption) {
      ly += photo(cr, store, im, px, ly, pw, pw) + 9;
      text(cr, px, ly - 1.5, caption, 6.5, false, kQuiet);
      ly += 3;
    };
    strip(lut_slices(Lut3D::identity(2), 5, tile),
          "in: blue 0 → 1 across, red → in each tile, green ↑");
    strip(lut_slices((*in.luts)[i], 5, tile, in.plan->interp),
          "out: the same inputs through the shot's LUT");
    strip(lut_change_slices(display_grade(s), 4.f, 5, tile),
          "the grade's change, display values: grey + 4 × (out − in)");
  }
}

}  // namespace

std::string render_report_pdf(const GradeReportInputs& in) {
  if (!in.plan) throw_internal("render_report_pdf: no plan");
  const GradePlan& plan = *in.plan;
  const std::vector<ShotStill> stills = report_stills(in, kStillWidth);
  std::string bytes;
  JpegStore jpegs;  // before the surface: cairo reads them until it is finished
  Surface surface(cairo_pdf_surface_create_for_stream(append, &bytes, kPageW, kPageH));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
    throw_internal(std::string("cairo: cannot make a PDF: ") +
                   cairo_status_to_string(cairo_surface_status(surface.get())));
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, "autograde report");
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "autograde");
  {
    const Context cr = context(surface.get());
    const int pages = 1 + int(plan.shots.size());
    const std::string name = "autograde report: " + in.output_name;
    cover(cr.get(), jpegs, in, stills);
    footer(cr.get(), 1, pages, name);
    cairo_show_page(cr.get());
    for (size_t i = 0; i < plan.shots.size(); ++i) {
      shot_page(cr.get(), jpegs, in, i, stills[i]);
      footer(cr.get(), int(i) + 2, pages, name);
      cairo_show_page(cr.get());
    }
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
      throw_internal(std::string("cairo: drawing the PDF report failed: ") +
                     cairo_status_to_string(cairo_status(cr.get())));
  }
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
    throw_internal(std::string("cairo: writing the PDF report failed: ") +
                   cairo_status_to_string(cairo_surface_status(surface.get())));
  return bytes;
}

}  // namespace autograde
