#include "autograde/report/report_html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "autograde/core/cleanup.hpp"
#include "autograde/core/files.hpp"
#include "autograde/core/image_ops.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/pipeline/shot_lut.hpp"
#include "autograde/pipeline/shot_sampling.hpp"

namespace fs = std::filesystem;

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

std::string encode_png(const ImageF& image) {
  static thread_local std::unique_ptr<StagingDir> tmp;
  if (!tmp) tmp = std::make_unique<StagingDir>(fs::temp_directory_path().string());
  const std::string path = tmp->path_for("frame.png");
  ImageMeta meta;
  meta.format = SampleFormat::U8;
  write_image(path, image, meta);
  std::string bytes = read_file(path);
  std::error_code ec;
  fs::remove(path, ec);
  return bytes;
}

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

ImageF rgb_parade(const ImageF& image, int panel_width, int height) {
  std::vector<float> counts(size_t(3) * panel_width * height, 0.f);
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x) {
      const float* p = image.at(x, y);
      const int px = std::min(panel_width - 1, x * panel_width / std::max(1, image.width));
      for (int c = 0; c < 3; ++c) {
        const int py = std::clamp(int((1.f - p[c]) * float(height - 1) + 0.5f), 0, height - 1);
        counts[(size_t(c) * height + py) * panel_width + px] += 1.f;
      }
    }
  const float per_column =
      float(image.height) / 8.f;  // normalise: a column spread over 1/8 of the height is full
  ImageF out(3 * panel_width + 4, height, 3);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < panel_width; ++x) {
        const float v = std::min(
            1.f, std::sqrt(counts[(size_t(c) * height + y) * panel_width + x] / per_column));
        float* q = out.at(c * (panel_width + 2) + x, y);
        q[c] = std::max(q[c], v);
        q[(c + 1) % 3] = std::max(q[(c + 1) % 3], 0.25f * v);
        q[(c + 2) % 3] = std::max(q[(c + 2) % 3], 0.25f * v);
      }
  return out;
}

ImageF vectorscope(const ImageF& image, int size) {
  // BT.709 colour-difference signals of the code values (ITU-R BT.709-6 item 3.2-3.3).
  std::vector<float> counts(size_t(size) * size, 0.f);
  for (size_t i = 0; i < image.pixel_count(); ++i) {
    const float* p = image.pixels.data() + i * image.channels;
    const float cb = -0.114572f * p[0] - 0.385428f * p[1] + 0.5f * p[2];
    const float cr = 0.5f * p[0] - 0.454153f * p[1] - 0.045847f * p[2];
    const int x = std::clamp(int((cb + 0.5f) * float(size - 1) + 0.5f), 0, size - 1);
    const int y = std::clamp(int((0.5f - cr) * float(size - 1) + 0.5f), 0, size - 1);
    counts[size_t(y) * size + x] += 1.f;
  }
  ImageF out(size, size, 3);
  const float scale = float(image.pixel_count()) / float(size * 4);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      float* q = out.at(x, y);
      const float v = std::min(1.f, std::sqrt(counts[size_t(y) * size + x] / std::max(1.f, scale)));
      q[0] = q[1] = q[2] = v;
      if (x == size / 2 || y == size / 2) q[0] = q[1] = q[2] = std::max(v, 0.2f);
    }
  return out;
}

