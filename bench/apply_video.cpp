// bench_apply_video: `autograde apply look.cube in.mp4 -o out.mp4` against
// `ffmpeg -i in.mp4 -vf lut3d=look.cube` on a 1080p H.264 clip, with the same encoder settings
// on both sides (libx264, same CRF and preset, yuv420p, BT.709 tags, encoder threads left to
// the library), end to end: decode, LUT, encode. Prints the best wall time of repeated runs
// and the frames per second of each, and the ratio.
//
// Before encoding, the outputs are compared on the same decoded frames:
//   - RGB: the clip decoded to rgb24 by ffmpeg, then our engine and ffmpeg's lut3d filter on
//     those frames (both tetrahedral, same .cube);
//   - Y'CbCr: the clip decoded to .y4m, then `autograde apply` (the fused BT.709 path the
//     clip run takes) against ffmpeg's chain for the same job (its automatic conversion to
//     RGB, lut3d, back to yuv420p), and against ffmpeg kept in float between explicit BT.709
//     limited-range conversions, plane by plane.
//
// The clip is made at run time in a temporary folder: the project's Tears of Steel excerpt
// (data/video, CC BY 3.0 Blender Foundation) scaled to 1920x1080, or ffmpeg's testsrc2 when
// that file is absent.
//
// Usage: bench_apply_video [--frames N] [--crf N] [--preset NAME] [--runs N]
//                          [--ffmpeg PATH] [--autograde PATH]
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "autograde/engine/renderer.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/media/y4m.hpp"
#include "bench_support.hpp"
#include "code_value_diff.hpp"

namespace fs = std::filesystem;
using namespace autograde;
using Clock = std::chrono::steady_clock;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

using autograde::bench::compare_y4m;
using autograde::bench::describe;
using autograde::bench::DiffAccumulator;
using autograde::bench::DiffStats;
using autograde::bench::load_average;
using autograde::bench::make_look;
using autograde::bench::run_seconds;

