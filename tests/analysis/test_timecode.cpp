// SMPTE ST 12-1 timecode counting; drop-frame values are the standard's worked examples
// (frame numbers ;00 and ;01 skipped each minute except minutes divisible by 10).
#include <gtest/gtest.h>

#include "autograde/analysis/timecode.hpp"

using namespace autograde;

TEST(Timecode, NonDropCounting) {
  TimecodeRate r = timecode_rate(24.0, false);
  EXPECT_EQ(r.fps, 24);
  EXPECT_FALSE(r.drop);
  EXPECT_EQ(parse_timecode("01:00:00:00", r), 86400);
  EXPECT_EQ(format_timecode(86400 + 23, r), "01:00:00:23");
  EXPECT_EQ(parse_timecode("00:00:01:24", r), -1);  // frame out of range
  EXPECT_EQ(parse_timecode("garbage", r), -1);
  TimecodeRate r25 = timecode_rate(25.0, true);  // drop only exists for 1000/1001 rates
  EXPECT_FALSE(r25.drop);
}

TEST(Timecode, DropFrameAt2997) {
  TimecodeRate r = timecode_rate(30000.0 / 1001.0, true);
  EXPECT_EQ(r.fps, 30);
  EXPECT_TRUE(r.drop);
  EXPECT_EQ(format_timecode(1799, r), "00:00:59;29");
  EXPECT_EQ(format_timecode(1800, r), "00:01:00;02");
  EXPECT_EQ(format_timecode(17982, r), "00:10:00;00");   // 10 minutes hold 17982 frames
  EXPECT_EQ(format_timecode(107892, r), "01:00:00;00");  // one hour: 107892 frames
  for (int64_t f : {0, 1799, 1800, 1801, 3597, 3598, 17981, 17982, 107891, 123456})
    EXPECT_EQ(parse_timecode(format_timecode(f, r), r), f) << f;
}

TEST(Timecode, DropFrameAt5994) {
  TimecodeRate r = timecode_rate(60000.0 / 1001.0, true);
  // The first minute holds 3600 frames; then ;00–;03 are skipped (four numbers at 59.94).
  EXPECT_EQ(format_timecode(3599, r), "00:00:59;59");
  EXPECT_EQ(format_timecode(3600, r), "00:01:00;04");
  EXPECT_EQ(parse_timecode("00:01:00;04", r), 3600);
}
