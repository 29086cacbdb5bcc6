#include "video_ffmpeg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <mutex>

extern "C" {
#include <libavutil/log.h>
}

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"

namespace autograde::ffmpeg {

FramePtr make_frame() {
  FramePtr f(av_frame_alloc());
  if (!f) throw_internal("out of memory (av_frame_alloc)");
  return f;
}

PacketPtr make_packet() {
  PacketPtr p(av_packet_alloc());
  if (!p) throw_internal("out of memory (av_packet_alloc)");
  return p;
}

std::string error_text(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, buf, sizeof buf);
  return buf;
}

namespace {
thread_local std::string g_last_log;

void log_callback(void* avcl, int level, const char* fmt, va_list args) {
  if (level > AV_LOG_ERROR) return;
  char line[1024];
  int print_prefix = 1;
  va_list copy;
  va_copy(copy, args);
  av_log_format_line2(avcl, level, fmt, copy, line, sizeof line, &print_prefix);
  va_end(copy);
  std::string s(line);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (!s.empty()) g_last_log = s;
}
}  // namespace

void install_log_capture() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(log_callback); });
}

std::string take_last_log() {
  std::string s;
  s.swap(g_last_log);
  return s;
}

InputPtr open_input(const std::string& path) {
  install_log_capture();
  // A regular local file only: not a device or FIFO (/dev/zero never ends), and not a URL,
  // which FFmpeg would fetch. The protocol whitelist also stops a local playlist (.m3u8,
  // .concat) from pulling in network or arbitrary files.
  check_input_file(path, UINT64_MAX, "video");
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "protocol_whitelist", "file", 0);
  AVFormatContext* raw = nullptr;
  int rc = avformat_open_input(&raw, path.c_str(), nullptr, &opts);
  av_dict_free(&opts);
  if (rc < 0) throw_bad_input(path, "cannot open as video: " + error_text(rc));
  InputPtr in(raw);
  take_last_log();
  rc = avformat_find_stream_info(in.get(), nullptr);
  if (rc < 0) throw_bad_input(path, "cannot read stream information: " + error_text(rc));
  return in;
}

AVPixelFormat strip_jpeg_alias(AVPixelFormat fmt, bool* was_jpeg) {
  AVPixelFormat plain = fmt;
  switch (fmt) {
    case AV_PIX_FMT_YUVJ420P:
      plain = AV_PIX_FMT_YUV420P;
      break;
    case AV_PIX_FMT_YUVJ422P:
      plain = AV_PIX_FMT_YUV422P;
      break;
    case AV_PIX_FMT_YUVJ444P:
      plain = AV_PIX_FMT_YUV444P;
      break;
    case AV_PIX_FMT_YUVJ440P:
      plain = AV_PIX_FMT_YUV440P;
      break;
    case AV_PIX_FMT_YUVJ411P:
      plain = AV_PIX_FMT_YUV411P;
      break;
    default:
      break;
  }
  if (was_jpeg) *was_jpeg = plain != fmt;
  return plain;
}

bool is_planar_yuv(AVPixelFormat fmt) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(fmt);
  if (!d || d->nb_components != 3) return false;
  if (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_BE | AV_PIX_FMT_FLAG_PAL |
                  AV_PIX_FMT_FLAG_FLOAT | AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BITSTREAM))
    return false;
  if (!(d->flags & AV_PIX_FMT_FLAG_PLANAR)) return false;
  int bytes = d->comp[0].depth > 8 ? 2 : 1;
  for (int c = 0; c < 3; ++c) {
    if (d->comp[c].plane != c || d->comp[c].shift != 0 || d->comp[c].offset != 0 ||
        d->comp[c].step != bytes || d->comp[c].depth != d->comp[0].depth)
      return false;
  }
  return d->comp[0].depth >= 8 && d->comp[0].depth <= 16;
}

