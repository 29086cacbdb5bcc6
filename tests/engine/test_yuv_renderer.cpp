// The fused Y'CbCr → R'G'B' → LUT → Y'CbCr path against a scalar double-precision reference
// written from ITU-R BT.709-6 (Kr = 0.2126, Kb = 0.0722; limited range 16–235 / 16–240 at 8 bits,
// 64–940 / 64–960 at 10 bits), and an identity-LUT round trip.
#include <gtest/gtest.h>
#include <hwy/targets.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "autograde/engine/renderer.hpp"
#include "autograde/engine/yuv_renderer.hpp"
#include "autograde/lut/interpolate.hpp"
#include "engine_test_luts.hpp"

namespace autograde {
namespace {

constexpr double kKr = 0.2126, kKb = 0.0722, kKg = 1.0 - kKr - kKb;

struct TestYuv {
  YuvFormat format;
  int width, height, cw, ch;
  std::vector<std::uint8_t> storage[3];
  YuvImage view;

  TestYuv(YuvFormat f, int w, int h) : format(f), width(w), height(h) {
    cw = (w + (1 << f.log2_chroma_w) - 1) >> f.log2_chroma_w;
    ch = (h + (1 << f.log2_chroma_h) - 1) >> f.log2_chroma_h;
    const size_t bps = f.bit_depth > 8 ? 2 : 1;
    view.width = w;
    view.height = h;
    for (int p = 0; p < 3; ++p) {
      const int pw = p == 0 ? w : cw, ph = p == 0 ? h : ch;
      const std::ptrdiff_t stride = std::ptrdiff_t(pw * bps) + 5;  // odd: misaligned rows
      storage[p].assign(size_t(stride) * ph + 8, 0);
      view.planes[p] = storage[p].data() + 1;
      view.strides[p] = stride;
    }
  }
  std::uint8_t* ptr(int p, int x, int y) const {
    return view.planes[p] + std::ptrdiff_t(y) * view.strides[p] +
           x * (format.bit_depth > 8 ? 2 : 1);
  }
  int get(int p, int x, int y) const {
    if (format.bit_depth == 8) return *ptr(p, x, y);
    std::uint16_t v;
    std::memcpy(&v, ptr(p, x, y), 2);
    return v;
  }
  void set(int p, int x, int y, int v) {
    if (format.bit_depth == 8) {
      *ptr(p, x, y) = std::uint8_t(v);
    } else {
      const std::uint16_t u = std::uint16_t(v);
      std::memcpy(ptr(p, x, y), &u, 2);
    }
  }
  void fill_random(unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> u(0, (1 << format.bit_depth) - 1);
    for (int p = 0; p < 3; ++p)
      for (int y = 0; y < (p ? ch : height); ++y)
        for (int x = 0; x < (p ? cw : width); ++x) set(p, x, y, u(rng));
  }
};

// Expected output codes before rounding, from the definitions in BT.709-6 (double precision).
struct ExpectedYuv {
  std::vector<double> y, cb, cr;
};

ExpectedYuv reference(const LutFile& lut, Interp interp, const TestYuv& in) {
  const YuvFormat& f = in.format;
  const double q = double(1 << (f.bit_depth - 8)), max = double((1 << f.bit_depth) - 1);
  ExpectedYuv e;
  e.y.assign(size_t(in.width) * in.height, 0);
  e.cb.assign(size_t(in.cw) * in.ch, 0);
  e.cr.assign(size_t(in.cw) * in.ch, 0);
  auto clamp = [&](double v) { return std::min(std::max(v, 0.0), max); };
  for (int cy = 0; cy < in.ch; ++cy)
    for (int cx = 0; cx < in.cw; ++cx) {
      const double cb = (in.get(1, cx, cy) / q - 128.0) / 224.0;
      const double cr = (in.get(2, cx, cy) / q - 128.0) / 224.0;
      double sum_cb = 0, sum_cr = 0;
      int n = 0;
      for (int y = cy << f.log2_chroma_h; y < std::min((cy + 1) << f.log2_chroma_h, in.height); ++y)
        for (int x = cx << f.log2_chroma_w; x < std::min((cx + 1) << f.log2_chroma_w, in.width);
             ++x) {
          const double yv = (in.get(0, x, y) / q - 16.0) / 219.0;
          const double r = yv + 2.0 * (1.0 - kKr) * cr;
          const double b = yv + 2.0 * (1.0 - kKb) * cb;
          const double g = (yv - kKr * r - kKb * b) / kKg;
          const Rgb o = sample(lut, Rgb{float(r), float(g), float(b)}, interp);
          const double yo = kKr * o[0] + kKg * o[1] + kKb * o[2];
          e.y[size_t(y) * in.width + x] = clamp((219.0 * yo + 16.0) * q);
          sum_cb += (o[2] - yo) / (2.0 * (1.0 - kKb));
          sum_cr += (o[0] - yo) / (2.0 * (1.0 - kKr));
          ++n;
        }
      e.cb[size_t(cy) * in.cw + cx] = clamp((224.0 * sum_cb / n + 128.0) * q);
      e.cr[size_t(cy) * in.cw + cx] = clamp((224.0 * sum_cr / n + 128.0) * q);
    }
  return e;
}

const YuvFormat kFormats[] = {YuvFormat::yuv420(8), YuvFormat::yuv420(10), YuvFormat::yuv422(10),
                              YuvFormat::yuv422(8), YuvFormat::yuv444(8),  YuvFormat::yuv444(10)};

std::string name(const YuvFormat& f) {
  const char* s = f.log2_chroma_h ? "420" : (f.log2_chroma_w ? "422" : "444");
  return std::string("yuv") + s + "p" + std::to_string(f.bit_depth);
}

TEST(YuvLutRenderer, MatchesScalarBt709Reference) {
  unsigned seed = 1;
  double worst = 0;
  for (int size : {2, 17, 33})
    for (bool shaper : {false, true})
      for (Interp interp : {Interp::Tetrahedral, Interp::Trilinear}) {
        LutFile lut;
        lut.cube = testing::make_test_cube(size, 50 + size);
        if (shaper) lut.shaper = testing::make_test_shaper(33);
        for (const YuvFormat& f : kFormats) {
          const YuvLutRenderer r = make_yuv_renderer(lut, f, interp);
          for (auto [w, h] :
               {std::pair{1, 1}, std::pair{7, 5}, std::pair{33, 4}, std::pair{130, 3}}) {
            SCOPED_TRACE(::testing::Message()
                         << name(f) << " size " << size << " shaper " << shaper << " "
                         << interp_name(interp) << " " << w << "x" << h);
            TestYuv in(f, w, h), out(f, w, h);
            in.fill_random(seed++);
            r.apply(in.view, out.view);
            const ExpectedYuv e = reference(lut, interp, in);
            // Correct rounding: within 0.5 code of the exact value (+ float32 noise).
            const double tol = 0.5 + 0.01;
            for (int y = 0; y < h; ++y)
              for (int x = 0; x < w; ++x) {
                const double err = std::fabs(out.get(0, x, y) - e.y[size_t(y) * w + x]);
                worst = std::max(worst, err);
                ASSERT_LE(err, tol) << "Y at " << x << "," << y;
              }
            for (int y = 0; y < in.ch; ++y)
              for (int x = 0; x < in.cw; ++x) {
                const double eb = std::fabs(out.get(1, x, y) - e.cb[size_t(y) * in.cw + x]);
                const double er = std::fabs(out.get(2, x, y) - e.cr[size_t(y) * in.cw + x]);
                worst = std::max({worst, eb, er});
                ASSERT_LE(eb, tol) << "Cb at " << x << "," << y;
                ASSERT_LE(er, tol) << "Cr at " << x << "," << y;
              }
          }
        }
      }
  std::printf("  worst error %.4f code values\n", worst);
}

// Every SIMD target compiled into the engine (see the RGB renderer's test of the same name).
TEST(YuvLutRenderer, EveryCompiledSimdTargetMatchesTheReference) {
  LutFile lut;
  lut.cube = testing::make_test_cube(33, 91);
  unsigned seed = 5;
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(engine_simd_target());
    for (const YuvFormat& f : kFormats) {
      const YuvLutRenderer r = make_yuv_renderer(lut, f, Interp::Tetrahedral);
      for (auto [w, h] : {std::pair{7, 5}, std::pair{131, 3}}) {
        SCOPED_TRACE(::testing::Message() << name(f) << " " << w << "x" << h);
        TestYuv in(f, w, h), out(f, w, h);
        in.fill_random(seed++);
        r.apply(in.view, out.view);
        const ExpectedYuv e = reference(lut, Interp::Tetrahedral, in);
        const double tol = 0.5 + 0.01;  // correct rounding + float32 noise
        for (int y = 0; y < h; ++y)
          for (int x = 0; x < w; ++x)
            ASSERT_LE(std::fabs(out.get(0, x, y) - e.y[size_t(y) * w + x]), tol) << x << "," << y;
        for (int y = 0; y < in.ch; ++y)
          for (int x = 0; x < in.cw; ++x) {
            ASSERT_LE(std::fabs(out.get(1, x, y) - e.cb[size_t(y) * in.cw + x]), tol);
            ASSERT_LE(std::fabs(out.get(2, x, y) - e.cr[size_t(y) * in.cw + x]), tol);
          }
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

TEST(YuvLutRenderer, IdentityLutRoundTripsWithinOneCode) {
  for (const YuvFormat& f : kFormats) {
    SCOPED_TRACE(name(f));
    const int w = 67, h = 37;
    TestYuv in(f, w, h), out(f, w, h);
    const double q = double(1 << (f.bit_depth - 8));
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(0.06, 0.94);
    std::uniform_int_distribution<int> jitter(-3, 3);
    // One in-gamut R'G'B' per chroma sample; luma jittered a little within the block, so every
    // pixel stays inside the LUT's 0..1 domain.
    for (int cy = 0; cy < in.ch; ++cy)
      for (int cx = 0; cx < in.cw; ++cx) {
        const double r = u(rng), g = u(rng), b = u(rng);
        const double yv = kKr * r + kKg * g + kKb * b;
        in.set(1, cx, cy, int(std::lround((224.0 * (b - yv) / 1.8556 + 128.0) * q)));
        in.set(2, cx, cy, int(std::lround((224.0 * (r - yv) / 1.5748 + 128.0) * q)));
        for (int y = cy << f.log2_chroma_h; y < std::min((cy + 1) << f.log2_chroma_h, h); ++y)
          for (int x = cx << f.log2_chroma_w; x < std::min((cx + 1) << f.log2_chroma_w, w); ++x)
            in.set(0, x, y, int(std::lround((219.0 * yv + 16.0) * q)) + jitter(rng));
      }
    LutFile lut;
    lut.cube = Lut3D::identity(33);
    make_yuv_renderer(lut, f, Interp::Tetrahedral).apply(in.view, out.view);
    int exact = 0, total = 0;
    for (int p = 0; p < 3; ++p)
      for (int y = 0; y < (p ? in.ch : h); ++y)
        for (int x = 0; x < (p ? in.cw : w); ++x, ++total) {
          const int d = std::abs(out.get(p, x, y) - in.get(p, x, y));
          ASSERT_LE(d, 1) << "plane " << p << " at " << x << "," << y;
          exact += d == 0;
        }
    EXPECT_GT(exact, total * 99 / 100);
  }
}

TEST(YuvLutRenderer, ThreadsAndInPlaceGiveIdenticalResults) {
  LutFile lut;
  lut.cube = testing::make_test_cube(33, 4);
  for (const YuvFormat& f : {YuvFormat::yuv420(8), YuvFormat::yuv422(10)}) {
    SCOPED_TRACE(name(f));
    TestYuv in(f, 333, 401), one(f, 333, 401), many(f, 333, 401);
    in.fill_random(8);
    const YuvLutRenderer r = make_yuv_renderer(lut, f, Interp::Tetrahedral);
    tbb::task_arena(1).execute([&] { r.apply(in.view, one.view); });
    tbb::task_arena(2).execute([&] { r.apply(in.view, many.view); });
    for (int p = 0; p < 3; ++p) EXPECT_EQ(one.storage[p], many.storage[p]);
    r.apply(in.view);  // in place
    for (int p = 0; p < 3; ++p) EXPECT_EQ(in.storage[p], one.storage[p]);
  }
}

}  // namespace
}  // namespace autograde
