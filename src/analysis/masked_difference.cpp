#include "autograde/analysis/masked_difference.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <opencv2/imgproc.hpp>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"

namespace autograde {

double masked_ciede2000(const ImageF& a, const ImageF& b, const ImageF& mask) {
  if (a.width != b.width || a.height != b.height || a.width != mask.width ||
      a.height != mask.height)
    throw_usage("masked_ciede2000: the pictures and the mask differ in size");
  if (mask.channels != 1 || a.channels < 3 || b.channels < 3)
    throw_usage("masked_ciede2000: RGB pictures and a 1-channel mask");
  double sum = 0, weight = 0;
  for (size_t i = 0; i < mask.pixel_count(); ++i) {
    const float w = std::clamp(mask.pixels[i], 0.f, 1.f);
    if (w <= 0.f) continue;
    const float* p = &a.pixels[i * size_t(a.channels)];
    const float* q = &b.pixels[i * size_t(b.channels)];
    sum += w * ciede2000(srgb_to_lab({p[0], p[1], p[2]}), srgb_to_lab({q[0], q[1], q[2]}));
    weight += w;
  }
  return weight > 0 ? sum / weight : std::numeric_limits<double>::quiet_NaN();
}

ImageF resize_mask(const ImageF& mask, int width, int height) {
  if (mask.channels != 1 || mask.empty()) throw_usage("resize_mask: a 1-channel mask");
  ImageF out(width, height, 1);
  const cv::Mat src(mask.height, mask.width, CV_32F, const_cast<float*>(mask.pixels.data()));
  cv::Mat dst(height, width, CV_32F, out.pixels.data());
  cv::resize(src, dst, dst.size(), 0, 0, cv::INTER_LINEAR);
  for (float& v : out.pixels) v = std::clamp(v, 0.f, 1.f);
  return out;
}

}  // namespace autograde
