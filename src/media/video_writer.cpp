#include "autograde/media/video_writer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>

extern "C" {
#include <libavutil/cpu.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
}

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "video_ffmpeg.hpp"

namespace autograde {

using namespace ffmpeg;

namespace {

struct OutputDeleter {
  void operator()(AVFormatContext* oc) const {
    if (oc->pb && !(oc->oformat->flags & AVFMT_NOFILE)) avio_closep(&oc->pb);
    avformat_free_context(oc);
  }
};
using OutputPtr = std::unique_ptr<AVFormatContext, OutputDeleter>;

const ColorTags kRec709Limited{kH273Bt709, kH273Bt709, kH273Bt709, ColorRange::Limited};

bool encoder_supports(const AVCodec* codec, AVPixelFormat fmt) {
  if (!codec->pix_fmts) return true;
  for (const AVPixelFormat* p = codec->pix_fmts; *p != AV_PIX_FMT_NONE; ++p)
    if (*p == fmt) return true;
  return false;
}

// The encoder name for a codec choice, following the default rule in VideoWriteOptions.
std::string pick_encoder(const std::string& choice, const VideoStreamInfo& src,
                         const AVOutputFormat* ofmt) {
  if (choice == "h264" || choice == "libx264") return "libx264";
  if (choice == "hevc" || choice == "h265" || choice == "libx265") return "libx265";
  if (choice == "prores" || choice == "prores_ks") return "prores_ks";
  if (choice == "ffv1") return "ffv1";
  if (choice != "auto")
    throw_usage("unknown codec '" + choice + "' (auto, h264, hevc, prores, ffv1)");
  if (src.bit_depth <= 8) return "libx264";
  if (avformat_query_codec(ofmt, AV_CODEC_ID_PRORES, FF_COMPLIANCE_NORMAL) == 1) return "prores_ks";
  return "libx265";
}

AVPixelFormat pick_pixel_format(const std::string& encoder, const AVCodec* codec,
                                const VideoStreamInfo& src, const VideoWriteOptions& o) {
  if (!o.pixel_format.empty()) {
    AVPixelFormat f = av_get_pix_fmt(o.pixel_format.c_str());
    if (f == AV_PIX_FMT_NONE || !is_planar_yuv(f))
      throw_usage("unknown or non-planar-YUV pixel format '" + o.pixel_format + "'");
    if (!encoder_supports(codec, f))
      throw_usage(encoder + " cannot encode pixel format '" + o.pixel_format + "'");
    return f;
  }
  AVPixelFormat want = AV_PIX_FMT_YUV420P;
  if (encoder == "prores_ks")
    want = AV_PIX_FMT_YUV422P10LE;
  else if (encoder == "ffv1")
    want = planar_yuv_format(src.is_rgb ? 10 : src.bit_depth, src.is_rgb ? 0 : src.chroma_shift_x,
                             src.is_rgb ? 0 : src.chroma_shift_y);
  else if (src.bit_depth > 8)
    want = AV_PIX_FMT_YUV420P10LE;
  if (!encoder_supports(codec, want)) want = AV_PIX_FMT_YUV420P;
  return want;
}

}  // namespace

struct VideoWriter::Impl {
  std::string path;
  VideoStreamInfo source;
  VideoWriteOptions options;
  std::optional<PendingOutput> pending;
  OutputPtr output;
  CodecPtr encoder;
  AVStream* video_out = nullptr;
  VideoTargetFormat target;
  AVPixelFormat target_fmt = AV_PIX_FMT_NONE;
  FramePtr frame = make_frame();
  PacketPtr packet = make_packet();
  SwsPtr rgb_to_yuv;
  SwsPtr yuv_to_rgb;
  SwsPtr yuv_to_yuv;
  int64_t last_pts = AV_NOPTS_VALUE;
  int64_t frame_step = 1;
  int64_t frames = 0;
  bool finished = false;
  bool frame_handed_out = false;  // frame_buffer() gave `frame` out, submit_frame() not yet
  std::vector<std::string> warnings;

  // Streams copied from the source: a second demuxer walks the source file alongside.
  InputPtr copy_in;
  std::vector<int> copy_map;  // source stream index → output stream index, -1 = dropped
  PacketPtr copy_packet = make_packet();
  bool copy_pending = false;
  bool copy_done = true;

