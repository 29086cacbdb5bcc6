// PersonSegmenter (MediaPipe selfie segmentation through cv::dnn): the converted networks
// against a NumPy forward pass of the original .tflite, and the masks against the landmark
// skin masks and grey studio backdrop of the corpus' portraits.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <thread>

#include "autograde/core/error.hpp"
#include "autograde/semantic/person_segmenter.hpp"
#include "mediapipe_support.hpp"

namespace autograde {
namespace {

using namespace autograde::testing;
namespace fs = std::filesystem;

ImageF astronaut() { return load_rgb(source_dir() / "data/images/astronaut.png"); }

// The ONNX graphs tools/tflite2onnx.py wrote, run by cv::dnn on the tensor our preprocessing
// makes from a real photo, give what the original graph computes (float32 rounding apart).
TEST(PersonSegmenter, ConvertedNetworksMatchTheTfliteGraphs) {
  const ImageF photo = astronaut();
  for (auto net : {mediapipe::Net::Selfie, mediapipe::Net::SelfieLandscape}) {
    std::string why;
    const double diff = compare_with_reference(net, photo, why);
    if (diff < 0) GTEST_SKIP() << why;
    std::printf("%s: max |onnx - numpy reference| = %.3g\n", mediapipe::net_info(net).onnx, diff);
    EXPECT_LT(diff, 5e-4) << mediapipe::net_info(net).onnx;
  }
}

TEST(PersonSegmenter, MaskIsSoftAtThePicturesSize) {
  const ImageF photo = astronaut();
  const ImageF mask = PersonSegmenter::shared()->segment(photo);
  ASSERT_EQ(mask.width, photo.width);
  ASSERT_EQ(mask.height, photo.height);
  ASSERT_EQ(mask.channels, 1);
  size_t soft = 0, on = 0;
  for (float v : mask.pixels) {
    ASSERT_GE(v, 0.f);
    ASSERT_LE(v, 1.f);
    soft += v > 0.05f && v < 0.95f;
    on += v >= 0.95f;
  }
  // The astronaut fills much of the frame; her outline is a soft band, not a step.
  EXPECT_GT(double(on) / mask.pixel_count(), 0.2);
  EXPECT_GT(soft, size_t(mask.width));
  // RGBA in gives the same mask (alpha ignored).
  ImageF rgba(photo.width, photo.height, 4);
  for (size_t i = 0; i < photo.pixel_count(); ++i) {
    for (int c = 0; c < 3; ++c) rgba.pixels[i * 4 + c] = photo.pixels[i * 3 + c];
    rgba.pixels[i * 4 + 3] = 0.25f;
  }
  const ImageF m4 = PersonSegmenter::shared()->segment(rgba);
  ASSERT_EQ(m4.pixels.size(), mask.pixels.size());
  for (size_t i = 0; i < mask.pixels.size(); i += 97)
    ASSERT_NEAR(m4.pixels[i], mask.pixels[i], 1e-5);
}

TEST(PersonSegmenter, NoPersonInAnEmptyPicture) {
  for (float grey : {0.1f, 0.5f, 0.9f}) {
    ImageF flat(640, 360, 3);
    std::fill(flat.pixels.begin(), flat.pixels.end(), grey);
    EXPECT_LT(mask_coverage(PersonSegmenter::shared()->segment(flat)), 0.02) << grey;
  }
}

// Odd inputs: tiny, extreme aspect, values outside 0..1 and NaN give a mask of the right size
// in 0..1; an empty or one-channel picture is bad input.
TEST(PersonSegmenter, OddPicturesGiveSaneMasksOrBadInput) {
  const auto seg = PersonSegmenter::shared();
  for (auto [w, h] : {std::pair{1, 1}, std::pair{3000, 7}, std::pair{9, 2000}}) {
    ImageF p(w, h, 3);
    for (size_t i = 0; i < p.pixels.size(); ++i) p.pixels[i] = float(i % 17) / 8.f - 0.5f;
    p.pixels[0] = std::numeric_limits<float>::quiet_NaN();
    const ImageF m = seg->segment(p);
    ASSERT_EQ(m.width, w);
    ASSERT_EQ(m.height, h);
    for (float v : m.pixels) ASSERT_TRUE(v >= 0.f && v <= 1.f) << w << "x" << h;
  }
  EXPECT_THROW(seg->segment(ImageF()), Error);
  EXPECT_THROW(seg->segment(ImageF(8, 8, 1)), Error);
}

// Several threads at once get what one thread gets (the networks are shared under a lock).
TEST(PersonSegmenter, ConcurrentCallsAgree) {
  const ImageF photo = astronaut();
  const auto seg = PersonSegmenter::shared();
  const ImageF one = seg->segment(photo);
  std::vector<ImageF> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3; ++i) got[t] = seg->segment(photo);
    });
  for (auto& t : threads) t.join();
  for (const ImageF& g : got) ASSERT_EQ(g.pixels, one.pixels);
}

