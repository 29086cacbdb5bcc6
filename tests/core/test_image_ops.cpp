// area_average (core/image_ops.hpp) against independent truths: OpenCV's INTER_AREA resize
// (integer and fractional factors) and means computed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "autograde/core/error.hpp"
#include "autograde/core/image_ops.hpp"

using namespace autograde;

namespace {

ImageF random_image(int w, int h, int channels, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  ImageF img(w, h, channels);
  for (float& v : img.pixels) v = u(rng);
  return img;
}

// OpenCV's area resize of the top-left w0 x h0 pixels of `img` (3 channels) to w x h.
cv::Mat opencv_area(const ImageF& img, int w0, int h0, int w, int h) {
  cv::Mat src(img.height, img.width, CV_32FC3, const_cast<float*>(img.pixels.data()));
  cv::Mat out;
  cv::resize(src(cv::Rect(0, 0, w0, h0)), out, cv::Size(w, h), 0, 0, cv::INTER_AREA);
  return out;
}

void expect_near(const ImageF& ours, const cv::Mat& truth, float tolerance) {
  ASSERT_EQ(ours.width, truth.cols);
  ASSERT_EQ(ours.height, truth.rows);
  ASSERT_EQ(ours.channels, 3);
  float worst = 0;
  for (int y = 0; y < ours.height; ++y)
    for (int x = 0; x < ours.width; ++x)
      for (int c = 0; c < 3; ++c)
        worst = std::max(worst, std::abs(ours.at(x, y)[c] - truth.at<cv::Vec3f>(y, x)[c]));
  EXPECT_LT(worst, tolerance);
}

}  // namespace

TEST(ImageOps, WholeBlocksMatchOpenCvAreaOnTheWholeBlocks) {
  const ImageF img = random_image(97, 64, 3, 1);
  // Long side 97 to at most 32: k = 4, 24 x 16 blocks; the 97th column is dropped.
  const ImageF r = area_average(img, {.max_side = 32, .grid = AreaGrid::WholeBlocks});
  ASSERT_EQ(r.width, 24);
  ASSERT_EQ(r.height, 16);
  expect_near(r, opencv_area(img, 96, 64, 24, 16), 1e-6f);
  // Float sums (the matching protocol's) agree to float rounding.
  expect_near(area_average(img, {.max_side = 32, .grid = AreaGrid::WholeBlocks, .float_sum = true}),
              opencv_area(img, 96, 64, 24, 16), 1e-5f);
}

TEST(ImageOps, ExactMatchesOpenCvAreaForIntegerAndFractionalFactors) {
  const ImageF img = random_image(120, 90, 3, 2);
  expect_near(area_average(img, {.width = 40, .height = 30}), opencv_area(img, 120, 90, 40, 30),
              1e-6f);
  expect_near(area_average(img, {.width = 37, .height = 26}), opencv_area(img, 120, 90, 37, 26),
              1e-5f);
  // max_side: 120 x 90 at most 50 -> round(120·50/120) x round(90·50/120) = 50 x 38.
  expect_near(area_average(img, {.max_side = 50}), opencv_area(img, 120, 90, 50, 38), 1e-5f);
}

TEST(ImageOps, HandComputedMeansAndSizes) {
  ImageF img(4, 2, 4);  // RGBA: alpha is dropped
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 4; ++x)
      for (int c = 0; c < 4; ++c) img.at(x, y)[c] = float(x + 4 * y) / 8.f + (c == 3 ? 5.f : 0.f);
  for (bool float_sum : {false, true}) {
    const ImageF r =
        area_average(img, {.max_side = 2, .grid = AreaGrid::WholeBlocks, .float_sum = float_sum});
    ASSERT_EQ(r.width, 2);
    ASSERT_EQ(r.height, 1);
    ASSERT_EQ(r.channels, 3);
    EXPECT_EQ(r.at(0, 0)[0], (0 + 1 + 4 + 5) / 32.f);
    EXPECT_EQ(r.at(1, 0)[2], (2 + 3 + 6 + 7) / 32.f);
  }
  // Exact, 4 -> 3 columns: the middle output pixel covers [4/3, 8/3): 2/3 of column 1 and
  // 2/3 of column 2, so its mean is their average.
  const ImageF e = area_average(img, {.width = 3, .height = 1});
  EXPECT_NEAR(e.at(1, 0)[0], ((1 + 2) / 2.f + (5 + 6) / 2.f) / 2.f / 8.f, 1e-6f);
  // An image that fits is returned at its size, the same numbers.
  const ImageF same = area_average(img, {.max_side = 4});
  ASSERT_EQ(same.width, 4);
  EXPECT_EQ(same.at(3, 1)[1], img.at(3, 1)[1]);
  // Narrower than the factor: 5 x 1000 to 100 gives k = 10, one column of 5 x 10 means.
  const ImageF tall = random_image(5, 1000, 3, 3);
  const ImageF t = area_average(tall, {.max_side = 100, .grid = AreaGrid::WholeBlocks});
  ASSERT_EQ(t.width, 1);
  ASSERT_EQ(t.height, 100);
  double s = 0;
  for (int y = 10; y < 20; ++y)
    for (int x = 0; x < 5; ++x) s += tall.at(x, y)[1];
  EXPECT_NEAR(t.at(0, 1)[1], s / 50, 1e-6);
}

TEST(ImageOps, NamedInputIsCheckedAndUnnamedGreyIsRepeated) {
  ImageF img(4, 4, 3);
  img.at(2, 1)[1] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(area_average(img, {.max_side = 2, .name = "reference"}), Error);
  EXPECT_THROW(area_average(ImageF(4, 4, 1), {.max_side = 2, .name = "reference"}), Error);
  EXPECT_THROW(area_average(ImageF(), {.max_side = 2}), Error);
  EXPECT_THROW(area_average(img, {.width = 2}), Error);  // no height
  ImageF grey(2, 2, 1);
  grey.pixels = {0.f, 1.f, 1.f, 0.f};
  const ImageF g = area_average(grey, {.max_side = 1});
  ASSERT_EQ(g.channels, 3);
  for (int c = 0; c < 3; ++c) EXPECT_FLOAT_EQ(g.pixels[size_t(c)], 0.5f);
}
