#pragma once
// Streaming video encode through FFmpeg. The output keeps the source's frame rate, time base,
// timecode and rotation, carries its audio and subtitle streams over packet for packet
// (untouched, timestamps rescaled), and is tagged BT.709 primaries/transfer/matrix, limited
// range. It is written to a temporary file beside the target and renamed by finish(); a
// writer destroyed without finish() (an exception, Ctrl-C unwinding) leaves nothing behind.
//
// Audio is never dropped for want of a container that holds it; it is transcoded instead, and
// warnings() says so (issue 25):
//   - .mp4/.mov/.m4v: Vorbis and Opus (which FFmpeg muxes there but editors refuse), and any
//     codec the container cannot hold, become AAC (FFmpeg's native encoder, 96 kb/s per
//     channel, the source's rate and channel layout);
//   - .mxf: FFmpeg's MXF writer takes only 48 kHz PCM: 16-bit PCM at 48 kHz is copied, any other
//     audio becomes pcm_s24le (pcm_s16le for 16-bit PCM) at 48 kHz;
//   - everything else is copied packet for packet, as before.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/media/video_types.hpp"

namespace autograde {

struct VideoWriteOptions {
  // video_codecs() lists the names:
  //   "auto"       8-bit sources → "h264"; deeper → "prores", or HEVC Main10 where the
  //                container cannot hold ProRes (.mp4);
  //   "h264"       libx264, 8-bit 4:2:0 (10-bit sources: High 10), CRF 18;
  //   "h264_10"    libx264 High 10, yuv420p10le (needs a libx264 built with 10-bit: Debian 12's
  //                is; otherwise Error(Usage) saying so);
  //   "hevc"       libx265, CRF 20 (Main 10 for sources deeper than 8 bits);
  //   "hevc_10"    libx265 Main 10, yuv420p10le;
  //   "prores"     ProRes 422 HQ (prores_ks profile 3), yuv422p10le;
  //   "prores4444" ProRes 4444 (prores_ks profile 4), yuv444p10le, no alpha;
  //   "dnxhr_hq"   DNxHR HQ (FFmpeg's dnxhd encoder, profile dnxhr_hq), yuv422p, .mxf or .mov;
  //   "dnxhr_hqx"  DNxHR HQX (profile dnxhr_hqx), yuv422p10le, .mxf or .mov; DNxHR needs a
  //                picture of at least 256x120;
  //   "ffv1"       FFV1 level 3, lossless, the source's depth and subsampling.
  std::string codec = "auto";
  int crf = -1;                   // H.264/HEVC quality; -1 = 18 (H.264) / 20 (HEVC)
  int64_t bitrate = 0;            // bits per second; when > 0 replaces CRF (H.264/HEVC)
  bool lossless = false;          // H.264 qp 0 / HEVC lossless (ffv1 always is)
  std::string pixel_format;       // override the encoder's pixel format, e.g. "yuv444p10le"
  std::string preset = "medium";  // libx264/libx265 preset
  // Encoder threads; 0 = the encoder's own choice (x264/x265: from the machine's core count).
  // x264's bitstream depends on its thread count, so a fixed count gives the same file on any
  // machine (the pipeline pins it, pipeline/plan.hpp EncodeSettings::threads).
  int threads = 0;
  bool copy_audio = true;
  bool copy_subtitles = true;
  // A preview of part of the clip (render_clip's range): the frames written cover a span of the
  // source; the output starts where the source starts (video timestamps moved back by the first
  // frame's), and audio and subtitles are cut to the span and moved back by the same time.
  // Transcoded audio is cut to the sample; copied audio at packet boundaries (a packet that
  // starts before the span is left out: at most one packet, ~21 ms of AAC, of silence at the
  // head, in sync). The caller moves the timecode (VideoStreamInfo::timecode) to the first frame.
  bool trim_to_video = false;
  // Chunked encoding (issue 23): before each of these frames (counted from 0 in the order
  // written, increasing) the encoder is flushed and a fresh one opened with the same settings,
  // so every chunk is a closed stretch of bitstream that starts on a keyframe and owes nothing
  // to the frames before it. A clip encoded chunk after chunk in one process and the same
  // chunks encoded on many machines then hold the same packets: this is what lets a farm's
  // joined file equal a local render byte for byte, for long-GOP codecs too.
  std::vector<int64_t> restart_at;
  // A farm segment of the video file `segment_of` (a .mp4/.mov/.mkv/.mxf name): the encoder's
  // packets written as they come, timestamps and all, to a .agseg file (no container keeps
  // them exactly: video_segment.hpp), video only, with the encoder set up as for `segment_of`'s
  // container (its time base, its global headers), so the packets are those a local render of
  // that file holds.
  std::string segment_of;
  // A farm join: the video is not encoded but copied packet for packet from these segments
  // (written with `segment_of` this file, in frame order); the rest (audio routes, subtitles,
  // timecode, rotation, interleaving) is what a local render writes. finish() copies them.
  // Error(BadInput) naming a segment that is unreadable or whose stream differs from what this
  // file's encoder would write (codec, size, format, headers).
  std::vector<std::string> video_segments;
};

// The number of frames (packets) in a farm segment (.agseg, VideoWriteOptions::segment_of);
// Error(BadInput) naming the file when it is not one or is cut short.
int64_t video_segment_frames(const std::string& path);

// The --codec names and a line on each, in the order help texts list them.
const std::vector<std::pair<std::string, std::string>>& video_codecs();
std::vector<std::string> video_codec_names();

// What VideoWriter can write, checked before any work starts (the writer checks it again):
// Error(Usage) naming the path when its extension is not one of video_output_extensions(),
// when an explicit codec cannot go into that container, or the CRF or preset is not one the
// encoders know. An image-sequence pattern (media/image_sequence.hpp, "shot.%07d.exr") is
// accepted too, checked by check_image_sequence_output, with codec "auto" only.
const std::vector<std::string>& video_output_extensions();
void check_video_output(const std::string& path, const VideoWriteOptions& options);

// The layout write(YuvPlanes) takes without conversion.
struct VideoTargetFormat {
  std::string codec;         // encoder name, e.g. "libx264"
  std::string pixel_format;  // e.g. "yuv420p"
  int bit_depth = 8;
  int chroma_shift_x = 1, chroma_shift_y = 1;
  ColorTags tags;  // BT.709, limited range
};

class VideoWriter {
 public:
  // `source` describes the clip being re-encoded (VideoReader::info()): size, frame rate, time
  // base, timecode and rotation are kept, bit depth picks the default codec, and its file is
  // where audio/subtitle packets are copied from. Error(Usage) when `path` is the source file
  // or the container cannot hold the chosen codec.
  VideoWriter(const std::string& path, const VideoStreamInfo& source,
              const VideoWriteOptions& options = {});
  ~VideoWriter();
  VideoWriter(VideoWriter&&) noexcept;
  VideoWriter& operator=(VideoWriter&&) noexcept;

  const VideoTargetFormat& target() const;

  // `pts` is in the source's time base (VideoFrame::pts); a missing or non-increasing pts is
  // replaced by the previous one plus one nominal frame duration.
  // RGB: 3 or 4 channels of display code values 0..1 (Rec.709), source size.
  void write(const ImageF& rgb, int64_t pts);
  // YUV: any planar layout of source size; converted only when it differs from target().
  void write(const YuvPlanes& yuv, int64_t pts);

  // The encoder's own frame, to render the next frame straight into (source size, target()
  // layout: bit depth, subsampling; BT.709 limited range), saving write()'s copy of every
  // frame. Valid until submit_frame(), which encodes it (`pts` as for write()). Calling
  // frame_buffer() again before submit_frame() returns the same planes.
  YuvPlanesMut frame_buffer();
  void submit_frame(int64_t pts);

  // Flushes the encoder, copies the remaining audio/subtitles, writes the trailer and renames
  // the temporary file onto `path`.
  void finish();

  // Frames written (a join: frames copied from the segments).
  int64_t frames_written() const;
  // For the user: streams transcoded (and why) or not carried over (a subtitle codec the
  // container cannot hold). Known once the writer is constructed.
  const std::vector<std::string>& warnings() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace autograde
