#include "autograde/report/report_html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "autograde/core/image_ops.hpp"
#include "autograde/pipeline/shot_lut.hpp"
#include "autograde/report/lut_image.hpp"
#include "autograde/report/report_content.hpp"
#include "autograde/report/scopes.hpp"

namespace autograde {

namespace {

std::string base64(const std::string& bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (unsigned(uint8_t(bytes[i])) << 16) |
                       (unsigned(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    out += k[(v >> 18) & 63], out += k[(v >> 12) & 63], out += k[(v >> 6) & 63], out += k[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = unsigned(uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) v |= unsigned(uint8_t(bytes[i + 1])) << 8;
    out += k[(v >> 18) & 63], out += k[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? k[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string img_tag(const ImageF& im, const std::string& alt) {
  return "<img alt=\"" + alt + "\" src=\"data:image/png;base64," + base64(encode_png(im)) + "\">";
}

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<')
      o += "&lt;";
    else if (c == '>')
      o += "&gt;";
    else if (c == '&')
      o += "&amp;";
    else if (c == '"')
      o += "&quot;";
    else
      o += c;
  }
  return o;
}

// Hue (degrees) → fully saturated display RGB (the HSV hexcone, Smith 1978).
Rgb hue_rgb(float h) {
  h = std::fmod(h, 360.f) / 60.f;
  const float x = 1.f - std::abs(std::fmod(h, 2.f) - 1.f);
  switch (int(h)) {
    case 0:
      return {1, x, 0};
    case 1:
      return {x, 1, 0};
    case 2:
      return {0, 1, x};
    case 3:
      return {0, x, 1};
    case 4:
      return {x, 0, 1};
    default:
      return {1, 0, x};
  }
}

std::string num(double v, int prec = 2) { return fmt::format("{:.{}f}", v, prec); }

}  // namespace

ImageF look_chart(int width, int height) {
  ImageF im(width, height, 3);
  const int sweep_h = height * 3 / 4;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      float* p = im.at(x, y);
      const float u = (float(x) + 0.5f) / float(width);
      Rgb c;
      if (y < sweep_h) {
        // Top half: saturated hue → white; bottom half: hue → black (value).
        const float v = (float(y) + 0.5f) / float(sweep_h);
        const Rgb h = hue_rgb(u * 360.f);
        if (v < 0.5f) {
          const float t = v * 2.f;  // 0 = pastel, 1 = full
          for (int k = 0; k < 3; ++k) c[k] = 1.f + (h[k] - 1.f) * (0.25f + 0.75f * t);
        } else {
          const float t = (v - 0.5f) * 2.f;  // 0 = full, 1 = dark
          for (int k = 0; k < 3; ++k) c[k] = h[k] * (1.f - 0.85f * t);
        }
      } else {
        c = {u, u, u};
      }
      p[0] = c[0], p[1] = c[1], p[2] = c[2];
    }
  return im;
}

std::string render_report_html(const GradeReportInputs& in, int frame_width) {
  const GradePlan& plan = *in.plan;
  const std::vector<ShotStill> stills = report_stills(in, frame_width);

  std::string h;
  h += "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>autograde report</title><style>"
       "body{font-family:sans-serif;background:#1b1b1b;color:#ddd;margin:2em}"
       "h1,h2{font-weight:500}table{border-collapse:collapse}td,th{padding:2px "
       "10px;border-bottom:1px solid #333;"
       "text-align:left}img{margin:4px;vertical-align:top;max-width:100%;height:auto}.shot{border-"
       "top:1px solid "
       "#555;margin-top:2em}"
       "pre{background:#111;padding:8px}.cap{font-size:80%;color:#999}</style></head><body>";
  h += "<h1>autograde report</h1><table>";
  for (const ReportField& f : report_settings(in))
    h += "<tr><th>" + esc(f.name) + "</th><td>" + esc(f.value) + "</td></tr>";
  h += "</table>";
  if (in.reference) {
    // Embedded at most 640 px on its long side (a 6K still would otherwise make the page
    // scroll sideways and the file tens of megabytes); the style keeps it within the page.
    h +=
        "<h2>Reference</h2>" + img_tag(area_average(*in.reference, {.max_side = 640}), "reference");
  }
  if (plan.continuity) {
    h += "<h2>Continuity</h2><p class=cap>Spread of the shots' mean a*b* within each scene (RMS "
         "distance to the "
         "scene mean, "
         "&Delta;E*ab).</p><table><tr><th>scene</th><th>shots</th><th>hero</th><th>input</th><th>"
         "graded, before</th><th>after continuity</th></tr>";
    int k = 0;
    for (const ContinuityScene& sc : plan.continuity->scenes)
      h += "<tr><td>" + std::to_string(k++) + "</td><td>" + esc(nlohmann::json(sc.shots).dump()) +
           "</td><td>" + std::to_string(sc.hero) + "</td><td>" + num(sc.ab_spread_input) +
           "</td><td>" + num(sc.ab_spread_before) + "</td><td>" + num(sc.ab_spread_after) +
           "</td></tr>";
    h += "</table>";
  }
  const ImageF chart = look_chart();
  for (size_t i = 0; i < plan.shots.size(); ++i) {
    const auto& s = plan.shots[i];
    h += "<div class=shot><h2>Shot " + std::to_string(i) + "</h2><p>" + esc(shot_heading(s)) +
         "</p>";
    if (!stills[i].before.empty()) {
      const ImageF& b = stills[i].before;
      const ImageF& a = stills[i].after;
      h += "<p class=cap>before (the input file) / after (the graded clip), frame " +
           std::to_string(stills[i].frame) + "</p>" + img_tag(b, "before") + img_tag(a, "after");
      h += "<p class=cap>luma waveform (BT.709 Y&prime;, % of the code range) before / after</p>" +
           img_tag(luma_waveform(b), "waveform before") +
           img_tag(luma_waveform(a), "waveform after");
      h += "<p class=cap>RGB parade before / after</p>" + img_tag(rgb_parade(b), "parade before") +
           img_tag(rgb_parade(a), "parade after");
      h += "<p class=cap>vectorscope (Cb/Cr BT.709; boxes at the 75 % colour bars, dots at 100 %, "
           "the skin-tone line at 123&deg;) and histogram (R, G, B, luma line) before / "
           "after</p>" +
           img_tag(vectorscope(b), "vectorscope before") +
           img_tag(vectorscope(a), "vectorscope after") +
           img_tag(histogram(b), "histogram before") + img_tag(histogram(a), "histogram after");
    }
    h += "<p class=cap>the shot's Look on a colour chart and grey ramp (display code values): "
         "before / after</p>" +
         img_tag(chart, "chart") + img_tag(apply_look_to_image(s.look, chart), "chart graded");
    if (in.luts && i < in.luts->size() && (*in.luts)[i].size >= 2)
      h += "<p class=cap>the shot's LUT: input cube (blue 0 &rarr; 1 across the tiles, red "
           "&rarr; and green &uarr; in each), then the same inputs through the LUT</p>" +
           img_tag(lut_slices(Lut3D::identity(2)), "LUT input") + "<br>" +
           img_tag(lut_slices((*in.luts)[i], 5, 48, plan.interp), "LUT output") +
           "<p class=cap>what the grade changes in display code values: mid-grey + 4 &times; "
           "(out &minus; in)</p>" +
           img_tag(lut_change_slices(display_grade(s)), "LUT change");
    const LookWords w = look_words(s);
    h += "<p><b>" + esc(w.summary) + "</b>" +
         (w.confidence.empty() ? std::string() : " (" + esc(w.confidence) + ")") + "</p><pre>";
    for (const std::string& p : w.parameters) h += esc(p) + "\n";
    h += "</pre>";
    for (const std::string& n : w.notes) h += "<p>note: " + esc(n) + "</p>";
    const RegionView rv = region_view(in, i, stills[i]);
    if (!rv.overlay.empty()) {
      h += "<p class=cap>regions on the ungraded frame (skin cyan, sky magenta, foliage yellow; "
           "faces boxed)</p>" +
           img_tag(rv.overlay, "regions");
      h += "<table><tr><th>regions</th><th>without protection</th><th>as graded</th></tr>";
      for (const MeasureRow& r : rv.rows)
        h += "<tr><td>" + esc(r.measure) + "</td><td>" + esc(r.input) + "</td><td>" +
             esc(r.output) + "</td></tr>";
      h += "</table>";
    }
    if (s.metrics) {
      h += "<table><tr><th>temporal measure</th><th>input</th><th>output</th></tr>";
      for (const MeasureRow& r : temporal_rows(*s.metrics))
        h += "<tr><td>" + esc(r.measure) + "</td><td>" + esc(r.input) + "</td><td>" +
             esc(r.output) + "</td></tr>";
      h += "</table>";
    }
    h += "</div>";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace autograde
