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
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/cpu.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/media/image_sequence.hpp"
#include "video_ffmpeg.hpp"
#include "video_segment.hpp"

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

// One --codec name: the encoder, its fixed pixel format and profile (empty: chosen by the source),
// and what it is for (the help text).
struct CodecChoice {
  const char* name;
  const char* encoder;
  AVPixelFormat pixel_format;  // AV_PIX_FMT_NONE: by the source (pick_pixel_format)
  const char* profile;         // the encoder's "profile" option, or nullptr
  const char* description;
};

const CodecChoice kCodecs[] = {
    {"auto", "", AV_PIX_FMT_NONE, nullptr,
     "8-bit sources: h264; deeper: prores (hevc_10 where the container cannot hold ProRes)"},
    {"h264", "libx264", AV_PIX_FMT_NONE, nullptr,
     "H.264 (libx264), 4:2:0, CRF 18; High 10 for sources deeper than 8 bits"},
    {"h264_10", "libx264", AV_PIX_FMT_YUV420P10LE, nullptr,
     "H.264 High 10 (libx264), 10-bit 4:2:0, CRF 18"},
    {"hevc", "libx265", AV_PIX_FMT_NONE, nullptr,
     "HEVC (libx265), CRF 20; Main 10 for sources deeper than 8 bits"},
    {"hevc_10", "libx265", AV_PIX_FMT_YUV420P10LE, nullptr,
     "HEVC Main 10 (libx265), 10-bit 4:2:0, CRF 20"},
    {"prores", "prores_ks", AV_PIX_FMT_YUV422P10LE, nullptr, "ProRes 422 HQ, 10-bit 4:2:2"},
    {"prores4444", "prores_ks", AV_PIX_FMT_YUV444P10LE, nullptr, "ProRes 4444, 10-bit 4:4:4"},
    {"dnxhr_hq", "dnxhd", AV_PIX_FMT_YUV422P, "dnxhr_hq", "DNxHR HQ, 8-bit 4:2:2 (.mxf, .mov)"},
    {"dnxhr_hqx", "dnxhd", AV_PIX_FMT_YUV422P10LE, "dnxhr_hqx",
     "DNxHR HQX, 10-bit 4:2:2 (.mxf, .mov)"},
    {"ffv1", "ffv1", AV_PIX_FMT_NONE, nullptr, "FFV1, lossless, the source's depth and layout"},
};

const CodecChoice& codec_choice(const std::string& name) {
  for (const CodecChoice& c : kCodecs)
    if (name == c.name) return c;
  std::vector<std::string> names;
  for (const CodecChoice& c : kCodecs) names.push_back(c.name);
  throw_usage(fmt::format("unknown codec '{}' ({})", name, fmt::join(names, ", ")));
}

bool is_mxf(const AVOutputFormat* ofmt) { return std::strncmp(ofmt->name, "mxf", 3) == 0; }
// MP4, MOV and their kin (.m4v is FFmpeg's "ipod" muxer): the ISO media files editors open.
bool is_iso_media(const AVOutputFormat* ofmt) {
  return std::strstr(ofmt->name, "mp4") || std::strstr(ofmt->name, "mov") ||
         std::strcmp(ofmt->name, "ipod") == 0;
}

// Whether the container holds the codec. FFmpeg's MXF muxer declares no codec list
// (avformat_query_codec says "unknown" for everything but MPEG-2), so its table is ours: the
// video codecs its writer has descriptors for and that we encode (FFmpeg 5.1 libavformat/
// mxfenc.c; ProRes there fails on the profile lookup, measured).
bool container_holds(const AVOutputFormat* ofmt, AVCodecID id) {
  if (is_mxf(ofmt))
    return id == AV_CODEC_ID_DNXHD || id == AV_CODEC_ID_H264 || id == AV_CODEC_ID_PCM_S16LE ||
           id == AV_CODEC_ID_PCM_S24LE;
  return avformat_query_codec(ofmt, id, FF_COMPLIANCE_NORMAL) == 1;
}

// The encoder name for a codec choice, following the default rule in VideoWriteOptions.
std::string pick_encoder(const std::string& choice, const VideoStreamInfo& src,
                         const AVOutputFormat* ofmt) {
  const CodecChoice& c = codec_choice(choice);
  if (*c.encoder) return c.encoder;
  if (src.bit_depth <= 8) return "libx264";
  if (container_holds(ofmt, AV_CODEC_ID_PRORES)) return "prores_ks";
  return "libx265";
}

