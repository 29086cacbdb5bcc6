#include "autograde/report/scopes.hpp"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <string>

#include "autograde/core/error.hpp"
#include "cairo_image.hpp"

namespace autograde {

namespace {

using namespace report_detail;

// BT.709-6 part 2 items 3.2 and 3.3.
constexpr float kKr = 0.2126f, kKg = 0.7152f, kKb = 0.0722f;
constexpr float kCbDivisor = 1.8556f;  // 2 (1 − Kb)
constexpr float kCrDivisor = 1.5748f;  // 2 (1 − Kr)

// A dim amber graticule, as on hardware scopes: apart from every trace colour, and dark enough
// that the trace (added on top) stays readable where it crosses a line.
constexpr double kGrid[3] = {0.42, 0.36, 0.18};
constexpr double kGridMajor[3] = {0.62, 0.53, 0.26};

// A pixel's code values clamped to 0..1; false when any is NaN (nothing to plot).
bool read_pixel(const ImageF& image, size_t i, Rgb& out) {
  const float* p = image.pixels.data() + i * size_t(image.channels);
  for (int c = 0; c < 3; ++c) {
    if (std::isnan(p[c])) return false;
    out[size_t(c)] = std::clamp(p[c], 0.f, 1.f);
  }
  return true;
}

float level_of(const Rgb& c, int channel) {
  return channel < 0 ? bt709_luma(c) : c[size_t(channel)];
}

int margin(int height) { return std::max(2, int(std::lround(height * 0.04))); }

// The display curve of every trace: log(1 + n) / log(1 + full), 1 at `full` counts and above.
float shown(float n, float full) {
  return std::min(1.f, std::log1p(n) / std::log1p(std::max(1.f, full)));
}

void check_picture(const ImageF& image, const char* who) {
  if (image.empty() || image.channels < 3)
    throw_internal(std::string(who) + ": an RGB picture is needed");
}

void check_size(int w, int h, const char* who) {
  if (w < 16 || h < 16 || w > 8192 || h > 8192)
    throw_internal(std::string(who) + ": scope size out of range");
}

// Black, the graticule, then the trace added on top (so a line under a trace brightens it
// instead of hiding it).
ImageF compose(int width, int height, const std::function<void(cairo_t*)>& graticule,
               const ImageF* trace) {
  const Surface surface = rgb_surface(width, height);
  const Context cr = context(surface.get());
  cairo_set_source_rgb(cr.get(), 0, 0, 0);
  cairo_paint(cr.get());
  cairo_set_line_width(cr.get(), 1.0);
  graticule(cr.get());
  if (trace) {
    const Surface t = image_surface(*trace);
    cairo_set_operator(cr.get(), CAIRO_OPERATOR_ADD);
    cairo_set_source_surface(cr.get(), t.get(), 0, 0);
    cairo_paint(cr.get());
  }
  return image_from_surface(surface.get());
}

double font_for(int height) { return std::clamp(height / 16.0, 7.0, 14.0); }

// Horizontal level lines every 10 % across [x0, x1), the 0, 50 and 100 % lines brighter;
// labels at the left when `labels`.
void level_graticule(cairo_t* cr, int x0, int x1, int height, bool labels) {
  for (int k = 0; k <= 10; ++k) {
    const bool major = k % 5 == 0;
    const double* c = major ? kGridMajor : kGrid;
    cairo_set_source_rgb(cr, c[0], c[1], c[2]);
    const double y = std::round(scope_row(float(k) / 10.f, height)) + 0.5;
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x1, y);
    cairo_stroke(cr);
    if (labels && major) {
      // On a black patch, so the finer lines do not cut through it.
      set_font(cr, font_for(height));
      const std::string t = std::to_string(k * 10);
      cairo_text_extents_t e;
      cairo_text_extents(cr, t.c_str(), &e);
      const double base = k == 10 ? y + font_for(height) + 2 : y - 3;
      cairo_set_source_rgb(cr, 0, 0, 0);
      cairo_rectangle(cr, x0 + 1, base - e.height - 1, e.x_advance + 3, e.height + 3);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, kGridMajor[0], kGridMajor[1], kGridMajor[2]);
      cairo_move_to(cr, x0 + 2, base);
      cairo_show_text(cr, t.c_str());
    }
  }
}

