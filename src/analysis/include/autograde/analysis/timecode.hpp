#pragma once
// SMPTE ST 12-1 timecode ↔ frame numbers, including drop-frame counting for 29.97/59.94.
#include <cstdint>
#include <string>

namespace autograde {

struct TimecodeRate {
  int fps = 24;  // nominal (integer) frames per second of the count: 24, 25, 30, 60, ...
  bool drop =
      false;  // drop-frame: skip frame numbers 0 and 1 (0–3 at 60) each minute except every 10th
};

// The counting rate for a stream: round(fps); drop-frame when `drop_hint` (a ';' in the
// stream's timecode) and the rate is a 1000/1001 one (29.97, 59.94).
TimecodeRate timecode_rate(double fps, bool drop_hint);

// "HH:MM:SS:FF" (or ';' / '.' before FF for drop-frame) → frame count since 00:00:00:00;
// -1 when malformed or out of range for the rate.
int64_t parse_timecode(const std::string& tc, const TimecodeRate& rate);
std::string format_timecode(int64_t frames, const TimecodeRate& rate);

}  // namespace autograde
