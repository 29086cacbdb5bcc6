#include "autograde/core/image_ops.hpp"

#include <algorithm>
#include <cmath>

#include "autograde/core/error.hpp"

namespace autograde {

ImageF block_average(const ImageF& image, int max_side, const std::string& name) {
  if (image.empty() || image.width <= 0 || image.height <= 0 || image.channels < 3)
    throw_bad_input(name, "image is empty or has fewer than 3 channels");
  const int long_side = std::max(image.width, image.height);
  const int factor = std::max(1, (long_side + max_side - 1) / std::max(1, max_side));
  const int w = std::max(1, image.width / factor), h = std::max(1, image.height / factor);
  ImageF out(w, h, 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      double acc[3] = {0, 0, 0};
      int n = 0;
      for (int yy = y * factor; yy < std::min(image.height, (y + 1) * factor); ++yy)
        for (int xx = x * factor; xx < std::min(image.width, (x + 1) * factor); ++xx) {
          const float* p = image.at(xx, yy);
          for (int c = 0; c < 3; ++c) {
            if (!std::isfinite(p[c]))
              throw_bad_input(name, "pixel (" + std::to_string(xx) + "," + std::to_string(yy) +
                                        ") holds NaN or infinity");
            acc[c] += p[c];
          }
          ++n;
        }
      float* o = out.at(x, y);
      for (int c = 0; c < 3; ++c) o[c] = float(acc[c] / std::max(1, n));
    }
  return out;
}

}  // namespace autograde
