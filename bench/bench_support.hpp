#pragma once
// Shared by the engine benches (bench_lut_apply, bench_region_render, bench_apply_video): the
// look they grade with, the machine's load average, timed shell commands, ffmpeg's lut3d as the
// peer, and their common options.
//
// The look: a 33³ LUT with real curvature
// (contrast S-curve, cross-talk between channels, a warm shift), written as a plain .cube that
// ffmpeg 5.1 loads (no DOMAIN lines, no shaper). Code values in and out.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
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

// ms per frame of ffmpeg's lut3d filter alone on a rawvideo file of `frames` w x h frames in
// `pix_fmt` (looped from one): (lut3d run − null run) / frames, each the best of three runs, so
// reading the input and the muxer cost nothing. `one_thread` also holds ffmpeg's filter graph to
// one thread.
inline double time_ffmpeg_lut3d(const std::string& ffmpeg, const std::string& pix_fmt, int w,
                                int h, const std::filesystem::path& raw,
                                const std::filesystem::path& cube, int frames,
                                bool one_thread = false) {
  const std::string threads = one_thread ? "-threads 1 " : "";
  const std::string global = one_thread ? "-filter_threads 1 -filter_complex_threads 1 " : "";
  auto cmd = [&](const std::string& vf) {
    return fmt::format(
        "{} -hide_banner -loglevel error -nostdin {}-f rawvideo -pix_fmt {} -s {}x{} "
        "-stream_loop {} {}-i '{}' -vf {} {}-f null - ",
        ffmpeg, global, pix_fmt, w, h, frames - 1, threads, raw.string(), vf, threads);
  };
  const std::string lut = cmd(fmt::format("lut3d=file='{}':interp=tetrahedral", cube.string()));
  const std::string null = cmd("null");
  double t_lut = 1e9, t_null = 1e9;
  for (int i = 0; i < 3; ++i) {
    t_null = std::min(t_null, run_seconds(null));
    t_lut = std::min(t_lut, run_seconds(lut));
  }
  return std::max(0.0, t_lut - t_null) * 1e3 / frames;
}

// The engine benches' options: --quick (fewer repetitions), --ffmpeg PATH (the peer),
// --ours-only (no peer, for profiling our side). nullopt after printing `usage` on anything else.
struct PeerOptions {
  bool quick = false, ours_only = false;
  std::string ffmpeg = "ffmpeg";
};
inline std::optional<PeerOptions> parse_peer_options(int argc, char** argv, const char* usage) {
  PeerOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick")
      o.quick = true;
    else if (a == "--ours-only")
      o.ours_only = true;
    else if (a == "--ffmpeg" && i + 1 < argc)
      o.ffmpeg = argv[++i];
    else {
      fmt::print(stderr, "usage: {}\n", usage);
      return std::nullopt;
    }
  }
  return o;
}

}  // namespace autograde::bench
