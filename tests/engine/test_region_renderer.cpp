// The region renderer (base LUT + region LUTs blended by soft masks) against a scalar reference
// built from src/lut's sample() and a straightforward bilinear mask upsampling written here in
// double precision, and against LutRenderer where the blend must reduce to one LUT.
#include <gtest/gtest.h>
#include <hwy/targets.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "autograde/core/error.hpp"
#include "autograde/engine/region_renderer.hpp"
#include "autograde/engine/renderer.hpp"
#include "autograde/lut/interpolate.hpp"
#include "engine_test_image.hpp"
#include "engine_test_luts.hpp"

namespace autograde {
namespace {

using testing::TestImage;

std::vector<PixelFormat> all_formats() {
  std::vector<PixelFormat> out;
  for (SampleType t :
       {SampleType::U8, SampleType::U10, SampleType::U12, SampleType::U16, SampleType::F32})
    for (Layout l : {Layout::Packed, Layout::Planar})
      for (int ch : {3, 4}) out.push_back({t, l, ch});
  return out;
}

LutFile cube_file(int size, unsigned seed) {
  LutFile f;
  f.cube = testing::make_test_cube(size, seed);
  return f;
}

// A soft mask with values spread over 0..1, some below 0 and above 1 (clamped by the
// renderer), and an exact-zero area.
ImageF make_mask(int w, int h, unsigned seed) {
  ImageF m(w, h, 1);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.3f, 1.3f);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) m.pixels[size_t(y) * w + x] = (x + y) % 5 == 0 ? 0.f : u(rng);
  return m;
}

// Bilinear with pixel centres aligned, in double, as the contract states it.
double mask_at(const ImageF& m, int x, int y, int width, int height) {
  auto coord = [](int i, int n, int size, int& a, int& b, double& f) {
    const double s = std::clamp((i + 0.5) * size / double(n) - 0.5, 0.0, double(size - 1));
    a = int(std::floor(s));
    b = std::min(a + 1, size - 1);
    f = s - a;
  };
  int x0, x1, y0, y1;
  double fx, fy;
  coord(x, width, m.width, x0, x1, fx);
  coord(y, height, m.height, y0, y1, fy);
  auto v = [&](int xx, int yy) {
    return std::clamp(double(m.pixels[size_t(yy) * m.width + xx]), 0.0, 1.0);
  };
  const double top = v(x0, y0) + fx * (v(x1, y0) - v(x0, y0));
  const double bot = v(x0, y1) + fx * (v(x1, y1) - v(x0, y1));
  return top + fy * (bot - top);
}

// Number of samples off the reference (reports the first).
int compare_with_reference(const LutFile& base, const std::vector<LutFile>& regions,
                           const std::vector<const ImageF*>& masks,
                           const std::vector<float>& strengths, Interp interp, const TestImage& in,
                           const TestImage& out) {
  const PixelFormat& f = in.format;
  const bool is_float = f.type == SampleType::F32;
  const float max = sample_max(f.type);
  int bad = 0;
  for (int y = 0; y < in.height; ++y)
    for (int x = 0; x < in.width; ++x) {
      Rgb px;
      for (int c = 0; c < 3; ++c) px[c] = is_float ? in.get(x, y, c) : in.get(x, y, c) / max;
      const Rgb b = sample(base, px, interp);
      double ref[3] = {b[0], b[1], b[2]};
      for (size_t k = 0; k < regions.size(); ++k) {
        const Rgb l = sample(regions[k], px, interp);
        const double w = strengths[k] * mask_at(*masks[k], x, y, in.width, in.height);
        for (int c = 0; c < 3; ++c) ref[c] += w * (l[c] - ref[c]);
      }
      for (int c = 0; c < 3; ++c) {
        const float got = out.get(x, y, c);
        double err;
        bool ok;
        if (is_float) {
          err = std::fabs(got - ref[c]);
          ok = err <= 2e-5;
        } else {
          const double exact = std::clamp(ref[c] * max, 0.0, double(max));
          err = std::fabs(got - exact);
          // Correct rounding, plus the float32 noise of LUT and blend (a few 1e-7 of scale).
          ok = err <= 0.5 + 2e-6 * max;
        }
        if (!ok && bad++ == 0)
          ADD_FAILURE() << format_name(f) << " pixel (" << x << "," << y << ") channel " << c
                        << ": got " << got << " reference " << ref[c] << " (error " << err << ")";
      }
      if (f.channels == 4 &&
          std::memcmp(in.sample_ptr(x, y, 3), out.sample_ptr(x, y, 3), sample_bytes(f.type)) != 0 &&
          bad++ == 0)
        ADD_FAILURE() << format_name(f) << " alpha changed at (" << x << "," << y << ")";
    }
  return bad;
}

