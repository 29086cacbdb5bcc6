// The scopes (report/scopes.hpp) held to independent truth: the trace of a pure colour field
// must land where the BT.709 colour-difference formula puts it, a grey ramp must draw the
// waveform's diagonal, the 75 % colour bars must land in the vectorscope's target boxes, and
// a few pixels beside a large cluster must stay visible.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "autograde/lut/lut.hpp"
#include "autograde/report/lut_image.hpp"
#include "autograde/report/scopes.hpp"

using namespace autograde;

namespace {

// ITU-R BT.709-6 part 2, items 3.2 and 3.3, written out here from the standard's constants
// (Kr = 0.2126, Kb = 0.0722) rather than taken from the code under test.
constexpr double kKr = 0.2126, kKb = 0.0722, kKg = 1.0 - kKr - kKb;
double luma(double r, double g, double b) { return kKr * r + kKg * g + kKb * b; }
double cb_of(double r, double g, double b) { return 0.5 * (b - luma(r, g, b)) / (1.0 - kKb); }
double cr_of(double r, double g, double b) { return 0.5 * (r - luma(r, g, b)) / (1.0 - kKr); }

ImageF field(int w, int h, Rgb c) {
  ImageF im(w, h, 3);
  for (size_t i = 0; i < im.pixel_count(); ++i)
    for (int k = 0; k < 3; ++k) im.pixels[i * 3 + size_t(k)] = c[size_t(k)];
  return im;
}

struct Peak {
  int x = 0, y = 0;
  float count = 0;
};
Peak peak(const ScopeCounts& s) {
  Peak p;
  for (int y = 0; y < s.height; ++y)
    for (int x = 0; x < s.width; ++x)
      if (s.at(x, y) > p.count) p = {x, y, s.at(x, y)};
  return p;
}

// Where header scopes.hpp's geometry puts chroma (cb, cr): the centre at size / 2, a chroma of
// 0.5 at 0.4 x size, Cr upwards.
std::array<double, 2> expected_point(double cb, double cr, int size) {
  return {size / 2.0 + cb * 0.8 * size, size / 2.0 - cr * 0.8 * size};
}

double brightness(const ImageF& im, int x, int y) {
  const float* p = im.at(x, y);
  return std::max({p[0], p[1], p[2]});
}

}  // namespace

TEST(Scopes, LumaAndColourDifferenceFollowBt709) {
  for (const Rgb c : {Rgb{1, 0, 0}, Rgb{0, 1, 0}, Rgb{0, 0, 1}, Rgb{0.8f, 0.6f, 0.5f}}) {
    EXPECT_NEAR(bt709_luma(c), luma(c[0], c[1], c[2]), 1e-6);
    EXPECT_NEAR(bt709_cbcr(c).cb, cb_of(c[0], c[1], c[2]), 1e-5);
    EXPECT_NEAR(bt709_cbcr(c).cr, cr_of(c[0], c[1], c[2]), 1e-5);
  }
  // BT.709's red is 0.2126 of white in luma, not BT.601's 0.299.
  EXPECT_NEAR(bt709_luma({1, 0, 0}), 0.2126f, 1e-6f);
  // Full red and blue reach the top of their colour-difference ranges.
  EXPECT_NEAR(bt709_cbcr({1, 0, 0}).cr, 0.5f, 1e-4f);
  EXPECT_NEAR(bt709_cbcr({0, 0, 1}).cb, 0.5f, 1e-4f);
}

