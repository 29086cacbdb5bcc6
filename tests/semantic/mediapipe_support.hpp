#pragma once
// Helpers for the person and face tests: the corpus' face sets (../shared/data/corpus), their
// landmark and skin-mask truth, and the NumPy reference forward pass of the original .tflite
// graphs (tools/tflite_reference.py) to compare the converted networks with.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/semantic/mediapipe_nets.hpp"
#include "autograde/semantic/regions.hpp"
#include "test_support.hpp"

namespace autograde::testing {

inline std::filesystem::path corpus() { return shared_data() / "corpus"; }

inline bool have_corpus(const char* folder) {
  std::error_code ec;
  return std::filesystem::is_regular_file(corpus() / folder / "faces.tsv", ec);
}

// RGB, alpha dropped.
inline ImageF load_rgb(const std::filesystem::path& p) {
  ImageF im = read_image(p.string()).image;
  if (im.channels == 3) return im;
  ImageF out(im.width, im.height, 3);
  for (size_t i = 0; i < im.pixel_count(); ++i)
    for (int c = 0; c < 3; ++c) out.pixels[i * 3 + c] = im.pixels[i * im.channels + c];
  return out;
}

// An 8-bit mask PNG as 0/1 per pixel (first channel > 0.5).
inline std::vector<unsigned char> load_mask(const std::filesystem::path& p, int& w, int& h) {
  ImageF im = read_image(p.string()).image;
  w = im.width;
  h = im.height;
  std::vector<unsigned char> m(im.pixel_count());
  for (size_t i = 0; i < m.size(); ++i) m[i] = im.pixels[i * im.channels] > 0.5f;
  return m;
}

// faces.tsv rows as column -> value.
inline std::vector<std::map<std::string, std::string>> read_tsv(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::string line;
  std::vector<std::string> cols;
  std::vector<std::map<std::string, std::string>> rows;
  auto split = [](const std::string& s) {
    std::vector<std::string> v;
    std::stringstream ss(s);
    std::string f;
    while (std::getline(ss, f, '\t')) v.push_back(f);
    return v;
  };
  if (!std::getline(in, line)) return rows;
  cols = split(line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto f = split(line);
    std::map<std::string, std::string> r;
    for (size_t i = 0; i < cols.size() && i < f.size(); ++i) r[cols[i]] = f[i];
    rows.push_back(r);
  }
  return rows;
}

// Psychomorph .tem: a point count, then "x y" per point.
inline std::vector<std::array<float, 2>> read_tem(const std::filesystem::path& p) {
  std::ifstream in(p);
  int n = 0;
  in >> n;
  std::vector<std::array<float, 2>> pts(n);
  for (auto& q : pts) in >> q[0] >> q[1];
  return pts;
}

// The skin-tone groups over the Monk scale.
inline const char* tone_group(int mst) { return mst <= 3 ? "light" : mst <= 6 ? "medium" : "dark"; }

// When $AUTOGRADE_OVERLAY_DIR is set, tests save what they judged there to be looked at: the
// photo darkened outside the person mask (if any), face boxes in green, keypoints in red.
inline void save_overlay(const std::string& name, const ImageF& photo, const ImageF* mask,
                         const std::vector<FaceBox>& faces) {
  const char* dir = std::getenv("AUTOGRADE_OVERLAY_DIR");
  if (!dir || !*dir) return;
  std::filesystem::create_directories(dir);
  ImageF out = photo;
  if (mask)
    for (size_t i = 0; i < out.pixel_count(); ++i) {
      const float m = mask->pixels[i];
      out.pixels[i * 3 + 0] = out.pixels[i * 3 + 0] * (0.3f + 0.7f * m) + 0.25f * (1 - m);
      out.pixels[i * 3 + 1] *= 0.3f + 0.7f * m;
      out.pixels[i * 3 + 2] = out.pixels[i * 3 + 2] * (0.3f + 0.7f * m) + 0.35f * (1 - m);
    }
  cv::Mat m(out.height, out.width, CV_32FC3, out.pixels.data());
  const int t = std::max(1, out.width / 300);
  for (const FaceBox& f : faces) {
    cv::rectangle(m, cv::Point2f(f.x0, f.y0), cv::Point2f(f.x1, f.y1), cv::Scalar(0, 1, 0), t);
    for (const auto& k : f.keypoints)
      cv::circle(m, cv::Point2f(k[0], k[1]), 2 * t, cv::Scalar(1, 0, 0), cv::FILLED);
    cv::putText(m, std::to_string(int(f.score * 100)), cv::Point2f(f.x0, f.y0 - 3),
                cv::FONT_HERSHEY_SIMPLEX, 0.4 * t, cv::Scalar(0, 1, 0), t);
  }
  write_image((std::filesystem::path(dir) / (name + ".png")).string(), out, ImageMeta{});
}

// ---- the NumPy reference -----------------------------------------------------------------

// Debian's interpreter, where python3-numpy is (a pyenv or venv python3 first on PATH may not
// have it).
inline std::string reference_python() {
  for (const char* py : {"/usr/bin/python3", "python3"})
    if (std::system((std::string(py) + " -c 'import numpy' >/dev/null 2>&1").c_str()) == 0)
      return py;
  return {};
}

// The .tflite from MediaPipe's npm packages: $AUTOGRADE_MEDIAPIPE_NPM/<file> when set, else
// fetched once into the build tree by tests/semantic/fetch_mediapipe_npm.sh (npm pack of the
// pinned versions). Empty when neither works (no npm, no registry).
inline std::filesystem::path mediapipe_tflite(const std::string& file) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (const char* env = std::getenv("AUTOGRADE_MEDIAPIPE_NPM"); env && *env) {
    fs::path p = fs::path(env) / file;
    return fs::is_regular_file(p, ec) ? p : fs::path();
  }
  const fs::path dir = fs::path(AUTOGRADE_BINARY_DIR) / "mediapipe-npm";
  if (!fs::is_regular_file(dir / file, ec)) {
    const std::string cmd = "bash '" +
                            (source_dir() / "tests/semantic/fetch_mediapipe_npm.sh").string() +
                            "' '" + dir.string() + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) return {};
  }
  return fs::is_regular_file(dir / file, ec) ? dir / file : fs::path();
}