  void open();
  void add_copied_streams();
  void prepare_frame();
  void encode(AVFrame* f);
  void pump_copies(double until_seconds);
  void submit(int64_t pts);
  void rgb_to_target(const ImageF& rgb);
  FramePtr yuv444 = make_frame();
  FramePtr other444 = make_frame();
  ImageF scratch_rgb;
};

const std::vector<std::string>& video_output_extensions() {
  // The containers whose files editors open and our tests write: MP4/MOV (ISO media),
  // Matroska and MXF. AVI is not among them: FFmpeg writes H.264 with B-frames into AVI with a
  // broken index (wrong frame count, non-monotonic timestamps).
  static const std::vector<std::string> e{".mp4", ".m4v", ".mov", ".mkv", ".mxf"};
  return e;
}

void check_video_output(const std::string& path, const VideoWriteOptions& o) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  const auto& ok = video_output_extensions();
  if (std::find(ok.begin(), ok.end(), ext) == ok.end())
    throw_usage(fmt::format("cannot write video to '{}': use one of {} (or .y4m for a raw stream)",
                            path, fmt::join(ok, ", ")));
  const AVOutputFormat* ofmt = av_guess_format(nullptr, path.c_str(), nullptr);
  if (!ofmt) throw_usage("cannot write video to '" + path + "': FFmpeg has no muxer for it");
  if (o.codec != "auto") {
    const std::string enc = pick_encoder(o.codec, VideoStreamInfo{}, ofmt);
    const AVCodec* codec = avcodec_find_encoder_by_name(enc.c_str());
    if (!codec) throw_usage("this FFmpeg has no " + enc + " encoder");
    if (avformat_query_codec(ofmt, codec->id, FF_COMPLIANCE_NORMAL) != 1)
      throw_usage(fmt::format("the {} container ('{}') cannot hold {} video; use .mov or .mkv",
                              ofmt->name, path, avcodec_get_name(codec->id)));
  }
  if (o.crf < -1 || o.crf > 51) throw_usage(fmt::format("CRF {} is outside 0..51", o.crf));
  static const char* presets[] = {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                  "medium",    "slow",      "slower",   "veryslow", "placebo"};
  if (std::none_of(std::begin(presets), std::end(presets),
                   [&](const char* p) { return o.preset == p; }))
    throw_usage(fmt::format("unknown encoder preset '{}' ({})", o.preset, fmt::join(presets, ", ")));
}