AVPixelFormat pick_pixel_format(const std::string& choice, const std::string& encoder,
                                const AVCodec* codec, const VideoStreamInfo& src,
                                const VideoWriteOptions& o) {
  if (!o.pixel_format.empty()) {
    AVPixelFormat f = av_get_pix_fmt(o.pixel_format.c_str());
    if (f == AV_PIX_FMT_NONE || !is_planar_yuv(f))
      throw_usage("unknown or non-planar-YUV pixel format '" + o.pixel_format + "'");
    if (!encoder_supports(codec, f))
      throw_usage(encoder + " cannot encode pixel format '" + o.pixel_format + "'");
    return f;
  }
  const CodecChoice& c = codec_choice(choice);
  if (c.pixel_format != AV_PIX_FMT_NONE) {
    if (!encoder_supports(codec, c.pixel_format))
      throw_usage(fmt::format("this FFmpeg's {} encoder cannot write {} for --codec {}", encoder,
                              av_get_pix_fmt_name(c.pixel_format), choice));
    return c.pixel_format;
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

// What happens to one audio stream of the source in this container.
struct AudioRoute {
  enum Kind { Copy, Transcode, Drop } kind = Copy;
  AVCodecID codec = AV_CODEC_ID_NONE;  // Transcode: the encoder's codec
  int sample_rate = 0;                 // Transcode: 0 = keep the source's
  std::string why;                     // Transcode / Drop: for the note
};

AudioRoute route_audio(const AVOutputFormat* ofmt, const AVCodecParameters& par) {
  AudioRoute r;
  const char* name = avcodec_get_name(par.codec_id);
  if (is_mxf(ofmt)) {
    // FFmpeg's MXF writer takes only 48 kHz PCM (it refuses the header otherwise), and MXF
    // editors expect it; 16-bit sources stay 16-bit.
    const bool pcm16 = par.codec_id == AV_CODEC_ID_PCM_S16LE;
    if ((pcm16 || par.codec_id == AV_CODEC_ID_PCM_S24LE) && par.sample_rate == 48000) return r;
    r.kind = AudioRoute::Transcode;
    r.codec = pcm16 || par.codec_id == AV_CODEC_ID_PCM_S16BE ? AV_CODEC_ID_PCM_S16LE
                                                             : AV_CODEC_ID_PCM_S24LE;
    r.sample_rate = 48000;
    r.why = fmt::format("MXF holds 48 kHz PCM audio, not {} at {} Hz", name, par.sample_rate);
    return r;
  }
  // FFmpeg muxes Vorbis and Opus into MP4/MOV, but editors (Premiere, Resolve, QuickTime)
  // refuse such files (issue 24); AAC is what they all take.
  const bool editors_reject = is_iso_media(ofmt) && (par.codec_id == AV_CODEC_ID_VORBIS ||
                                                     par.codec_id == AV_CODEC_ID_OPUS);
  if (!editors_reject && container_holds(ofmt, par.codec_id)) return r;
  if (container_holds(ofmt, AV_CODEC_ID_AAC)) {
    r.kind = AudioRoute::Transcode;
    r.codec = AV_CODEC_ID_AAC;
    r.why = editors_reject ? fmt::format("editors reject {} audio in .mp4/.mov", name)
                           : fmt::format("the {} container cannot hold {}", ofmt->name, name);
    return r;
  }
  r.kind = AudioRoute::Drop;
  r.why = fmt::format("the {} container cannot hold {}", ofmt->name, name);
  return r;
}

struct SwrDeleter {
  void operator()(SwrContext* s) const { swr_free(&s); }
};
struct FifoDeleter {
  void operator()(AVAudioFifo* f) const { av_audio_fifo_free(f); }
};

// One source audio stream decoded, converted (swresample: sample format, rate, layout) and
// encoded again for a container that cannot carry it as it is.
struct AudioTranscoder {
  AVStream* in = nullptr;
  AVStream* out = nullptr;
  CodecPtr dec, enc;
  std::unique_ptr<SwrContext, SwrDeleter> swr;
  std::unique_ptr<AVAudioFifo, FifoDeleter> fifo;
  FramePtr decoded = make_frame();
  FramePtr chunk = make_frame();
  PacketPtr packet = make_packet();
  int frame_size = 1024;              // samples per encoded frame
  int64_t next_pts = AV_NOPTS_VALUE;  // encoder time base (1 / sample rate)
  double last_end = -1;               // source seconds where the last decoded frame ended
  std::vector<uint8_t*> converted;    // swr output planes
  int converted_capacity = 0;

  ~AudioTranscoder() {
    if (!converted.empty()) av_freep(&converted[0]);
  }
};

}  // namespace

const std::vector<std::pair<std::string, std::string>>& video_codecs() {
  static const std::vector<std::pair<std::string, std::string>> list = [] {
    std::vector<std::pair<std::string, std::string>> v;
    for (const CodecChoice& c : kCodecs) v.emplace_back(c.name, c.description);
    return v;
  }();
  return list;
}

std::vector<std::string> video_codec_names() {
  std::vector<std::string> v;
  for (const auto& [name, what] : video_codecs()) v.push_back(name);
  return v;
}

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
  // Source stream index → its transcoder (audio the container cannot carry as it is).
  std::vector<std::unique_ptr<AudioTranscoder>> transcoders;
  PacketPtr copy_packet = make_packet();
  bool copy_pending = false;
  bool copy_done = true;

  // options.trim_to_video: the source span [trim_start, trim_end) in seconds from the stream's
  // start that the frames written cover; video pts move back by `video_shift` (source time
  // base) so the output starts where the source does, and the other streams by the same time.
  int64_t video_shift = AV_NOPTS_VALUE;
  double trim_start = 0;
  double trim_end = std::numeric_limits<double>::infinity();
  std::vector<char> stream_past_end;  // trim: a copied stream reached trim_end

  // The container the encoder is set up for: this file's, or the final file's for a segment.
  const AVOutputFormat* encode_format = nullptr;
  std::string enc_name;
  size_t next_restart = 0;  // index into options.restart_at
  FilePtr segment;          // a farm segment's file (options.segment_of), instead of `output`

  void open();
  void open_output();
  void open_encoder();
  void copy_segments();
  int write_video_packet();  // `packet`, in video_out's time base
  int64_t last_video_dts = AV_NOPTS_VALUE;
  void add_copied_streams();
  void add_transcoder(unsigned index, const AudioRoute& route);
  void transcode(AudioTranscoder& t, const AVPacket* pkt);
  void take_decoded(AudioTranscoder& t);
  void drain_fifo(AudioTranscoder& t, bool final);
  void encode_audio(AudioTranscoder& t, AVFrame* f);
  double source_seconds(const AVStream* st, int64_t ts) const;
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
  (void)codec_choice(o.codec);
  if (is_image_sequence_path(path)) {
    check_image_sequence_output(path);
    if (o.codec != "auto")
      throw_usage(
          fmt::format("'{}' is an image sequence, whose format its extension sets; "
                      "--codec {} is for video files (use --codec auto)",
                      path, o.codec));
    return;
  }
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  if (!o.segment_of.empty()) {
    if (ext != ".agseg")
      throw_internal("a farm segment is written as .agseg, not '" + path + "'");
    VideoWriteOptions final_options = o;
    final_options.segment_of.clear();
    check_video_output(o.segment_of, final_options);
    return;
  }
  const auto& ok = video_output_extensions();
  if (std::find(ok.begin(), ok.end(), ext) == ok.end())
    throw_usage(fmt::format(
        "cannot write video to '{}': use one of {} (or .y4m for a raw stream, or an image "
        "sequence such as shot.%07d.exr)",
        path, fmt::join(ok, ", ")));
  const AVOutputFormat* ofmt = av_guess_format(nullptr, path.c_str(), nullptr);
  if (!ofmt) throw_usage("cannot write video to '" + path + "': FFmpeg has no muxer for it");
  if (o.codec != "auto") {
    const std::string enc = pick_encoder(o.codec, VideoStreamInfo{}, ofmt);
    const AVCodec* codec = avcodec_find_encoder_by_name(enc.c_str());
    if (!codec) throw_usage("this FFmpeg has no " + enc + " encoder");
    if (!container_holds(ofmt, codec->id))
      throw_usage(fmt::format("the {} container ('{}') cannot hold {} video (--codec {}); use {}",
                              ofmt->name, path, avcodec_get_name(codec->id), o.codec,
                              codec->id == AV_CODEC_ID_DNXHD ? ".mxf or .mov" : ".mov or .mkv"));
  }
  if (o.crf < -1 || o.crf > 51) throw_usage(fmt::format("CRF {} is outside 0..51", o.crf));
  static const char* presets[] = {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                  "medium",    "slow",      "slower",   "veryslow", "placebo"};
  if (std::none_of(std::begin(presets), std::end(presets),
                   [&](const char* p) { return o.preset == p; }))
    throw_usage(fmt::format("unknown encoder preset '{}' ({})", o.preset, fmt::join(presets, ", ")));
}

