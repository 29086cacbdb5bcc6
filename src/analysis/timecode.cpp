#include "autograde/analysis/timecode.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

namespace autograde {

namespace {
int drop_count(const TimecodeRate& r) {
  return r.drop ? (r.fps + 15) / 30 * 2 : 0;
}  // 2 at 30, 4 at 60
}  // namespace

TimecodeRate timecode_rate(double fps, bool drop_hint) {
  TimecodeRate r;
  r.fps = std::max(1, int(std::lround(fps)));
  const bool ntsc = std::fabs(fps * 1.001 - r.fps) < 0.01 && r.fps % 30 == 0;
  r.drop = drop_hint && ntsc;
  return r;
}

int64_t parse_timecode(const std::string& tc, const TimecodeRate& rate) {
  int h = 0, m = 0, s = 0, f = 0;
  char sep = 0;
  if (std::sscanf(tc.c_str(), "%d:%d:%d%c%d", &h, &m, &s, &sep, &f) != 5) return -1;
  if (sep != ':' && sep != ';' && sep != '.' && sep != ',') return -1;
  if (h < 0 || m < 0 || m > 59 || s < 0 || s > 59 || f < 0 || f >= rate.fps) return -1;
  int64_t total = ((int64_t(h) * 60 + m) * 60 + s) * rate.fps + f;
  if (const int drop = drop_count(rate)) {
    const int64_t minutes = int64_t(h) * 60 + m;
    total -= drop * (minutes - minutes / 10);
  }
  return total;
}

std::string format_timecode(int64_t frames, const TimecodeRate& rate) {
  if (frames < 0) frames = 0;
  if (const int drop = drop_count(rate)) {
    // SMPTE ST 12-1 drop-frame: frame numbers are skipped, frames are not.
    const int64_t per_min = int64_t(rate.fps) * 60 - drop;
    const int64_t per_10min = per_min * 10 + drop;
    const int64_t tens = frames / per_10min, rem = frames % per_10min;
    frames += 9 * drop * tens + (rem > drop ? drop * ((rem - drop) / per_min) : 0);
  }
  const int64_t ff = frames % rate.fps;
  const int64_t total_s = frames / rate.fps;
  return fmt::format("{:02}:{:02}:{:02}{}{:02}", (total_s / 3600) % 24, (total_s / 60) % 60,
                     total_s % 60, rate.drop ? ';' : ':', ff);
}

}  // namespace autograde
