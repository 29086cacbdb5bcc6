#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "autograde/core/error.hpp"
#include "autograde/lut/load.hpp"

namespace autograde {

namespace {

struct Layout {
  const char* name;
  int n;  // cube size
  // Maps lattice (r,g,b) to the pixel (x,y) holding it.
  std::function<std::pair<int, int>(int, int, int)> where;
};

std::vector<Layout> candidate_layouts(int w, int h) {
  std::vector<Layout> out;
  // Hald CLUT: square, side level^3, lattice index r + N g + N^2 b in raster order.
  for (int level = 2; level * level <= kMaxLut3DSize; ++level) {
    if (w == h && w == level * level * level) {
      const int n = level * level;
      out.push_back({"Hald CLUT", n, [n, w](int r, int g, int b) {
                       long i = r + long(n) * g + long(n) * n * b;
                       return std::pair<int, int>(int(i % w), int(i / w));
                     }});
    }
  }
  // Horizontal strip of n tiles of n×n.
  if (h >= kMinLut3DSize && h <= kMaxLut3DSize && w == h * h) {
    const int n = h;
    out.push_back({"horizontal strip", n,
                   [n](int r, int g, int b) { return std::pair<int, int>(b * n + r, g); }});
  }
  if (w >= kMinLut3DSize && w <= kMaxLut3DSize && h == w * w) {
    const int n = w;
    out.push_back({"vertical strip", n,
                   [n](int r, int g, int b) { return std::pair<int, int>(r, b * n + g); }});
  }
  // k×k tiles of n×n with n = k^2.
  for (int k = 2; k * k <= kMaxLut3DSize; ++k) {
    const int n = k * k;
    if (w == h && w == k * n) {
      out.push_back({"square tiles", n, [n, k](int r, int g, int b) {
                       return std::pair<int, int>((b % k) * n + r, (b / k) * n + g);
                     }});
    }
  }
  return out;
}

Lut3D decode(const ImageF& img, const Layout& layout) {
  Lut3D lut;
  lut.size = layout.n;
  lut.table.resize(size_t(layout.n) * layout.n * layout.n * 3);
  for (int b = 0; b < layout.n; ++b)
    for (int g = 0; g < layout.n; ++g)
      for (int r = 0; r < layout.n; ++r) {
        auto [x, y] = layout.where(r, g, b);
        const float* px = img.at(x, y);
        float* e = lut.at(r, g, b);
        e[0] = px[0], e[1] = px[1], e[2] = px[2];
      }
  return lut;
}

// Mean absolute second difference along the three lattice axes. A LUT read in its true layout
// is locally close to affine (the premise of interpolating it at all), so its second
// differences are O(step^2) — zero for the identity — while the same pixels read in a wrong
// layout jump by O(1) at every tile edge. First differences separate the two far less
// (a level-2 Hald read as 2×2 tiles is only ~1.5× rougher by that measure, ~6× by this one).
double roughness(const Lut3D& lut) {
  const int n = lut.size;
  double sum = 0;
  size_t count = 0;
  for (int axis = 0; axis < 3; ++axis)
    for (int b = 0; b < n; ++b)
      for (int g = 0; g < n; ++g)
        for (int r = 0; r < n; ++r) {
          int lo[3] = {r, g, b}, hi[3] = {r, g, b};
          if (--lo[axis] < 0 || ++hi[axis] >= n) continue;
          const float* e = lut.at(r, g, b);
          const float* p = lut.at(lo[0], lo[1], lo[2]);
          const float* q = lut.at(hi[0], hi[1], hi[2]);
          for (int c = 0; c < 3; ++c) sum += std::abs(double(q[c]) - 2.0 * e[c] + p[c]);
          count += 3;
        }
  return count ? sum / double(count) : 0.0;
}

}  // namespace

Lut3D lut_from_image(const ImageF& image, const std::string& name) {
  if (image.channels < 3) throw_bad_input(name, "a LUT image needs RGB channels");
  auto layouts = candidate_layouts(image.width, image.height);
  if (layouts.empty())
    throw_bad_input(name, std::to_string(image.width) + "x" + std::to_string(image.height) +
                              " is not a Hald CLUT or lattice-strip size");
  std::vector<std::pair<double, Lut3D>> decoded;
  for (const auto& l : layouts) {
    Lut3D lut = decode(image, l);
    decoded.emplace_back(roughness(lut), std::move(lut));
  }
  std::sort(decoded.begin(), decoded.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  // Demand a clear margin before choosing: on real LUTs the true layout is 6× or more smoother
  // than the runner-up, while noise or a table that fits both readings comes out near 1×.
  if (decoded.size() > 1 && decoded[0].first > 0.6 * decoded[1].first)
    throw_bad_input(name, "LUT image layout is ambiguous (" + std::to_string(image.width) + "x" +
                              std::to_string(image.height) + " fits several lattices)");
  Lut3D lut = std::move(decoded[0].second);
  validate(lut, name);
  return lut;
}

ImageF hald_image(const Lut3D& lut) {
  int level = int(std::lround(std::sqrt(double(lut.size))));
  if (level * level != lut.size)
    throw_internal("hald_image: LUT size " + std::to_string(lut.size) + " is not a square");
  const int side = level * level * level;
  ImageF img(side, side, 3);
  for (int b = 0; b < lut.size; ++b)
    for (int g = 0; g < lut.size; ++g)
      for (int r = 0; r < lut.size; ++r) {
        long i = r + long(lut.size) * g + long(lut.size) * lut.size * b;
        float* px = img.at(int(i % side), int(i / side));
        const float* e = lut.at(r, g, b);
        px[0] = e[0], px[1] = e[1], px[2] = e[2];
      }
  return img;
}

}  // namespace autograde
