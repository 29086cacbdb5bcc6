// Helpers of the matching ground-truth protocol (match_protocol.hpp).
#include "autograde/training/match_protocol.hpp"

#include <algorithm>
#include <cmath>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/image_ops.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/load.hpp"

namespace fs = std::filesystem;

namespace autograde {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

}  // namespace

std::vector<fs::path> files_with_extensions(const fs::path& dir,
                                            const std::vector<std::string>& extensions) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string ext = lower(e.path().extension().string());
    if (std::find(extensions.begin(), extensions.end(), ext) != extensions.end())
      out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

ImageF reduce_image(const ImageF& img, int max_side) {
  // Float sums keep the protocol's cases bit-identical to those the model cards' numbers and
  // the lutgen trainer's inputs were made from (area_average's float_sum).
  return area_average(
      img, {.max_side = std::max(1, max_side), .grid = AreaGrid::WholeBlocks, .float_sum = true});
}

void quantise_8bit(ImageF& image) {
  for (float& v : image.pixels) v = std::round(std::clamp(v, 0.f, 1.f) * 255.f) / 255.f;
}

ImageF apply_lut_clamped(const Lut3D& lut, const ImageF& image) {
  ImageF out = image;
  apply_reference(lut, out, Interp::Tetrahedral);
  for (float& v : out.pixels) v = std::clamp(v, 0.f, 1.f);
  return out;
}

std::optional<Lut3D> load_creative_lut(const fs::path& path) {
  if (lower(path.string()).find("log") != std::string::npos) return std::nullopt;
  LutFile f = load_lut(path.string());
  if (f.shaper || !f.cube || !f.cube->has_default_domain()) return std::nullopt;
  return std::move(*f.cube);
}

MatchScore score_against_truth(const ImageF& out, const ImageF& truth) {
  if (out.width != truth.width || out.height != truth.height || out.channels != 3 ||
      truth.channels != 3)
    throw_usage("score_against_truth: images differ in size or are not RGB");
  std::vector<float> de(out.pixel_count());
  double se = 0;
  for (size_t i = 0; i < de.size(); ++i) {
    const float* a = out.pixels.data() + 3 * i;
    const float* b = truth.pixels.data() + 3 * i;
    de[i] = ciede2000(srgb_to_lab({a[0], a[1], a[2]}), srgb_to_lab({b[0], b[1], b[2]}));
    for (int c = 0; c < 3; ++c) se += double(a[c] - b[c]) * double(a[c] - b[c]) * 255.0 * 255.0;
  }
  MatchScore s;
  if (de.empty()) return s;
  for (float v : de) s.mean += v;
  s.mean /= double(de.size());
  std::nth_element(de.begin(), de.begin() + long(de.size() * 9 / 10), de.end());
  s.p90 = de[de.size() * 9 / 10];
  s.psnr = 10.0 * std::log10(255.0 * 255.0 / std::max(se / double(3 * de.size()), 1e-3));
  return s;
}

}  // namespace autograde
