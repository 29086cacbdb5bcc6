// Issue 19: the wall time of `autograde grade` on a 1080p clip against the one-pass peer doing
// the same render with the same LUT:
//   ffmpeg -i IN -vf lut3d=shot.cube,format=yuv420p -c:v libx264 -crf 18 OUT
// `grade` does more than the peer (shot detection, sampling, matching, per-shot LUTs, the
// temporal metrics, the plan), so the ratio says what all of that costs on top of one decode →
// LUT → encode pass. `autograde apply` with the same .cube is printed too: the renderer alone.
//
// The clip is made at run time in a temporary folder: the project's Tears of Steel excerpt
// (data/video, CC BY 3.0 Blender Foundation) looped to N frames and scaled to 1920x1080, H.264
// (libx264 CRF 16, yuv420p, BT.709 tags). The reference is data/images/reference_teal_orange.png,
// the .cube is the first shot's LUT from grade's own output.
//
// Usage: bench_grade_speed [--frames N] [--runs N] [--ffmpeg PATH] [--autograde PATH]
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench_support.hpp"

namespace fs = std::filesystem;
using autograde::bench::load_average;
using autograde::bench::run_seconds;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

}  // namespace

int main(int argc, char** argv) {
  int frames = 240, runs = 2;
  std::string ffmpeg = "ffmpeg", ag = AUTOGRADE_BIN;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        fmt::print(stderr, "{} needs a value\n", a);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--frames")
      frames = std::max(2, std::atoi(next().c_str()));
    else if (a == "--runs")
      runs = std::max(1, std::atoi(next().c_str()));
    else if (a == "--ffmpeg")
      ffmpeg = next();
    else if (a == "--autograde")
      ag = next();
    else {
      fmt::print(
          stderr,
          "usage: bench_grade_speed [--frames N] [--runs N] [--ffmpeg PATH] [--autograde PATH]\n");
      return 2;
    }
  }
  const fs::path src = fs::path(AUTOGRADE_SOURCE_DIR);
  const fs::path dir = fs::temp_directory_path() / fmt::format("ag_bench_grade_{}", getpid());
  fs::create_directories(dir);
  const fs::path clip = dir / "clip_1080p.mp4";
  run_seconds(fmt::format(
      "{} -nostdin -v error -y -stream_loop -1 -i {} -frames:v {} -an -vf scale=1920:1080 "
      "-c:v libx264 -preset veryfast -crf 16 -pix_fmt yuv420p -color_primaries bt709 "
      "-color_trc bt709 -colorspace bt709 {}",
      ffmpeg, q(src / "data/video/tears_of_steel_excerpt.mp4"), frames, q(clip)));
  const std::string ref = q(src / "data/images/reference_teal_orange.png");

  double grade = 1e30, apply = 1e30, peer = 1e30;
  for (int r = 0; r < runs; ++r) {
    fs::remove_all(dir / "g_luts");
    grade = std::min(
        grade, run_seconds(fmt::format("{} --quiet grade {} --ref {} -o {} --luts {} --plan {}", ag,
                                       q(clip), ref, q(dir / "graded.mp4"), q(dir / "g_luts"),
                                       q(dir / "g.plan.json"))));
    const fs::path cube = dir / "g_luts" / "shot_000.cube";
    peer =
        std::min(peer, run_seconds(fmt::format(
                           "{} -nostdin -v error -y -i {} -vf lut3d={},format=yuv420p -c:v libx264 "
                           "-crf 18 {}",
                           ffmpeg, q(clip), q(cube), q(dir / "peer.mp4"))));
    apply = std::min(apply, run_seconds(fmt::format("{} --quiet apply {} {} -o {}", ag, q(cube),
                                                    q(clip), q(dir / "applied.mp4"))));
  }
  fmt::print("grade vs the one-pass peer, {} frames of 1920x1080 H.264, best of {} (load {})\n",
             frames, runs, load_average());
  fmt::print("{:<58} {:>9} {:>8}\n", "command", "seconds", "fps");
  fmt::print("{:<58} {:>9.2f} {:>8.1f}\n",
             "ffmpeg -vf lut3d=shot.cube,format=yuv420p -c:v libx264 -crf 18", peer, frames / peer);
  fmt::print("{:<58} {:>9.2f} {:>8.1f}\n", "autograde apply shot.cube", apply, frames / apply);
  fmt::print("{:<58} {:>9.2f} {:>8.1f}\n", "autograde grade --ref (shots, match, render, metrics)",
             grade, frames / grade);
  fmt::print("grade / peer = {:.2f} (target <= 0.85), apply / peer = {:.2f}\n", grade / peer,
             apply / peer);
  fs::remove_all(dir);
  return 0;
}
