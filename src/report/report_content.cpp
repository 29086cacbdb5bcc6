#include "autograde/report/report_content.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "autograde/analysis/masked_difference.hpp"
#include "autograde/color/camera_log.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/look/look.hpp"
#include "autograde/pipeline/shot_lut.hpp"
#include "autograde/pipeline/shot_sampling.hpp"
#include "autograde/semantic/region_masks.hpp"

namespace autograde {

namespace {

std::string num(double v, int prec = 2) { return fmt::format("{:.{}f}", v, prec); }

}  // namespace

std::vector<ReportField> report_settings(const GradeReportInputs& in) {
  const GradePlan& p = *in.plan;
  std::vector<ReportField> f;
  f.push_back({"input", p.input_path});
  f.push_back({"output", in.output_name});
  std::string cs(camera_log_name(p.input_colorspace));
  const std::string reason = p.colorspace_info.value("reason", "");
  if (!reason.empty()) cs += ": " + reason;  // the reason has its own parentheses
  f.push_back({"input colour space", cs});
  f.push_back({"reference", p.reference.empty() ? "none" : p.reference});
  f.push_back({"prompt", p.prompt.empty() ? "none" : p.prompt});
  f.push_back({"method", p.method});
  f.push_back({"strength", num(p.strength)});
  f.push_back({"transfer", p.transfer > 0.f ? num(p.transfer) : "0 (the grade only)"});
  f.push_back({"LUTs", fmt::format("{}³, {} interpolation, in {}", p.lut_size,
                                   interp_name(p.interp), p.luts_dir)});
  const EncodeSettings& e = p.encode;
  f.push_back(
      {"encode", fmt::format("codec {}, crf {}, preset {}, {} encoder thread(s)", e.codec,
                             e.crf < 0 ? std::string("default") : std::to_string(e.crf), e.preset,
                             e.threads > 0 ? std::to_string(e.threads) : "auto")});
  f.push_back({"shots", std::to_string(p.shots.size())});
  // The versions the grade ran with, as the plan recorded them.
  const nlohmann::json tool =
      p.extra.contains("tool") && p.extra["tool"].is_object() ? p.extra["tool"] : tool_versions();
  std::string tools;
  for (const auto& [name, version] : tool.items())
    if (version.is_string())
      tools += (tools.empty() ? "" : ", ") + name + " " + version.get<std::string>();
  f.push_back({"tools", tools});
  return f;
}

std::string shot_heading(const ShotPlan& s) {
  const std::string opens = s.starts_with == "start"  ? "the clip's first shot"
                            : s.starts_with == "cut"  ? "after a cut"
                            : s.starts_with == "fade" ? "after a fade"
                                                      : "starts with " + s.starts_with;
  return fmt::format("frames {}–{} ({}–{} s), {}, scene {}, LUT {}{}", s.first_frame, s.last_frame,
                     num(s.start_time), num(s.end_time), opens, s.scene, s.lut_file,
                     s.excluded ? "; excluded: no grade"
                     : s.locked ? "; locked: look kept from the plan"
                                : "");
}

LookWords look_words(const ShotPlan& s) {
  LookWords w;
  w.summary = s.excluded ? "no grade (excluded)" : look_summary(s.look);
  if (s.match.is_object() && s.match.contains("confidence") && s.match["confidence"].is_number())
    w.confidence = "match confidence " + num(s.match["confidence"].get<double>());
  const std::string d = describe(s.look);
  size_t start = 0;
  while (start < d.size()) {
    const size_t end = std::min(d.find('\n', start), d.size());
    std::string line = d.substr(start, end - start);
    line.erase(0, line.find_first_not_of(' '));
    if (!line.empty()) w.parameters.push_back(line);
    start = end + 1;
  }
  if (s.match.is_object() && s.match.contains("notes") && s.match["notes"].is_array())
    for (const auto& n : s.match["notes"])
      if (n.is_string()) w.notes.push_back(n.get<std::string>());
  return w;
}

Lut3D display_grade(const ShotPlan& s) {
  return bake_shot_lut(CameraLog::Rec709, s.look, 17, s.correction ? &*s.correction : nullptr);
}

std::vector<MeasureRow> temporal_rows(const TemporalMetrics& m) {
  std::vector<MeasureRow> rows;
  if (m.consistency)
    rows.push_back({fmt::format("grade stability: mean CIEDE2000 of same-input-colour cells, "
                                "frames [{},{}]",
                                m.first_frame, m.last_frame),
                    "", num(m.consistency->mean_de2000, 3)});
  rows.push_back(
      {fmt::format("flow warping error (eq. 28), 8-bit code values, {} pairs", m.warp.pairs),
       num(m.warp.input, 3), num(m.warp.output, 3)});
  rows.push_back({"frame-to-frame change of mean L*a*b* (ΔE*ab), mean / max",
                  num(m.lab_change_input.mean, 3) + " / " + num(m.lab_change_input.max, 3),
                  num(m.lab_change_output.mean, 3) + " / " + num(m.lab_change_output.max, 3)});
  return rows;
}

std::vector<ShotStill> report_stills(const GradeReportInputs& in, int width) {
  const GradePlan& plan = *in.plan;
  std::vector<ShotRange> ranges;
  for (size_t i = 0; i < plan.shots.size(); ++i) {
    const auto& s = plan.shots[i];
    int64_t f = i < in.sample_frames.size() ? in.sample_frames[i] : -1;
    if (f < s.first_frame || f > s.last_frame) f = (s.first_frame + s.last_frame) / 2;
    ranges.push_back({f, f});
  }
  const auto before = sample_shots(plan.input_path, ranges, 1, width);
  const auto after = sample_shots(in.output_path, ranges, 1, width);
  std::vector<ShotStill> out(plan.shots.size());
  for (size_t i = 0; i < out.size(); ++i) {
    if (i >= before.size() || i >= after.size() || before[i].empty() || after[i].empty()) continue;
    out[i].frame = before[i][0].index;
    out[i].before = before[i][0].rgb;
    out[i].after = after[i][0].rgb;
  }
  return out;
}

RegionView region_view(const GradeReportInputs& in, size_t i, const ShotStill& still) {
  RegionView v;
  const GradePlan& plan = *in.plan;
  const ShotPlan& s = plan.shots[i];
  if (s.regions.empty() || still.before.empty() || still.after.empty()) return v;
  ImageF ungraded = still.before;
  to_display(plan.input_colorspace, ungraded);
  std::vector<Region> wanted;
  for (const ShotRegion& r : s.regions) wanted.push_back(*region_from_name(r.region));
  const RegionMasks m = compute_region_masks(ungraded, wanted);
  // What the grade blends each region's LUT by, in the order of s.regions.
  const std::vector<ImageF> mattes = region_mattes(m, wanted);

  // The overlay, as a colourist's qualifier highlight: the frame in grey, each region's colour
  // mixed in at 60 % of its mask, so the tint cannot be confused with the picture's own colours.
  v.overlay = ungraded;
  const int c = v.overlay.channels;
  for (size_t p = 0; p < v.overlay.pixel_count(); ++p) {
    float* x = &v.overlay.pixels[p * size_t(c)];
    const float y = 0.2126f * x[0] + 0.7152f * x[1] + 0.0722f * x[2];
    x[0] = x[1] = x[2] = y;
  }
  for (size_t j = 0; j < s.regions.size(); ++j) {
    const ShotRegion& r = s.regions[j];
    const ImageF& mask = mattes[j];
    const Rgb tint = r.region == "skin"  ? Rgb{0.f, 0.9f, 1.f}
                     : r.region == "sky" ? Rgb{1.f, 0.f, 0.8f}
                                         : Rgb{1.f, 0.9f, 0.f};
    for (size_t p = 0; p < mask.pixel_count(); ++p) {
      const float a = 0.6f * std::clamp(mask.pixels[p], 0.f, 1.f);
      for (int k = 0; k < 3; ++k) {
        float& x = v.overlay.pixels[p * size_t(c) + size_t(k)];
        x = (1 - a) * x + a * tint[size_t(k)];
      }
    }
  }
  for (const FaceBox& f : m.faces) {
    const int x0 = std::clamp(int(f.x0), 0, v.overlay.width - 1);
    const int x1 = std::clamp(int(f.x1), 0, v.overlay.width - 1);
    const int y0 = std::clamp(int(f.y0), 0, v.overlay.height - 1);
    const int y1 = std::clamp(int(f.y1), 0, v.overlay.height - 1);
    auto dot = [&](int x, int y) {
      float* p = v.overlay.at(x, y);
      p[0] = 1.f, p[1] = 1.f, p[2] = 1.f;
    };
    for (int x = x0; x <= x1; ++x) dot(x, y0), dot(x, y1);
    for (int y = y0; y <= y1; ++y) dot(x0, y), dot(x1, y);
  }

  for (size_t j = 0; j < s.regions.size(); ++j) {
    const ShotRegion& r = s.regions[j];
    const ImageF& mask = mattes[j];
    v.rows.push_back({fmt::format("{} matte, share of frame (strength {})", r.region,
                                  num(r.strength, 2)),
                      "", num(100 * mask_coverage(mask), 1) + " %"});
    if (r.region != "skin" || !in.luts || i >= in.luts->size()) continue;
    ImageF unprotected = still.before;
    apply_reference((*in.luts)[i], unprotected, plan.interp);
    const double without = masked_ciede2000(ungraded, unprotected, mask);
    const double with = masked_ciede2000(ungraded, still.after, mask);
    if (std::isnan(without)) continue;
    v.rows.push_back({"skin shift, ΔE00", num(without, 2), num(with, 2)});
  }
  return v;
}

}  // namespace autograde
