// bench_apply_y4m: whole-process `autograde apply look.cube in.y4m -o out.y4m` on raw 4K
// Y'CbCr (3840x2160 yuv420p 8-bit .y4m, no codec on either side) against ffmpeg on the same
// file in the same run:
//   - `ffmpeg -i in.y4m -f yuv4mpegpipe copy.y4m`: a plain copy, the floor of reading and
//     writing these frames through a process;
//   - `ffmpeg -i in.y4m -vf lut3d=look.cube -pix_fmt yuv420p -f yuv4mpegpipe out.y4m`: the
//     same LUT job (tetrahedral, ffmpeg's automatic conversion to R'G'B' and back; the
//     `-pix_fmt` is needed because the yuv4mpegpipe muxer takes no R'G'B');
//   - ours (and, with --baseline, a second autograde binary, e.g. the build before a change).
// Each command is timed end to end (process start to exit, output written to a new file in the
// temporary folder), the commands alternate, and the best wall time of --runs runs is kept,
// with the best CPU time (user + system of the process and its children: on a shared machine
// the wall time includes waiting for a core, the CPU time does not). Prints a table, the
// ratios ffmpeg-lut3d / ours and ours / copy, and how far our output is from ffmpeg's and from
// a --baseline binary's (per plane, max and mean code-value difference over every frame).
// Never a pass/fail on time: the machine may be shared (load average printed).
//
// The input is made at run time in a temporary folder: the project's Tears of Steel excerpt
// (data/video, CC BY 3.0 Blender Foundation) scaled to 3840x2160, or ffmpeg's testsrc2 when
// that file is absent. The look is bench_support.hpp's make_look (33³).
//
// Usage: bench_apply_y4m [--frames N] [--runs N] [--ffmpeg PATH] [--autograde PATH]
//                        [--baseline PATH] [--keep DIR]
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "autograde/lut/cube_io.hpp"
#include "autograde/media/y4m.hpp"
#include "bench_support.hpp"
#include "code_value_diff.hpp"

namespace fs = std::filesystem;
using namespace autograde;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

using autograde::bench::load_average;
using autograde::bench::make_look;
using autograde::bench::run_seconds;

// User + system CPU time of every child process waited for so far (the commands run through
// std::system): on a shared machine the wall time includes waiting for a core, the CPU time
// does not.
double children_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  auto s = [](const timeval& t) { return double(t.tv_sec) + 1e-6 * double(t.tv_usec); };
  return s(u.ru_utime) + s(u.ru_stime);
}