TEST(Scopes, APureColourFieldLandsAtItsBt709AngleAndRadius) {
  constexpr int kSize = 240;
  const Rgb colours[] = {{0.75f, 0, 0},      {0, 0.6f, 0.6f},    {0.3f, 0.3f, 0.9f},
                         {0.8f, 0.6f, 0.5f}, {0.2f, 0.7f, 0.1f}, {0.9f, 0.9f, 0.2f}};
  for (const Rgb& c : colours) {
    const double cb = cb_of(c[0], c[1], c[2]), cr = cr_of(c[0], c[1], c[2]);
    const auto want = expected_point(cb, cr, kSize);
    const Peak p = peak(vectorscope_counts(field(48, 32, c), kSize));
    // Every pixel of the field lands within a pixel of its point (the sub-code-value spread).
    const double x = p.x + 0.5, y = p.y + 0.5;
    EXPECT_NEAR(x, want[0], 1.5) << c[0] << " " << c[1] << " " << c[2];
    EXPECT_NEAR(y, want[1], 1.5) << c[0] << " " << c[1] << " " << c[2];
    const double angle = std::atan2(kSize / 2.0 - y, x - kSize / 2.0) * 180 / std::numbers::pi;
    const double want_angle = std::atan2(cr, cb) * 180 / std::numbers::pi;
    EXPECT_NEAR(angle, want_angle, 2.0);
    EXPECT_NEAR(std::hypot(x - kSize / 2.0, y - kSize / 2.0), std::hypot(cb, cr) * 0.8 * kSize,
                1.5);
  }
  // On a BT.709 vectorscope red sits at about 103° from +Cb (atan2(0.5, -0.1146)).
  const Peak red = peak(vectorscope_counts(field(8, 8, {1, 0, 0}), kSize));
  const double red_angle =
      std::atan2(kSize / 2.0 - (red.y + 0.5), red.x + 0.5 - kSize / 2.0) * 180 / std::numbers::pi;
  EXPECT_NEAR(red_angle, 102.9, 1.5);
  // A neutral field sits in the centre.
  const Peak grey = peak(vectorscope_counts(field(8, 8, {0.4f, 0.4f, 0.4f}), kSize));
  EXPECT_NEAR(grey.x + 0.5, kSize / 2.0, 1.0);
  EXPECT_NEAR(grey.y + 0.5, kSize / 2.0, 1.0);
}

TEST(Scopes, SeventyFivePercentBarsLandInTheTargetBoxes) {
  constexpr int kSize = 240;
  // The six 75 % bars side by side, as in SMPTE RP 219 (without the white bar).
  const Rgb bars[] = {{0.75f, 0.75f, 0}, {0, 0.75f, 0.75f}, {0, 0.75f, 0},
                      {0.75f, 0, 0.75f}, {0.75f, 0, 0},     {0, 0, 0.75f}};
  ImageF im(6 * 20, 20, 3);
  for (int y = 0; y < im.height; ++y)
    for (int x = 0; x < im.width; ++x)
      for (int k = 0; k < 3; ++k) im.at(x, y)[k] = bars[x / 20][size_t(k)];
  const ScopeCounts counts = vectorscope_counts(im, kSize);
  const ImageF scope = vectorscope(im, kSize);
  const ImageF empty_scope = vectorscope(field(8, 8, {0.5f, 0.5f, 0.5f}), kSize);
  ASSERT_EQ(bar_targets_75().size(), 6u);
  for (const Rgb& c : bars) {
    const auto want = expected_point(cb_of(c[0], c[1], c[2]), cr_of(c[0], c[1], c[2]), kSize);
    // The bar's 400 pixels are all within 1.5 px of its point.
    float near = 0;
    for (int y = int(want[1]) - 2; y <= int(want[1]) + 2; ++y)
      for (int x = int(want[0]) - 2; x <= int(want[0]) + 2; ++x)
        if (std::hypot(x + 0.5 - want[0], y + 0.5 - want[1]) <= 1.5) near += counts.at(x, y);
    EXPECT_EQ(near, 400.f) << c[0] << " " << c[1] << " " << c[2];
    // The graticule draws a box around that point: dark inside, a line within 8 px on each
    // side of it; with the bars the inside is lit by the trace.
    const int cx = int(want[0]), cy = int(want[1]);
    EXPECT_LT(brightness(empty_scope, cx, cy), 0.1);
    EXPECT_GT(brightness(scope, cx, cy), 0.8);
    bool left = false, right = false, up = false, down = false;
    for (int d = 2; d <= 8; ++d) {
      left |= brightness(empty_scope, cx - d, cy) > 0.25;
      right |= brightness(empty_scope, cx + d, cy) > 0.25;
      up |= brightness(empty_scope, cx, cy - d) > 0.25;
      down |= brightness(empty_scope, cx, cy + d) > 0.25;
    }
    EXPECT_TRUE(left && right && up && down)
        << "no target box around the bar at " << cx << "," << cy;
  }
  // The library's targets are these bars.
  for (const BarTarget& t : bar_targets_75()) {
    const Rgb& v = t.code_value;
    EXPECT_TRUE(std::any_of(std::begin(bars), std::end(bars), [&](const Rgb& b) { return b == v; }))
        << t.label;
  }
}

