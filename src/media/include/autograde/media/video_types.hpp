#pragma once
// What the video layer tells its callers about a stream and a frame. Colour tags use the
// ITU-T H.273 code points (the same numbers FFmpeg's AVColorPrimaries /
// AVColorTransferCharacteristic / AVColorSpace use), so callers need no FFmpeg header.
#include <array>
#include <cstdint>
#include <string>
#include <type_traits>

namespace autograde {

enum class ColorRange { Unspecified = 0, Limited = 1, Full = 2 };  // = AVColorRange

// H.273 code points. 1 = BT.709, 2 = unspecified, 5/6 = BT.601 (625/525), 9 = BT.2020.
struct ColorTags {
  int primaries = 2;
  int transfer = 2;
  int matrix = 2;  // 0 = identity (RGB/GBR)
  ColorRange range = ColorRange::Unspecified;
  bool operator==(const ColorTags&) const = default;
};
inline constexpr int kH273Bt709 = 1;
inline constexpr int kH273Unspecified = 2;
inline constexpr int kH273Bt601_625 = 5;  // BT.470BG matrix (= BT.601)
inline constexpr int kH273Bt601_525 = 6;  // SMPTE 170M matrix (= BT.601)
inline constexpr int kH273Bt2020Ncl = 9;

// The ffprobe-style names ("bt709", "smpte170m", "tv", ...) for messages and tests.
std::string color_primaries_name(int code);
std::string color_transfer_name(int code);
std::string color_matrix_name(int code);
std::string color_range_name(ColorRange r);

// The matrix and range the library uses to turn a YUV stream into RGB when its tags are
// incomplete, the rule players (mpv, VLC, browsers) follow:
//   matrix unspecified → BT.709 when the picture is HD (width ≥ 1280 or height > 576),
//                        BT.601 (SMPTE 170M) otherwise;
//   range unspecified  → full for JPEG-style "yuvj" pixel formats, limited otherwise;
//   primaries/transfer unspecified → BT.709 for HD, BT.601 (170M) for SD.
ColorTags effective_color_tags(const ColorTags& tagged, int width, int height,
                               bool jpeg_range_format);

struct VideoStreamInfo {
  std::string path;
  std::string container;  // FFmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::string codec;      // e.g. "h264", "prores"
  int stream_index = -1;
  int width = 0;
  int height = 0;
  int fps_num = 0, fps_den = 1;  // nominal frame rate (average when the stream is VFR)
  int time_base_num = 1, time_base_den = 1;
  int64_t start_pts = 0;           // first timestamp, in time_base units
  int64_t frame_count = 0;         // from the container index when it has one, else duration × fps
  bool frame_count_exact = false;  // true when the container stores the count
  double duration = 0;             // seconds
  std::string pixel_format;        // e.g. "yuv422p10le"
  int bit_depth = 8;
  int chroma_shift_x = 0, chroma_shift_y = 0;  // log2 subsampling (4:2:0 → 1, 1)
  bool is_rgb = false;                         // the codec stores RGB (no matrix)
  ColorTags tags;                              // as stored in the stream
  ColorTags effective;   // what the reader converts with (see effective_color_tags)
  double rotation = 0;   // display-matrix rotation in degrees, as ffprobe prints it
  std::string timecode;  // "HH:MM:SS:FF" ("HH:MM:SS;FF" drop-frame), "" when none
  int audio_streams = 0;
  int subtitle_streams = 0;

  double fps() const { return fps_den ? double(fps_num) / fps_den : 0.0; }
  double time_base() const { return double(time_base_num) / time_base_den; }
};

// Planar Y'CbCr pixels in the stream's native layout: 1 byte per sample for 8-bit, 2 bytes
// (little-endian, value in the low bits) for 9..16-bit. Plane 0 is luma, 1 Cb, 2 Cr; chroma
// planes are (width >> shift_x, height >> shift_y) rounded up.
template <typename Byte>
struct BasicYuvPlanes {
  int width = 0;
  int height = 0;
  int bit_depth = 8;
  int chroma_shift_x = 0, chroma_shift_y = 0;
  std::array<Byte*, 3> data{};
  std::array<int, 3> stride{};  // bytes per row
  ColorTags tags;               // matrix and range the code values are in

  int bytes_per_sample() const { return bit_depth > 8 ? 2 : 1; }
  int chroma_width() const { return -((-width) >> chroma_shift_x); }
  int chroma_height() const { return -((-height) >> chroma_shift_y); }
  bool empty() const { return data[0] == nullptr; }
  // Planes that may be written can always be read.
  operator BasicYuvPlanes<const Byte>() const requires(!std::is_const_v<Byte>) {
    return {width,  height, bit_depth, chroma_shift_x, chroma_shift_y, {data[0], data[1], data[2]},
            stride, tags};
  }
};
using YuvPlanes = BasicYuvPlanes<const uint8_t>;
using YuvPlanesMut = BasicYuvPlanes<uint8_t>;

}  // namespace autograde
