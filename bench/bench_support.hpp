#pragma once
// Shared by bench_lut_apply and bench_apply_video: the look both grade with, the machine's load
// average and timed shell commands.
//
// The look: a 33³ LUT with real curvature
// (contrast S-curve, cross-talk between channels, a warm shift), written as a plain .cube that
// ffmpeg 5.1 loads (no DOMAIN lines, no shaper). Code values in and out.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "autograde/lut/lut.hpp"

namespace autograde::bench {

inline Lut3D make_look(int size) {
  Lut3D lut = Lut3D::identity(size);
  for (int b = 0; b < size; ++b)
    for (int g = 0; g < size; ++g)
      for (int r = 0; r < size; ++r) {
        const float x[3] = {float(r) / float(size - 1), float(g) / float(size - 1), float(b) / float(size - 1)};
        const float warm[3] = {0.03f, 0.f, -0.04f};
        float* e = lut.at(r, g, b);
        for (int c = 0; c < 3; ++c) {
          const float s = x[c] * x[c] * (3.f - 2.f * x[c]);
          e[c] = std::clamp(0.7f * s + 0.2f * x[c] + 0.1f * x[(c + 1) % 3] + warm[c], 0.f, 1.f);
        }
      }
  return lut;
}

// The 1-minute load average (/proc/loadavg): the machine may be shared, and a table is only as
// clean as the load it was measured under.
inline std::string load_average() {
  std::ifstream f("/proc/loadavg");
  std::string one;
  f >> one;
  return one.empty() ? "?" : one;
}

// Wall seconds of a shell command; exits the benchmark when the command fails.
inline double run_seconds(const std::string& cmd) {
  const auto t0 = std::chrono::steady_clock::now();
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    fmt::print(stderr, "command failed ({}): {}\n", rc, cmd);
    std::exit(1);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace autograde::bench
