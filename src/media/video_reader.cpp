#include "autograde/media/video_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

extern "C" {
#include <libavutil/display.h>
}

#include "autograde/core/error.hpp"
#include "frame_to_rgb_impl.hpp"
#include "video_ffmpeg.hpp"

namespace autograde {

using namespace ffmpeg;

namespace {

std::string describe_time(double t) { return fmt::format("{:.3f} s", t); }

std::string find_timecode(const AVFormatContext& fc, const AVStream& video) {
  if (auto* e = av_dict_get(video.metadata, "timecode", nullptr, 0)) return e->value;
  for (unsigned i = 0; i < fc.nb_streams; ++i)  // MOV keeps it on its tmcd data track
    if (auto* e = av_dict_get(fc.streams[i]->metadata, "timecode", nullptr, 0)) return e->value;
  if (auto* e = av_dict_get(fc.metadata, "timecode", nullptr, 0)) return e->value;
  return {};
}

}  // namespace

struct VideoReader::Impl {
  std::string path;
  VideoReadOptions options;
  InputPtr input;
  CodecPtr decoder;
  AVStream* stream = nullptr;
  VideoStreamInfo info;
  FramePtr frame = make_frame();
  PacketPtr packet = make_packet();
  FrameToRgb::Impl rgb_conv, analysis_conv;
  SwsPtr planar_sws;
  FramePtr planar = make_frame();
  int64_t frames = 0;
  int64_t video_packets = 0;
  int64_t last_pts = AV_NOPTS_VALUE;
  int64_t frame_step = 1;  // one nominal frame in time-base units, for missing timestamps
  double last_time = 0;
  bool demux_done = false;
  bool done = false;

