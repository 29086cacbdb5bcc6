#pragma once
// Which colour space the input's code values are in (issue 4): the --input-colorspace flag
// wins; otherwise the stream's transfer tag (H.273) when it names a display-referred SDR
// curve; otherwise Rec.709 is assumed, and when the pictures look like camera log (lifted
// blacks, compressed highlights, low chroma: analysis/frame_stats.hpp assess_log_footage)
// a warning says so and suggests the flag.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "autograde/analysis/frame_stats.hpp"
#include "autograde/color/camera_log.hpp"
#include "autograde/media/video_types.hpp"

namespace autograde {

struct InputColorspaceChoice {
  CameraLog space = CameraLog::Rec709;
  std::string source;        // "flag", "stream tags" or "default"
  bool log_suspected = false;
  std::string reason;        // one line for the plan and the user
  std::string warning;       // non-empty when the user should act
};

// `flag`: "auto" or a camera_log name (Error(Usage) for an unknown one).
InputColorspaceChoice choose_input_colorspace(const std::string& flag, const VideoStreamInfo& info,
                                              const std::vector<FrameStats>& frames);

nlohmann::json to_json(const InputColorspaceChoice& choice);

}  // namespace autograde