TEST(RegionRenderer, MatchesScalarReference) {
  const LutFile base = cube_file(17, 1);
  const std::vector<LutFile> regions = {cube_file(33, 2), cube_file(9, 3)};
  // Mask sizes: smaller than, equal to and larger than the image, single row/column, 1×1.
  const ImageF m_small = make_mask(5, 3, 10), m_big = make_mask(90, 40, 11);
  const ImageF m_col = make_mask(1, 7, 12), m_one = make_mask(1, 1, 13);
  // All ones at strength 1 (the renderer starts from the region LUT there) under a soft mask.
  const ImageF m_full = [] {
    ImageF m(3, 2, 1);
    std::fill(m.pixels.begin(), m.pixels.end(), 1.f);
    return m;
  }();
  unsigned seed = 100;
  for (Interp interp : {Interp::Tetrahedral, Interp::Trilinear})
    for (const PixelFormat& f : all_formats()) {
      const RegionRenderer r = make_region_renderer(base, regions, f, interp);
      ASSERT_EQ(r.region_count(), 2);
      // Odd sizes; 1100 wide crosses the renderer's row segments (1024 pixels).
      for (auto [w, h] : {std::pair{37, 19}, std::pair{1, 1}, std::pair{1100, 3}}) {
        for (auto [ma, mb] : {std::pair{&m_small, &m_big}, std::pair{&m_col, &m_one},
                              std::pair{&m_full, &m_small}}) {
          SCOPED_TRACE(::testing::Message()
                       << interp_name(interp) << " " << format_name(f) << " " << w << "x" << h
                       << " masks " << ma->width << "x" << ma->height);
          TestImage in(f, w, h), out(f, w, h);
          in.fill_random(seed++);
          const std::vector<const ImageF*> masks = {ma, mb};
          const std::vector<float> strengths = {ma == &m_full ? 1.f : 0.8f, 0.6f};
          r.apply(in.view, out.view, masks, strengths);
          ASSERT_EQ(compare_with_reference(base, regions, masks, strengths, interp, in, out), 0);
        }
      }
    }
}

