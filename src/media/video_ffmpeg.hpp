#pragma once
// Internal to ag_media: owning handles for FFmpeg objects, error text, and the pixel-format
// and swscale helpers the reader and writer share.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <string>

#include "autograde/core/image.hpp"
#include "autograde/media/video_types.hpp"

namespace autograde::ffmpeg {

struct InputDeleter {
  void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
struct CodecDeleter {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameDeleter {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsDeleter {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};
using InputPtr = std::unique_ptr<AVFormatContext, InputDeleter>;
using CodecPtr = std::unique_ptr<AVCodecContext, CodecDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;

FramePtr make_frame();
PacketPtr make_packet();

// FFmpeg's text for an error code, plus the last error FFmpeg logged on this thread (its log
// is captured, not printed, so messages reach the user through our Error instead).
std::string error_text(int code);
void install_log_capture();
std::string take_last_log();

// Opens `path` for demuxing; Error(BadInput) naming it on failure.
InputPtr open_input(const std::string& path);

// "yuvj420p" and kin are full-range aliases of the planar formats; returns the plain format.
AVPixelFormat strip_jpeg_alias(AVPixelFormat fmt, bool* was_jpeg = nullptr);

// True for planar Y'CbCr, 8..16-bit, native little-endian samples in the low bits.
bool is_planar_yuv(AVPixelFormat fmt);
// The planar format with this depth (rounded up to 8/10/12/16) and subsampling.
AVPixelFormat planar_yuv_format(int bit_depth, int shift_x, int shift_y);
int format_bit_depth(AVPixelFormat fmt);

ColorTags tags_of(const AVFrame& frame);
ColorTags tags_of(const AVCodecParameters& par);

// Sets swscale's colour details: `src`/`dst` tags give matrix and range for YUV sides; RGB
// sides are full range. Error(Internal) when swscale refuses.
void set_colorspace(SwsContext* ctx, const ColorTags& src, bool src_yuv, const ColorTags& dst,
                    bool dst_yuv);

// Planar Y'CbCr view of an AVFrame (must be is_planar_yuv).
YuvPlanes planes_of(const AVFrame& frame, const ColorTags& tags);

// The matrix arithmetic itself, in float from the published coefficients, so that it is
// exact to the last code value (swscale's fixed-point YUV↔RGB paths drift by up to ~1.4 code
// values). swscale still does all resampling (chroma, size), between formats of equal depth.
// Code values are normalised per ITU-T H.273 (limited: (D − 16·2^(n−8)) / (219·2^(n−8)) for
// Y', (D − 128·2^(n−8)) / (224·2^(n−8)) for Cb/Cr; full: D / (2^n − 1) and (D − 2^(n−1)) / (2^n −
// 1)). `yuv` is 4:4:4 planar; `out` gets display code values 0..1 (clamped).
void yuv444_to_rgb(const AVFrame& yuv, const ColorTags& tags, ImageF& out);
// RGB code values (3 or 4 channels, 0..1) → 4:4:4 planar `yuv` (allocated, format set) with
// the BT.709 matrix, limited range, rounded.
void rgb_to_yuv444(const ImageF& rgb, AVFrame& yuv);

}  // namespace autograde::ffmpeg
