#include "autograde/core/image_ops.hpp"

#include <algorithm>
#include <cmath>

#include "autograde/core/error.hpp"

namespace autograde {

namespace {

// Each output pixel of `dst` averages the part of the source rectangle [0, src_w) x [0, src_h)
// it covers, with fractional edge weights. With an integer ratio every weight is exactly 1, so
// the sum is the plain sum of the block's pixels (WholeBlocks).
template <typename Acc, bool Check>
void area_kernel(const ImageF& src, int src_w, int src_h, ImageF& dst, const std::string& name) {
  const int w = dst.width, h = dst.height;
  const double sx = double(src_w) / w, sy = double(src_h) / h;
  const int last = src.channels - 1;
  for (int y = 0; y < h; ++y) {
    const double y0 = y * sy, y1 = (y + 1) * sy;
    for (int x = 0; x < w; ++x) {
      const double x0 = x * sx, x1 = (x + 1) * sx;
      Acc acc[3] = {0, 0, 0};
      double wsum = 0;
      for (int yy = int(std::floor(y0)); yy < int(std::ceil(y1)) && yy < src_h; ++yy) {
        const double wy = std::min(y1, yy + 1.0) - std::max(y0, double(yy));
        if (wy <= 0) continue;
        for (int xx = int(std::floor(x0)); xx < int(std::ceil(x1)) && xx < src_w; ++xx) {
          const double wx = std::min(x1, xx + 1.0) - std::max(x0, double(xx));
          if (wx <= 0) continue;
          const float* p = src.at(xx, yy);
          const double wgt = wx * wy;
          for (int c = 0; c < 3; ++c) {
            if constexpr (Check) {
              if (!std::isfinite(p[c]))
                throw_bad_input(name, "pixel (" + std::to_string(xx) + "," + std::to_string(yy) +
                                          ") holds NaN or infinity");
            }
            acc[c] += Acc(wgt * p[std::min(c, last)]);
          }
          wsum += wgt;
        }
      }
      float* q = dst.at(x, y);
      for (int c = 0; c < 3; ++c) q[c] = float(acc[c] / Acc(std::max(wsum, 1e-12)));
    }
  }
}

}  // namespace

ImageF area_average(const ImageF& image, const AreaAverage& how) {
  const bool check = !how.name.empty();
  if (image.empty() || image.width <= 0 || image.height <= 0 || (check && image.channels < 3)) {
    if (check) throw_bad_input(how.name, "image is empty or has fewer than 3 channels");
    throw_internal("area_average: empty image");
  }
  const int W = image.width, H = image.height, long_side = std::max(W, H);
  int w = how.width, h = how.height;
  int src_w = W, src_h = H;  // the part of the image that is averaged
  if (how.max_side > 0) {
    if (how.grid == AreaGrid::WholeBlocks) {
      const int k = std::max(1, (long_side + how.max_side - 1) / how.max_side);
      w = std::max(1, W / k);
      h = std::max(1, H / k);
      src_w = std::min(W, w * k);
      src_h = std::min(H, h * k);
    } else if (long_side > how.max_side) {
      const double s = double(how.max_side) / long_side;
      w = std::max(1, int(std::lround(W * s)));
      h = std::max(1, int(std::lround(H * s)));
    } else {
      w = W;
      h = H;
    }
  } else if (w <= 0 || h <= 0 || how.grid != AreaGrid::Exact) {
    throw_internal("area_average: neither max_side nor an exact width and height");
  }
  ImageF out(w, h, 3);
  if (how.float_sum)
    check ? area_kernel<float, true>(image, src_w, src_h, out, how.name)
          : area_kernel<float, false>(image, src_w, src_h, out, how.name);
  else
    check ? area_kernel<double, true>(image, src_w, src_h, out, how.name)
          : area_kernel<double, false>(image, src_w, src_h, out, how.name);
  return out;
}

}  // namespace autograde
