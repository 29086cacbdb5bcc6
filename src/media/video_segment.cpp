#include "video_segment.hpp"

#include <fmt/format.h>

#include <cstring>
#include <vector>

#include "autograde/core/error.hpp"
#include "autograde/media/video_writer.hpp"

namespace autograde::ffmpeg {

namespace {

constexpr char kMagic[8] = {'A', 'G', 'S', 'E', 'G', '0', '0', '1'};
// A segment's packet is one compressed frame: far below this even for 8K ProRes 4444.
constexpr int32_t kMaxPacket = 1 << 30;

template <typename T>
void put(std::FILE* f, const std::string& path, T v) {
  unsigned char b[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i) b[i] = static_cast<unsigned char>(uint64_t(v) >> (8 * i));
  if (std::fwrite(b, 1, sizeof b, f) != sizeof b) throw_usage("cannot write '" + path + "'");
}

template <typename T>
bool get(std::FILE* f, T& v) {
  unsigned char b[sizeof(T)];
  if (std::fread(b, 1, sizeof b, f) != sizeof b) return false;
  uint64_t u = 0;
  for (size_t i = 0; i < sizeof(T); ++i) u |= uint64_t(b[i]) << (8 * i);
  v = static_cast<T>(u);
  return true;
}

}  // namespace

FilePtr begin_video_segment(const std::string& path, const AVCodecContext& e) {
  FilePtr f(std::fopen(path.c_str(), "wb"));
  if (!f) throw_usage("cannot write '" + path + "'");
  if (std::fwrite(kMagic, 1, sizeof kMagic, f.get()) != sizeof kMagic)
    throw_usage("cannot write '" + path + "'");
  for (int32_t v : {int32_t(e.codec_id), int32_t(e.width), int32_t(e.height), int32_t(e.pix_fmt),
                    int32_t(e.time_base.num), int32_t(e.time_base.den), int32_t(e.extradata_size)})
    put(f.get(), path, v);
  if (e.extradata_size > 0 &&
      std::fwrite(e.extradata, 1, size_t(e.extradata_size), f.get()) != size_t(e.extradata_size))
    throw_usage("cannot write '" + path + "'");
  return f;
}

void write_segment_packet(std::FILE* f, const std::string& path, const AVPacket& p) {
  put(f, path, int64_t(p.pts));
  put(f, path, int64_t(p.dts));
  put(f, path, int64_t(p.duration));
  put(f, path, int32_t(p.flags));
  put(f, path, int32_t(p.size));
  if (p.size > 0 && std::fwrite(p.data, 1, size_t(p.size), f) != size_t(p.size))
    throw_usage("cannot write '" + path + "'");
}

VideoSegmentReader::VideoSegmentReader(const std::string& p) : path(p) {
  file.reset(std::fopen(path.c_str(), "rb"));
  if (!file) throw_bad_input(path, "cannot be opened");
  char magic[8];
  if (std::fread(magic, 1, sizeof magic, file.get()) != sizeof magic ||
      std::memcmp(magic, kMagic, sizeof magic) != 0)
    throw_bad_input(path, "is not an autograde farm segment");
  int32_t v[7];
  for (int32_t& x : v)
    if (!get(file.get(), x)) throw_bad_input(path, "its header is cut short");
  if (v[1] <= 0 || v[2] <= 0 || v[4] <= 0 || v[5] <= 0 || v[6] < 0 || v[6] > (1 << 24))
    throw_bad_input(path, "its header is malformed");
  par = avcodec_parameters_alloc();
  if (!par) throw_internal("out of memory (avcodec_parameters_alloc)");
  par->codec_type = AVMEDIA_TYPE_VIDEO;
  par->codec_id = AVCodecID(v[0]);
  par->width = v[1];
  par->height = v[2];
  par->format = v[3];
  time_base = AVRational{v[4], v[5]};
  if (v[6] > 0) {
    par->extradata = static_cast<uint8_t*>(av_mallocz(size_t(v[6]) + AV_INPUT_BUFFER_PADDING_SIZE));
    if (!par->extradata) throw_internal("out of memory (extradata)");
    par->extradata_size = v[6];
    if (std::fread(par->extradata, 1, size_t(v[6]), file.get()) != size_t(v[6]))
      throw_bad_input(path, "its header is cut short");
  }
}

VideoSegmentReader::~VideoSegmentReader() { avcodec_parameters_free(&par); }

bool VideoSegmentReader::next(AVPacket& p) {
  av_packet_unref(&p);
  int64_t pts = 0, dts = 0, duration = 0;
  int32_t flags = 0, size = 0;
  if (!get(file.get(), pts)) return false;  // the end, between packets
  if (!get(file.get(), dts) || !get(file.get(), duration) || !get(file.get(), flags) ||
      !get(file.get(), size))
    throw_bad_input(path, "a packet is cut short");
  if (size < 0 || size > kMaxPacket) throw_bad_input(path, fmt::format("a packet of {} bytes", size));
  if (av_new_packet(&p, size) < 0) throw_internal("out of memory (packet)");
  if (size > 0 && std::fread(p.data, 1, size_t(size), file.get()) != size_t(size))
    throw_bad_input(path, "a packet is cut short");
  p.pts = pts;
  p.dts = dts;
  p.duration = duration;
  p.flags = flags;
  return true;
}

}  // namespace autograde::ffmpeg

namespace autograde {

int64_t video_segment_frames(const std::string& path) {
  ffmpeg::VideoSegmentReader r(path);
  ffmpeg::PacketPtr p = ffmpeg::make_packet();
  int64_t n = 0;
  while (r.next(*p)) ++n;
  return n;
}

}  // namespace autograde