void VideoWriter::Impl::open() {
  install_log_capture();
  refuse_overwrite_input(source.path, path);
  check_video_output(path, options);
  if (source.width <= 0 || source.height <= 0)
    throw_usage("video writer needs the source's picture size");
  pending.emplace(path);

  AVFormatContext* raw = nullptr;
  int rc = avformat_alloc_output_context2(&raw, nullptr, nullptr, pending->temp_path().c_str());
  if (rc < 0 || !raw)
    throw_usage("cannot write video to '" + path +
                "': unknown container (use .mp4, .mov, .mkv, .mxf)");
  output.reset(raw);

  std::string enc_name = pick_encoder(options.codec, source, output->oformat);
  const AVCodec* codec = avcodec_find_encoder_by_name(enc_name.c_str());
  if (!codec) throw_usage("this FFmpeg has no " + enc_name + " encoder");
  if (avformat_query_codec(output->oformat, codec->id, FF_COMPLIANCE_NORMAL) != 1)
    throw_usage(fmt::format("the {} container cannot hold {} video; use .mov or .mkv",
                            output->oformat->name, avcodec_get_name(codec->id)));
  target_fmt = pick_pixel_format(enc_name, codec, source, options);

  encoder.reset(avcodec_alloc_context3(codec));
  if (!encoder) throw_internal("out of memory (avcodec_alloc_context3)");
  AVCodecContext& e = *encoder;
  e.width = source.width;
  e.height = source.height;
  e.pix_fmt = target_fmt;
  e.time_base = AVRational{source.time_base_num, source.time_base_den};
  e.framerate = AVRational{source.fps_num, source.fps_den};
  e.color_primaries = AVCOL_PRI_BT709;
  e.color_trc = AVCOL_TRC_BT709;
  e.colorspace = AVCOL_SPC_BT709;
  e.color_range = AVCOL_RANGE_MPEG;
  e.thread_count = std::max(0, options.threads);
  if (output->oformat->flags & AVFMT_GLOBALHEADER) e.flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (enc_name == "libx264" || enc_name == "libx265") {
    av_opt_set(e.priv_data, "preset", options.preset.c_str(), 0);
    if (options.lossless) {
      if (enc_name == "libx264") av_opt_set(e.priv_data, "qp", "0", 0);
    } else if (options.bitrate > 0) {
      e.bit_rate = options.bitrate;
    } else {
      int crf = options.crf >= 0 ? options.crf : (enc_name == "libx264" ? 18 : 20);
      av_opt_set_double(e.priv_data, "crf", crf, 0);
    }
    // x264's AVX-512 kernels (libx264 164, Debian 12) make its bitstream depend on what the
    // heap held before: measured, two encodes of the same frames in one process differ from the
    // first frame on, with 1 or 3 threads; with x264's AVX2 set they are byte-identical, run
    // after run (and equal to the encode under valgrind, which finds no uninitialised read in
    // our code). Every AVX-512 CPU has AVX2, FMA3 and BMI2, so x264 gets its AVX2 set there.
    if (enc_name == "libx264" && (av_get_cpu_flags() & AV_CPU_FLAG_AVX512))
      av_opt_set(e.priv_data, "x264-params", "asm=avx2", 0);
    if (enc_name == "libx265")
      av_opt_set(e.priv_data, "x265-params",
                 options.lossless ? "log-level=error:lossless=1" : "log-level=error", 0);
  } else if (enc_name == "prores_ks") {
    if (options.lossless) throw_usage("ProRes has no lossless mode; use --codec ffv1");
    e.profile = 3;  // 422 HQ (FF_PROFILE_PRORES_HQ)
    av_opt_set(e.priv_data, "vendor", "apl0", 0);
  } else if (enc_name == "ffv1") {
    e.level = 3;
  }
  if (int rc2 = avcodec_open2(encoder.get(), codec, nullptr); rc2 < 0)
    throw_internal("cannot open the " + enc_name + " encoder: " + error_text(rc2) + " " +
                   take_last_log());

  video_out = avformat_new_stream(output.get(), nullptr);
  if (!video_out) throw_internal("out of memory (avformat_new_stream)");
  avcodec_parameters_from_context(video_out->codecpar, encoder.get());
  video_out->time_base = e.time_base;
  video_out->avg_frame_rate = e.framerate;
  video_out->r_frame_rate = e.framerate;
  if (!source.timecode.empty()) {
    av_dict_set(&video_out->metadata, "timecode", source.timecode.c_str(), 0);
    av_dict_set(&output->metadata, "timecode", source.timecode.c_str(), 0);
  }
  if (source.rotation != 0) {
    uint8_t* sd =
        av_stream_new_side_data(video_out, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t));
    if (!sd) throw_internal("out of memory (display matrix)");
    // av_display_rotation_get (what the reader and ffprobe report) returns the opposite sign
    // of the angle av_display_rotation_set takes (FFmpeg 5.1 libavutil/display.h).
    av_display_rotation_set(reinterpret_cast<int32_t*>(sd), -source.rotation);
  }
  add_copied_streams();

  if (!(output->oformat->flags & AVFMT_NOFILE)) {
    if (int rc3 = avio_open(&output->pb, pending->temp_path().c_str(), AVIO_FLAG_WRITE); rc3 < 0)
      throw_usage("cannot write '" + path + "': " + error_text(rc3));
  }
  if (int rc4 = avformat_write_header(output.get(), nullptr); rc4 < 0)
    throw_internal("cannot write the " + std::string(output->oformat->name) +
                   " header: " + error_text(rc4) + " " + take_last_log());

  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(target_fmt);
  target.codec = enc_name;
  target.pixel_format = d->name;
  target.bit_depth = d->comp[0].depth;
  target.chroma_shift_x = d->log2_chroma_w;
  target.chroma_shift_y = d->log2_chroma_h;
  target.tags = kRec709Limited;
  frame_step = std::max<int64_t>(1, av_rescale_q(1, av_inv_q(e.framerate), e.time_base));
}