// The counts of one level signal drawn in `colour` into `trace` at column offset x0.
void add_level_trace(ImageF& trace, const ScopeCounts& counts, int x0, float full, Rgb colour) {
  for (int y = 0; y < counts.height; ++y)
    for (int x = 0; x < counts.width; ++x) {
      const float v = shown(counts.at(x, y), full);
      if (v <= 0.f) continue;
      float* q = trace.at(x0 + x, y);
      for (int c = 0; c < 3; ++c) q[c] = std::min(1.f, q[c] + v * colour[size_t(c)]);
    }
}

// Counts for a column to look full: a tenth of the pixels that land in each scope column.
float level_full(const ImageF& image, int width) {
  return float(image.pixel_count()) / float(std::max(1, width)) / 10.f;
}

// A fixed pseudo-random offset in [-0.5, 0.5) for sample `i` (a 64-bit integer hash, the
// finaliser of SplitMix64, Steele et al., OOPSLA 2014): the same picture always draws the same.
float jitter(uint64_t i) {
  i += 0x9e3779b97f4a7c15ull;
  i = (i ^ (i >> 30)) * 0xbf58476d1ce4e5b9ull;
  i = (i ^ (i >> 27)) * 0x94d049bb133111ebull;
  i ^= i >> 31;
  return float(i >> 40) / float(1u << 24) - 0.5f;
}

std::array<float, 2> polar_point(float degrees, float chroma, int size) {
  const float a = degrees * std::numbers::pi_v<float> / 180.f;
  return vectorscope_point({chroma * std::cos(a), chroma * std::sin(a)}, size);
}

}  // namespace

float bt709_luma(Rgb c) { return kKr * c[0] + kKg * c[1] + kKb * c[2]; }

CbCr bt709_cbcr(Rgb c) {
  const float y = bt709_luma(c);
  return {(c[2] - y) / kCbDivisor, (c[0] - y) / kCrDivisor};
}

float scope_row(float v, int height) {
  const int m = margin(height);
  return float(m) + (1.f - std::clamp(v, 0.f, 1.f)) * float(height - 1 - 2 * m);
}

std::array<float, 2> vectorscope_point(CbCr c, int size) {
  const float half = float(size) / 2.f, scale = 0.8f * float(size);
  return {half + c.cb * scale, half - c.cr * scale};
}

std::array<BarTarget, 6> bar_targets_75() {
  constexpr float a = 0.75f;
  return {{{"R", {a, 0, 0}},
           {"Mg", {a, 0, a}},
           {"B", {0, 0, a}},
           {"Cy", {0, a, a}},
           {"G", {0, a, 0}},
           {"Yl", {a, a, 0}}}};
}

ScopeCounts waveform_counts(const ImageF& image, int channel, int width, int height) {
  check_picture(image, "waveform");
  ScopeCounts out{width, height, std::vector<float>(size_t(width) * size_t(height), 0.f)};
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x) {
      Rgb c;
      if (!read_pixel(image, size_t(y) * size_t(image.width) + size_t(x), c)) continue;
      const int col = int(int64_t(x) * width / image.width);
      const int row =
          std::clamp(int(std::lround(scope_row(level_of(c, channel), height))), 0, height - 1);
      out.counts[size_t(row) * size_t(width) + size_t(col)] += 1.f;
    }
  return out;
}

ScopeCounts vectorscope_counts(const ImageF& image, int size) {
  check_picture(image, "vectorscope");
  ScopeCounts out{size, size, std::vector<float>(size_t(size) * size_t(size), 0.f)};
  for (size_t i = 0; i < image.pixel_count(); ++i) {
    Rgb c;
    if (!read_pixel(image, i, c)) continue;
    // 8-bit video holds 256 levels per channel, so its Cb/Cr pairs sit on a lattice that on a
    // scope of a few hundred pixels shows as a moire of dots instead of the colours' spread.
    // Each value is spread over its own quantisation interval (±½ of an 8-bit code value);
    // that moves a trace by under a pixel at any size this report draws.
    for (int k = 0; k < 3; ++k) c[size_t(k)] += jitter(uint64_t(i) * 3 + uint64_t(k)) / 255.f;
    const auto p = vectorscope_point(bt709_cbcr(c), size);
    const int x = std::clamp(int(std::floor(p[0])), 0, size - 1);
    const int y = std::clamp(int(std::floor(p[1])), 0, size - 1);
    out.counts[size_t(y) * size_t(size) + size_t(x)] += 1.f;
  }
  return out;
}

