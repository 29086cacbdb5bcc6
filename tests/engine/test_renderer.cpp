// The fast engine against src/lut's scalar reference (sample()), over LUT sizes, odd widths,
// misaligned buffers and strides, every pixel format, both interpolations, shaper on and off.
#include <gtest/gtest.h>
#include <hwy/targets.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <string>

#include "autograde/core/error.hpp"
#include "autograde/engine/renderer.hpp"
#include "autograde/lut/interpolate.hpp"
#include "engine_test_image.hpp"
#include "engine_test_luts.hpp"

namespace autograde {
namespace {

using testing::TestImage;

const SampleType kTypes[] = {SampleType::U8, SampleType::U10, SampleType::U12, SampleType::U16,
                             SampleType::F32};

std::vector<PixelFormat> all_formats() {
  std::vector<PixelFormat> out;
  for (SampleType t : kTypes)
    for (Layout l : {Layout::Packed, Layout::Planar})
      for (int ch : {3, 4}) out.push_back({t, l, ch});
  return out;
}

// Integer outputs must be the correctly rounded reference: within 0.5 code value of the exact
// (float) reference, plus float32 noise of the two computations (~1e-7 of full scale).
float int_tolerance(SampleType t) { return 0.5f + 4e-7f * sample_max(t); }

// Compares `out` (rendered from `in`) against the scalar reference; returns the number of bad
// samples and reports the first one.
int compare_with_reference(const LutFile& lut, Interp interp, const TestImage& in,
                           const TestImage& out, float* worst = nullptr) {
  const PixelFormat& f = in.format;
  const bool is_float = f.type == SampleType::F32;
  const float max = sample_max(f.type);
  int bad = 0;
  for (int y = 0; y < in.height; ++y)
    for (int x = 0; x < in.width; ++x) {
      Rgb px;
      for (int c = 0; c < 3; ++c) px[c] = is_float ? in.get(x, y, c) : in.get(x, y, c) / max;
      const Rgb ref = sample(lut, px, interp);
      for (int c = 0; c < 3; ++c) {
        const float got = out.get(x, y, c);
        float err;
        bool ok;
        if (is_float) {
          err = std::fabs(got - ref[c]);
          ok = err <= 1e-5f;
        } else {
          const float exact = std::min(std::max(ref[c] * max, 0.f), max);
          err = std::fabs(got - exact);
          ok = err <= int_tolerance(f.type);
        }
        if (worst) *worst = std::max(*worst, err);
        if (!ok && bad++ == 0)
          ADD_FAILURE() << format_name(f) << " pixel (" << x << "," << y << ") channel " << c
                        << ": in " << px[c] << " got " << got << " reference " << ref[c]
                        << " (error " << err << ")";
      }
      if (f.channels == 4) {
        // Alpha is copied bit for bit.
        if (std::memcmp(in.sample_ptr(x, y, 3), out.sample_ptr(x, y, 3), sample_bytes(f.type)) !=
                0 &&
            bad++ == 0)
          ADD_FAILURE() << format_name(f) << " alpha changed at (" << x << "," << y << ")";
      }
    }
  return bad;
}

TEST(LutRenderer, MatchesScalarReferenceEverywhere) {
  std::map<std::string, float> worst;
  unsigned seed = 1;
  for (int size : {2, 3, 17, 33, 65}) {
    for (bool shaper : {false, true}) {
      LutFile lut;
      lut.cube = testing::make_test_cube(size, 100 + size, /*odd_domain=*/size == 17);
      if (shaper) lut.shaper = testing::make_test_shaper(size == 3 ? 2 : 257, size == 33);
      for (Interp interp : {Interp::Tetrahedral, Interp::Trilinear})
        for (const PixelFormat& f : all_formats()) {
          const LutRenderer r = make_renderer(lut, f, interp);
          for (int width : {1, 7, 33}) {
            SCOPED_TRACE(::testing::Message()
                         << "size " << size << " shaper " << shaper << " " << interp_name(interp)
                         << " " << format_name(f) << " width " << width);
            TestImage in(f, width, 3), out(f, width, 3);
            in.fill_random(seed++);
            r.apply(in.view, out.view);
            float& w = worst[format_name(f)];
            ASSERT_EQ(compare_with_reference(lut, interp, in, out, &w), 0);
          }
        }
    }
  }
  for (const auto& [name, err] : worst) std::printf("  worst error %-8s %.3g\n", name.c_str(), err);
}

// Every SIMD target compiled into the engine (the dispatcher picks only the best one the CPU
// has; the others run here by masking the CPU's targets): same reference, same tolerances.
TEST(LutRenderer, EveryCompiledSimdTargetMatchesTheReference) {
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  unsigned seed = 77;
  std::set<std::string> ran;
  for (int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(engine_simd_target());
    ran.insert(engine_simd_target());
    for (int size : {2, 33}) {
      LutFile lut;
      lut.cube = testing::make_test_cube(size, 300 + size, false);
      for (Interp interp : {Interp::Tetrahedral, Interp::Trilinear})
        for (PixelFormat f : {PixelFormat{SampleType::U8, Layout::Packed, 3},
                              PixelFormat{SampleType::U16, Layout::Packed, 4},
                              PixelFormat{SampleType::F32, Layout::Planar, 3},
                              PixelFormat{SampleType::U10, Layout::Planar, 4}}) {
          const LutRenderer r = make_renderer(lut, f, interp);
          for (int width : {1, 7, 300}) {
            SCOPED_TRACE(::testing::Message() << "size " << size << " " << interp_name(interp)
                                              << " " << format_name(f) << " width " << width);
            TestImage in(f, width, 3), out(f, width, 3);
            in.fill_random(seed++);
            r.apply(in.view, out.view);
            EXPECT_EQ(compare_with_reference(lut, interp, in, out), 0);
          }
        }
    }
  }
  hwy::SetSupportedTargetsForTest(0);     // back to what the CPU has
  EXPECT_EQ(ran.size(), targets.size());  // each target really ran
  for (const std::string& name : ran) std::printf("  ran on %s\n", name.c_str());
}

TEST(LutRenderer, ShaperOnlyAndLargestCube) {
  LutFile shaper_only;
  shaper_only.shaper = testing::make_test_shaper(64);
  LutFile big;
  big.cube = testing::make_test_cube(256, 7);
  for (const LutFile* lut : {&shaper_only, &big})
    for (PixelFormat f : {PixelFormat{SampleType::U16, Layout::Packed, 3},
                          PixelFormat{SampleType::F32, Layout::Planar, 3},
                          PixelFormat{SampleType::U8, Layout::Packed, 4}}) {
      SCOPED_TRACE(format_name(f));
      TestImage in(f, 61, 4), out(f, 61, 4);
      in.fill_random(42);
      make_renderer(*lut, f, Interp::Tetrahedral).apply(in.view, out.view);
      EXPECT_EQ(compare_with_reference(*lut, Interp::Tetrahedral, in, out), 0);
    }
}

TEST(LutRenderer, InPlaceEqualsOutOfPlace) {
  LutFile lut;
  lut.cube = testing::make_test_cube(33, 3);
  for (const PixelFormat& f : all_formats()) {
    SCOPED_TRACE(format_name(f));
    TestImage in(f, 77, 5), out(f, 77, 5);
    in.fill_random(9);
    const LutRenderer r = make_renderer(lut, f, Interp::Tetrahedral);
    r.apply(in.view, out.view);
    r.apply(in.view);
    for (int p = 0; p < 4; ++p) EXPECT_EQ(in.storage[p], out.storage[p]) << "plane " << p;
  }
}

TEST(LutRenderer, OneThreadAndManyThreadsGiveIdenticalResults) {
  LutFile lut;
  lut.cube = testing::make_test_cube(33, 11);
  lut.shaper = testing::make_test_shaper(1024);
  for (PixelFormat f : {PixelFormat{SampleType::U8, Layout::Packed, 3},
                        PixelFormat{SampleType::U16, Layout::Packed, 4},
                        PixelFormat{SampleType::F32, Layout::Planar, 3}}) {
    SCOPED_TRACE(format_name(f));
    // Tall enough that the rows split into many tasks.
    TestImage in(f, 301, 700), one(f, 301, 700), many(f, 301, 700);
    in.fill_random(5);
    const LutRenderer r = make_renderer(lut, f, Interp::Tetrahedral);
    tbb::task_arena(1).execute([&] { r.apply(in.view, one.view); });
    tbb::task_arena(2).execute([&] { r.apply(in.view, many.view); });
    for (int p = 0; p < 4; ++p) EXPECT_EQ(one.storage[p], many.storage[p]) << "plane " << p;
  }
}

TEST(LutRenderer, FloatImageConvenienceMatchesApplyReference) {
  LutFile lut;
  lut.cube = testing::make_test_cube(17, 2);
  ImageF img(13, 9, 4);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (float& v : img.pixels) v = u(rng);
  ImageF ref = img;
  apply_reference(lut, ref, Interp::Trilinear);
  make_renderer(lut, {SampleType::F32, Layout::Packed, 4}, Interp::Trilinear).apply(img);
  for (size_t i = 0; i < img.pixels.size(); ++i) ASSERT_NEAR(img.pixels[i], ref.pixels[i], 1e-5f);
  EXPECT_THROW(
      make_renderer(lut, {SampleType::F32, Layout::Packed, 3}, Interp::Trilinear).apply(img),
      Error);
}

TEST(LutRenderer, RoundsWhereTruncationWouldNot) {
  // A constant LUT at 100.75/255: truncation (ffmpeg 5.1's 8-bit output) gives 100, correct
  // rounding 101.
  Lut3D lut = Lut3D::identity(2);
  for (float& v : lut.table) v = 100.75f / 255.f;
  TestImage in({SampleType::U8, Layout::Packed, 3}, 5, 1),
      out({SampleType::U8, Layout::Packed, 3}, 5, 1);
  in.fill_random(1);
  make_renderer(lut, in.format, Interp::Tetrahedral).apply(in.view, out.view);
  for (int x = 0; x < 5; ++x)
    for (int c = 0; c < 3; ++c) EXPECT_EQ(out.get(x, 0, c), 101.f);
}

TEST(LutRenderer, RejectsBadFormatsAndSizes) {
  LutFile lut;
  lut.cube = Lut3D::identity(2);
  EXPECT_THROW(make_renderer(lut, {SampleType::U8, Layout::Packed, 2}, Interp::Tetrahedral), Error);
  const LutRenderer r =
      make_renderer(lut, {SampleType::U8, Layout::Packed, 3}, Interp::Tetrahedral);
  TestImage a({SampleType::U8, Layout::Packed, 3}, 4, 4),
      b({SampleType::U8, Layout::Packed, 3}, 5, 4);
  EXPECT_THROW(r.apply(a.view, b.view), Error);
  EXPECT_NE(std::string(engine_simd_target()), "");
}

}  // namespace
}  // namespace autograde
