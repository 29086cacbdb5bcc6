// Frame statistics and the log-footage detector.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <iostream>

#include "autograde/analysis/frame_stats.hpp"
#include "autograde/color/color.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/media/video_reader.hpp"
#include "test_support.hpp"

using namespace autograde;
using namespace autograde::testing;

namespace {

ImageF load(const char* name) {
  return read_image((source_dir() / "data/images" / name).string()).image;
}

// ARRI LogC3 (EI 800) encoding of scene-linear reflectance, from ARRI's published formula
// ("ALEXA Log C Curve - Usage in VFX", 2017): cut 0.010591, a 5.555556, b 0.052272,
// c 0.247190, d 0.385537, e 5.367655, f 0.092809.
float logc3(float x) {
  return x > 0.010591f ? 0.247190f * std::log10(5.555556f * x + 0.052272f) + 0.385537f
                       : 5.367655f * x + 0.092809f;
}
// Sony S-Log3 (Sony "Technical Summary for S-Gamut3.Cine/S-Log3", 2014).
float slog3(float x) {
  return x >= 0.01125f ? (420.f + std::log10((x + 0.01f) / 0.19f) * 261.5f) / 1023.f
                       : (x * (171.2102946929f - 95.f) / 0.01125f + 95.f) / 1023.f;
}

// What a camera would have recorded: display image → scene-linear (sRGB decode, a stand-in for
// the scene) → camera log. Highlights are allowed to exceed 1.0 the way scenes do.
ImageF as_log(const ImageF& display, float (*curve)(float)) {
  ImageF out = display;
  for (size_t i = 0; i < out.pixel_count(); ++i)
    for (int c = 0; c < 3; ++c) {
      float& v = out.pixels[i * out.channels + c];
      v = curve(srgb_to_linear(v));
    }
  return out;
}

}  // namespace

TEST(FrameStats, UniformGreyHasTheCieLightness) {
  ImageF grey(32, 16, 3);
  for (float& v : grey.pixels) v = 0.5f;
  FrameStats s = compute_frame_stats(grey);
  // sRGB 0.5 → Y = ((0.5 + 0.055) / 1.055)^2.4 = 0.214041; L* = 116 Y^(1/3) − 16 = 53.389 (CIE
  // 15:2004).
  EXPECT_NEAR(s.mean_lab[0], 53.389f, 0.02f);
  EXPECT_NEAR(s.mean_lab[1], 0.f, 0.01f);
  EXPECT_NEAR(s.mean_lab[2], 0.f, 0.01f);
  EXPECT_NEAR(s.l_p05, 53.389f, 0.1f);
  EXPECT_NEAR(s.l_p95, 53.389f, 0.1f);
  EXPECT_NEAR(s.l_stddev, 0.f, 1e-3f);
  EXPECT_NEAR(s.luma_p01, 0.5f, 1e-3f);
  EXPECT_EQ(s.samples, 32 * 16);
}

TEST(FrameStats, PercentilesOfARamp) {
  ImageF ramp(1000, 1, 3);
  for (int x = 0; x < 1000; ++x)
    for (int c = 0; c < 3; ++c) ramp.at(x, 0)[c] = (x + 0.5f) / 1000.f;
  FrameStats s = compute_frame_stats(ramp);
  EXPECT_NEAR(s.luma_p01, 0.01f, 0.002f);
  EXPECT_NEAR(s.luma_p99, 0.99f, 0.002f);
  EXPECT_NEAR(s.luma_mean, 0.5f, 1e-3f);
  EXPECT_NEAR(s.l_p50, 116.f * std::cbrt(srgb_to_linear(0.5f)) - 16.f, 0.3f);
}

TEST(LogDetector, DisplayImagesAreNotLogTheirLogEncodingsAre) {
  for (const char* name : {"coffee.png", "chelsea.png", "astronaut.png"}) {
    SCOPED_TRACE(name);
    ImageF img = load(name);
    LogFootageVerdict display = assess_log_footage({compute_frame_stats(img)});
    EXPECT_FALSE(display.looks_log) << display.reason;
    LogFootageVerdict logc = assess_log_footage({compute_frame_stats(as_log(img, logc3))});
    EXPECT_TRUE(logc.looks_log) << logc.reason;
    LogFootageVerdict sl3 = assess_log_footage({compute_frame_stats(as_log(img, slog3))});
    EXPECT_TRUE(sl3.looks_log) << sl3.reason;
  }
}

TEST(LogDetector, RealVideoFramesAreNotLog) {
  std::vector<FrameStats> frames;
  for (const VideoFrame& f :
       sample_frames((source_dir() / "data/video/tears_of_steel_excerpt.mp4").string(), 0, 239, 12,
                     {FrameOutput::Rgb, 160, 0}))
    frames.push_back(compute_frame_stats(f.rgb));
  ASSERT_EQ(frames.size(), 12u);
  LogFootageVerdict v = assess_log_footage(frames);
  EXPECT_FALSE(v.looks_log) << v.reason;
  EXPECT_EQ(v.frames, 12);
}

TEST(LogDetector, RatesOnTheSharedPhotographs) {
  AG_REQUIRE_SHARED_DATA();
  int n = 0, false_log = 0, found_logc = 0, found_slog = 0;
  for (const char* folder : {"images/kodak24", "images/debian_wallpapers", "images/skimage_data"}) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(shared_data() / folder, ec)) {
      // Every 4th pixel each way: statistics, not detail, matter here (and it keeps the test fast).
      ImageF full = read_image(e.path().string()).image;
      ImageF img(full.width / 4, full.height / 4, 3);
      for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x)
          for (int c = 0; c < 3; ++c) img.at(x, y)[c] = full.at(4 * x, 4 * y)[c];
      ++n;
      false_log += assess_log_footage({compute_frame_stats(img)}).looks_log;
      found_logc += assess_log_footage({compute_frame_stats(as_log(img, logc3))}).looks_log;
      found_slog += assess_log_footage({compute_frame_stats(as_log(img, slog3))}).looks_log;
    }
  }
  ASSERT_GT(n, 30);
  std::cout << "[log-detector] " << n << " photographs: " << false_log
            << " display images called log; LogC3 found " << found_logc << ", S-Log3 found "
            << found_slog << "\n";
  EXPECT_LE(false_log, n / 10);
  EXPECT_GE(found_logc, n * 9 / 10);
  EXPECT_GE(found_slog, n * 9 / 10);
}