AVPixelFormat planar_yuv_format(int bit_depth, int shift_x, int shift_y) {
  int depth = bit_depth <= 8 ? 8 : bit_depth <= 10 ? 10 : bit_depth <= 12 ? 12 : 16;
  const char* chroma = "444";
  if (shift_x == 1 && shift_y == 1)
    chroma = "420";
  else if (shift_x == 1 && shift_y == 0)
    chroma = "422";
  else if (shift_x == 2 && shift_y == 0)
    chroma = depth == 8 ? "411" : "422";
  else if (shift_x == 0 && shift_y == 1)
    chroma = depth == 8 ? "440" : "444";
  std::string name = std::string("yuv") + chroma + "p";
  if (depth > 8) name += std::to_string(depth) + "le";
  AVPixelFormat f = av_get_pix_fmt(name.c_str());
  return f == AV_PIX_FMT_NONE ? (depth == 8 ? AV_PIX_FMT_YUV444P : AV_PIX_FMT_YUV444P16LE) : f;
}

int format_bit_depth(AVPixelFormat fmt) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(fmt);
  return d ? d->comp[0].depth : 8;
}

ColorTags tags_of(const AVFrame& f) {
  ColorTags t;
  t.primaries = f.color_primaries;
  t.transfer = f.color_trc;
  t.matrix = f.colorspace;
  t.range = static_cast<ColorRange>(f.color_range);
  return t;
}

ColorTags tags_of(const AVCodecParameters& p) {
  ColorTags t;
  t.primaries = p.color_primaries;
  t.transfer = p.color_trc;
  t.matrix = p.color_space;
  t.range = static_cast<ColorRange>(p.color_range);
  return t;
}

void set_colorspace(SwsContext* ctx, const ColorTags& src, bool src_yuv, const ColorTags& dst,
                    bool dst_yuv) {
  // sws_getCoefficients takes the AVColorSpace (= H.273 matrix) numbering for 1..10.
  int src_full = src_yuv ? (src.range == ColorRange::Full) : 1;
  int dst_full = dst_yuv ? (dst.range == ColorRange::Full) : 1;
  const int* src_coeffs = sws_getCoefficients(src_yuv ? src.matrix : dst.matrix);
  const int* dst_coeffs = sws_getCoefficients(dst_yuv ? dst.matrix : src.matrix);
  // brightness 0, contrast and saturation 1.0 in 16.16 fixed point: no adjustment.
  if (sws_setColorspaceDetails(ctx, src_coeffs, src_full, dst_coeffs, dst_full, 0, 1 << 16,
                               1 << 16) < 0)
    throw_internal("swscale rejected the colour-space details");
}

YuvPlanes planes_of(const AVFrame& f, const ColorTags& tags) {
  AVPixelFormat fmt = static_cast<AVPixelFormat>(f.format);
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(fmt);
  YuvPlanes p;
  p.width = f.width;
  p.height = f.height;
  p.bit_depth = d->comp[0].depth;
  p.chroma_shift_x = d->log2_chroma_w;
  p.chroma_shift_y = d->log2_chroma_h;
  for (int c = 0; c < 3; ++c) {
    p.data[c] = f.data[c];
    p.stride[c] = f.linesize[c];
  }
  p.tags = tags;
  return p;
}