std::vector<std::uint8_t> read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 120, crf = 18, runs = 2;
  std::string preset = "medium", ffmpeg = "ffmpeg", autograde_bin = AUTOGRADE_BIN;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has = i + 1 < argc;
    if (a == "--frames" && has)
      frames = std::max(1, std::atoi(argv[++i]));
    else if (a == "--crf" && has)
      crf = std::atoi(argv[++i]);
    else if (a == "--preset" && has)
      preset = argv[++i];
    else if (a == "--runs" && has)
      runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--ffmpeg" && has)
      ffmpeg = argv[++i];
    else if (a == "--autograde" && has)
      autograde_bin = argv[++i];
    else {
      fmt::print(stderr,
                 "usage: bench_apply_video [--frames N] [--crf N] [--preset NAME] [--runs N] "
                 "[--ffmpeg PATH] [--autograde PATH]\n");
      return 2;
    }
  }
  const fs::path dir = fs::temp_directory_path() / fmt::format("ag_bench_video_{}", getpid());
  fs::create_directories(dir);
  const std::string ff = ffmpeg + " -hide_banner -loglevel error -nostdin -y";
  const std::string tags =
      "-color_primaries bt709 -color_trc bt709 -colorspace bt709 -color_range tv";

  // The test clip: 1080p yuv420p H.264, BT.709 tags, no audio.
  const fs::path clip = dir / "clip.mp4";
  const fs::path source = fs::path(AUTOGRADE_SOURCE_DIR) / "data/video/tears_of_steel_excerpt.mp4";
  std::string origin;
  if (fs::exists(source)) {
    origin = "Tears of Steel excerpt scaled to 1920x1080";
    run_seconds(
        fmt::format("{} -i {} -frames:v {} -vf scale=1920:1080:flags=lanczos,format=yuv420p "
                    "-c:v libx264 -preset veryfast -crf 14 {} -an {}",
                    ff, q(source), frames, tags, q(clip)));
  } else {
    origin = "ffmpeg testsrc2 1920x1080";
    run_seconds(
        fmt::format("{} -f lavfi -i testsrc2=size=1920x1080:rate=24 -frames:v {} "
                    "-vf format=yuv420p -c:v libx264 -preset veryfast -crf 14 {} {}",
                    ff, frames, tags, q(clip)));
  }
  const VideoStreamInfo info = VideoReader(clip.string()).info();
  const fs::path cube = dir / "look.cube";
  write_cube(make_look(33), cube.string(), "");

  const fs::path ours_out = dir / "ours.mp4", ffmpeg_out = dir / "ffmpeg.mp4";
  const std::string ours_cmd = fmt::format(
      "{} --quiet apply {} {} -o {} --interp tetrahedral --codec h264 --crf {} "
      "--preset {}",
      autograde_bin, q(cube), q(clip), q(ours_out), crf, preset);
  const std::string ffmpeg_cmd = fmt::format(
      "{} -i {} -vf lut3d=file={}:interp=tetrahedral -c:v libx264 -crf {} -preset {} "
      "-pix_fmt yuv420p {} -an {}",
      ff, q(clip), q(cube), crf, preset, tags, q(ffmpeg_out));

  fmt::print("bench_apply_video: {} ({} frames, {}x{} {} {}), 33^3 tetrahedral LUT\n", origin,
             info.frame_count, info.width, info.height, info.codec, info.pixel_format);
  fmt::print(
      "encoder on both sides: libx264 crf {} preset {}, yuv420p, BT.709 tags; best of {} "
      "runs each, wall time; load average at start: {}\n",
      crf, preset, runs, load_average());
  fmt::print("  ours:   autograde apply look.cube in.mp4 -o out.mp4 --crf {} --preset {}\n", crf,
             preset);
  fmt::print(
      "  ffmpeg: ffmpeg -i in.mp4 -vf lut3d=look.cube:interp=tetrahedral -c:v libx264 "
      "-crf {} -preset {} -pix_fmt yuv420p\n\n",
      crf, preset);
  std::fflush(stdout);

  double t_ours = 1e9, t_ffmpeg = 1e9;
  for (int r = 0; r < runs; ++r) {  // alternate, so both see the same machine load
    t_ours = std::min(t_ours, run_seconds(ours_cmd));
    t_ffmpeg = std::min(t_ffmpeg, run_seconds(ffmpeg_cmd));
  }
  const int64_t n_ours = VideoReader(ours_out.string()).info().frame_count;
  const int64_t n_ffmpeg = VideoReader(ffmpeg_out.string()).info().frame_count;
  fmt::print("{:<26} {:>8} {:>10} {:>8}\n", "tool", "frames", "seconds", "fps");
  fmt::print("{:<26} {:>8} {:>10.2f} {:>8.2f}\n", "autograde apply", n_ours, t_ours,
             double(n_ours) / t_ours);
  fmt::print("{:<26} {:>8} {:>10.2f} {:>8.2f}\n", "ffmpeg -vf lut3d", n_ffmpeg, t_ffmpeg,
             double(n_ffmpeg) / t_ffmpeg);
  fmt::print("speedup (ours fps / ffmpeg fps): {:.2f}x   (load average after the runs: {})\n\n",
             (double(n_ours) / t_ours) / (double(n_ffmpeg) / t_ffmpeg), load_average());
  std::fflush(stdout);

  // Agreement before encoding, on the first few decoded frames.
  const int check = std::min(frames, 8);
  const int w = info.width, h = info.height;
  const fs::path rgb_in = dir / "dec.rgb", rgb_ff = dir / "ff.rgb";
  run_seconds(fmt::format("{} -i {} -frames:v {} -f rawvideo -pix_fmt rgb24 {}", ff, q(clip), check,
                          q(rgb_in)));
  run_seconds(
      fmt::format("{} -f rawvideo -pix_fmt rgb24 -s {}x{} -i {} "
                  "-vf lut3d=file={}:interp=tetrahedral -f rawvideo -pix_fmt rgb24 {}",
                  ff, w, h, q(rgb_in), q(cube), q(rgb_ff)));
  std::vector<std::uint8_t> rgb = read_all(rgb_in), ours_rgb(rgb.size());
  const std::vector<std::uint8_t> theirs_rgb = read_all(rgb_ff);
  if (theirs_rgb.size() != rgb.size() || rgb.empty()) {
    fmt::print(stderr, "ffmpeg's rgb24 output has an unexpected size\n");
    return 1;
  }
  const PixelFormat rgb24{SampleType::U8, Layout::Packed, 3};
  const LutRenderer engine = make_renderer(read_cube(cube.string()), rgb24, Interp::Tetrahedral);
  const size_t frame_bytes = size_t(w) * h * 3;
  DiffAccumulator rgb_diff;
  for (size_t off = 0; off + frame_bytes <= rgb.size(); off += frame_bytes) {
    ImageView src, dst;
    src.width = dst.width = w;
    src.height = dst.height = h;
    src.planes[0] = rgb.data() + off;
    dst.planes[0] = ours_rgb.data() + off;
    src.strides[0] = dst.strides[0] = std::ptrdiff_t(w) * 3;
    engine.apply(src, dst);
  }
  for (size_t i = 0; i < rgb.size(); ++i) rgb_diff.add(ours_rgb[i], theirs_rgb[i]);
  const DiffStats rs = rgb_diff.stats();

  const fs::path y4m_in = dir / "dec.y4m", y4m_ours = dir / "ours.y4m", y4m_ff = dir / "ff.y4m";
  run_seconds(fmt::format("{} -i {} -frames:v {} -pix_fmt yuv420p -f yuv4mpegpipe {}", ff, q(clip),
                          check, q(y4m_in)));
  run_seconds(
      fmt::format("{} --quiet apply {} {} -o {}", autograde_bin, q(cube), q(y4m_in), q(y4m_ours)));
  run_seconds(
      fmt::format("{} -i {} -vf lut3d=file={}:interp=tetrahedral -pix_fmt yuv420p "
                  "-strict -1 -f yuv4mpegpipe {}",
                  ff, q(y4m_in), q(cube), q(y4m_ff)));
  // The same job with ffmpeg kept in float between the conversions (exact BT.709 limited-range
  // matrices, no 8-bit R'G'B' stage, no truncation): what is left is chroma resampling.
  const fs::path y4m_ff_float = dir / "ff_float.y4m";
  const std::string sws = "flags=accurate_rnd+full_chroma_int";
  run_seconds(
      fmt::format("{} -i {} -vf scale=in_range=tv:in_color_matrix=bt709:{},format=gbrpf32le,"
                  "lut3d=file={}:interp=tetrahedral,scale=out_range=tv:out_color_matrix=bt709:{},"
                  "format=yuv420p -strict -1 -f yuv4mpegpipe {}",
                  ff, q(y4m_in), sws, q(cube), sws, q(y4m_ff_float)));
  const auto plane_diff = compare_y4m(y4m_ours, y4m_ff).planes;
  const auto plane_diff_float = compare_y4m(y4m_ours, y4m_ff_float).planes;
  fmt::print("agreement before encoding, first {} decoded frames:\n", check);
  fmt::print("  RGB (rgb24), engine vs ffmpeg lut3d:  {}\n", describe(rs));
  fmt::print(
      "    (ffmpeg 5.1 truncates 8-bit output, we round: a 1-code difference is expected)\n");
  fmt::print("  RGB agrees within 1 code value: {}\n", rs.max <= 1 ? "yes" : "NO");
  const char* names[3] = {"Y' ", "Cb ", "Cr "};
  fmt::print("  Y'CbCr (.y4m), autograde apply vs ffmpeg's auto RGB conversion + lut3d:\n");
  for (int p = 0; p < 3; ++p) fmt::print("    {} {}\n", names[p], describe(plane_diff[p].stats()));
  fmt::print(
      "  Y'CbCr (.y4m), autograde apply vs ffmpeg with a float R'G'B' stage "
      "(scale BT.709 tv, gbrpf32le, lut3d, scale back):\n");
  for (int p = 0; p < 3; ++p)
    fmt::print("    {} {}\n", names[p], describe(plane_diff_float[p].stats()));
  fs::remove_all(dir);
  return 0;
}
