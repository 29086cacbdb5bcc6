// libFuzzer target for LUT images (lut_from_image, lut_image_io.cpp) without OpenImageIO: the
// input describes an ImageF directly.
//   byte 0: width (0..64), byte 1: height (0..64) — every Hald, strip and tile size up to
//           64 px (Hald level 2 = 8×8 and level 3 = 27×27 also fit 2×2 and 3×3 tiles);
//   byte 2: channels (low 2 bits + 1: 1..4) and the base fill (bits 2..3): zeros, the identity
//           lattice laid out as a Hald CLUT, as a horizontal strip, or as a vertical strip
//           (so valid and ambiguous layouts are reached, not only rejections);
//   then 6-byte patches: a little-endian uint16 sample index (mod the sample count) and a raw
//           float (any bits: NaN, ±inf, denormals, huge values).
// An accepted image must give a LUT that passes validate().
#include <cmath>
#include <cstdint>
#include <cstring>

#include "autograde/lut/load.hpp"
#include "fuzz_common.hpp"

using namespace autograde;

namespace {

void fill_identity(ImageF& im, int mode) {
  const int w = im.width, h = im.height;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      int r = 0, g = 0, b = 0, n = 2;
      if (mode == 1) {  // Hald: lattice index r + n g + n^2 b in raster order, n = level^2
        int level = 2;
        while (level * level * level < w) ++level;
        n = level * level;
        const long i = x + long(w) * y;
        r = int(i % n), g = int(i / n % n), b = int(i / (long(n) * n));
      } else if (mode == 2) {  // horizontal strip: n tiles of n×n, n = height
        n = h;
        r = x % n, g = y, b = x / n;
      } else {  // vertical strip, n = width
        n = w;
        r = x, g = y % n, b = y / n;
      }
      float* px = im.at(x, y);
      const float s = n > 1 ? 1.f / float(n - 1) : 0.f;
      px[0] = float(r) * s, px[1] = float(g) * s, px[2] = float(b) * s;
      if (im.channels == 4) px[3] = 1.f;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const int w = data[0] % 65, h = data[1] % 65, channels = 1 + (data[2] & 3);
  const int mode = (data[2] >> 2) & 3;
  ImageF im(w, h, channels);
  if (mode != 0 && channels >= 3 && w > 0 && h > 0) fill_identity(im, mode);
  for (size_t p = 3; p + 6 <= size && !im.pixels.empty(); p += 6) {
    const size_t index = size_t(data[p] | (data[p + 1] << 8)) % im.pixels.size();
    float v;
    std::memcpy(&v, data + p + 2, sizeof v);
    im.pixels[index] = v;
  }
  Lut3D lut;
  if (!fuzz::accepts([&] { lut = lut_from_image(im, "fuzz.png"); })) return 0;
  fuzz::require(lut.size >= kMinLut3DSize && lut.size <= kMaxLut3DSize, "LUT size out of range");
  fuzz::require(lut.table.size() == size_t(lut.size) * lut.size * lut.size * 3,
                "table size does not match the LUT size");
  if (!fuzz::accepts([&] { validate(lut, "fuzz.png"); }))
    fuzz::fail("lut_from_image returned a LUT validate() rejects");
  return 0;
}
