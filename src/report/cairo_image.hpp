#pragma once
// The report layer's bridge between ImageF (display code values 0..1) and cairo: owned cairo
// objects, pictures painted into RGB24 surfaces, and caption wrapping. Private to src/report
// (the contact sheet, the scopes' graticules and the PDF report draw through it).
#include <cairo.h>

#include <memory>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde::report_detail {

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using Context = std::unique_ptr<cairo_t, ContextDeleter>;

// An RGB24 image surface of this size; Error(Internal) when cairo cannot make it.
Surface rgb_surface(int width, int height);
// A drawing context on `surface`; Error(Internal) when cairo cannot make it.
Context context(cairo_surface_t* surface);
// `image` (3+ channels, display code values, clamped to 0..1 and rounded to 8 bits) written
// into an RGB24 image surface at (x0, y0); the surface must hold it.
void paint_image(cairo_surface_t* surface, const ImageF& image, int x0, int y0);
// A new RGB24 surface holding `image`.
Surface image_surface(const ImageF& image);
// The RGB24 surface's pixels as display code values (3 channels).
ImageF image_from_surface(cairo_surface_t* surface);

// The sans-serif face every report drawing uses (DejaVu Sans on Debian, through fontconfig).
void set_font(cairo_t* cr, double size, bool bold = false);
// `text`'s own lines ('\n'), each wrapped at spaces to `width` in the current font.
std::vector<std::string> wrap_text(cairo_t* cr, const std::string& text, double width);

}  // namespace autograde::report_detail
