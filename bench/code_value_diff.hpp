#pragma once
// Shared by bench_apply_video and bench_apply_y4m: how far two 8-bit outputs are apart, as a
// histogram of |a - b| per sample (so max, mean and "beyond one code value" come from one pass),
// and the per-plane comparison of two .y4m files frame by frame.
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "autograde/media/y4m.hpp"

namespace autograde::bench {

struct DiffStats {
  int max = 0;
  double mean = 0;
  double within1 = 0;  // share of samples differing by at most 1 code value
  double equal = 0;
  size_t n = 0;
};

struct DiffAccumulator {
  std::vector<size_t> hist = std::vector<size_t>(256, 0);
  void add(std::uint8_t a, std::uint8_t b) { ++hist[size_t(std::abs(int(a) - int(b)))]; }
  DiffStats stats() const {
    DiffStats s;
    double sum = 0;
    for (size_t d = 0; d < hist.size(); ++d) {
      s.n += hist[d];
      sum += double(d) * double(hist[d]);
      if (hist[d]) s.max = int(d);
    }
    if (s.n) {
      s.mean = sum / double(s.n);
      s.equal = double(hist[0]) / double(s.n);
      s.within1 = double(hist[0] + hist[1]) / double(s.n);
    }
    return s;
  }
};

inline std::string describe(const DiffStats& s) {
  const auto beyond = size_t(std::llround((1.0 - s.within1) * double(s.n)));
  return fmt::format(
      "max |diff| {:>3} code values, mean {:.3f}, equal {:5.1f}%, beyond 1 code: {} of {} "
      "samples",
      s.max, s.mean, 100 * s.equal, beyond, s.n);
}

struct Y4mDiff {
  std::array<DiffAccumulator, 3> planes;  // Y', Cb, Cr over the frames both files have
  int frames_a = 0, frames_b = 0;         // all frames of each file, so a short one shows
};

// Exits the benchmark when the two 8-bit files differ in format.
inline Y4mDiff compare_y4m(const std::filesystem::path& a_path,
                           const std::filesystem::path& b_path) {
  Y4mDiff diff;
  Y4mReader a(a_path.string()), b(b_path.string());
  const Y4mFormat& f = a.format();
  if (f.frame_bytes() != b.format().frame_bytes() || f.bit_depth != 8) {
    fmt::print(stderr, "{} and {} differ in format\n", a_path.string(), b_path.string());
    std::exit(1);
  }
  std::vector<std::uint8_t> fa, fb;
  while (a.read_frame(fa) && b.read_frame(fb)) {
    size_t off = 0;
    for (int p = 0; p < 3; ++p) {
      for (size_t i = 0; i < f.plane_bytes(p); ++i)
        diff.planes[size_t(p)].add(fa[off + i], fb[off + i]);
      off += f.plane_bytes(p);
    }
  }
  while (a.read_frame(fa)) {
  }
  while (b.read_frame(fb)) {
  }
  diff.frames_a = a.frames_read();
  diff.frames_b = b.frames_read();
  return diff;
}

}  // namespace autograde::bench
