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
//     own matrix and range) and graded by the RGB engine; also every split-screen review and
//     every image sequence.
// Audio, subtitles, timecode and rotation are carried over by the video writer.
//
// Stills (issue 21: `grade` on a photograph): a still input with a still output is one frame of
// one shot, graded in float by the RGB engine (with its regions, if any) and written in the
// input's sample format (8-bit stays 8-bit, half stays half), metadata and alpha kept. A still
// into a video file is read by FFmpeg as a one-frame clip, as before.
//
// Outputs: a video file (media/video_writer.hpp), a raw .y4m stream, or an image sequence
// (media/image_sequence.hpp: "out/shot.%07d.exr", OpenEXR half / DPX 10-bit / TIFF 16-bit).
// A sequence's file numbers are the source timecode as a frame count: the input's start
// timecode (VideoStreamInfo::timecode, 0 when it has none) counted at the clip's rate
// (analysis/timecode.hpp: round(fps), drop-frame for 29.97/59.94 with a ';' timecode), plus
// the frame's index; each file's header carries that frame's timecode.
//
// Farm segments (issue 23): with `encode.segment_of` set, `frames` renders a segment of that
// file instead of a preview: video only, to a .agseg file, timestamps as the encoder made them, so the
// join (VideoWriteOptions::video_segments) puts the segments together into the file a local
// render writes.
//
// Previews (issue 25): `frames` renders only that inclusive range of frames (0-based decode
// order, as shots count them); frames before it are decoded without conversion, decoding stops
// after it. The output holds just those frames, starts at time 0 with the timecode of its first
// frame, and its audio is cut to the same span (VideoWriteOptions::trim_to_video).
// `split` renders a before/after review (a wipe at the centre, not squeezed halves): each
// output pixel left of the divider is the source pixel after the input colour-space conversion
// alone (the picture the grade starts from: camera log → Rec.709 display; for Rec.709 input the
// decoded source as it is), right of it the graded pixel at the same place, and between them a
// neutral mid-grey (code value 0.5) divider max(2, width / 240 rounded down to even) pixels wide,
// centred. Both take the RGB path and measure nothing.
//
// Measurement (optional) is folded into the same pass: each shot's temporal metrics
// (analysis/temporal_metrics.hpp) are computed on the input as decoded and on the graded frames
// as they go to the encoder, both brought to `measure_width` by the same conversion
// (media/frame_to_rgb.hpp).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "autograde/analysis/temporal_metrics.hpp"
#include "autograde/color/camera_log.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/lut.hpp"
#include "autograde/media/video_writer.hpp"
#include "autograde/semantic/regions.hpp"

namespace autograde {

struct FrameRange {
  int64_t first = 0, last = 0;  // inclusive frame indices
};

// One shot's region grades (issue 21): LUTs blended over the shot's LUT by the regions' masks.
struct ShotRegionLuts {
  std::vector<Region> regions;
  std::vector<LutFile> luts;
  std::vector<float> strengths;
  bool empty() const { return regions.empty(); }
};

struct ClipRenderOptions {
  Interp interp = Interp::Tetrahedral;
  VideoWriteOptions encode;  // ignored for .y4m output
  bool quiet = false;
  std::string label = "render";  // of the progress bar
  bool measure = false;
  int measure_width = 320;  // never above the clip's width
  // Brings the decoded input to display code values for the metrics' baselines and the split
  // view's "before" side (identity for Rec.709 input).
  CameraLog input_colorspace = CameraLog::Rec709;
  // Previews (see above): only this inclusive frame range; Error(Usage) naming the clip and its
  // frame count when the range is empty or reaches past the clip. Not for .y4m streams.
  std::optional<FrameRange> frames;
  bool split = false;  // before | after review
  // Frames (0-based, as shots count them) before which a video encoder restarts
  // (VideoWriteOptions::restart_at): the plan's encode chunks (render.hpp encode_chunk_starts).
  // A render of `frames` restarts at those inside the range, and its first frame starts a chunk
  // of its own. Ignored by image sequences and .y4m.
  std::vector<int64_t> chunk_starts;
  // Regions (issue 21): empty, or one entry per shot. Each frame of a shot with regions is
  // brought to `mask_width` pixels wide and to display (input_colorspace), its masks are
  // computed there (semantic/region_masks.hpp), kept steady within the shot (MaskTracker,
  // restarted at each shot's first frame and at each of `chunk_starts`, which must be sorted,
  // so a farm's chunk renders the masks a whole render does; a --frames preview restarts at its
  // first frame) and blended in one pass by the region renderer. A
  // clip with any region takes the RGB path; shots without regions keep the single-LUT renderer.
  std::vector<ShotRegionLuts> regions;
  int mask_width = 512;
  // Mattes for an editor's own qualifiers (issue 21 "interchange"): with regions, one lossless
  // FFV1 file per region class (the matte in luma, neutral chroma), `<mattes_stem>_<class>.mkv`, the output's size and frame
  // rate, 0 outside the shots that have the class. Empty: none. Not for stills or .y4m.
  std::string mattes_stem;
};

// The split view's divider: `width` pixels wide picture → its first column and width.
struct SplitDivider {
  int first = 0, width = 0;
};
SplitDivider split_divider(int picture_width);

// Error(Usage) naming `input` and its frame count when `range` is empty or reaches past a clip
// of `frame_count` frames (0: not known, only emptiness is checked).
void check_frame_range(const std::string& input, const FrameRange& range, int64_t frame_count);

// "A-B" (inclusive, 0-based) → FrameRange; Error(Usage) quoting the text when malformed or B < A.
FrameRange parse_frame_range(const std::string& text);

struct ClipRenderResult {
  int64_t frames = 0;                         // frames written
  std::string pixel_path;                     // "y4m", "yuv" or "rgb"
  std::vector<int64_t> sequence_numbers;      // image sequences: first and last file number
  std::vector<TemporalMetrics> shot_metrics;  // per shot, when measured
  std::vector<std::string> warnings;          // streams the writer could not carry over
  std::vector<std::string> mattes;            // matte files written (ClipRenderOptions)
};

// True for a path the renderer reads or writes as raw YUV4MPEG2 ("-" or a .y4m name).
bool is_y4m_path(const std::string& path);
// True for a single still image (PNG, JPEG, TIFF, EXR, ...; not an image sequence pattern).
bool is_still_path(const std::string& path);

// `shots` are sorted and contiguous from frame 0; frames after the last range take the last
// LUT. `luts` has one entry per shot. Error(Usage) when the output is the input, when one side
// is .y4m and the other is not, or when shots and LUTs disagree; Error(BadInput) naming the
// file (and frame) for an unreadable, empty or truncated input. The output appears only when
// complete (the writers write a temporary file and rename it).
ClipRenderResult render_clip(const std::string& input, const std::string& output,
                             std::span<const FrameRange> shots, std::span<const LutFile> luts,
                             const ClipRenderOptions& options);

}  // namespace autograde