ScopeCounts histogram_counts(const ImageF& image, int channel, int bins) {
  check_picture(image, "histogram");
  ScopeCounts out{bins, 1, std::vector<float>(size_t(bins), 0.f)};
  for (size_t i = 0; i < image.pixel_count(); ++i) {
    Rgb c;
    if (!read_pixel(image, i, c)) continue;
    const int b = std::min(bins - 1, int(level_of(c, channel) * float(bins)));
    out.counts[size_t(b)] += 1.f;
  }
  return out;
}

ImageF luma_waveform(const ImageF& image, int width, int height) {
  check_size(width, height, "luma_waveform");
  ImageF trace(width, height, 3);
  add_level_trace(trace, waveform_counts(image, -1, width, height), 0, level_full(image, width),
                  {0.75f, 1.f, 0.8f});
  return compose(
      width, height, [&](cairo_t* cr) { level_graticule(cr, 0, width, height, true); }, &trace);
}

ImageF rgb_parade(const ImageF& image, int panel_width, int height) {
  check_size(panel_width, height, "rgb_parade");
  constexpr int kGap = 3;
  const int width = 3 * panel_width + 2 * kGap;
  ImageF trace(width, height, 3);
  const Rgb colours[3] = {{1.f, 0.3f, 0.3f}, {0.3f, 1.f, 0.3f}, {0.4f, 0.5f, 1.f}};
  for (int c = 0; c < 3; ++c)
    add_level_trace(trace, waveform_counts(image, c, panel_width, height), c * (panel_width + kGap),
                    level_full(image, panel_width), colours[c]);
  return compose(
      width, height,
      [&](cairo_t* cr) {
        for (int c = 0; c < 3; ++c) {
          const int x0 = c * (panel_width + kGap);
          level_graticule(cr, x0, x0 + panel_width, height, c == 0);
        }
      },
      &trace);
}

ImageF vectorscope(const ImageF& image, int size) {
  check_size(size, size, "vectorscope");
  const ScopeCounts counts = vectorscope_counts(image, size);
  // Full at the count that 20 times the even share of the scope's pixels would give: images
  // gather their chroma near the centre, so an even share would saturate everything.
  const float full = 20.f * float(image.pixel_count()) / float(size * size);
  ImageF trace(size, size, 3);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const float v = shown(counts.at(x, y), full);
      float* q = trace.at(x, y);
      q[0] = 0.9f * v, q[1] = 0.95f * v, q[2] = v;
    }
  return compose(
      size, size,
      [&](cairo_t* cr) {
        const double cx = size / 2.0, cy = size / 2.0, r50 = 0.4 * size;
        cairo_set_source_rgb(cr, kGrid[0], kGrid[1], kGrid[2]);
        cairo_move_to(cr, cx - r50 * 1.1, cy);
        cairo_line_to(cr, cx + r50 * 1.1, cy);
        cairo_move_to(cr, cx, cy - r50 * 1.1);
        cairo_line_to(cr, cx, cy + r50 * 1.1);
        cairo_stroke(cr);
        cairo_arc(cr, cx, cy, r50, 0, 2 * std::numbers::pi);  // chroma 0.5
        cairo_stroke(cr);
        cairo_arc(cr, cx, cy, r50 / 2, 0, 2 * std::numbers::pi);  // chroma 0.25
        cairo_stroke(cr);
        // Skin-tone line, centre to the outer ring, in a skin colour so it is told apart.
        const auto skin = polar_point(kSkinToneLineDegrees, 0.55f, size);
        cairo_set_source_rgb(cr, 0.75, 0.55, 0.42);
        cairo_move_to(cr, cx, cy);
        cairo_line_to(cr, skin[0], skin[1]);
        cairo_stroke(cr);
        // 75 % bar targets: boxes of ±2.5 % chroma (a hardware scope's inner box); 100 %: dots.
        const double box = std::max(3.0, 0.025 * 0.8 * size);
        set_font(cr, font_for(size) * 0.9, true);
        for (const BarTarget& t : bar_targets_75()) {
          const CbCr c = bt709_cbcr(t.code_value);
          const auto p = vectorscope_point(c, size);
          cairo_set_source_rgb(cr, kGridMajor[0], kGridMajor[1], kGridMajor[2]);
          cairo_rectangle(cr, p[0] - box, p[1] - box, 2 * box, 2 * box);
          cairo_stroke(cr);
          const auto full_bar = vectorscope_point({c.cb / 0.75f, c.cr / 0.75f}, size);
          cairo_arc(cr, full_bar[0], full_bar[1], 1.5, 0, 2 * std::numbers::pi);
          cairo_fill(cr);
          // Label just outside the box, away from the centre.
          const double dx = p[0] - cx, dy = p[1] - cy, len = std::hypot(dx, dy);
          cairo_text_extents_t ext;
          cairo_text_extents(cr, t.label, &ext);
          const double lx = p[0] + dx / len * (box + 2 + ext.width / 2) - ext.width / 2;
          const double ly = p[1] + dy / len * (box + 2 + ext.height / 2) + ext.height / 2;
          cairo_move_to(cr, lx, ly);
          cairo_show_text(cr, t.label);
        }
      },
      &trace);
}