// Every SIMD target compiled in (the dispatcher picks the best the CPU has; the others run here
// by masking the CPU's targets): same reference, same tolerances.
TEST(RegionRenderer, EveryCompiledSimdTargetMatchesTheReference) {
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  const LutFile base = cube_file(33, 50);
  const std::vector<LutFile> regions = {cube_file(17, 51), cube_file(33, 52)};
  const ImageF ma = make_mask(7, 4, 53), mb = make_mask(30, 20, 54);
  const std::vector<const ImageF*> masks = {&ma, &mb};
  const std::vector<float> strengths = {1.f, 0.7f};
  unsigned seed = 500;
  for (int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(engine_simd_target());
    for (PixelFormat f : {PixelFormat{SampleType::U8, Layout::Packed, 3},
                          PixelFormat{SampleType::U16, Layout::Planar, 4},
                          PixelFormat{SampleType::F32, Layout::Planar, 3},
                          PixelFormat{SampleType::F32, Layout::Packed, 4}}) {
      SCOPED_TRACE(format_name(f));
      const RegionRenderer r = make_region_renderer(base, regions, f, Interp::Tetrahedral);
      TestImage in(f, 301, 9), out(f, 301, 9);
      in.fill_random(seed++);
      r.apply(in.view, out.view, masks, strengths);
      EXPECT_EQ(
          compare_with_reference(base, regions, masks, strengths, Interp::Tetrahedral, in, out), 0);
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

// Strength 0 or an all-zero mask leaves exactly what the single-LUT renderer writes.
TEST(RegionRenderer, NoRegionWeightIsByteIdenticalToTheBaseLut) {
  const LutFile base = cube_file(33, 4);
  const std::vector<LutFile> regions = {cube_file(33, 5), cube_file(17, 6)};
  const ImageF zeros(7, 5, 1), ones_neg = [] {
    ImageF m(3, 3, 1);
    std::fill(m.pixels.begin(), m.pixels.end(), -2.f);  // clamps to zero
    return m;
  }();
  const ImageF soft = make_mask(16, 9, 7);
  for (const PixelFormat& f : all_formats()) {
    SCOPED_TRACE(format_name(f));
    const RegionRenderer r = make_region_renderer(base, regions, f, Interp::Tetrahedral);
    const LutRenderer single = make_renderer(base, f, Interp::Tetrahedral);
    TestImage in(f, 1061, 4), want(f, 1061, 4);
    in.fill_random(8);
    single.apply(in.view, want.view);
    struct Case {
      const ImageF *a, *b;
      float sa, sb;
    };
    for (const Case& c : {Case{&zeros, &ones_neg, 1.f, 1.f}, Case{&soft, &soft, 0.f, 0.f},
                          Case{&soft, &zeros, 0.f, 1.f}}) {
      TestImage got(f, 1061, 4);
      const std::vector<const ImageF*> masks = {c.a, c.b};
      const std::vector<float> s = {c.sa, c.sb};
      r.apply(in.view, got.view, masks, s);
      for (int p = 0; p < 4; ++p) EXPECT_EQ(got.storage[p], want.storage[p]) << "plane " << p;
    }
  }
}

// A full mask at strength 1 is the region LUT alone, bit for bit; with two regions the later
// one wins where both are full.
TEST(RegionRenderer, FullMaskIsByteIdenticalToTheRegionLut) {
  const LutFile base = cube_file(33, 14), skin = cube_file(33, 15), sky = cube_file(17, 16);
  ImageF ones(11, 7, 1);
  std::fill(ones.pixels.begin(), ones.pixels.end(), 1.f);
  ImageF over = ones;
  std::fill(over.pixels.begin(), over.pixels.end(), 3.f);  // clamps to one
  const ImageF zeros(4, 4, 1);
  for (const PixelFormat& f : all_formats()) {
    SCOPED_TRACE(format_name(f));
    TestImage in(f, 333, 6);
    in.fill_random(17);
    for (int last : {0, 1}) {
      const LutFile& winner = last ? sky : skin;
      TestImage want(f, 333, 6), got(f, 333, 6);
      make_renderer(winner, f, Interp::Tetrahedral).apply(in.view, want.view);
      const std::vector<LutFile> regions = {skin, sky};
      const RegionRenderer r = make_region_renderer(base, regions, f, Interp::Tetrahedral);
      const std::vector<const ImageF*> masks = {&ones, last ? &over : &zeros};
      const std::vector<float> s = {1.f, 1.f};
      r.apply(in.view, got.view, masks, s);
      for (int p = 0; p < 4; ++p) EXPECT_EQ(got.storage[p], want.storage[p]) << "plane " << p;
    }
  }
}

// A hard-edged mask at image size: far from the edge each side is exactly one LUT.
TEST(RegionRenderer, HardMaskSplitsThePicture) {
  const PixelFormat f{SampleType::U8, Layout::Packed, 3};
  const LutFile base = cube_file(33, 20), region = cube_file(33, 21);
  const int w = 64, h = 8;
  ImageF m(w, h, 1);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w / 2; ++x) m.pixels[size_t(y) * w + x] = 1.f;
  TestImage in(f, w, h), got(f, w, h), a(f, w, h), b(f, w, h);
  in.fill_random(22);
  const std::vector<LutFile> regions = {region};
  const std::vector<const ImageF*> masks = {&m};
  const std::vector<float> s = {1.f};
  make_region_renderer(base, regions, f, Interp::Tetrahedral).apply(in.view, got.view, masks, s);
  make_renderer(region, f, Interp::Tetrahedral).apply(in.view, a.view);
  make_renderer(base, f, Interp::Tetrahedral).apply(in.view, b.view);
  int differ_a = 0, differ_b = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) {
        if (x < w / 2 && got.get(x, y, c) != a.get(x, y, c)) ++differ_a;
        if (x >= w / 2 && got.get(x, y, c) != b.get(x, y, c)) ++differ_b;
      }
  EXPECT_EQ(differ_a, 0);
  EXPECT_EQ(differ_b, 0);
}

TEST(RegionRenderer, InPlaceThreadsAndFloatImage) {
  const LutFile base = cube_file(33, 30);
  const std::vector<LutFile> regions = {cube_file(33, 31)};
  const ImageF mask = make_mask(48, 27, 32);
  const std::vector<const ImageF*> masks = {&mask};
  const std::vector<float> s = {0.7f};
  for (PixelFormat f : {PixelFormat{SampleType::U8, Layout::Packed, 3},
                        PixelFormat{SampleType::U16, Layout::Planar, 3},
                        PixelFormat{SampleType::F32, Layout::Planar, 4}}) {
    SCOPED_TRACE(format_name(f));
    const RegionRenderer r = make_region_renderer(base, regions, f, Interp::Tetrahedral);
    TestImage in(f, 301, 500), one(f, 301, 500), many(f, 301, 500);
    in.fill_random(33);
    tbb::task_arena(1).execute([&] { r.apply(in.view, one.view, masks, s); });
    tbb::task_arena(2).execute([&] { r.apply(in.view, many.view, masks, s); });
    for (int p = 0; p < 4; ++p) EXPECT_EQ(one.storage[p], many.storage[p]) << "plane " << p;
    r.apply(in.view, in.view, masks, s);
    for (int p = 0; p < 4; ++p) EXPECT_EQ(in.storage[p], one.storage[p]) << "plane " << p;
  }
  // The float-image convenience: same numbers as the view API on the same pixels.
  ImageF img(29, 13, 3);
  std::mt19937 rng(34);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (float& v : img.pixels) v = u(rng);
  TestImage in({SampleType::F32, Layout::Packed, 3}, 29, 13),
      out({SampleType::F32, Layout::Packed, 3}, 29, 13);
  for (int y = 0; y < 13; ++y)
    for (int x = 0; x < 29; ++x)
      for (int c = 0; c < 3; ++c) in.set(x, y, c, img.at(x, y)[c]);
  const RegionRenderer r =
      make_region_renderer(base, regions, {SampleType::F32, Layout::Packed, 3}, Interp::Trilinear);
  r.apply(in.view, out.view, masks, s);
  r.apply(img, masks, s);
  for (int y = 0; y < 13; ++y)
    for (int x = 0; x < 29; ++x)
      for (int c = 0; c < 3; ++c) EXPECT_EQ(img.at(x, y)[c], out.get(x, y, c));
}

TEST(RegionRenderer, RejectsBadInput) {
  const PixelFormat f{SampleType::U8, Layout::Packed, 3};
  const LutFile base = cube_file(9, 40);
  const std::vector<LutFile> regions = {cube_file(9, 41)};
  const RegionRenderer r = make_region_renderer(base, regions, f, Interp::Tetrahedral);
  TestImage in(f, 8, 8), out(f, 8, 8);
  const ImageF mask(4, 4, 1), rgb_mask(4, 4, 3);
  const std::vector<float> one_s = {1.f}, two_s = {1.f, 1.f};
  const std::vector<const ImageF*> one_m = {&mask}, none = {}, bad_m = {&rgb_mask};
  EXPECT_THROW(r.apply(in.view, out.view, none, one_s), Error);
  EXPECT_THROW(r.apply(in.view, out.view, one_m, two_s), Error);
  EXPECT_THROW(r.apply(in.view, out.view, bad_m, one_s), Error);
  EXPECT_NO_THROW(r.apply(in.view, out.view, one_m, one_s));
  LutFile shaped = base;
  shaped.shaper = testing::make_test_shaper(16);
  EXPECT_THROW(make_region_renderer(shaped, regions, f, Interp::Tetrahedral), Error);
  LutFile odd;
  odd.cube = testing::make_test_cube(9, 42, /*odd_domain=*/true);
  const std::vector<LutFile> odd_regions = {odd};
  EXPECT_THROW(make_region_renderer(base, odd_regions, f, Interp::Tetrahedral), Error);
  EXPECT_THROW(
      make_region_renderer(base, regions, {SampleType::U8, Layout::Packed, 2}, Interp::Tetrahedral),
      Error);
}

}  // namespace
}  // namespace autograde