  void open();
  [[noreturn]] void fail(const std::string& what) const {
    std::string detail = take_last_log();
    throw_bad_input(path, what + (detail.empty() ? "" : " (" + detail + ")"));
  }
  std::string where() const {
    return fmt::format("frame {} (after {})", frames, describe_time(last_time));
  }
  void feed();
  bool decode_one();
  void finish_checks();
  void stamp(VideoFrame& out);
  void to_rgb(ImageF& out, int want_w, int want_h, FrameToRgb::Impl& conv);
  YuvPlanes to_yuv();
};

void VideoReader::Impl::open() {
  input = open_input(path);
  const AVCodec* codec = nullptr;
  int idx = av_find_best_stream(input.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (idx == AVERROR_STREAM_NOT_FOUND ||
      (idx >= 0 && (input->streams[idx]->disposition & AV_DISPOSITION_ATTACHED_PIC)))
    throw_bad_input(path, "no video stream (audio-only or data-only file)");
  if (idx == AVERROR_DECODER_NOT_FOUND || !codec) {
    int any = av_find_best_stream(input.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    std::string name = any >= 0 ? avcodec_get_name(input->streams[any]->codecpar->codec_id) : "?";
    throw_bad_input(path, "no decoder for its video codec '" + name + "'");
  }
  if (idx < 0) throw_bad_input(path, "no usable video stream: " + error_text(idx));
  stream = input->streams[idx];
  const AVCodecParameters& par = *stream->codecpar;

  decoder.reset(avcodec_alloc_context3(codec));
  if (!decoder) throw_internal("out of memory (avcodec_alloc_context3)");
  if (avcodec_parameters_to_context(decoder.get(), &par) < 0)
    throw_internal("avcodec_parameters_to_context failed");
  decoder->pkt_timebase = stream->time_base;
  decoder->thread_count = options.threads;
  if (int rc = avcodec_open2(decoder.get(), codec, nullptr); rc < 0)
    fail("cannot open the " + std::string(codec->name) + " decoder: " + error_text(rc));

  VideoStreamInfo& s = info;
  s.path = path;
  s.container = input->iformat->name;
  s.codec = avcodec_get_name(par.codec_id);
  s.stream_index = idx;
  s.width = par.width;
  s.height = par.height;
  if (s.width <= 0 || s.height <= 0) fail("video stream has no picture size");
  AVRational fr = stream->avg_frame_rate;
  if (fr.num <= 0 || fr.den <= 0) fr = stream->r_frame_rate;
  if (fr.num <= 0 || fr.den <= 0) fr = AVRational{25, 1};
  s.fps_num = fr.num;
  s.fps_den = fr.den;
  s.time_base_num = stream->time_base.num;
  s.time_base_den = stream->time_base.den;
  s.start_pts = stream->start_time != AV_NOPTS_VALUE ? stream->start_time : 0;
  if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0)
    s.duration = double(stream->duration) * av_q2d(stream->time_base);
  else if (input->duration != AV_NOPTS_VALUE && input->duration > 0)
    s.duration = double(input->duration) / AV_TIME_BASE;
  if (stream->nb_frames > 0) {
    s.frame_count = stream->nb_frames;
    s.frame_count_exact = true;
  } else {
    s.frame_count = std::llround(s.duration * s.fps());
  }
  AVPixelFormat pf = static_cast<AVPixelFormat>(par.format);
  bool jpeg = false;
  AVPixelFormat plain = strip_jpeg_alias(pf, &jpeg);
  if (const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(pf)) {
    s.pixel_format = d->name;
    s.bit_depth = d->comp[0].depth;
    s.chroma_shift_x = d->log2_chroma_w;
    s.chroma_shift_y = d->log2_chroma_h;
    s.is_rgb = (d->flags & AV_PIX_FMT_FLAG_RGB) != 0;
  }
  (void)plain;
  s.tags = tags_of(par);
  s.effective = effective_color_tags(s.tags, s.width, s.height, jpeg);
  size_t sd_size = 0;
  if (const uint8_t* sd = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &sd_size);
      sd && sd_size >= 36) {
    double r = av_display_rotation_get(reinterpret_cast<const int32_t*>(sd));
    if (std::isfinite(r)) s.rotation = r == 0 ? 0.0 : r;
  }
  s.timecode = find_timecode(*input, *stream);
  for (unsigned i = 0; i < input->nb_streams; ++i) {
    auto type = input->streams[i]->codecpar->codec_type;
    if (type == AVMEDIA_TYPE_AUDIO) ++s.audio_streams;
    if (type == AVMEDIA_TYPE_SUBTITLE) ++s.subtitle_streams;
  }
  // Only the chosen video stream is demuxed into packets we look at; the rest are skipped.
  for (unsigned i = 0; i < input->nb_streams; ++i)
    if (int(i) != idx) input->streams[i]->discard = AVDISCARD_ALL;
  frame_step = std::max<int64_t>(1, av_rescale_q(1, av_inv_q(fr), stream->time_base));
}

void VideoReader::Impl::feed() {
  for (;;) {
    av_packet_unref(packet.get());
    int rc = av_read_frame(input.get(), packet.get());
    if (rc == AVERROR_EOF) {
      demux_done = true;
      avcodec_send_packet(decoder.get(), nullptr);  // enter draining mode
      return;
    }
    if (rc < 0) fail("read error at " + where() + ": " + error_text(rc));
    if (packet->stream_index != stream->index) continue;
    ++video_packets;
    if (packet->flags & AV_PKT_FLAG_CORRUPT) fail("corrupt or truncated data at " + where());
    rc = avcodec_send_packet(decoder.get(), packet.get());
    if (rc < 0 && rc != AVERROR(EAGAIN)) fail("cannot decode " + where() + ": " + error_text(rc));
    return;
  }
}

bool VideoReader::Impl::decode_one() {
  while (!done) {
    av_frame_unref(frame.get());
    int rc = avcodec_receive_frame(decoder.get(), frame.get());
    if (rc == 0) {
      if ((frame->flags & AV_FRAME_FLAG_CORRUPT) || frame->decode_error_flags)
        fail("corrupt picture data in " + where());
      return true;
    }
    if (rc == AVERROR_EOF) {
      done = true;
      finish_checks();
      return false;
    }
    if (rc != AVERROR(EAGAIN)) fail("cannot decode " + where() + ": " + error_text(rc));
    if (demux_done) {  // the decoder wants input after draining began: nothing more will come
      done = true;
      finish_checks();
      return false;
    }
    feed();
  }
  return false;
}

void VideoReader::Impl::finish_checks() {
  if (frames == 0) fail("no video frames could be decoded (empty or unreadable video stream)");
  // The container's index (MP4/MOV) says how many samples the stream has; running out of file
  // before that is truncation, even when every packet read decoded fine.
  if (info.frame_count_exact && video_packets < info.frame_count)
    fail(fmt::format(
        "truncated: the index lists {} frames but the data ends after {} ({} decoded, last at {})",
        info.frame_count, video_packets, frames, describe_time(last_time)));
}

void VideoReader::Impl::stamp(VideoFrame& out) {
  int64_t pts = frame->best_effort_timestamp;
  if (pts == AV_NOPTS_VALUE) pts = frame->pts;
  if (pts == AV_NOPTS_VALUE)
    pts = last_pts == AV_NOPTS_VALUE ? info.start_pts : last_pts + frame_step;
  out.index = frames;
  out.pts = pts;
  out.time = double(pts - info.start_pts) * av_q2d(stream->time_base);
  last_pts = pts;
  last_time = out.time;
  ++frames;
}

void VideoReader::Impl::to_rgb(ImageF& out, int want_w, int want_h, FrameToRgb::Impl& conv) {
  const AVFrame& f = *frame;
  bool jpeg = false;
  AVPixelFormat src_fmt = strip_jpeg_alias(static_cast<AVPixelFormat>(f.format), &jpeg);
  const double sar = f.sample_aspect_ratio.num > 0 && f.sample_aspect_ratio.den > 0
                         ? av_q2d(f.sample_aspect_ratio)
                         : 1.0;
  int ow = 0, oh = 0;
  rgb_output_size(f.width, f.height, sar, want_w, want_h, ow, oh);
  ColorTags tags = tags_of(f);
  if (tags.matrix == kH273Unspecified) tags.matrix = info.tags.matrix;
  if (tags.range == ColorRange::Unspecified) tags.range = info.tags.range;
  tags = effective_color_tags(tags, f.width, f.height, jpeg);
  const std::string err = conv.convert(f, src_fmt, tags, ow, oh, out);
  if (!err.empty()) fail(err + " at " + where());
}

YuvPlanes VideoReader::Impl::to_yuv() {
  const AVFrame& f = *frame;
  bool jpeg = false;
  AVPixelFormat src_fmt = strip_jpeg_alias(static_cast<AVPixelFormat>(f.format), &jpeg);
  ColorTags tags = tags_of(f);
  if (tags.matrix == kH273Unspecified) tags.matrix = info.tags.matrix;
  if (tags.range == ColorRange::Unspecified) tags.range = info.tags.range;
  tags = effective_color_tags(tags, f.width, f.height, jpeg);
  if (is_planar_yuv(src_fmt)) return planes_of(f, tags);

  // Semi-planar, packed, RGB or palette: repack into the planar format of the same depth.
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(src_fmt);
  const bool src_rgb = d && (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL));
  AVPixelFormat dst_fmt = planar_yuv_format(
      d ? d->comp[0].depth : 8, src_rgb ? 0 : d->log2_chroma_w, src_rgb ? 0 : d->log2_chroma_h);
  ColorTags dst_tags = tags;
  if (src_rgb) dst_tags = ColorTags{kH273Bt709, kH273Bt709, kH273Bt709, ColorRange::Limited};
  planar_sws.reset(sws_getCachedContext(
      planar_sws.release(), f.width, f.height, src_fmt, f.width, f.height, dst_fmt,
      SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT | SWS_FULL_CHR_H_INP, nullptr, nullptr,
      nullptr));
  if (!planar_sws)
    fail(std::string("cannot convert pixel format ") + (d ? d->name : "?") + " to planar YUV");
  set_colorspace(planar_sws.get(), tags, !src_rgb, dst_tags, true);
  if (planar->width != f.width || planar->height != f.height || planar->format != dst_fmt) {
    av_frame_unref(planar.get());
    planar->width = f.width;
    planar->height = f.height;
    planar->format = dst_fmt;
    if (av_frame_get_buffer(planar.get(), 0) < 0) throw_internal("out of memory (frame buffer)");
  }
  sws_scale(planar_sws.get(), f.data, f.linesize, 0, f.height, planar->data, planar->linesize);
  return planes_of(*planar, dst_tags);
}

