#include "autograde/pipeline/mask_export.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>

#include "autograde/analysis/masked_difference.hpp"
#include "autograde/analysis/shots.hpp"
#include "autograde/color/color.hpp"
#include "autograde/core/cleanup.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/core/image_ops.hpp"
#include "autograde/core/progress.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/pipeline/clip_analysis.hpp"
#include "autograde/pipeline/input_colorspace.hpp"
#include "autograde/pipeline/shot_lut.hpp"
#include "autograde/semantic/region_masks.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace autograde {

namespace {

// The picture brought to the masks' working width (never enlarged).
ImageF working_copy(const ImageF& image, int mask_width) {
  const int w = std::min(mask_width, image.width);
  const int h = std::max(1, int(std::lround(double(image.height) * w / image.width)));
  ImageF small = area_average(image, {.width = w, .height = h});
  if (small.channels == 4) {  // alpha plays no part in what the picture shows
    ImageF rgb(small.width, small.height, 3);
    for (size_t i = 0; i < small.pixel_count(); ++i)
      std::copy_n(&small.pixels[4 * i], 3, &rgb.pixels[3 * i]);
    small = std::move(rgb);
  }
  return small;
}

json faces_json(const std::vector<FaceBox>& faces, double scale) {
  json list = json::array();
  for (const FaceBox& f : faces) {
    json kp = json::array();
    for (const auto& p : f.keypoints) kp.push_back({p[0] * scale, p[1] * scale});
    list.push_back({{"box", {f.x0 * scale, f.y0 * scale, f.x1 * scale, f.y1 * scale}},
                    {"score", f.score},
                    {"keypoints", kp}});
  }
  return list;
}

json coverage_json(const RegionMasks& m, const std::vector<Region>& classes) {
  json c = json::object();
  for (Region r : classes) c[region_name(r)] = mask_coverage(m.get(r));
  return c;
}

void write_mask(const ImageF& mask, int width, int height, const std::string& path) {
  ImageMeta meta;
  meta.format = SampleFormat::U8;
  write_image(path, resize_mask(mask, width, height), meta);
}

MaskExportResult export_still(const std::string& input, const std::string& dir,
                              const MaskExportOptions& o) {
  const LoadedImage img = read_image(input);
  ImageF small = working_copy(img.image, o.mask_width);
  // Scene-linear files (OpenEXR and other float formats) are brought to display by the sRGB
  // curve; integer files hold display code values already.
  if (img.meta.format == SampleFormat::Half || img.meta.format == SampleFormat::F32)
    for (float& v : small.pixels) v = linear_to_srgb(std::clamp(v, 0.f, 1.f));
  const RegionMasks m = compute_region_masks(small, o.classes);
  const double scale = double(img.image.width) / small.width;
  MaskExportResult r;
  r.info = {{"input", input},
            {"kind", "still"},
            {"width", img.image.width},
            {"height", img.image.height},
            {"mask_width", small.width},
            {"faces", faces_json(m.faces, scale)},
            {"coverage", coverage_json(m, o.classes)}};
  StagedOutputs staged;
  for (Region c : o.classes) {
    const std::string p = (fs::path(dir) / (std::string(region_name(c)) + ".png")).string();
    refuse_overwrite_input(input, p);
    write_mask(m.get(c), img.image.width, img.image.height, staged.stage(p));
    r.files.push_back(p);
  }
  staged.commit_all();
  return r;
}

MaskExportResult export_clip(const std::string& input, const std::string& dir,
                             const MaskExportOptions& o) {
  // One pass for the cuts (the masks restart at each) and the input colour space, one for the
  // masks.
  ClipAnalysisOptions ao;
  ao.samples_per_shot = 1;
  ao.quiet = o.quiet;
  const ClipAnalysis clip = analyze_clip(input, ao);
  const InputColorspaceChoice cs =
      choose_input_colorspace(o.input_colorspace, clip.info, clip.shots.frame_stats);
  VideoReadOptions ro;
  ro.rgb_width = std::min(o.mask_width, clip.info.width);
  VideoReader reader(input, ro);
  const int W = clip.info.width, H = clip.info.height;

  std::vector<std::unique_ptr<CreatedFolder>> folders;
  StagedOutputs staged;
  MaskExportResult r;
  for (Region c : o.classes) {
    const std::string folder = (fs::path(dir) / region_name(c)).string();
    folders.push_back(std::make_unique<CreatedFolder>(folder));
    r.files.push_back(folder);
  }
  json frames = json::array();
  MaskTracker tracker;
  // Steadiness within each shot: the mean absolute frame-to-frame change of each mask, in 8-bit
  // code values, as written (smoothed) and as the networks gave it (raw).
  struct Change {
    double smoothed = 0, raw = 0;
    int pairs = 0;
  };
  std::vector<std::vector<Change>> change(clip.shots.shots.size(),
                                          std::vector<Change>(o.classes.size()));
  std::vector<ImageF> last_smoothed(o.classes.size()), last_raw(o.classes.size());
  auto mean_abs = [](const ImageF& a, const ImageF& b) {
    double d = 0;
    for (size_t i = 0; i < a.pixels.size(); ++i) d += std::abs(a.pixels[i] - b.pixels[i]);
    return 255.0 * d / double(std::max<size_t>(1, a.pixels.size()));
  };
  size_t shot = 0;
  ProgressBar bar("masks", clip.info.frame_count, o.quiet);
  VideoFrame frame;
  while (reader.next(frame)) {
    const auto& shots = clip.shots.shots;
    bool cut = frame.index == 0;
    while (shot + 1 < shots.size() && frame.index > shots[shot].last_frame) ++shot, cut = true;
    if (cut) tracker.restart();
    ImageF small = frame.rgb;  // a copy: the reader converts the next frame into its buffer
    to_display(cs.space, small);
    RegionMasks fresh = compute_region_masks(small, o.classes);
    std::vector<ImageF> raw;
    for (Region c : o.classes) raw.push_back(fresh.get(c));
    const RegionMasks& m = tracker.update(std::move(fresh));
    for (size_t k = 0; k < o.classes.size(); ++k) {
      const ImageF& now = m.get(o.classes[k]);
      if (!cut && now.pixels.size() == last_smoothed[k].pixels.size()) {
        change[shot][k].smoothed += mean_abs(now, last_smoothed[k]);
        change[shot][k].raw += mean_abs(raw[k], last_raw[k]);
        ++change[shot][k].pairs;
      }
      last_smoothed[k] = now;
      last_raw[k] = std::move(raw[k]);
    }
    frames.push_back({{"frame", frame.index},
                      {"shot", shot},
                      {"faces", faces_json(m.faces, double(W) / small.width)},
                      {"coverage", coverage_json(m, o.classes)}});
    for (size_t k = 0; k < o.classes.size(); ++k) {
      const std::string name = region_name(o.classes[k]);
      const std::string p =
          (fs::path(r.files[k]) / fmt::format("{}.{:06d}.png", name, frame.index)).string();
      write_mask(m.get(o.classes[k]), W, H, staged.stage(p));
    }
    bar.update(frame.index + 1);
  }
  bar.finish();
  if (frames.empty()) throw_bad_input(input, "no frames");
  staged.commit_all();
  for (auto& f : folders) f->keep();
  r.info = {{"input", input},
            {"kind", "clip"},
            {"width", W},
            {"height", H},
            {"mask_width", std::min(o.mask_width, W)},
            {"input_colorspace", camera_log_name(cs.space)},
            {"shots", clip.shots.shots.size()},
            {"frames", frames}};
  json steady = json::array();
  for (size_t sh = 0; sh < change.size(); ++sh) {
    json per = json::object();
    for (size_t k = 0; k < o.classes.size(); ++k) {
      const Change& c = change[sh][k];
      if (c.pairs)
        per[region_name(o.classes[k])] = {{"smoothed", c.smoothed / c.pairs},
                                          {"raw", c.raw / c.pairs}};
    }
    steady.push_back({{"shot", sh}, {"frame_to_frame_change", per}});
  }
  r.info["stability"] = steady;
  return r;
}

}  // namespace

MaskExportResult export_masks(const std::string& input, const std::string& dir,
                              const MaskExportOptions& o) {
  std::error_code ec;
  if (!fs::exists(input, ec)) throw_bad_input(input, "no such file");
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw_usage("masks: -o '" + dir + "' is a file, not a folder");
  if (o.classes.empty()) throw_usage("masks: no classes asked for");
  CreatedFolder out(dir);
  MaskExportResult r = is_image_path(input) ? export_still(input, dir, o) : export_clip(input, dir, o);
  out.keep();
  return r;
}

}  // namespace autograde
