#pragma once
// Helpers for the video tests: run the ffmpeg/ffprobe binaries (the independent truth) and
// read their answers.
#include <array>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace autograde::testing {

struct CommandResult {
  int status = -1;
  std::string out;
};

inline CommandResult run_command(const std::string& cmd) {
  CommandResult r;
  FILE* p = ::popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

inline std::string q(const std::string& s) { return "'" + s + "'"; }

// Runs ffmpeg (quiet, overwrite) with `args`; true on success.
inline bool ffmpeg(const std::string& args) {
  return run_command("ffmpeg -nostdin -hide_banner -loglevel error -y " + args).status == 0;
}

inline nlohmann::json ffprobe_json(const std::string& args, const std::string& file) {
  auto r = run_command("ffprobe -v error -of json " + args + " " + q(file));
  if (r.status != 0 || r.out.empty()) return {};
  return nlohmann::json::parse(r.out, nullptr, false);
}

// MD5 of the packets of the selected streams (e.g. "0:a"), copied without decoding.
inline std::string packet_md5(const std::string& file, const std::string& map) {
  auto r =
      run_command("ffmpeg -nostdin -v error -i " + q(file) + " -map " + map + " -c copy -f md5 -");
  return r.status == 0 ? r.out : std::string();
}

inline std::string read_file_or_empty(const std::string& path) {
  std::string s;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) s.append(buf.data(), n);
    std::fclose(f);
  }
  return s;
}

}  // namespace autograde::testing