std::string render_report_html(const GradeReportInputs& in, int frame_width) {
  const GradePlan& plan = *in.plan;
  std::vector<ShotRange> ranges;
  for (size_t i = 0; i < plan.shots.size(); ++i) {
    const auto& s = plan.shots[i];
    int64_t f = i < in.sample_frames.size() ? in.sample_frames[i] : -1;
    if (f < s.first_frame || f > s.last_frame) f = (s.first_frame + s.last_frame) / 2;
    ranges.push_back({f, f});
  }
  const auto before = sample_shots(plan.input_path, ranges, 1, frame_width);
  const auto after = sample_shots(in.output_path, ranges, 1, frame_width);

  std::string h;
  h += "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>autograde report</title><style>"
       "body{font-family:sans-serif;background:#1b1b1b;color:#ddd;margin:2em}"
       "h1,h2{font-weight:500}table{border-collapse:collapse}td,th{padding:2px "
       "10px;border-bottom:1px solid #333;"
       "text-align:left}img{margin:4px;vertical-align:top;max-width:100%;height:auto}.shot{border-top:1px solid "
       "#555;margin-top:2em}"
       "pre{background:#111;padding:8px}.cap{font-size:80%;color:#999}</style></head><body>";
  h += "<h1>autograde report</h1><table>";
  h += "<tr><th>input</th><td>" + esc(plan.input_path) + "</td></tr>";
  h += "<tr><th>output</th><td>" + esc(in.output_name) + "</td></tr>";
  h += "<tr><th>input colour space</th><td>" +
       esc(std::string(camera_log_name(plan.input_colorspace))) + " (" +
       esc(plan.colorspace_info.value("reason", "")) + ")</td></tr>";
  h += "<tr><th>method</th><td>" + esc(plan.method) + ", strength " + num(plan.strength) +
       (plan.transfer > 0.f ? ", transfer " + num(plan.transfer) : std::string()) + "</td></tr>";
  if (!plan.prompt.empty()) h += "<tr><th>prompt</th><td>" + esc(plan.prompt) + "</td></tr>";
  h += "<tr><th>shots</th><td>" + std::to_string(plan.shots.size()) + "</td></tr></table>";
  if (in.reference) {
    // Embedded at most 640 px on its long side (a 6K still would otherwise make the page
    // scroll sideways and the file tens of megabytes); the style keeps it within the page.
    h += "<h2>Reference</h2>" + img_tag(area_average(*in.reference, {.max_side = 640}), "reference");
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
    h += "<div class=shot><h2>Shot " + std::to_string(i) + "</h2><p>frames " +
         std::to_string(s.first_frame) + "&ndash;" + std::to_string(s.last_frame) + " (" +
         num(s.start_time) + "&ndash;" + num(s.end_time) + " s), starts with " +
         esc(s.starts_with) + ", scene " + std::to_string(s.scene) + ", LUT <code>" +
         esc(s.lut_file) + "</code>" +
         (s.excluded ? "; excluded: no grade" : s.locked ? "; locked: look kept from the plan" : "") +
         "</p>";
    if (!before[i].empty() && !after[i].empty()) {
      const ImageF& b = before[i][0].rgb;
      const ImageF& a = after[i][0].rgb;
      h += "<p class=cap>before / after (frame " + std::to_string(before[i][0].index) + ")</p>" +
           img_tag(b, "before") + img_tag(a, "after");
      h += "<p class=cap>RGB parade before / after, vectorscope before / after</p>" +
           img_tag(rgb_parade(b), "parade") + img_tag(rgb_parade(a), "parade") +
           img_tag(vectorscope(b), "vectorscope") + img_tag(vectorscope(a), "vectorscope");
    }
    h += "<p class=cap>the shot's Look on a colour chart and grey ramp (display code values): "
         "before / after</p>" +
         img_tag(chart, "chart") + img_tag(apply_look_to_image(s.look, chart), "chart graded");
    std::string conf;
    if (s.match.is_object() && s.match.contains("confidence") && s.match["confidence"].is_number())
      conf = " (match confidence " + num(s.match["confidence"].get<double>()) + ")";
    h += "<p><b>" + esc(look_summary(s.look)) + "</b>" + esc(conf) + "</p>";
    h += "<pre>" + esc(describe(s.look)) + "</pre>";
    if (s.match.is_object() && s.match.contains("notes") && s.match["notes"].is_array())
      for (const auto& n : s.match["notes"])
        if (n.is_string()) h += "<p>note: " + esc(n.get<std::string>()) + "</p>";
    if (s.metrics) {
      const TemporalMetrics& m = *s.metrics;
      h += "<table><tr><th>temporal metric</th><th>input</th><th>output</th></tr>";
      if (m.consistency)
        h += "<tr><td>grade stability: mean CIEDE2000 of same-input-colour cells, frames [" +
             std::to_string(m.first_frame) + "," + std::to_string(m.last_frame) +
             "]</td><td></td><td>" + num(m.consistency->mean_de2000, 3) + "</td></tr>";
      h += "<tr><td>flow warping error (eq. 28), 8-bit code values, " +
           std::to_string(m.warp.pairs) + " pairs</td><td>" + num(m.warp.input, 3) + "</td><td>" +
           num(m.warp.output, 3) + "</td></tr>";
      h += "<tr><td>frame-to-frame change of mean L*a*b* (&Delta;E*ab), mean / max</td><td>" +
           num(m.lab_change_input.mean, 3) + " / " + num(m.lab_change_input.max, 3) + "</td><td>" +
           num(m.lab_change_output.mean, 3) + " / " + num(m.lab_change_output.max, 3) +
           "</td></tr>";
      h += "</table>";
    }
    h += "</div>";
  }
  h += "</body></html>\n";
  (void)in.luts;
  return h;
}

}  // namespace autograde
