// bench_lut_apply: our LUT engine against `ffmpeg -vf lut3d` on the same .cube, the same
// interpolation (tetrahedral) and the same raw frames, at 1080p and 4K, for rgb24, rgb48 and
// planar float (gbrpf32), on one thread and on all threads.
//
// ffmpeg reads the frames as rawvideo (no decoding), writes to the null muxer, and a second run
// with `-vf null` on the same input is subtracted, so only the filter's time remains. Ours is
// timed on in-memory frames (source → separate destination). The bandwidth bound of a case is
// (bytes read + bytes written per frame) ÷ the machine's copy bandwidth (memcpy, measured here).
//
// Usage: bench_lut_apply [--quick] [--ffmpeg PATH] [--ours-only]
// (--ours-only skips ffmpeg, for profiling our side.)
#include <fmt/format.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "autograde/engine/renderer.hpp"
#include "autograde/lut/cube_io.hpp"
#include "bench_support.hpp"
#include "test_frame.hpp"

namespace fs = std::filesystem;
using namespace autograde;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Best of several memcpy passes over buffers far larger than the caches, `threads` copies at
// once (total bytes copied per second). On some machines a second core adds no bandwidth.
double copy_bandwidth_bytes_per_s(int threads) {
  const size_t n = size_t(256) << 20;
  std::vector<std::vector<char>> a(size_t(threads), std::vector<char>(n, 1));
  std::vector<std::vector<char>> b(size_t(threads), std::vector<char>(n, 2));
  double best = 1e9;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = Clock::now();
    std::vector<std::thread> copies;
    for (int t = 0; t < threads; ++t)
      copies.emplace_back([&, t] { std::memcpy(b[size_t(t)].data(), a[size_t(t)].data(), n); });
    for (std::thread& c : copies) c.join();
    best = std::min(best, seconds_since(t0));
  }
  return double(threads) * double(n) / best;
}

using autograde::bench::load_average;
using autograde::bench::make_look;

struct Case {
  const char* ffmpeg_pix_fmt;
  PixelFormat format;
};

// ms per frame of our renderer on one thread and on `threads` threads (task arenas), the best
// of `reps` frames each. The two are timed alternately, frame by frame, so both see the same
// machine load (it may be shared; the best run is the one least disturbed, as for ffmpeg).
std::pair<double, double> time_ours(const LutRenderer& r, const ConstImageView& src,
                                    const ImageView& dst, int threads, int reps) {
  tbb::task_arena one(1), all(threads);
  double best_one = 1e9, best_all = 1e9;
  auto frame = [&](tbb::task_arena& arena, double& best) {
    arena.execute([&] {
      const auto t0 = Clock::now();
      r.apply(src, dst);
      best = std::min(best, seconds_since(t0) * 1e3);
    });
  };
  double warm = 0;
  frame(one, warm);  // warm-up: page in the destination, load the table into cache
  frame(all, warm);  // and start the arena's worker threads
  for (int i = 0; i < reps; ++i) {
    frame(one, best_one);
    frame(all, best_all);
  }
  return {best_one, best_all};
}

}  // namespace