ImageF histogram(const ImageF& image, int width, int height) {
  check_size(width, height, "histogram");
  std::array<ScopeCounts, 4> h;
  std::vector<float> all;
  for (int c = 0; c < 4; ++c) {
    h[size_t(c)] = histogram_counts(image, c == 3 ? -1 : c, width);
    all.insert(all.end(), h[size_t(c)].counts.begin(), h[size_t(c)].counts.end());
  }
  std::sort(all.begin(), all.end());
  const float ref = std::max(1.f, all[std::min(all.size() - 1, all.size() * 99 / 100)]);
  const int m = margin(height);
  const double base = height - m, top = m;
  auto bar_top = [&](float n) { return base - std::sqrt(std::min(1.f, n / ref)) * (base - top); };
  return compose(
      width, height,
      [&](cairo_t* cr) {
        for (int k = 0; k <= 4; ++k) {  // quarters of the code value range
          const double* c = k % 2 == 0 ? kGridMajor : kGrid;
          cairo_set_source_rgb(cr, c[0], c[1], c[2]);
          const double x = std::clamp(std::round(k * (width - 1) / 4.0) + 0.5, 0.5, width - 0.5);
          cairo_move_to(cr, x, top);
          cairo_line_to(cr, x, base);
          cairo_stroke(cr);
        }
        cairo_set_source_rgb(cr, kGrid[0], kGrid[1], kGrid[2]);
        cairo_move_to(cr, 0, base + 0.5);
        cairo_line_to(cr, width, base + 0.5);
        cairo_stroke(cr);
        // R, G and B added: where all three stand the fill reads a mid grey, under the white
        // luma line.
        cairo_set_operator(cr, CAIRO_OPERATOR_ADD);
        const double fills[3][3] = {{0.5, 0.04, 0.04}, {0.04, 0.46, 0.04}, {0.08, 0.12, 0.6}};
        for (int c = 0; c < 3; ++c) {
          cairo_set_source_rgb(cr, fills[c][0], fills[c][1], fills[c][2]);
          for (int b = 0; b < width; ++b) {
            const double y = bar_top(h[size_t(c)].counts[size_t(b)]);
            if (y < base) cairo_rectangle(cr, b, y, 1, base - y);
          }
          cairo_fill(cr);
        }
        cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, std::max(1.0, height / 100.0));
        for (int b = 0; b < width; ++b) {
          const double y = bar_top(h[3].counts[size_t(b)]);
          if (b == 0)
            cairo_move_to(cr, b + 0.5, y);
          else
            cairo_line_to(cr, b + 0.5, y);
        }
        cairo_stroke(cr);
      },
      nullptr);
}

}  // namespace autograde