TEST(Scopes, SkinToneLineIsDrawnAt123Degrees) {
  constexpr int kSize = 240;
  const ImageF scope = vectorscope(field(8, 8, {0.5f, 0.5f, 0.5f}), kSize);
  // Walk out along 123° (NTSC's I axis) and along 150° (off the line): the line is lit at
  // radii clear of the rings and the centre cross.
  auto lit_along = [&](double degrees) {
    int lit = 0;
    for (double r : {30.0, 40.0, 60.0, 70.0, 80.0}) {
      const double a = degrees * std::numbers::pi / 180;
      const int x = int(kSize / 2.0 + r * std::cos(a)), y = int(kSize / 2.0 - r * std::sin(a));
      double best = 0;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) best = std::max(best, brightness(scope, x + dx, y + dy));
      lit += best > 0.25;
    }
    return lit;
  };
  EXPECT_EQ(lit_along(123), 5);
  EXPECT_EQ(lit_along(150), 0);
  EXPECT_EQ(kSkinToneLineDegrees, 123.f);
}

TEST(Scopes, AGreyRampDrawsTheWaveformDiagonal) {
  constexpr int kW = 256, kH = 200;
  ImageF ramp(kW, 16, 3);
  for (int y = 0; y < ramp.height; ++y)
    for (int x = 0; x < kW; ++x)
      for (int k = 0; k < 3; ++k) ramp.at(x, y)[k] = float(x) / float(kW - 1);
  const ScopeCounts s = waveform_counts(ramp, -1, kW, kH);
  // Each column holds all 16 pixels of its ramp value in one row; rows fall linearly from the
  // 0 % row at the left to the 100 % row at the right.
  const double row0 = scope_row(0.f, kH), row1 = scope_row(1.f, kH);
  EXPECT_GT(row0 - row1, 0.9 * kH) << "the scale spans nearly the whole height";
  int previous = kH;
  for (int x = 0; x < kW; ++x) {
    int best = 0;
    for (int y = 1; y < kH; ++y)
      if (s.at(x, y) > s.at(x, best)) best = y;
    EXPECT_EQ(s.at(x, best), 16.f);
    const double want = row0 + (row1 - row0) * double(x) / (kW - 1);
    EXPECT_NEAR(best, want, 0.51) << "column " << x;
    EXPECT_LE(best, previous);
    previous = best;
  }
  // A red ramp's luma waveform follows 0.2126 x R (BT.709), not BT.601's 0.299.
  ImageF red = field(kW, 4, {1, 0, 0});
  const Peak p = peak(waveform_counts(red, -1, kW, kH));
  EXPECT_NEAR(p.y, scope_row(0.2126f, kH), 0.51);
  EXPECT_GT(std::abs(p.y - scope_row(0.299f, kH)), 10);
  // The parade's channels are the code values themselves.
  const ImageF c = field(32, 8, {0.2f, 0.5f, 0.8f});
  for (int ch = 0; ch < 3; ++ch)
    EXPECT_NEAR(peak(waveform_counts(c, ch, 64, kH)).y, scope_row(c.pixels[size_t(ch)], kH), 0.51);
}

TEST(Scopes, RenderedParadeAndWaveformPutTheTraceOnItsLevel) {
  constexpr int kPanel = 100, kH = 160;
  const Rgb v{0.2f, 0.5f, 0.8f};
  const ImageF parade = rgb_parade(field(64, 16, v), kPanel, kH);
  for (int ch = 0; ch < 3; ++ch) {
    const int x = ch * (kPanel + 3) + kPanel / 2;
    int best = 0;
    for (int y = 0; y < kH; ++y)
      if (parade.at(x, y)[ch] > parade.at(x, best)[ch]) best = y;
    EXPECT_NEAR(best, scope_row(v[size_t(ch)], kH), 0.51) << "channel " << ch;
    // The trace is the channel's own colour.
    EXPECT_GT(parade.at(x, best)[ch], 0.95f);
  }
  // A black picture's waveform: the graticule's 100 % line is drawn, mid-row between two
  // 10 % lines is black.
  const ImageF w = luma_waveform(field(64, 16, {0, 0, 0}), 200, kH);
  const int top = int(std::lround(scope_row(1.f, kH)));
  const int between = int(std::lround((scope_row(0.35f, kH))));
  EXPECT_GT(brightness(w, 100, top), 0.3);
  EXPECT_LT(brightness(w, 100, between), 0.05);
}

