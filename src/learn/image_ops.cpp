#include "autograde/learn/image_ops.hpp"

#include <algorithm>
#include <cmath>

#include "autograde/core/error.hpp"

namespace autograde::learn {

ImageF resize_area(const ImageF& src, int w, int h) {
  if (src.empty() || w <= 0 || h <= 0) throw_internal("resize_area: empty image or size");
  ImageF dst(w, h, 3);
  const double sx = double(src.width) / w, sy = double(src.height) / h;
  // Each output pixel averages the source area it covers, with fractional edge weights.
  for (int y = 0; y < h; ++y) {
    const double y0 = y * sy, y1 = (y + 1) * sy;
    for (int x = 0; x < w; ++x) {
      const double x0 = x * sx, x1 = (x + 1) * sx;
      double acc[3] = {0, 0, 0}, wsum = 0;
      for (int yy = int(std::floor(y0)); yy < int(std::ceil(y1)) && yy < src.height; ++yy) {
        const double wy = std::min(y1, yy + 1.0) - std::max(y0, double(yy));
        if (wy <= 0) continue;
        for (int xx = int(std::floor(x0)); xx < int(std::ceil(x1)) && xx < src.width; ++xx) {
          const double wx = std::min(x1, xx + 1.0) - std::max(x0, double(xx));
          if (wx <= 0) continue;
          const float* p = src.at(xx, yy);
          const double wgt = wx * wy;
          for (int c = 0; c < 3; ++c) acc[c] += wgt * p[std::min(c, src.channels - 1)];
          wsum += wgt;
        }
      }
      float* q = dst.at(x, y);
      for (int c = 0; c < 3; ++c) q[c] = float(acc[c] / std::max(wsum, 1e-12));
    }
  }
  return dst;
}

ImageF downsample_area(const ImageF& image, int max_side) {
  const int longest = std::max(image.width, image.height);
  if (longest <= max_side) return crop(image, 0, 0, image.width, image.height);
  const double k = double(max_side) / longest;
  const int w = std::max(1, int(std::lround(image.width * k)));
  const int h = std::max(1, int(std::lround(image.height * k)));
  return resize_area(image, w, h);
}

ImageF crop(const ImageF& image, int x, int y, int w, int h) {
  x = std::clamp(x, 0, std::max(0, image.width - 1));
  y = std::clamp(y, 0, std::max(0, image.height - 1));
  w = std::clamp(w, 1, image.width - x);
  h = std::clamp(h, 1, image.height - y);
  ImageF out(w, h, 3);
  for (int yy = 0; yy < h; ++yy)
    for (int xx = 0; xx < w; ++xx) {
      const float* p = image.at(x + xx, y + yy);
      float* q = out.at(xx, yy);
      for (int c = 0; c < 3; ++c) q[c] = p[std::min(c, image.channels - 1)];
    }
  return out;
}

void flip_horizontal(ImageF& image) {
  const int ch = image.channels;
  for (int y = 0; y < image.height; ++y) {
    float* r = image.row(y);
    for (int x = 0; x < image.width / 2; ++x)
      for (int c = 0; c < ch; ++c) std::swap(r[x * ch + c], r[(image.width - 1 - x) * ch + c]);
  }
}

}  // namespace autograde::learn
