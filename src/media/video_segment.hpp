#pragma once
// Internal to ag_media: a farm segment file (issue 23), the encoder's packets kept exactly as it
// produced them, timestamps included, for the join to copy into the final container. No
// container does this: FFmpeg's NUT, tried first, changes the time base, drops decode
// timestamps and moves the first one to zero, so the joined stream no longer matched a local
// render. A segment is a private intermediate between our own task and our own join, so it has
// its own small format (integers little-endian):
//   "AGSEG001"  magic and version
//   i32 codec id, width, height, pixel format, time base num, den; i32 n + n bytes extradata
//   per packet: i64 pts, dts, duration; i32 flags, size; size bytes
#include <cstdio>
#include <memory>
#include <string>

#include "video_ffmpeg.hpp"

namespace autograde::ffmpeg {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Starts a segment at `path` for packets of `encoder` (opened: its extradata is final).
FilePtr begin_video_segment(const std::string& path, const AVCodecContext& encoder);
void write_segment_packet(std::FILE* f, const std::string& path, const AVPacket& packet);

struct VideoSegmentReader {
  std::string path;
  FilePtr file;
  AVCodecParameters* par = nullptr;  // owned
  AVRational time_base{0, 1};
  explicit VideoSegmentReader(const std::string& path);
  ~VideoSegmentReader();
  VideoSegmentReader(const VideoSegmentReader&) = delete;
  VideoSegmentReader& operator=(const VideoSegmentReader&) = delete;
  // The next packet into `packet`; false at the end. Error(BadInput) naming the file when a
  // packet is cut short.
  bool next(AVPacket& packet);
};

}  // namespace autograde::ffmpeg
