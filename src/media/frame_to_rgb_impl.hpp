#pragma once
// Internal to ag_media: the state behind FrameToRgb, which the video reader also holds (one per
// output size) to convert its decoded frames.
#include <string>
#include <vector>

#include "autograde/media/frame_to_rgb.hpp"
#include "video_ffmpeg.hpp"

namespace autograde {

struct FrameToRgb::Impl {
  ffmpeg::SwsPtr rgb_sws;  // RGB / palette / grey sources → RGB48
  ffmpeg::SwsPtr yuv_sws;  // Y'CbCr sources → planar 4:4:4 of the same depth (resampling only)
  ffmpeg::FramePtr repacked = ffmpeg::make_frame();
  std::vector<uint16_t> rgb16;

  // `f` in `src_fmt` (a plain, non-"yuvj" format); `tags`: resolved matrix and range of a
  // Y'CbCr source; `ow` x `oh`: the output size. Returns "" or what swscale refused.
  std::string convert(const AVFrame& f, AVPixelFormat src_fmt, const ColorTags& tags, int ow,
                      int oh, ImageF& out);
};

// The output size for a picture of `w` x `h` with sample aspect ratio `sar` when `want_w` /
// `want_h` are asked for (0 = native; one 0 follows the display aspect ratio).
void rgb_output_size(int w, int h, double sar, int want_w, int want_h, int& ow, int& oh);

}  // namespace autograde