// 75 studio portraits: the face (the landmark skin mask) is person, the grey backdrop in the
// top corners (above the shoulders, beside the head) is not. Per skin-tone group.
TEST(PersonSegmenter, PortraitsFaceInsideBackdropOutside) {
  AG_REQUIRE_SHARED_DATA();
  if (!have_corpus("faces")) GTEST_SKIP() << "corpus/faces not present";
  struct Acc {
    double inside = 0, outside = 0, worst_inside = 1, worst_outside = 0;
    int n = 0;
  };
  std::map<std::string, Acc> groups;
  const auto seg = PersonSegmenter::shared();
  for (const auto& row : read_tsv(corpus() / "faces/faces.tsv")) {
    const ImageF photo = load_rgb(corpus() / row.at("file"));
    int w = 0, h = 0;
    const auto skin = load_mask(corpus() / row.at("mask"), w, h);
    ASSERT_EQ(w, photo.width);
    const ImageF mask = seg->segment(photo);
    save_overlay("person_" + row.at("id"), photo, &mask, {});
    double in = 0, n_in = 0, out = 0, n_out = 0;
    const int corner = photo.width / 8;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const float v = mask.pixels[size_t(y) * w + x];
        if (skin[size_t(y) * w + x]) in += v, ++n_in;
        if (y < corner && (x < corner || x >= w - corner)) out += v, ++n_out;
      }
    Acc& a = groups[tone_group(std::stoi(row.at("mst_estimate")))];
    a.inside += in / n_in;
    a.outside += out / n_out;
    a.worst_inside = std::min(a.worst_inside, in / n_in);
    a.worst_outside = std::max(a.worst_outside, out / n_out);
    ++a.n;
  }
  for (const auto& [g, a] : groups) {
    std::printf("%-6s n=%2d  mean mask on face %.3f (worst %.3f)  on backdrop %.3f (worst %.3f)\n",
                g.c_str(), a.n, a.inside / a.n, a.worst_inside, a.outside / a.n, a.worst_outside);
    EXPECT_GT(a.inside / a.n, 0.95) << g;
    EXPECT_GT(a.worst_inside, 0.8) << g;
    EXPECT_LT(a.outside / a.n, 0.05) << g;
    EXPECT_LT(a.worst_outside, 0.2) << g;
  }
}

// Pratheepan's photos (portraits and group photos, light to dark skin) with skin ground truth:
// skin belongs to people, so the person mask should cover it, equally well in every tone group.
TEST(PersonSegmenter, SkinIsPersonInEveryToneGroup) {
  AG_REQUIRE_SHARED_DATA();
  if (!have_corpus("faces_diverse")) GTEST_SKIP() << "corpus/faces_diverse not present";
  struct Acc {
    double sum = 0, worst = 1;
    int n = 0;
  };
  std::map<std::string, Acc> groups;
  const auto seg = PersonSegmenter::shared();
  for (const auto& row : read_tsv(corpus() / "faces_diverse/faces.tsv")) {
    if (row.at("source_set") != "pratheepan") continue;
    const ImageF photo = load_rgb(corpus() / row.at("file"));
    int w = 0, h = 0;
    const auto skin = load_mask(corpus() / row.at("mask"), w, h);
    ASSERT_EQ(w, photo.width);
    const ImageF mask = seg->segment(photo);
    double on = 0, n = 0;
    for (size_t i = 0; i < skin.size(); ++i)
      if (skin[i]) on += mask.pixels[i], ++n;
    if (n == 0) continue;
    if (on / n < 0.6)
      std::printf("  low: %s (MST %s) %.3f\n", row.at("id").c_str(), row.at("mst_estimate").c_str(),
                  on / n);
    save_overlay("skin_person_" + row.at("id"), photo, &mask, {});
    Acc& a = groups[tone_group(std::stoi(row.at("mst_estimate")))];
    a.sum += on / n;
    a.worst = std::min(a.worst, on / n);
    ++a.n;
  }
  for (const auto& [g, a] : groups) {
    std::printf("%-6s n=%2d  mean person mask on skin %.3f (worst picture %.3f)\n", g.c_str(), a.n,
                a.sum / a.n, a.worst);
    EXPECT_GT(a.sum / a.n, 0.85) << g;
  }
}

// Run by MissingModelIsBadInputNamingTheFile in a fresh process of this binary, where no model
// has been loaded yet (whatever ran before in the parent), with AUTOGRADE_MODELS empty.
TEST(PersonSegmenter, DISABLED_LoadWithoutModels) {
  for (int attempt = 0; attempt < 2; ++attempt) {  // still missing: still the error
    try {
      PersonSegmenter::shared();
      FAIL() << "no error without the model files";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput);
      EXPECT_NE(std::string(e.what()).find("selfie_segmentation"), std::string::npos) << e.what();
    }
  }
}

TEST(PersonSegmenter, MissingModelIsBadInputNamingTheFile) {
  const auto empty = scratch_dir("no-models");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setenv("AUTOGRADE_MODELS", empty.c_str(), 1);
    ::execl("/proc/self/exe", "test_person_segmenter", "--gtest_also_run_disabled_tests",
            "--gtest_filter=PersonSegmenter.DISABLED_LoadWithoutModels",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto status = wait_child(pid, 60);
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

// Not a bar, a number for the issue: one 1080p frame, after the first (loading) call.
TEST(PersonSegmenter, TimingAt1080p) {
  ImageF frame(1920, 1080, 3);
  const ImageF a = astronaut();
  for (int y = 0; y < 1080; ++y)
    for (int x = 0; x < 1920; ++x)
      for (int c = 0; c < 3; ++c)
        frame.at(x, y)[c] = a.at(x * a.width / 1920, y * a.height / 1080)[c];
  const auto seg = PersonSegmenter::shared();
  seg->segment(frame);
  const int runs = 5;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < runs; ++i) seg->segment(frame);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
      runs;
  std::printf("segment() 1920x1080: %.1f ms per frame\n", ms);
  EXPECT_LT(ms, 2000.0);
}

}  // namespace
}  // namespace autograde