int main(int argc, char** argv) {
  const auto opts =
      bench::parse_peer_options(argc, argv, "bench_lut_apply [--quick] [--ffmpeg PATH] [--ours-only]");
  if (!opts) return 2;
  const bool quick = opts->quick, ours_only = opts->ours_only;
  const int all_threads = tbb::info::default_concurrency();
  const fs::path dir = fs::temp_directory_path() / fmt::format("ag_bench_lut_{}", getpid());
  fs::create_directories(dir);
  const fs::path cube = dir / "look33.cube";
  write_cube(make_look(33), cube.string(), "");
  // Both sides use the file as written (9 significant digits).
  const LutFile lut = read_cube(cube.string());

  const double copy_bw = copy_bandwidth_bytes_per_s(1);
  const double copy_bw_all = copy_bandwidth_bytes_per_s(all_threads);
  const double rw_bw = 2.0 * copy_bw;  // memcpy reads and writes every byte
  fmt::print("bench_lut_apply: 33^3 tetrahedral LUT, ours (Highway target {}) vs ffmpeg lut3d\n",
             engine_simd_target());
  fmt::print(
      "threads available: {}; load average at start: {}; copy bandwidth (memcpy, 1 core): "
      "{:.1f} GB/s copied = {:.1f} GB/s read+written; {} cores together: {:.1f} GB/s copied\n",
      all_threads, load_average(), copy_bw / 1e9, rw_bw / 1e9, all_threads, copy_bw_all / 1e9);
  fmt::print(
      "bound = (bytes read + written per frame) / read+written bandwidth; "
      "ffmpeg = lut3d run - null run, rawvideo input; best of repeated runs on both sides\n\n");

  const Case cases[] = {{"rgb24", {SampleType::U8, Layout::Packed, 3}},
                        {"rgb48le", {SampleType::U16, Layout::Packed, 3}},
                        {"gbrpf32le", {SampleType::F32, Layout::Planar, 3}}};
  struct Res {
    const char* name;
    int w, h, frames;
  };
  const Res sizes[] = {{"1080p", 1920, 1080, quick ? 3 : 10}, {"4K", 3840, 2160, quick ? 2 : 5}};

  fmt::print("{:<6} {:<10} {:>7} {:>10} {:>11} {:>8} {:>9} {:>9}\n", "size", "format", "threads",
             "ours ms", "ffmpeg ms", "speedup", "bound ms", "of bound");
  double one_4k[3] = {0, 0, 0}, all_4k[3] = {0, 0, 0};
  for (const Res& s : sizes) {
    for (int ci = 0; ci < 3; ++ci) {
      const Case& c = cases[ci];
      std::vector<std::uint8_t> src = bench::make_frame(c.format, s.w, s.h);
      std::vector<std::uint8_t> dst(src.size());
      const fs::path raw = dir / fmt::format("{}_{}.raw", s.name, c.ffmpeg_pix_fmt);
      std::ofstream(raw, std::ios::binary)
          .write(reinterpret_cast<const char*>(src.data()), std::streamsize(src.size()));
      const LutRenderer r = make_renderer(lut, c.format, Interp::Tetrahedral);
      const ImageView sv = bench::view_of(src, c.format, s.w, s.h);
      const ImageView dv = bench::view_of(dst, c.format, s.w, s.h);
      const double bound_ms = 2.0 * double(src.size()) / rw_bw * 1e3;
      const int reps = quick ? 3 : (s.w > 2000 ? 20 : 50);
      const auto [ours_one, ours_all] = time_ours(r, sv, dv, all_threads, reps);
      for (int threads : {1, all_threads}) {
        const double ours = threads == 1 ? ours_one : ours_all;
        const double theirs =
            ours_only ? 0.0
                      : bench::time_ffmpeg_lut3d(opts->ffmpeg, c.ffmpeg_pix_fmt, s.w, s.h, raw,
                                                 cube, s.frames, threads == 1);
        if (s.w > 2000) (threads == 1 ? one_4k : all_4k)[ci] = ours;
        fmt::print("{:<6} {:<10} {:>7} {:>10.2f} {:>11.2f} {:>7.1f}x {:>9.2f} {:>8.0f}%\n", s.name,
                   c.ffmpeg_pix_fmt, threads, ours, theirs, theirs / ours, bound_ms,
                   100.0 * bound_ms / ours);
        std::fflush(stdout);
      }
      fs::remove(raw);
    }
  }
  fmt::print("\n4K scaling, ours {} threads vs 1:", all_threads);
  for (int ci = 0; ci < 3; ++ci)
    fmt::print("  {} {:.2f}x", cases[ci].ffmpeg_pix_fmt, one_4k[ci] / all_4k[ci]);
  const std::string load_end = load_average();
  fmt::print("\nload average at end: {}\n", load_end);
  if (std::atof(load_end.c_str()) > all_threads - 0.5)
    fmt::print(
        "note: the machine was busy (load {} on {} hardware threads): the other threads were "
        "not free, so the scaling line above does not measure the engine\n",
        load_end, all_threads);
  fs::remove_all(dir);
  return 0;
}