// Opens (or, at a chunk boundary, re-opens) the encoder; every opening is configured the same
// way, so every chunk starts from the same encoder state.
void VideoWriter::Impl::open_encoder() {
  enc_name = pick_encoder(options.codec, source, encode_format);
  const AVCodec* codec = avcodec_find_encoder_by_name(enc_name.c_str());
  if (!codec) throw_usage("this FFmpeg has no " + enc_name + " encoder");
  if (!container_holds(encode_format, codec->id))
    throw_usage(fmt::format("the {} container cannot hold {} video; use .mov or .mkv",
                            encode_format->name, avcodec_get_name(codec->id)));
  target_fmt = pick_pixel_format(options.codec, enc_name, codec, source, options);
  const CodecChoice& choice = codec_choice(options.codec);
  // FFmpeg's DNxHR encoder refuses smaller pictures (dnxhdenc.c); say so with the clip's size.
  if (enc_name == "dnxhd" && (source.width < 256 || source.height < 120))
    throw_usage(fmt::format("DNxHR needs a picture of at least 256x120; '{}' is {}x{}", source.path,
                            source.width, source.height));

  encoder.reset(avcodec_alloc_context3(codec));
  if (!encoder) throw_internal("out of memory (avcodec_alloc_context3)");
  AVCodecContext& e = *encoder;
  e.width = source.width;
  e.height = source.height;
  e.pix_fmt = target_fmt;
  e.time_base = AVRational{source.time_base_num, source.time_base_den};
  e.framerate = AVRational{source.fps_num, source.fps_den};
  // FFmpeg's MXF writer reads the frame rate from the stream's time base, so MXF gets one tick
  // per frame (and refuses rates outside its table, e.g. 1000/1 from a Matroska time base).
  if (is_mxf(encode_format) && e.framerate.num > 0) e.time_base = av_inv_q(e.framerate);
  e.color_primaries = AVCOL_PRI_BT709;
  e.color_trc = AVCOL_TRC_BT709;
  e.colorspace = AVCOL_SPC_BT709;
  e.color_range = AVCOL_RANGE_MPEG;
  e.thread_count = std::max(0, options.threads);
  if (encode_format->flags & AVFMT_GLOBALHEADER) e.flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
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
    // 4444 for 4:4:4 (FF_PROFILE_PRORES_4444), else 422 HQ (FF_PROFILE_PRORES_HQ).
    e.profile = target_fmt == AV_PIX_FMT_YUV444P10LE ? 4 : 3;
    av_opt_set(e.priv_data, "vendor", "apl0", 0);
  } else if (enc_name == "dnxhd") {
    if (options.lossless) throw_usage("DNxHR has no lossless mode; use --codec ffv1");
    // DNxHR's profiles fix their own bit rate from the picture size; no rate to set.
    if (av_opt_set(e.priv_data, "profile", choice.profile, 0) < 0)
      throw_internal(fmt::format("this FFmpeg's dnxhd encoder has no profile {}", choice.profile));
  } else if (enc_name == "ffv1") {
    e.level = 3;
  }
  if (int rc2 = avcodec_open2(encoder.get(), codec, nullptr); rc2 < 0) {
    const std::string log = take_last_log();
    // x264 is built for one or all bit depths; a build without 10-bit fails only here.
    if (enc_name == "libx264" && format_bit_depth(target_fmt) > 8)
      throw_usage(
          fmt::format("this libx264 cannot encode 10-bit H.264 (High 10): {} {}; use "
                      "--codec hevc_10 or prores for a 10-bit output",
                      error_text(rc2), log));
    throw_internal("cannot open the " + enc_name + " encoder: " + error_text(rc2) + " " + log);
  }
}