void print_diff(const char* what, const fs::path& ours, const fs::path& theirs) {
  const bench::Y4mDiff d = bench::compare_y4m(ours, theirs);
  fmt::print("  {} ({} vs {} frames):\n", what, d.frames_a, d.frames_b);
  const char* names[3] = {"Y' ", "Cb ", "Cr "};
  for (int p = 0; p < 3; ++p) {
    const bench::DiffStats s = d.planes[size_t(p)].stats();
    fmt::print("    {} max |diff| {:>3} code values, mean {:.4f}\n", names[p], s.max, s.mean);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 24, runs = 3;
  std::string ffmpeg = "ffmpeg", autograde_bin = AUTOGRADE_BIN, baseline, keep;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has = i + 1 < argc;
    if (a == "--frames" && has)
      frames = std::max(1, std::atoi(argv[++i]));
    else if (a == "--runs" && has)
      runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--ffmpeg" && has)
      ffmpeg = argv[++i];
    else if (a == "--autograde" && has)
      autograde_bin = argv[++i];
    else if (a == "--baseline" && has)
      baseline = argv[++i];
    else if (a == "--keep" && has)
      keep = argv[++i];
    else {
      fmt::print(stderr,
                 "usage: bench_apply_y4m [--frames N] [--runs N] [--ffmpeg PATH] "
                 "[--autograde PATH] [--baseline PATH] [--keep DIR]\n");
      return 2;
    }
  }
  // --keep: a folder that survives the run (the input is reused when already there, for
  // profiling the same file afterwards).
  const fs::path dir = keep.empty()
                           ? fs::temp_directory_path() / fmt::format("ag_bench_y4m_{}", getpid())
                           : fs::path(keep);
  fs::create_directories(dir);
  const std::string ff = ffmpeg + " -hide_banner -loglevel error -nostdin -y";

  const fs::path in = dir / "in.y4m";
  const fs::path source = fs::path(AUTOGRADE_SOURCE_DIR) / "data/video/tears_of_steel_excerpt.mp4";
  const std::string origin = fs::exists(source) ? "Tears of Steel excerpt scaled to 3840x2160"
                                                : "ffmpeg testsrc2 3840x2160";
  if (keep.empty() || !fs::exists(in)) {
    if (fs::exists(source))
      run_seconds(
          fmt::format("{} -i {} -frames:v {} -vf scale=3840:2160:flags=lanczos,format=yuv420p "
                      "-f yuv4mpegpipe {}",
                      ff, q(source), frames, q(in)));
    else
      run_seconds(fmt::format(
          "{} -f lavfi -i testsrc2=size=3840x2160:rate=24 -frames:v {} -vf format=yuv420p "
          "-f yuv4mpegpipe {}",
          ff, frames, q(in)));
  }
  const fs::path cube = dir / "look.cube";
  write_cube(make_look(33), cube.string(), "");
  const int in_frames = bench::compare_y4m(in, in).frames_a;

  const fs::path copy_out = dir / "copy.y4m", ff_out = dir / "ffmpeg.y4m";
  const fs::path ours_out = dir / "ours.y4m", base_out = dir / "baseline.y4m";
  struct Row {
    std::string name, cmd;
    fs::path out;
    double best = 1e9, cpu = 1e9;
  };
  std::vector<Row> rows = {
      {"ffmpeg copy", fmt::format("{} -i {} -f yuv4mpegpipe {}", ff, q(in), q(copy_out)), copy_out},
      {"ffmpeg -vf lut3d",
       fmt::format("{} -i {} -vf lut3d={} -pix_fmt yuv420p -f yuv4mpegpipe {}", ff, q(in), q(cube),
                   q(ff_out)),
       ff_out},
      {"autograde apply",
       fmt::format("{} --quiet apply {} {} -o {}", autograde_bin, q(cube), q(in), q(ours_out)),
       ours_out}};
  if (!baseline.empty())
    rows.push_back(
        {"autograde apply (baseline)",
         fmt::format("{} --quiet apply {} {} -o {}", baseline, q(cube), q(in), q(base_out)),
         base_out});

  fmt::print("bench_apply_y4m: {}, {} frames yuv420p 8-bit .y4m ({:.0f} MB), 33^3 look\n", origin,
             in_frames, double(fs::file_size(in)) / 1e6);
  fmt::print("whole process, wall time, best of {} alternating runs; load average at start: {}\n",
             runs, load_average());
  for (const Row& r : rows) fmt::print("  {:<28} {}\n", r.name + ":", r.cmd);
  fmt::print("\n");
  std::fflush(stdout);

  for (int r = 0; r < runs; ++r)
    for (Row& row : rows) {
      // Every command writes a new file (the page cache's pages for it come back from the
      // last run's file), none overwrites an old one.
      fs::remove(row.out);
      const double cpu0 = children_cpu_seconds();
      row.best = std::min(row.best, run_seconds(row.cmd));
      row.cpu = std::min(row.cpu, children_cpu_seconds() - cpu0);
    }
  fmt::print("{:<28} {:>8} {:>10} {:>8} {:>12}\n", "tool", "frames", "seconds", "fps",
             "CPU seconds");
  for (const Row& r : rows)
    fmt::print("{:<28} {:>8} {:>10.3f} {:>8.2f} {:>12.3f}\n", r.name, in_frames, r.best,
               double(in_frames) / r.best, r.cpu);
  const double t_copy = rows[0].best, t_lut3d = rows[1].best, t_ours = rows[2].best;
  fmt::print("ffmpeg lut3d / autograde: {:.2f}x   autograde / ffmpeg copy: {:.2f}x",
             t_lut3d / t_ours, t_ours / t_copy);
  if (!baseline.empty()) fmt::print("   baseline / autograde: {:.2f}x", rows[3].best / t_ours);
  fmt::print("   (load average after the runs: {})\n\n", load_average());
  std::fflush(stdout);

  // The last run of each command left its output in place.
  fmt::print("agreement:\n");
  print_diff("autograde vs ffmpeg lut3d (8-bit R'G'B' stage, truncating)", ours_out, ff_out);
  if (!baseline.empty()) print_diff("autograde vs the baseline binary", ours_out, base_out);
  if (keep.empty()) fs::remove_all(dir);
  return 0;
}