// Runs tools/tflite_reference.py on one input tensor; false (and a message) when it cannot.
inline bool run_reference(const std::filesystem::path& tflite, const std::vector<float>& input,
                          std::vector<float>& out, std::string& why) {
  const std::string py = reference_python();
  if (py.empty()) {
    why = "python3 with numpy not available";
    return false;
  }
  const auto dir = scratch_dir("mp-reference");
  const auto in_path = dir / "in.f32", out_path = dir / "out.f32";
  {
    std::ofstream f(in_path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(input.data()), std::streamsize(input.size() * 4));
  }
  const std::string cmd = py + " '" + (source_dir() / "tools/tflite_reference.py").string() +
                          "' run '" + tflite.string() + "' '" + in_path.string() + "' '" +
                          out_path.string() + "'";
  if (std::system(cmd.c_str()) != 0) {
    why = "tflite_reference.py failed: " + cmd;
    return false;
  }
  std::ifstream f(out_path, std::ios::binary | std::ios::ate);
  const auto bytes = size_t(f.tellg());
  out.resize(bytes / 4);
  f.seekg(0);
  f.read(reinterpret_cast<char*>(out.data()), std::streamsize(bytes));
  return true;
}

// Largest |a - b| over the networks' outputs (concatenated as the reference writes them).
inline double compare_with_reference(mediapipe::Net net, const ImageF& photo, std::string& why) {
  const auto info = mediapipe::net_info(net);
  const auto tflite = mediapipe_tflite(info.tflite);
  if (tflite.empty()) {
    why = std::string("MediaPipe npm package (") + info.tflite + ") not available";
    return -1;
  }
  const auto input = mediapipe::make_input(net, photo);
  std::vector<float> ref;
  if (!run_reference(tflite, input, ref, why)) return -1;
  std::vector<float> ours;
  for (const auto& o : mediapipe::run(net, input)) ours.insert(ours.end(), o.begin(), o.end());
  EXPECT_EQ(ours.size(), ref.size());
  double worst = 0;
  for (size_t i = 0; i < std::min(ours.size(), ref.size()); ++i)
    worst = std::max(worst, double(std::abs(ours[i] - ref[i])));
  return worst;
}

}  // namespace autograde::testing