void VideoWriter::Impl::open() {
  install_log_capture();
  refuse_overwrite_input(source.path, path);
  check_video_output(path, options);
  if (source.width <= 0 || source.height <= 0)
    throw_usage("video writer needs the source's picture size");
  pending.emplace(path);

  if (!options.segment_of.empty()) {
    encode_format = av_guess_format(nullptr, options.segment_of.c_str(), nullptr);
    if (!encode_format) throw_usage("FFmpeg has no muxer for '" + options.segment_of + "'");
    // Audio and subtitles are the join's: it muxes them as a local render does.
    options.copy_audio = options.copy_subtitles = false;
    options.trim_to_video = false;
    open_encoder();
    segment = begin_video_segment(pending->temp_path(), *encoder);
  } else {
    open_output();
  }
  const AVCodecContext& e = *encoder;
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(target_fmt);
  target.codec = enc_name;
  target.pixel_format = d->name;
  target.bit_depth = d->comp[0].depth;
  target.chroma_shift_x = d->log2_chroma_w;
  target.chroma_shift_y = d->log2_chroma_h;
  target.tags = kRec709Limited;
  frame_step =
      std::max<int64_t>(1, av_rescale_q(1, av_inv_q(e.framerate),
                                        AVRational{source.time_base_num, source.time_base_den}));
}

void VideoWriter::Impl::open_output() {
  AVFormatContext* raw = nullptr;
  int rc = avformat_alloc_output_context2(&raw, nullptr, nullptr, pending->temp_path().c_str());
  if (rc < 0 || !raw)
    throw_usage("cannot write video to '" + path +
                "': unknown container (use .mp4, .mov, .mkv, .mxf)");
  output.reset(raw);

  encode_format = output->oformat;
  open_encoder();
  const AVCodecContext& e = *encoder;

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
  if (int rc4 = avformat_write_header(output.get(), nullptr); rc4 < 0) {
    const std::string why = error_text(rc4) + " " + take_last_log();
    // FFmpeg's MXF writer holds only the broadcast frame rates (its audio, 48 kHz PCM, we make):
    // the clip does not fit the container the user chose.
    if (is_mxf(output->oformat))
      throw_usage(fmt::format("MXF cannot hold '{}' at {}/{} fps: {}; write .mov instead",
                              source.path, source.fps_num, source.fps_den, why));
    throw_internal("cannot write the " + std::string(output->oformat->name) + " header: " + why);
  }
}

