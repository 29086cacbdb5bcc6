#include "autograde/learn/image_ops.hpp"

#include <algorithm>
#include <utility>

namespace autograde::learn {

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
