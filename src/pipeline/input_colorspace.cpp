#include "autograde/pipeline/input_colorspace.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace autograde {

namespace {
// H.273 transfer characteristics that are display-referred SDR video or sRGB: BT.709 (1),
// gamma 2.2 / 2.8 (4, 5), BT.601 (6), SMPTE 240M (7), sRGB (13), BT.2020 10/12-bit (14, 15).
bool sdr_transfer(int t) { return t == 1 || t == 4 || t == 5 || t == 6 || t == 7 || t == 13 || t == 14 || t == 15; }
}  // namespace

InputColorspaceChoice choose_input_colorspace(const std::string& flag, const VideoStreamInfo& info,
                                              const std::vector<FrameStats>& frames) {
  InputColorspaceChoice c;
  if (!flag.empty() && flag != "auto") {
    c.space = parse_input_colorspace(flag);
    c.source = "flag";
    c.reason = "--input-colorspace " + std::string(camera_log_name(c.space));
    return c;
  }
  const int t = info.tags.transfer;
  if (sdr_transfer(t)) {
    c.space = CameraLog::Rec709;
    c.source = "stream tags";
    c.reason = "stream transfer is tagged " + color_transfer_name(t);
    return c;
  }
  c.space = CameraLog::Rec709;
  c.source = "default";
  if (t == 16 || t == 18) {
    c.reason = "stream is tagged HDR (" + color_transfer_name(t) + "), which is graded as if it were Rec.709";
    c.warning = c.reason + "; the result will look wrong";
    return c;
  }
  const LogFootageVerdict v = assess_log_footage(frames);
  c.log_suspected = v.looks_log;
  if (v.looks_log) {
    c.reason = "untagged; the pictures look like camera log (" + v.reason + ")";
    c.warning = fmt::format(
        "{}: the colour space is not tagged and the footage looks like camera log ({}). It is graded as "
        "Rec.709; if it is log, say which with --input-colorspace slog3|logc3|logc4|vlog|clog3|log3g10",
        info.path, v.reason);
  } else {
    c.reason = "untagged; assumed Rec.709 (" + v.reason + ")";
  }
  return c;
}

nlohmann::json to_json(const InputColorspaceChoice& c) {
  return {{"name", std::string(camera_log_name(c.space))},
          {"source", c.source},
          {"log_suspected", c.log_suspected},
          {"reason", c.reason}};
}

}  // namespace autograde