void VideoWriter::Impl::add_copied_streams() {
  const bool want = (options.copy_audio && source.audio_streams > 0) ||
                    (options.copy_subtitles && source.subtitle_streams > 0);
  if (!want) return;
  copy_in = open_input(source.path);
  copy_map.assign(copy_in->nb_streams, -1);
  transcoders.resize(copy_in->nb_streams);
  for (unsigned i = 0; i < copy_in->nb_streams; ++i) {
    AVStream* in = copy_in->streams[i];
    const AVCodecParameters& par = *in->codecpar;
    const bool audio = par.codec_type == AVMEDIA_TYPE_AUDIO && options.copy_audio;
    const bool subs = par.codec_type == AVMEDIA_TYPE_SUBTITLE && options.copy_subtitles;
    if (!audio && !subs) {
      in->discard = AVDISCARD_ALL;
      continue;
    }
    const AudioRoute route = audio ? route_audio(output->oformat, par) : AudioRoute{};
    const bool refused =
        subs ? !container_holds(output->oformat, par.codec_id) : route.kind == AudioRoute::Drop;
    if (refused) {
      warnings.push_back(
          fmt::format("stream #{} ({} {}) not copied: the {} container cannot hold it", i,
                      av_get_media_type_string(par.codec_type), avcodec_get_name(par.codec_id),
                      output->oformat->name));
      in->discard = AVDISCARD_ALL;
      continue;
    }
    if (route.kind == AudioRoute::Transcode) {
      add_transcoder(i, route);
      copy_map[i] = transcoders[i]->out->index;
      warnings.push_back(fmt::format(
          "audio stream #{} ({}) transcoded to {}: {}", i, avcodec_get_name(par.codec_id),
          route.codec == AV_CODEC_ID_AAC
              ? "AAC"
              : fmt::format("{} at {} Hz", avcodec_get_name(route.codec), route.sample_rate),
          route.why));
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
  stream_past_end.assign(copy_in->nb_streams, 0);
  copy_done = false;
}

void VideoWriter::Impl::add_transcoder(unsigned index, const AudioRoute& route) {
  AVStream* in = copy_in->streams[index];
  const AVCodecParameters& par = *in->codecpar;
  auto t = std::make_unique<AudioTranscoder>();
  t->in = in;
  const AVCodec* dcodec = avcodec_find_decoder(par.codec_id);
  if (!dcodec)
    throw_bad_input(source.path, fmt::format("audio stream #{} ({}) must be transcoded ({}), but "
                                             "this FFmpeg cannot decode it",
                                             index, avcodec_get_name(par.codec_id), route.why));
  t->dec.reset(avcodec_alloc_context3(dcodec));
  if (!t->dec) throw_internal("out of memory (avcodec_alloc_context3)");
  avcodec_parameters_to_context(t->dec.get(), &par);
  t->dec->pkt_timebase = in->time_base;
  if (int rc = avcodec_open2(t->dec.get(), dcodec, nullptr); rc < 0)
    throw_bad_input(source.path, fmt::format("cannot decode audio stream #{}: {} {}", index,
                                             error_text(rc), take_last_log()));

  const AVCodec* ecodec = avcodec_find_encoder(route.codec);
  if (!ecodec)
    throw_internal(fmt::format("this FFmpeg has no {} encoder", avcodec_get_name(route.codec)));
  t->enc.reset(avcodec_alloc_context3(ecodec));
  if (!t->enc) throw_internal("out of memory (avcodec_alloc_context3)");
  AVCodecContext& e = *t->enc;
  e.sample_fmt = ecodec->sample_fmts ? ecodec->sample_fmts[0] : t->dec->sample_fmt;
  int rate = route.sample_rate > 0 ? route.sample_rate : t->dec->sample_rate;
  if (ecodec->supported_samplerates) {  // AAC: the source's rate when the encoder has it
    bool found = false;
    for (const int* r = ecodec->supported_samplerates; *r; ++r) found |= *r == rate;
    if (!found) rate = 48000;
  }
  e.sample_rate = rate;
  if (av_channel_layout_copy(&e.ch_layout, &t->dec->ch_layout) < 0 || e.ch_layout.nb_channels < 1)
    av_channel_layout_default(&e.ch_layout, std::max(1, par.ch_layout.nb_channels));
  if (e.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
    av_channel_layout_default(&e.ch_layout, e.ch_layout.nb_channels);
  if (route.codec == AV_CODEC_ID_AAC)  // transparent for stereo music and speech
    e.bit_rate = std::min<int64_t>(512000, 96000 * int64_t(e.ch_layout.nb_channels));
  e.time_base = AVRational{1, rate};
  if (output->oformat->flags & AVFMT_GLOBALHEADER) e.flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (int rc = avcodec_open2(t->enc.get(), ecodec, nullptr); rc < 0)
    throw_internal(fmt::format("cannot open the {} encoder: {} {}", ecodec->name, error_text(rc),
                               take_last_log()));
  // PCM encoders take any count; one 1024-sample block per packet keeps them small.
  t->frame_size = e.frame_size > 0 ? e.frame_size : 1024;
  t->fifo.reset(av_audio_fifo_alloc(e.sample_fmt, e.ch_layout.nb_channels, t->frame_size * 4));
  if (!t->fifo) throw_internal("out of memory (av_audio_fifo_alloc)");

  t->out = avformat_new_stream(output.get(), nullptr);
  if (!t->out) throw_internal("out of memory (avformat_new_stream)");
  avcodec_parameters_from_context(t->out->codecpar, t->enc.get());
  t->out->time_base = e.time_base;
  t->out->disposition = in->disposition;
  av_dict_copy(&t->out->metadata, in->metadata, 0);
  transcoders[index] = std::move(t);
}

double VideoWriter::Impl::source_seconds(const AVStream* st, int64_t ts) const {
  return double(ts) * av_q2d(st->time_base);
}

void VideoWriter::Impl::encode_audio(AudioTranscoder& t, AVFrame* f) {
  int rc = avcodec_send_frame(t.enc.get(), f);
  if (rc < 0 && rc != AVERROR_EOF)
    throw_internal("the audio encoder rejected a frame: " + error_text(rc) + " " + take_last_log());
  for (;;) {
    av_packet_unref(t.packet.get());
    rc = avcodec_receive_packet(t.enc.get(), t.packet.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
    if (rc < 0) throw_internal("audio encoding failed: " + error_text(rc));
    t.packet->stream_index = t.out->index;
    av_packet_rescale_ts(t.packet.get(), t.enc->time_base, t.out->time_base);
    if (int wr = av_interleaved_write_frame(output.get(), t.packet.get()); wr < 0)
      throw_internal("cannot write an audio packet: " + error_text(wr));
  }
}

void VideoWriter::Impl::drain_fifo(AudioTranscoder& t, bool final) {
  const AVCodecContext& e = *t.enc;
  while (av_audio_fifo_size(t.fifo.get()) >= (final ? 1 : t.frame_size)) {
    const int n = std::min(t.frame_size, av_audio_fifo_size(t.fifo.get()));
    av_frame_unref(t.chunk.get());
    t.chunk->nb_samples = n;
    t.chunk->format = e.sample_fmt;
    t.chunk->sample_rate = e.sample_rate;
    av_channel_layout_copy(&t.chunk->ch_layout, &e.ch_layout);
    if (av_frame_get_buffer(t.chunk.get(), 0) < 0) throw_internal("out of memory (audio frame)");
    if (av_audio_fifo_read(t.fifo.get(), reinterpret_cast<void**>(t.chunk->data), n) != n)
      throw_internal("audio FIFO underrun");
    t.chunk->pts = t.next_pts;
    t.next_pts += n;
    encode_audio(t, t.chunk.get());
  }
}

// A decoded frame: the part inside the trim span, converted to the encoder's format, queued.
void VideoWriter::Impl::take_decoded(AudioTranscoder& t) {
  AVFrame& f = *t.decoded;
  const int in_rate = f.sample_rate > 0 ? f.sample_rate : t.dec->sample_rate;
  const int64_t ts = f.best_effort_timestamp;
  // Frames without a timestamp follow the previous one.
  const double t0 =
      ts != AV_NOPTS_VALUE ? source_seconds(t.in, ts) : (t.last_end >= 0 ? t.last_end : trim_start);
  t.last_end = t0 + double(f.nb_samples) / in_rate;
  // Samples kept: [first, last). Without a trim, those before time 0 (an Opus decoder's
  // pre-roll) are left out too, so no timestamp goes below the output's start.
  const double from = options.trim_to_video ? trim_start : 0.0;
  int first = int(std::clamp<double>(std::llround((from - t0) * in_rate), 0, f.nb_samples));
  int last = f.nb_samples;
  if (options.trim_to_video && std::isfinite(trim_end))
    last = int(std::clamp<double>(std::llround((trim_end - t0) * in_rate), 0, f.nb_samples));
  if (last <= first) return;
  if (!t.swr) {
    SwrContext* raw = nullptr;
    AVChannelLayout in_layout{};
    if (f.ch_layout.nb_channels > 0 && f.ch_layout.order != AV_CHANNEL_ORDER_UNSPEC)
      av_channel_layout_copy(&in_layout, &f.ch_layout);
    else
      av_channel_layout_default(&in_layout, std::max(1, f.ch_layout.nb_channels));
    const int rc =
        swr_alloc_set_opts2(&raw, &t.enc->ch_layout, t.enc->sample_fmt, t.enc->sample_rate,
                            &in_layout, AVSampleFormat(f.format), in_rate, 0, nullptr);
    av_channel_layout_uninit(&in_layout);
    t.swr.reset(raw);
    if (rc < 0 || swr_init(t.swr.get()) < 0)
      throw_internal("cannot set up the audio conversion for transcoding: " + take_last_log());
  }
  if (t.next_pts == AV_NOPTS_VALUE) {
    // The first sample kept sits where it sat in the source (less the trim), so the transcoded
    // stream stays in sync with the video as a copied one would.
    const double at = t0 + double(first) / in_rate - (options.trim_to_video ? trim_start : 0.0);
    t.next_pts = std::llround(at * t.enc->sample_rate);
  }
  const AVSampleFormat in_fmt = AVSampleFormat(f.format);
  const int bps = av_get_bytes_per_sample(in_fmt);
  const bool planar = av_sample_fmt_is_planar(in_fmt);
  const int channels = f.ch_layout.nb_channels;
  std::vector<const uint8_t*> in_planes(size_t(planar ? channels : 1));
  for (size_t c = 0; c < in_planes.size(); ++c)
    in_planes[c] = f.extended_data[c] + size_t(first) * size_t(bps) * size_t(planar ? 1 : channels);
  const int in_count = last - first;
  const int out_max = swr_get_out_samples(t.swr.get(), in_count);
  if (out_max > t.converted_capacity) {
    if (!t.converted.empty()) av_freep(&t.converted[0]);
    t.converted.assign(size_t(t.enc->ch_layout.nb_channels), nullptr);
    if (av_samples_alloc(t.converted.data(), nullptr, t.enc->ch_layout.nb_channels, out_max,
                         t.enc->sample_fmt, 0) < 0)
      throw_internal("out of memory (audio conversion)");
    t.converted_capacity = out_max;
  }
  const int got = swr_convert(t.swr.get(), t.converted.data(), out_max, in_planes.data(), in_count);
  if (got < 0) throw_internal("audio conversion failed: " + error_text(got));
  if (got > 0 &&
      av_audio_fifo_write(t.fifo.get(), reinterpret_cast<void**>(t.converted.data()), got) < got)
    throw_internal("out of memory (audio FIFO)");
  drain_fifo(t, false);
}

// `pkt` null: the end of the stream (flush the decoder, the conversion and the encoder).
void VideoWriter::Impl::transcode(AudioTranscoder& t, const AVPacket* pkt) {
  int rc = avcodec_send_packet(t.dec.get(), pkt);
  if (rc < 0 && rc != AVERROR_EOF && rc != AVERROR_INVALIDDATA)
    throw_bad_input(source.path, "cannot decode audio to transcode: " + error_text(rc));
  for (;;) {
    rc = avcodec_receive_frame(t.dec.get(), t.decoded.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) break;
    if (rc == AVERROR_INVALIDDATA) continue;  // a damaged packet: skipped, as players do
    if (rc < 0) throw_bad_input(source.path, "cannot decode audio to transcode: " + error_text(rc));
    take_decoded(t);
    av_frame_unref(t.decoded.get());
  }
  if (pkt) return;
  if (t.swr && t.converted_capacity > 0) {  // what the resampler still holds
    for (;;) {
      const int got =
          swr_convert(t.swr.get(), t.converted.data(), t.converted_capacity, nullptr, 0);
      if (got <= 0) break;
      av_audio_fifo_write(t.fifo.get(), reinterpret_cast<void**>(t.converted.data()), got);
    }
  }
  if (t.next_pts == AV_NOPTS_VALUE) t.next_pts = 0;
  drain_fifo(t, true);
  encode_audio(t, nullptr);
}

void VideoWriter::Impl::pump_copies(double until) {
  while (!copy_done) {
    if (!copy_pending) {
      av_packet_unref(copy_packet.get());
      int rc = av_read_frame(copy_in.get(), copy_packet.get());
      if (rc == AVERROR_EOF) {
        copy_done = true;
        for (auto& t : transcoders)
          if (t) transcode(*t, nullptr);
        return;
      }
      if (rc < 0)
        throw_bad_input(source.path, "cannot read audio/subtitle data to copy: " + error_text(rc));
      if (copy_packet->stream_index < 0 || copy_packet->stream_index >= int(copy_map.size()) ||
          copy_map[copy_packet->stream_index] < 0)
        continue;
      copy_pending = true;
    }
    const int index = copy_packet->stream_index;
    AVStream* in = copy_in->streams[index];
    int64_t ts = copy_packet->dts != AV_NOPTS_VALUE ? copy_packet->dts : copy_packet->pts;
    const double at = ts != AV_NOPTS_VALUE ? source_seconds(in, ts) : -1;
    const double shift = options.trim_to_video ? trim_start : 0.0;
    if (ts != AV_NOPTS_VALUE && at - shift > until) return;
    copy_pending = false;
    if (options.trim_to_video && ts != AV_NOPTS_VALUE) {
      if (at >= trim_end) {  // this stream is done; the file is read no further than needed
        stream_past_end[size_t(index)] = 1;
        bool all = true;
        for (size_t i = 0; i < copy_map.size(); ++i) all &= copy_map[i] < 0 || stream_past_end[i];
        if (all && std::isfinite(trim_end)) {
          copy_done = true;
          for (auto& t : transcoders)
            if (t) transcode(*t, nullptr);
          return;
        }
        if (!transcoders[size_t(index)]) continue;
      }
    }
    if (transcoders[size_t(index)]) {
      // Decoded whole; the trim is cut to the sample in take_decoded.
      transcode(*transcoders[size_t(index)], copy_packet.get());
      continue;
    }
    // Copied packets are cut at packet boundaries: one that starts before the span is left
    // out (the audio then starts up to one packet, ~21 ms of AAC, after the first frame, at
    // its true time), so no timestamp goes below the output's start.
    if (options.trim_to_video && ts != AV_NOPTS_VALUE && at < trim_start - 1e-6) continue;
    AVStream* out = output->streams[copy_map[index]];
    copy_packet->stream_index = out->index;
    if (options.trim_to_video) {
      const int64_t back = std::llround(trim_start / av_q2d(in->time_base));
      if (copy_packet->pts != AV_NOPTS_VALUE) copy_packet->pts -= back;
      if (copy_packet->dts != AV_NOPTS_VALUE) copy_packet->dts -= back;
    }
    av_packet_rescale_ts(copy_packet.get(), in->time_base, out->time_base);
    copy_packet->pos = -1;
    if (int rc = av_interleaved_write_frame(output.get(), copy_packet.get()); rc < 0)
      throw_internal("cannot write a copied packet: " + error_text(rc));
  }
}

int VideoWriter::Impl::write_video_packet() {
  packet->stream_index = video_out->index;
  // Each chunk's encoder starts its decode timestamps `delay` pictures (x264: its B-frame
  // depth) before its first picture, while the chunk before may end them as late as its last
  // picture: across a chunk boundary they overlap. Where a decode timestamp would not increase,
  // it becomes the previous one plus one tick; the chunk opens on a keyframe presented after
  // everything before it, so it stays at or below the presentation time. The same rule on the
  // same packets in the same order: a local render and a farm's join write the same stream.
  if (packet->dts != AV_NOPTS_VALUE) {
    if (last_video_dts != AV_NOPTS_VALUE && packet->dts <= last_video_dts)
      packet->dts = last_video_dts + 1;
    last_video_dts = packet->dts;
  }
  const int64_t ts = packet->dts != AV_NOPTS_VALUE ? packet->dts : packet->pts;
  if (ts != AV_NOPTS_VALUE) pump_copies(double(ts) * av_q2d(video_out->time_base));
  return av_interleaved_write_frame(output.get(), packet.get());
}

void VideoWriter::Impl::copy_segments() {
  if (frames > 0) throw_internal("VideoWriter: a join copies its video; nothing is written to it");
  const AVCodecParameters& want = *video_out->codecpar;
  for (const std::string& seg : options.video_segments) {
    VideoSegmentReader in(seg);
    const AVCodecParameters& got = *in.par;
    // The packets must be those this file's own encoder writes: same codec, picture and
    // headers (x264/x265 put their parameter sets in the extradata; a segment encoded with
    // other settings or another encoder build would decode, but not as this render).
    const bool same_headers =
        got.extradata_size == want.extradata_size &&
        (want.extradata_size == 0 ||
         std::memcmp(got.extradata, want.extradata, size_t(want.extradata_size)) == 0);
    if (got.codec_id != want.codec_id || got.width != want.width || got.height != want.height ||
        got.format != want.format || !same_headers)
      throw_bad_input(seg, fmt::format("its video ({} {}x{} {}) is not what this render encodes "
                                       "({} {}x{} {}{})",
                                       avcodec_get_name(got.codec_id), got.width, got.height,
                                       av_get_pix_fmt_name(AVPixelFormat(got.format)),
                                       avcodec_get_name(want.codec_id), want.width, want.height,
                                       av_get_pix_fmt_name(AVPixelFormat(want.format)),
                                       same_headers ? "" : "; the encoder headers differ"));
    // From here on exactly what encode() does with a packet fresh from the encoder.
    while (in.next(*packet)) {
      av_packet_rescale_ts(packet.get(), in.time_base, video_out->time_base);
      if (int wr = write_video_packet(); wr < 0)
        throw_bad_input(seg, "cannot join its packets: " + error_text(wr));
      ++frames;
    }
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
    if (segment) {  // the packet as the encoder made it, in its time base
      write_segment_packet(segment.get(), path, *packet);
      continue;
    }
    av_packet_rescale_ts(packet.get(), encoder->time_base, video_out->time_base);
    if (int wr = write_video_packet(); wr < 0)
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
  if (options.trim_to_video && pts != AV_NOPTS_VALUE) {
    // The first frame written opens the span; the output starts where the source does.
    if (video_shift == AV_NOPTS_VALUE) {
      video_shift = pts - source.start_pts;
      trim_start = double(video_shift) * source.time_base();
    }
    pts -= video_shift;
  }
  if (pts == AV_NOPTS_VALUE || (last_pts != AV_NOPTS_VALUE && pts <= last_pts))
    pts = last_pts == AV_NOPTS_VALUE ? source.start_pts : last_pts + frame_step;
  frame->pts =
      av_rescale_q(pts, AVRational{source.time_base_num, source.time_base_den}, encoder->time_base);
  last_pts = pts;
  if (next_restart < options.restart_at.size() && options.restart_at[next_restart] == frames) {
    ++next_restart;
    if (frames > 0) {
      encode(nullptr);  // flush the chunk that ends here
      open_encoder();
    }
  }
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
  if (!m.options.video_segments.empty()) m.copy_segments();
  if (m.frames == 0) throw_internal("VideoWriter::finish: no frames were written");
  // The span ends one frame after the last frame written.
  if (m.options.trim_to_video)
    m.trim_end = double(m.last_pts + m.frame_step - m.source.start_pts) * m.source.time_base() +
                 m.trim_start;
  if (m.options.video_segments.empty()) m.encode(nullptr);
  if (m.segment) {
    if (std::fflush(m.segment.get()) != 0 || std::ferror(m.segment.get()))
      throw_usage("cannot write '" + m.path + "'");
    m.segment.reset();
    m.pending->commit();
    m.finished = true;
    return;
  }
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