VideoReader::VideoReader(const std::string& path, VideoReadOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->options = options;
  impl_->open();
}
VideoReader::~VideoReader() = default;
VideoReader::VideoReader(VideoReader&&) noexcept = default;
VideoReader& VideoReader::operator=(VideoReader&&) noexcept = default;

const VideoStreamInfo& VideoReader::info() const { return impl_->info; }
int64_t VideoReader::frames_read() const { return impl_->frames; }

bool VideoReader::next(VideoFrame& out) {
  if (!impl_->decode_one()) return false;
  impl_->stamp(out);
  FrameOutput o = impl_->options.output;
  const VideoReadOptions& opt = impl_->options;
  if (o == FrameOutput::Rgb || o == FrameOutput::Both)
    impl_->to_rgb(out.rgb, opt.rgb_width, opt.rgb_height, impl_->rgb_conv);
  if (opt.analysis_width > 0)
    impl_->to_rgb(out.analysis, opt.analysis_width, 0, impl_->analysis_conv);
  out.yuv = (o == FrameOutput::Yuv || o == FrameOutput::Both) ? impl_->to_yuv() : YuvPlanes{};
  return true;
}

bool VideoReader::skip() {
  if (!impl_->decode_one()) return false;
  VideoFrame scratch;
  impl_->stamp(scratch);
  return true;
}

std::vector<int64_t> sample_indices(int64_t first, int64_t last, int count) {
  std::vector<int64_t> out;
  if (count <= 0 || last < first) return out;
  int64_t span = last - first;
  if (count == 1) return {first + span / 2};
  for (int i = 0; i < count; ++i) {
    int64_t idx = first + (span * i + (count - 1) / 2) / (count - 1);
    if (out.empty() || idx > out.back()) out.push_back(idx);
  }
  return out;
}

std::vector<VideoFrame> sample_frames(const std::string& path, int64_t first, int64_t last,
                                      int count, VideoReadOptions options) {
  VideoReader reader(path, options);
  first = std::max<int64_t>(first, 0);
  std::vector<int64_t> wanted = sample_indices(first, last, count);
  std::vector<VideoFrame> out;
  for (int64_t idx : wanted) {
    while (reader.frames_read() < idx)
      if (!reader.skip()) return out;
    VideoFrame f;
    if (!reader.next(f)) return out;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace autograde