TEST(Scopes, AFewPixelsBesideALargeClusterStayVisible) {
  // 40 000 grey pixels and 3 orange ones (a hue clear of every graticule line and box): a linear
  // display scaled so that a modest cluster is full would draw the orange at 3 / 20 (0.15); the log
  // display at 0.36 or more.
  ImageF im = field(200, 200, {0.5f, 0.5f, 0.5f});
  for (int i = 0; i < 3; ++i) {
    float* p = im.at(10 + i, 10);
    p[0] = 0.9f, p[1] = 0.5f, p[2] = 0.1f;
  }
  constexpr int kSize = 200;
  const ImageF scope = vectorscope(im, kSize);
  const auto at = expected_point(cb_of(0.9, 0.5, 0.1), cr_of(0.9, 0.5, 0.1), kSize);
  double best = 0;
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx)
      best = std::max(best, brightness(scope, int(at[0]) + dx, int(at[1]) + dy));
  EXPECT_GT(best, 0.3);
  // Nothing else lights that spot: the grey-only scope is dark there.
  const ImageF grey_only = vectorscope(field(200, 200, {0.5f, 0.5f, 0.5f}), kSize);
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx)
      EXPECT_LT(brightness(grey_only, int(at[0]) + dx, int(at[1]) + dy), 0.05);
  EXPECT_GT(brightness(scope, kSize / 2, kSize / 2), 0.9);  // the cluster itself is full
}

TEST(Scopes, HistogramCountsEveryPixelInItsBinAndSkipsNaN) {
  ImageF im = field(10, 10, {0.5f, 0.25f, 1.f});
  im.at(0, 0)[0] = std::nanf("");
  const ScopeCounts r = histogram_counts(im, 0, 256);
  EXPECT_EQ(r.counts[128], 99.f);  // floor(0.5 * 256); the NaN pixel counted nowhere
  EXPECT_EQ(histogram_counts(im, 1, 256).counts[64], 99.f);
  EXPECT_EQ(histogram_counts(im, 2, 256).counts[255], 99.f);  // 1.0 in the last bin
  const int luma_bin = int(luma(0.5, 0.25, 1.0) * 256);
  EXPECT_EQ(histogram_counts(im, -1, 256).counts[size_t(luma_bin)], 99.f);
  // The picture: a tall bar where the red bin is, nothing where no channel has pixels.
  const ImageF h = histogram(field(10, 10, {0.5f, 0.5f, 0.5f}), 256, 128);
  EXPECT_GT(h.at(128, 100)[0], 0.5f);
  EXPECT_LT(brightness(h, 200, 100), 0.05);
}

TEST(Scopes, LutSlicesOfTheIdentityDrawTheCubeAndASwapShowsIt) {
  constexpr int kTile = 16, kSlices = 5;
  const ImageF id = lut_slices(Lut3D::identity(17), kSlices, kTile);
  ASSERT_EQ(id.width, kSlices * kTile + (kSlices - 1) * 2);
  for (int s = 0; s < kSlices; ++s) {
    const int x0 = s * (kTile + 2);
    // Bottom-left: red 0, green 0, blue s/4; top-right: red 1, green 1.
    EXPECT_NEAR(id.at(x0, kTile - 1)[0], 0.f, 1e-5);
    EXPECT_NEAR(id.at(x0, kTile - 1)[1], 0.f, 1e-5);
    EXPECT_NEAR(id.at(x0, kTile - 1)[2], float(s) / (kSlices - 1), 1e-5);
    EXPECT_NEAR(id.at(x0 + kTile - 1, 0)[0], 1.f, 1e-5);
    EXPECT_NEAR(id.at(x0 + kTile - 1, 0)[1], 1.f, 1e-5);
  }
  Lut3D swap = Lut3D::identity(9);
  for (int b = 0; b < 9; ++b)
    for (int g = 0; g < 9; ++g)
      for (int r = 0; r < 9; ++r) std::swap(swap.at(r, g, b)[0], swap.at(r, g, b)[2]);
  const ImageF sw = lut_slices(swap, kSlices, kTile);
  // Last tile (blue 1), bottom-left (red 0): the swap puts the blue into red.
  const int x0 = (kSlices - 1) * (kTile + 2);
  EXPECT_NEAR(sw.at(x0, kTile - 1)[0], 1.f, 1e-5);
  EXPECT_NEAR(sw.at(x0, kTile - 1)[2], 0.f, 1e-5);
}
