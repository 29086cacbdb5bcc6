// Issue 4: `autograde grade` streams, so its peak memory does not grow with the clip's length.
// Builds 4K H.264 clips of N and 3N frames (the bundled Tears of Steel excerpt, looped and
// scaled), grades each to the bundled reference still, and prints the peak resident set size
// (getrusage ru_maxrss of the child) next to the peer: ffmpeg re-encoding the same clip with
// the same encoder settings (libx264, preset medium, CRF 18), whose encoder dominates both.
//
// Usage: bench_grade_memory [--frames N] [--keep DIR]   (needs the ffmpeg binary on PATH)
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Run {
  int status = -1;
  double peak_mib = 0;
  double seconds = 0;
};

// Runs `argv` with stdout/stderr to /dev/null and returns its exit status and peak RSS.
Run run(const std::vector<std::string>& argv) {
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(127);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execvp(a[0], a.data());
    _exit(127);
  }
  Run r;
  int st = 0;
  rusage ru{};
  if (pid < 0 || wait4(pid, &st, 0, &ru) != pid) return r;
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.peak_mib = double(ru.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 48;
  std::string keep;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--frames" && i + 1 < argc)
      frames = std::max(1, std::atoi(argv[++i]));
    else if (a == "--keep" && i + 1 < argc)
      keep = argv[++i];
    else {
      fmt::print(stderr, "usage: bench_grade_memory [--frames N] [--keep DIR]\n");
      return 2;
    }
  }
  const fs::path src = fs::path(AUTOGRADE_SOURCE_DIR);
  const fs::path dir = keep.empty()
                           ? fs::temp_directory_path() / fmt::format("ag-bench-mem-{}", getpid())
                           : fs::path(keep);
  fs::create_directories(dir);
  const std::string cli = AUTOGRADE_CLI;
  fmt::print(
      "bench_grade_memory: 4K (3840x2160) H.264 yuv420p clips, grade to "
      "data/images/reference_teal_orange.png\n");
  fmt::print(
      "peer: ffmpeg -i IN -c:v libx264 -preset medium -crf 18 (the encoder autograde uses for "
      "8-bit input)\n\n");
  fmt::print("{:>7} {:>16} {:>10} {:>16} {:>10} {:>12}\n", "frames", "autograde MiB", "seconds",
             "ffmpeg MiB", "seconds", "ratio MiB");
  int failures = 0;
  for (int n : {frames, 3 * frames}) {
    const fs::path clip = dir / fmt::format("clip_{}.mp4", n);
    const Run make = run({"ffmpeg",
                          "-nostdin",
                          "-v",
                          "error",
                          "-y",
                          "-stream_loop",
                          "-1",
                          "-i",
                          (src / "data/video/tears_of_steel_excerpt.mp4").string(),
                          "-frames:v",
                          std::to_string(n),
                          "-vf",
                          "scale=3840:2160:flags=bicubic",
                          "-c:v",
                          "libx264",
                          "-preset",
                          "ultrafast",
                          "-crf",
                          "20",
                          "-pix_fmt",
                          "yuv420p",
                          "-an",
                          clip.string()});
    if (make.status != 0) {
      fmt::print(stderr, "could not build the test clip with ffmpeg\n");
      return 1;
    }
    const Run ours = run({cli, "--quiet", "grade", clip.string(), "--ref",
                          (src / "data/images/reference_teal_orange.png").string(), "-o",
                          (dir / fmt::format("graded_{}.mp4", n)).string(), "--crf", "18"});
    const Run peer =
        run({"ffmpeg", "-nostdin", "-v", "error", "-y", "-i", clip.string(), "-c:v", "libx264",
             "-preset", "medium", "-crf", "18", (dir / fmt::format("ffmpeg_{}.mp4", n)).string()});
    if (ours.status != 0 || peer.status != 0) ++failures;
    fmt::print("{:>7} {:>16.0f} {:>10.1f} {:>16.0f} {:>10.1f} {:>12.2f}{}\n", n, ours.peak_mib,
               ours.seconds, peer.peak_mib, peer.seconds,
               ours.peak_mib / std::max(1.0, peer.peak_mib),
               ours.status != 0   ? "  (autograde failed)"
               : peer.status != 0 ? "  (ffmpeg failed)"
                                  : "");
  }
  fmt::print("\ntarget: autograde < 2048 MiB at every length, and not growing with the length\n");
  if (keep.empty()) fs::remove_all(dir);
  return failures ? 1 : 0;
}