namespace {

// Kr, Kb of the Y'CbCr matrices by H.273 MatrixCoefficients code point.
void matrix_weights(int matrix, double& kr, double& kb) {
  switch (matrix) {
    case 4:
      kr = 0.30;
      kb = 0.11;
      break;  // FCC 73.682
    case 5:
    case 6:
      kr = 0.299;
      kb = 0.114;
      break;  // ITU-R BT.601-7
    case 7:
      kr = 0.212;
      kb = 0.087;
      break;  // SMPTE 240M
    case 9:
    case 10:
      kr = 0.2627;
      kb = 0.0593;
      break;  // ITU-R BT.2020-2
    default:
      kr = 0.2126;
      kb = 0.0722;
      break;  // ITU-R BT.709-6
  }
}

struct Quantisation {
  double y_offset, y_scale, c_offset, c_scale;  // code = offset + scale · value
};

Quantisation quantisation(int bits, bool full) {
  const double n = std::ldexp(1.0, bits - 8);
  if (full) {
    const double max = std::ldexp(1.0, bits) - 1.0;
    return {0.0, max, std::ldexp(1.0, bits - 1), max};
  }
  return {16.0 * n, 219.0 * n, 128.0 * n, 224.0 * n};
}

template <typename T>
void yuv_to_rgb_rows(const AVFrame& f, const Quantisation& q, double kr, double kb, ImageF& out) {
  const double kg = 1.0 - kr - kb;
  const float cr_r = float(2.0 * (1.0 - kr)), cb_b = float(2.0 * (1.0 - kb));
  const float cr_g = float(-2.0 * (1.0 - kr) * kr / kg), cb_g = float(-2.0 * (1.0 - kb) * kb / kg);
  const float yo = float(q.y_offset), ys = float(1.0 / q.y_scale), co = float(q.c_offset),
              cs = float(1.0 / q.c_scale);
  for (int y = 0; y < f.height; ++y) {
    const T* py = reinterpret_cast<const T*>(f.data[0] + size_t(y) * f.linesize[0]);
    const T* pb = reinterpret_cast<const T*>(f.data[1] + size_t(y) * f.linesize[1]);
    const T* pr = reinterpret_cast<const T*>(f.data[2] + size_t(y) * f.linesize[2]);
    float* o = out.row(y);
    for (int x = 0; x < f.width; ++x, o += 3) {
      const float Y = (float(py[x]) - yo) * ys, Cb = (float(pb[x]) - co) * cs,
                  Cr = (float(pr[x]) - co) * cs;
      o[0] = std::clamp(Y + cr_r * Cr, 0.f, 1.f);
      o[1] = std::clamp(Y + cb_g * Cb + cr_g * Cr, 0.f, 1.f);
      o[2] = std::clamp(Y + cb_b * Cb, 0.f, 1.f);
    }
  }
}

template <typename T>
void rgb_to_yuv_rows(const ImageF& in, const Quantisation& q, double kr, double kb, int max_code,
                     AVFrame& f) {
  const double kg = 1.0 - kr - kb;
  for (int y = 0; y < in.height; ++y) {
    T* py = reinterpret_cast<T*>(f.data[0] + size_t(y) * f.linesize[0]);
    T* pb = reinterpret_cast<T*>(f.data[1] + size_t(y) * f.linesize[1]);
    T* pr = reinterpret_cast<T*>(f.data[2] + size_t(y) * f.linesize[2]);
    const float* p = in.row(y);
    for (int x = 0; x < in.width; ++x, p += in.channels) {
      const double r = std::clamp(double(p[0]), 0.0, 1.0), g = std::clamp(double(p[1]), 0.0, 1.0),
                   b = std::clamp(double(p[2]), 0.0, 1.0);
      const double Y = kr * r + kg * g + kb * b;
      const double Cb = (b - Y) / (2.0 * (1.0 - kb)), Cr = (r - Y) / (2.0 * (1.0 - kr));
      py[x] = T(std::clamp(int(std::lround(q.y_offset + q.y_scale * Y)), 0, max_code));
      pb[x] = T(std::clamp(int(std::lround(q.c_offset + q.c_scale * Cb)), 0, max_code));
      pr[x] = T(std::clamp(int(std::lround(q.c_offset + q.c_scale * Cr)), 0, max_code));
    }
  }
}

}  // namespace

void yuv444_to_rgb(const AVFrame& f, const ColorTags& tags, ImageF& out) {
  const int bits = format_bit_depth(static_cast<AVPixelFormat>(f.format));
  double kr, kb;
  matrix_weights(tags.matrix, kr, kb);
  Quantisation q = quantisation(bits, tags.range == ColorRange::Full);
  if (out.width != f.width || out.height != f.height || out.channels != 3)
    out = ImageF(f.width, f.height, 3);
  if (bits > 8)
    yuv_to_rgb_rows<uint16_t>(f, q, kr, kb, out);
  else
    yuv_to_rgb_rows<uint8_t>(f, q, kr, kb, out);
}

void rgb_to_yuv444(const ImageF& in, AVFrame& f) {
  const int bits = format_bit_depth(static_cast<AVPixelFormat>(f.format));
  double kr, kb;
  matrix_weights(kH273Bt709, kr, kb);
  Quantisation q = quantisation(bits, false);
  const int max_code = (1 << bits) - 1;
  if (bits > 8)
    rgb_to_yuv_rows<uint16_t>(in, q, kr, kb, max_code, f);
  else
    rgb_to_yuv_rows<uint8_t>(in, q, kr, kb, max_code, f);
}

}  // namespace autograde::ffmpeg