void VideoWriter::Impl::add_copied_streams() {
  const bool want = (options.copy_audio && source.audio_streams > 0) ||
                    (options.copy_subtitles && source.subtitle_streams > 0);
  if (!want) return;
  copy_in = open_input(source.path);
  copy_map.assign(copy_in->nb_streams, -1);
  for (unsigned i = 0; i < copy_in->nb_streams; ++i) {
    AVStream* in = copy_in->streams[i];
    const AVCodecParameters& par = *in->codecpar;
    const bool audio = par.codec_type == AVMEDIA_TYPE_AUDIO && options.copy_audio;
    const bool subs = par.codec_type == AVMEDIA_TYPE_SUBTITLE && options.copy_subtitles;
    if (!audio && !subs) {
      in->discard = AVDISCARD_ALL;
      continue;
    }
    // FFmpeg muxes Vorbis into MP4/MOV, but editors (Premiere, Resolve, QuickTime) refuse the
    // file; we copy audio untouched and do not transcode, so say so before any work is done.
    const bool iso = std::strstr(output->oformat->name, "mp4") || std::strstr(output->oformat->name, "mov");
    if (audio && iso && par.codec_id == AV_CODEC_ID_VORBIS)
      throw_usage(fmt::format("'{}' has Vorbis audio (stream #{}), which .mp4/.mov editors reject; "
                              "write .mkv to keep it, or convert the audio first",
                              source.path, i));
    if (avformat_query_codec(output->oformat, par.codec_id, FF_COMPLIANCE_NORMAL) != 1) {
      warnings.push_back(
          fmt::format("stream #{} ({} {}) not copied: the {} container cannot hold it", i,
                      av_get_media_type_string(par.codec_type), avcodec_get_name(par.codec_id),
                      output->oformat->name));
      in->discard = AVDISCARD_ALL;
      continue;
    }
    AVStream* out = avformat_new_stream(output.get(), nullptr);
    if (!out) throw_internal("out of memory (avformat_new_stream)");
    if (avcodec_parameters_copy(out->codecpar, &par) < 0)
      throw_internal("avcodec_parameters_copy failed");
    out->codecpar->codec_tag = 0;  // let the muxer pick its own tag for the codec
    out->time_base = in->time_base;
    out->disposition = in->disposition;
    av_dict_copy(&out->metadata, in->metadata, 0);
    copy_map[i] = out->index;
  }
  copy_done = false;
}

void VideoWriter::Impl::pump_copies(double until) {
  while (!copy_done) {
    if (!copy_pending) {
      av_packet_unref(copy_packet.get());
      int rc = av_read_frame(copy_in.get(), copy_packet.get());
      if (rc == AVERROR_EOF) {
        copy_done = true;
        return;
      }
      if (rc < 0)
        throw_bad_input(source.path, "cannot read audio/subtitle data to copy: " + error_text(rc));
      if (copy_packet->stream_index < 0 || copy_packet->stream_index >= int(copy_map.size()) ||
          copy_map[copy_packet->stream_index] < 0)
        continue;
      copy_pending = true;
    }
    AVStream* in = copy_in->streams[copy_packet->stream_index];
    int64_t ts = copy_packet->dts != AV_NOPTS_VALUE ? copy_packet->dts : copy_packet->pts;
    if (ts != AV_NOPTS_VALUE && double(ts) * av_q2d(in->time_base) > until) return;
    AVStream* out = output->streams[copy_map[copy_packet->stream_index]];
    copy_packet->stream_index = out->index;
    av_packet_rescale_ts(copy_packet.get(), in->time_base, out->time_base);
    copy_packet->pos = -1;
    copy_pending = false;
    if (int rc = av_interleaved_write_frame(output.get(), copy_packet.get()); rc < 0)
      throw_internal("cannot write a copied packet: " + error_text(rc));
  }
}

