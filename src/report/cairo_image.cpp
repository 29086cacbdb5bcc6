#include "cairo_image.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "autograde/core/error.hpp"

namespace autograde::report_detail {

Surface rgb_surface(int width, int height) {
  Surface s(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, std::max(1, width), std::max(1, height)));
  if (cairo_surface_status(s.get()) != CAIRO_STATUS_SUCCESS)
    throw_internal("cairo: cannot make a " + std::to_string(width) + "x" + std::to_string(height) +
                   " surface: " + cairo_status_to_string(cairo_surface_status(s.get())));
  return s;
}

Context context(cairo_surface_t* surface) {
  Context c(cairo_create(surface));
  if (cairo_status(c.get()) != CAIRO_STATUS_SUCCESS)
    throw_internal(std::string("cairo: cannot draw: ") +
                   cairo_status_to_string(cairo_status(c.get())));
  return c;
}

void paint_image(cairo_surface_t* surface, const ImageF& image, int x0, int y0) {
  if (image.channels < 3) throw_internal("paint_image: an RGB picture is needed");
  if (x0 < 0 || y0 < 0 || x0 + image.width > cairo_image_surface_get_width(surface) ||
      y0 + image.height > cairo_image_surface_get_height(surface))
    throw_internal("paint_image: the picture does not fit the surface");
  cairo_surface_flush(surface);
  unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  auto byte = [](float v) {
    return uint32_t(std::lround(std::clamp(std::isfinite(v) ? v : 0.f, 0.f, 1.f) * 255.f));
  };
  for (int y = 0; y < image.height; ++y) {
    auto* row = reinterpret_cast<uint32_t*>(data + size_t(y0 + y) * size_t(stride)) + x0;
    for (int x = 0; x < image.width; ++x) {
      const float* p = image.at(x, y);
      row[x] = (byte(p[0]) << 16) | (byte(p[1]) << 8) | byte(p[2]);
    }
  }
  cairo_surface_mark_dirty(surface);
}

Surface image_surface(const ImageF& image) {
  Surface s = rgb_surface(image.width, image.height);
  paint_image(s.get(), image, 0, 0);
  return s;
}

ImageF image_from_surface(cairo_surface_t* surface) {
  cairo_surface_flush(surface);
  const int width = cairo_image_surface_get_width(surface);
  const int height = cairo_image_surface_get_height(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  ImageF out(width, height, 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const uint32_t v = reinterpret_cast<const uint32_t*>(data + size_t(y) * size_t(stride))[x];
      float* p = out.at(x, y);
      p[0] = float((v >> 16) & 0xff) / 255.f;
      p[1] = float((v >> 8) & 0xff) / 255.f;
      p[2] = float(v & 0xff) / 255.f;
    }
  return out;
}

void set_font(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

std::vector<std::string> wrap_text(cairo_t* cr, const std::string& text, double width) {
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

}  // namespace autograde::report_detail
