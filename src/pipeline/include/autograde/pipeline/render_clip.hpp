#pragma once
// The one clip renderer (DESIGN.md data flow: frames → fast LUT engine → encode): decode, one
// LUT per shot, encode — for `render` of a plan, `grade`, `apply` on a clip or a raw .y4m
// stream, and `correct` on a clip. Streaming: one frame in memory at a time; the grade changes
// only at the given shot boundaries. Deterministic: the same LUTs and settings give the same
// bytes.
//
// Pixel paths, chosen per input:
//   - "y4m": a raw YUV4MPEG2 stream (a .y4m file, or "-" for standard input/output) is graded
//     in place in its own frame buffer by the fused Y'CbCr engine (BT.709 limited range; a
//     full-range stream is refused) and written back as .y4m: no codec, no conversion;
//   - "yuv": planar Y'CbCr in BT.709 limited range, 8-16 bit, at most 2:1 subsampling — the
//     fused engine grades the decoder's planes into planes of the same layout, which the
//     encoder takes without conversion;
//   - "rgb": anything else is decoded to float R'G'B' (the reader converts with the stream's
//     own matrix and range) and graded by the RGB engine.
// Audio, subtitles, timecode and rotation are carried over by the video writer.
//
// Measurement (optional) is folded into the same pass: each shot's temporal metrics
// (analysis/temporal_metrics.hpp) are computed on the input as decoded and on the graded frames
// as they go to the encoder, both brought to `measure_width` by the same conversion
// (media/frame_to_rgb.hpp).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "autograde/analysis/temporal_metrics.hpp"
#include "autograde/color/camera_log.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/lut.hpp"
#include "autograde/media/video_writer.hpp"

namespace autograde {

struct FrameRange {
  int64_t first = 0, last = 0;  // inclusive frame indices
};

struct ClipRenderOptions {
  Interp interp = Interp::Tetrahedral;
  VideoWriteOptions encode;  // ignored for .y4m output
  bool quiet = false;
  std::string label = "render";  // of the progress bar
  bool measure = false;
  int measure_width = 320;  // never above the clip's width
  // Brings the decoded input to display code values for the metrics' baselines (identity for
  // Rec.709 input).
  CameraLog input_colorspace = CameraLog::Rec709;
};

struct ClipRenderResult {
  int64_t frames = 0;
  std::string pixel_path;                     // "y4m", "yuv" or "rgb"
  std::vector<TemporalMetrics> shot_metrics;  // per shot, when measured
  std::vector<std::string> warnings;          // streams the writer could not carry over
};

// True for a path the renderer reads or writes as raw YUV4MPEG2 ("-" or a .y4m name).
bool is_y4m_path(const std::string& path);

// `shots` are sorted and contiguous from frame 0; frames after the last range take the last
// LUT. `luts` has one entry per shot. Error(Usage) when the output is the input, when one side
// is .y4m and the other is not, or when shots and LUTs disagree; Error(BadInput) naming the
// file (and frame) for an unreadable, empty or truncated input. The output appears only when
// complete (the writers write a temporary file and rename it).
ClipRenderResult render_clip(const std::string& input, const std::string& output,
                             std::span<const FrameRange> shots, std::span<const LutFile> luts,
                             const ClipRenderOptions& options);

}  // namespace autograde
