#pragma once
// Streaming video decode through FFmpeg (libavformat/libavcodec/libswscale). One frame is in
// memory at a time, so any length of clip decodes in bounded memory.
//
// Pixels come out as either
//   - the native planar Y'CbCr (`VideoFrame::yuv`, a view valid until the next call), for the
//     fused LUT path; formats that are not planar YUV (NV12, P010, RGB, palette) are repacked
//     to the planar format of the same depth and subsampling first, or
//   - float RGB display code values 0..1 (`VideoFrame::rgb`), converted by swscale with the
//     stream's matrix and range set explicitly (untagged streams: see effective_color_tags),
//     optionally downscaled (area average) for analysis.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/media/video_types.hpp"

namespace autograde {

enum class FrameOutput { Rgb, Yuv, Both };

struct VideoReadOptions {
  FrameOutput output = FrameOutput::Rgb;
  int rgb_width = 0;   // 0: native size. Set one or both to downscale the RGB output; with
  int rgb_height = 0;  // one of them 0 the other follows the display aspect ratio.
  int threads = 0;     // decoder threads, 0 = FFmpeg's choice
  // > 0: every frame also comes as VideoFrame::analysis, RGB this wide (aspect kept), from the
  // same decoded picture, so one decode serves two sizes (e.g. shot detection and sampling).
  int analysis_width = 0;
};

struct VideoFrame {
  int64_t index = -1;  // 0-based position in decode (presentation) order
  int64_t pts = 0;     // best-effort presentation timestamp, stream time base
  double time = 0;     // seconds from the stream's start (pts - start_pts) × time base
  ImageF rgb;          // 3 channels, display code values 0..1 (FrameOutput::Rgb/Both)
  YuvPlanes yuv;       // native planes (FrameOutput::Yuv/Both); valid until the next next()
  ImageF analysis;     // VideoReadOptions::analysis_width > 0: a second, small RGB picture
};

class VideoReader {
 public:
  // Error(BadInput) naming the file when it cannot be opened, has no video stream (e.g.
  // audio-only) or its codec cannot be decoded.
  explicit VideoReader(const std::string& path, VideoReadOptions options = {});
  ~VideoReader();
  VideoReader(VideoReader&&) noexcept;
  VideoReader& operator=(VideoReader&&) noexcept;

  const VideoStreamInfo& info() const;

  // The next frame in presentation order; false at the end. Error(BadInput) naming the file
  // and the frame/time for corrupt or truncated data, and for a stream with no frame at all.
  bool next(VideoFrame& frame);
  // Decodes the next frame without converting its pixels (cheap skipping); false at the end.
  bool skip();
  // Frames delivered so far (by next or skip).
  int64_t frames_read() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `count` frames spread evenly over [first, last] (inclusive frame indices, clamped to the
// clip), decoded by one streaming pass that skips the frames in between without converting
// them (decode-and-discard: fine for shots, slow for picking a few frames of a long film).
// Returns fewer frames when the clip is shorter. Use FrameOutput::Rgb: YUV views die with the
// next decoded frame.
std::vector<VideoFrame> sample_frames(const std::string& path, int64_t first, int64_t last,
                                      int count, VideoReadOptions options = {});

// The frame indices sample_frames picks: evenly spread, both ends included, distinct.
std::vector<int64_t> sample_indices(int64_t first, int64_t last, int count);

}  // namespace autograde