void VideoWriter::Impl::encode(AVFrame* f) {
  int rc = avcodec_send_frame(encoder.get(), f);
  if (rc < 0 && rc != AVERROR_EOF)
    throw_internal("encoder rejected a frame: " + error_text(rc) + " " + take_last_log());
  for (;;) {
    av_packet_unref(packet.get());
    rc = avcodec_receive_packet(encoder.get(), packet.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
    if (rc < 0) throw_internal("encoding failed: " + error_text(rc));
    packet->stream_index = video_out->index;
    av_packet_rescale_ts(packet.get(), encoder->time_base, video_out->time_base);
    int64_t ts = packet->dts != AV_NOPTS_VALUE ? packet->dts : packet->pts;
    if (ts != AV_NOPTS_VALUE) pump_copies(double(ts) * av_q2d(video_out->time_base));
    if (int wr = av_interleaved_write_frame(output.get(), packet.get()); wr < 0)
      throw_internal("cannot write a video packet: " + error_text(wr));
  }
}

void VideoWriter::Impl::prepare_frame() {
  if (finished) throw_internal("VideoWriter::write after finish()");
  // The encoder may still hold the previous frame's buffer; get a writable one.
  if (frame->width != source.width || frame->height != source.height ||
      frame->format != target_fmt) {
    av_frame_unref(frame.get());
    frame->width = source.width;
    frame->height = source.height;
    frame->format = target_fmt;
    if (av_frame_get_buffer(frame.get(), 0) < 0) throw_internal("out of memory (frame buffer)");
  }
  if (av_frame_make_writable(frame.get()) < 0) throw_internal("out of memory (frame buffer)");
  frame->color_primaries = AVCOL_PRI_BT709;
  frame->color_trc = AVCOL_TRC_BT709;
  frame->colorspace = AVCOL_SPC_BT709;
  frame->color_range = AVCOL_RANGE_MPEG;
}

void VideoWriter::Impl::submit(int64_t pts) {
  if (pts == AV_NOPTS_VALUE || (last_pts != AV_NOPTS_VALUE && pts <= last_pts))
    pts = last_pts == AV_NOPTS_VALUE ? source.start_pts : last_pts + frame_step;
  frame->pts = pts;
  last_pts = pts;
  encode(frame.get());
  ++frames;
}

// RGB code values → BT.709 limited 4:4:4 at the target depth (exact arithmetic), then
// swscale to the target's chroma subsampling (same depth, same range: resampling only).
void VideoWriter::Impl::rgb_to_target(const ImageF& rgb) {
  const int w = source.width, h = source.height;
  const AVPixelFormat fmt444 = planar_yuv_format(target.bit_depth, 0, 0);
  if (yuv444->width != w || yuv444->height != h || yuv444->format != fmt444) {
    av_frame_unref(yuv444.get());
    yuv444->width = w;
    yuv444->height = h;
    yuv444->format = fmt444;
    if (av_frame_get_buffer(yuv444.get(), 0) < 0) throw_internal("out of memory (frame buffer)");
  }
  rgb_to_yuv444(rgb, *yuv444);
  if (fmt444 == target_fmt) {
    av_image_copy(frame->data, frame->linesize, const_cast<const uint8_t**>(yuv444->data),
                  yuv444->linesize, target_fmt, w, h);
    return;
  }
  rgb_to_yuv.reset(
      sws_getCachedContext(rgb_to_yuv.release(), w, h, fmt444, w, h, target_fmt,
                           SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP | SWS_BITEXACT,
                           nullptr, nullptr, nullptr));
  if (!rgb_to_yuv) throw_internal("swscale cannot convert to " + target.pixel_format);
  set_colorspace(rgb_to_yuv.get(), kRec709Limited, true, kRec709Limited, true);
  sws_scale(rgb_to_yuv.get(), yuv444->data, yuv444->linesize, 0, h, frame->data, frame->linesize);
}

VideoWriter::VideoWriter(const std::string& path, const VideoStreamInfo& source,
                         const VideoWriteOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->source = source;
  impl_->options = options;
  impl_->open();
}

VideoWriter::~VideoWriter() = default;
VideoWriter::VideoWriter(VideoWriter&&) noexcept = default;
VideoWriter& VideoWriter::operator=(VideoWriter&&) noexcept = default;

const VideoTargetFormat& VideoWriter::target() const { return impl_->target; }
int64_t VideoWriter::frames_written() const { return impl_->frames; }
const std::vector<std::string>& VideoWriter::warnings() const { return impl_->warnings; }

void VideoWriter::write(const ImageF& rgb, int64_t pts) {
  Impl& m = *impl_;
  if (rgb.width != m.source.width || rgb.height != m.source.height || rgb.channels < 3)
    throw_internal(fmt::format("VideoWriter::write: got a {}x{}x{} image, expected {}x{} RGB",
                               rgb.width, rgb.height, rgb.channels, m.source.width,
                               m.source.height));
  m.prepare_frame();
  m.rgb_to_target(rgb);
  m.submit(pts);
}

void VideoWriter::write(const YuvPlanes& yuv, int64_t pts) {
  Impl& m = *impl_;
  const int w = m.source.width, h = m.source.height;
  if (yuv.width != w || yuv.height != h || yuv.empty())
    throw_internal(fmt::format("VideoWriter::write: got {}x{} YUV planes, expected {}x{}",
                               yuv.width, yuv.height, w, h));
  m.prepare_frame();
  AVPixelFormat src_fmt = planar_yuv_format(yuv.bit_depth, yuv.chroma_shift_x, yuv.chroma_shift_y);
  const bool same_layout = src_fmt == m.target_fmt && format_bit_depth(src_fmt) == yuv.bit_depth;
  const bool same_colour = yuv.tags.matrix == kH273Bt709 && yuv.tags.range == ColorRange::Limited;
  if (same_layout && same_colour) {
    const uint8_t* src[4] = {yuv.data[0], yuv.data[1], yuv.data[2], nullptr};
    int stride[4] = {yuv.stride[0], yuv.stride[1], yuv.stride[2], 0};
    av_image_copy(m.frame->data, m.frame->linesize, src, stride, m.target_fmt, w, h);
  } else if (yuv.tags.matrix == kH273Bt709) {
    // Same matrix: swscale resamples chroma, changes depth and range.
    m.yuv_to_yuv.reset(sws_getCachedContext(
        m.yuv_to_yuv.release(), w, h, src_fmt, w, h, m.target_fmt,
        SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT, nullptr, nullptr, nullptr));
    if (!m.yuv_to_yuv) throw_internal("swscale cannot convert between YUV layouts");
    set_colorspace(m.yuv_to_yuv.get(), yuv.tags, true, kRec709Limited, true);
    const uint8_t* src[4] = {yuv.data[0], yuv.data[1], yuv.data[2], nullptr};
    int stride[4] = {yuv.stride[0], yuv.stride[1], yuv.stride[2], 0};
    sws_scale(m.yuv_to_yuv.get(), src, stride, 0, h, m.frame->data, m.frame->linesize);
  } else {
    // Another matrix (swscale does not change matrices between YUV formats): through RGB.
    const AVPixelFormat fmt444 = planar_yuv_format(yuv.bit_depth, 0, 0);
    if (m.other444->width != w || m.other444->height != h || m.other444->format != fmt444) {
      av_frame_unref(m.other444.get());
      m.other444->width = w;
      m.other444->height = h;
      m.other444->format = fmt444;
      if (av_frame_get_buffer(m.other444.get(), 0) < 0)
        throw_internal("out of memory (frame buffer)");
    }
    m.yuv_to_rgb.reset(sws_getCachedContext(m.yuv_to_rgb.release(), w, h, src_fmt, w, h, fmt444,
                                            SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT, nullptr,
                                            nullptr, nullptr));
    if (!m.yuv_to_rgb) throw_internal("swscale cannot convert YUV to 4:4:4");
    set_colorspace(m.yuv_to_rgb.get(), yuv.tags, true, yuv.tags, true);
    const uint8_t* src[4] = {yuv.data[0], yuv.data[1], yuv.data[2], nullptr};
    int stride[4] = {yuv.stride[0], yuv.stride[1], yuv.stride[2], 0};
    sws_scale(m.yuv_to_rgb.get(), src, stride, 0, h, m.other444->data, m.other444->linesize);
    yuv444_to_rgb(*m.other444, yuv.tags, m.scratch_rgb);
    m.rgb_to_target(m.scratch_rgb);
  }
  m.submit(pts);
}

YuvPlanesMut VideoWriter::frame_buffer() {
  Impl& m = *impl_;
  if (!m.frame_handed_out) {
    m.prepare_frame();
    m.frame_handed_out = true;
  }
  const YuvPlanes p = planes_of(*m.frame, kRec709Limited);
  // planes_of describes the encoder's own (writable) frame.
  return {p.width,          p.height,
          p.bit_depth,      p.chroma_shift_x,
          p.chroma_shift_y, {m.frame->data[0], m.frame->data[1], m.frame->data[2]},
          p.stride,         p.tags};
}

void VideoWriter::submit_frame(int64_t pts) {
  Impl& m = *impl_;
  if (!m.frame_handed_out) throw_internal("VideoWriter::submit_frame without frame_buffer()");
  m.frame_handed_out = false;
  m.submit(pts);
}

void VideoWriter::finish() {
  Impl& m = *impl_;
  if (m.finished) return;
  if (m.frames == 0) throw_internal("VideoWriter::finish: no frames were written");
  m.encode(nullptr);
  m.pump_copies(std::numeric_limits<double>::infinity());
  if (int rc = av_write_trailer(m.output.get()); rc < 0)
    throw_internal("cannot finish '" + m.path + "': " + error_text(rc));
  if (m.output->pb) {
    if (int rc = avio_closep(&m.output->pb); rc < 0)
      throw_internal("cannot close '" + m.path + "': " + error_text(rc));
  }
  m.pending->commit();
  m.finished = true;
}

}  // namespace autograde
