// Video decode/encode through FFmpeg's libraries, checked against the ffmpeg/ffprobe binaries
// on the bundled Tears of Steel excerpt and on clips generated here from synthetic sources.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "autograde/core/error.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/media/video_writer.hpp"
#include "test_support.hpp"
#include "test_video_support.hpp"

namespace fs = std::filesystem;
using namespace autograde;
using namespace autograde::testing;

namespace {

std::string tears_of_steel() {
  return (source_dir() / "data/video/tears_of_steel_excerpt.mp4").string();
}

std::vector<int64_t> ffprobe_pts(const std::string& file) {
  auto j = ffprobe_json("-select_streams v:0 -show_entries frame=best_effort_timestamp", file);
  std::vector<int64_t> out;
  for (auto& f : j["frames"]) out.push_back(f.value("best_effort_timestamp", int64_t(-1)));
  return out;
}

nlohmann::json video_stream(const std::string& file) {
  auto j = ffprobe_json("-select_streams v:0 -show_streams", file);
  return j["streams"].empty() ? nlohmann::json{} : j["streams"][0];
}

double max_abs_diff(const ImageF& a, const ImageF& b, double* mean = nullptr) {
  double m = 0, s = 0;
  for (size_t i = 0; i < a.pixel_count(); ++i)
    for (int c = 0; c < 3; ++c) {
      double d = std::fabs(a.pixels[i * a.channels + c] - b.pixels[i * b.channels + c]);
      m = std::max(m, d);
      s += d;
    }
  if (mean) *mean = s / (3.0 * a.pixel_count());
  return m;
}

// A 4:4:4 still with saturated colours and fine detail: the bundled coffee photo.
LoadedImage test_still() { return read_image((source_dir() / "data/images/coffee.png").string()); }

}  // namespace

TEST(VideoReader, BundledClipInfoAndTimestampsMatchFfprobe) {
  VideoReader r(tears_of_steel());
  const VideoStreamInfo& s = r.info();
  EXPECT_EQ(s.width, 640);
  EXPECT_EQ(s.height, 360);
  EXPECT_EQ(s.fps_num * 1, 24 * s.fps_den);
  EXPECT_EQ(s.frame_count, 240);
  EXPECT_TRUE(s.frame_count_exact);
  EXPECT_NEAR(s.duration, 10.0, 0.05);
  EXPECT_EQ(s.pixel_format, "yuv420p");
  EXPECT_EQ(s.bit_depth, 8);
  EXPECT_EQ(s.chroma_shift_x, 1);
  EXPECT_EQ(s.chroma_shift_y, 1);
  // Untagged SD → BT.601 matrix, limited range (the documented player rule).
  EXPECT_EQ(s.tags.matrix, kH273Unspecified);
  EXPECT_EQ(s.effective.matrix, kH273Bt601_525);
  EXPECT_EQ(s.effective.range, ColorRange::Limited);

  std::vector<int64_t> want = ffprobe_pts(tears_of_steel());
  ASSERT_EQ(want.size(), 240u);
  VideoFrame f;
  std::vector<int64_t> got;
  while (r.next(f)) {
    got.push_back(f.pts);
    ASSERT_EQ(f.rgb.width, 640);
    ASSERT_EQ(f.rgb.channels, 3);
    EXPECT_NEAR(f.time, double(f.pts - s.start_pts) * s.time_base(), 1e-9);
  }
  EXPECT_EQ(got, want);
}

TEST(VideoReader, RgbMatchesFfmpegConversionWithSameMatrix) {
  // Frame 100 through ffmpeg's own scale filter with the matrix/range our rule picks.
  fs::path dir = scratch_dir("video_rgb_vs_ffmpeg");
  std::string png = (dir / "f100.png").string();
  ASSERT_TRUE(ffmpeg("-i " + q(tears_of_steel()) +
                     " -vf "
                     "\"select=eq(n\\,100),scale=in_color_matrix=bt601:in_range=tv:flags=accurate_"
                     "rnd+full_chroma_int+bicubic,format=rgb48le\" -frames:v 1 " +
                     q(png)));
  LoadedImage ref = read_image(png);
  auto frames = sample_frames(tears_of_steel(), 100, 100, 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].index, 100);
  // swscale's fixed-point YUV→RGB drifts by up to ~1.4 code values from the exact equations
  // (StandardYuv444DecodesWithinOneCodeValue measures ours against them), and its 4:2:0 chroma
  // upsampling differs slightly: agreement within that, far below a wrong-matrix error.
  double mean = 0;
  double mx = max_abs_diff(frames[0].rgb, ref.image, &mean);
  EXPECT_LT(mean, 1.0 / 255);
  EXPECT_LT(mx, 3.0 / 255);
  // The wrong matrix would be visibly off: BT.709 differs by several code values on colours.
  ASSERT_TRUE(ffmpeg("-i " + q(tears_of_steel()) +
                     " -vf "
                     "\"select=eq(n\\,100),scale=in_color_matrix=bt709:in_range=tv:flags=accurate_"
                     "rnd+full_chroma_int,format=rgb48le\" -frames:v 1 " +
                     q(png)));
  double mx709 = max_abs_diff(frames[0].rgb, read_image(png).image);
  EXPECT_GT(mx709, 4.0 / 255);
}

namespace {
// Y'CbCr 4:4:4 code values computed from the published equations, ITU-R BT.709-6 items 3.2–3.5
// (E'Y = 0.2126 R' + 0.7152 G' + 0.0722 B', E'CB = (B' − Y')/1.8556, E'CR = (R' − Y')/1.5748;
// D'Y = round((219 E'Y + 16)·2^(n−8)), D'C = round((224 E'C + 128)·2^(n−8))), written raw
// and wrapped losslessly (FFV1) by ffmpeg with BT.709/tv tags.
std::string reference_yuv_bytes(const ImageF& img, int bits) {
  const double scale = std::ldexp(1.0, bits - 8);
  const int bytes = bits > 8 ? 2 : 1;
  std::string raw;
  raw.reserve(img.pixel_count() * 3 * size_t(bytes));
  for (int plane = 0; plane < 3; ++plane)
    for (size_t i = 0; i < img.pixel_count(); ++i) {
      const float* p = img.pixels.data() + i * img.channels;
      double y = 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
      double v = plane == 0   ? (219 * y + 16)
                 : plane == 1 ? (224 * (p[2] - y) / 1.8556 + 128)
                              : (224 * (p[0] - y) / 1.5748 + 128);
      int code = int(std::lround(v * scale));
      raw.push_back(char(code & 0xff));
      if (bytes == 2) raw.push_back(char(code >> 8));
    }
  return raw;
}

std::string make_reference_yuv(const ImageF& img, int bits, const fs::path& dir) {
  std::string raw = reference_yuv_bytes(img, bits);
  std::string raw_path = (dir / ("ref" + std::to_string(bits) + ".yuv")).string();
  std::ofstream(raw_path, std::ios::binary).write(raw.data(), std::streamsize(raw.size()));
  std::string mkv = (dir / ("ref" + std::to_string(bits) + ".mkv")).string();
  std::string fmt = bits > 8 ? "yuv444p10le" : "yuv444p";
  bool ok = ffmpeg(
      "-f rawvideo -pix_fmt " + fmt + " -s " + std::to_string(img.width) + "x" +
      std::to_string(img.height) + " -i " + q(raw_path) +
      " -color_primaries bt709 -color_trc bt709 -colorspace bt709 -color_range tv -c:v ffv1 " +
      q(mkv));
  return ok ? mkv : std::string();
}
}  // namespace

TEST(VideoReader, StandardYuv444DecodesWithinOneCodeValue) {
  fs::path dir = scratch_dir("video_roundtrip_444");
  LoadedImage still = test_still();
  // 10-bit: quantisation is a quarter of an 8-bit step, so ≤ 1 code value (8-bit) holds.
  std::string mkv10 = make_reference_yuv(still.image, 10, dir);
  ASSERT_FALSE(mkv10.empty());
  VideoReader r(mkv10);
  EXPECT_EQ(r.info().bit_depth, 10);
  EXPECT_EQ(r.info().tags.matrix, kH273Bt709);
  EXPECT_EQ(r.info().tags.range, ColorRange::Limited);
  VideoFrame f;
  ASSERT_TRUE(r.next(f));
  double mean = 0;
  EXPECT_LE(max_abs_diff(f.rgb, still.image, &mean), 1.0 / 255 + 1e-6);
  EXPECT_LT(mean, 0.25 / 255);
  // 8-bit limited range: Y' steps are 255/219 and Cb steps reach B' × 1.8556·255/224, so the
  // quantisation alone can cost up to ~1.6 code values on saturated blues.
  std::string mkv8 = make_reference_yuv(still.image, 8, dir);
  VideoReader r8(mkv8);
  ASSERT_TRUE(r8.next(f));
  double mx = max_abs_diff(f.rgb, still.image, &mean);
  EXPECT_LT(mean, 0.5 / 255);
  EXPECT_LE(mx, 2.0 / 255 + 1e-6);
}

TEST(VideoWriter, RgbRoundTripThroughOurEncoderAndFfmpegDecoder) {
  fs::path dir = scratch_dir("video_writer_roundtrip");
  LoadedImage still = test_still();
  VideoStreamInfo src;
  src.path = (dir / "none").string();
  src.width = still.image.width;
  src.height = still.image.height;
  src.fps_num = 24;
  src.time_base_num = 1;
  src.time_base_den = 24;
  src.bit_depth = 10;
  VideoWriteOptions o;
  o.codec = "ffv1";
  o.pixel_format = "yuv444p10le";
  std::string out = (dir / "still.mkv").string();
  {
    VideoWriter w(out, src, o);
    EXPECT_EQ(w.target().pixel_format, "yuv444p10le");
    w.write(still.image, 0);
    w.write(still.image, 1);
    w.finish();
  }
  // Our reader.
  VideoReader r(out);
  VideoFrame f;
  ASSERT_TRUE(r.next(f));
  EXPECT_LE(max_abs_diff(f.rgb, still.image), 1.0 / 255 + 1e-6);
  // FFmpeg's decoder gives back the stored code values: they are the BT.709 equations' (±1 of
  // 1023 for float rounding at .5 boundaries).
  auto raw = run_command("ffmpeg -nostdin -v error -i " + q(out) +
                         " -frames:v 1 -f rawvideo -pix_fmt yuv444p10le -");
  std::string want = reference_yuv_bytes(still.image, 10);
  ASSERT_EQ(raw.out.size(), want.size());
  int worst = 0;
  for (size_t i = 0; i + 1 < want.size(); i += 2) {
    int a = uint8_t(raw.out[i]) | (uint8_t(raw.out[i + 1]) << 8),
        b = uint8_t(want[i]) | (uint8_t(want[i + 1]) << 8);
    worst = std::max(worst, std::abs(a - b));
  }
  EXPECT_LE(worst, 1);
  auto vs = video_stream(out);
  EXPECT_EQ(vs.value("color_space", ""), "bt709");
  EXPECT_EQ(vs.value("color_range", ""), "tv");
}

// The encoder's thread count is an option and the file depends only on it: encodes with the
// same count are byte-identical (several in one process: x264's AVX-512 kernels broke this, see
// video_writer.cpp), and x264 is really given the count (its SEI options string records
// "threads=N"). The same holds for HEVC (x265). The pipeline pins the count for byte-identical
// re-renders on any machine.
TEST(VideoWriter, PinnedEncoderThreadsGiveByteIdenticalFiles) {
  fs::path dir = scratch_dir("video_writer_threads");
  VideoReadOptions ro;
  ro.rgb_width = 320;
  const std::vector<VideoFrame> frames = sample_frames(tears_of_steel(), 0, 47, 48, ro);
  ASSERT_EQ(frames.size(), 48u);
  VideoStreamInfo src = VideoReader(tears_of_steel()).info();
  src.width = frames[0].rgb.width;
  src.height = frames[0].rgb.height;
  auto encode = [&](int threads, const std::string& name, const std::string& codec = "auto") {
    VideoWriteOptions o;
    o.codec = codec;
    o.threads = threads;
    o.copy_audio = false;
    const std::string out = (dir / name).string();
    VideoWriter w(out, src, o);
    EXPECT_EQ(w.target().codec, codec == "auto" ? "libx264" : "libx265");
    for (const auto& f : frames) w.write(f.rgb, f.pts);
    w.finish();
    return read_file_or_empty(out);
  };
  const std::string a = encode(3, "a.mp4"), b = encode(3, "b.mp4");
  const std::string c = encode(1, "c.mp4"), d = encode(1, "d.mp4");
  ASSERT_FALSE(a.empty());
  EXPECT_TRUE(a == b) << "same encoder threads, same frames: the files must be identical";
  EXPECT_TRUE(c == d) << "one thread, same frames: the files must be identical";
  const std::string e = encode(2, "e.mp4", "hevc"), f = encode(2, "f.mp4", "hevc");
  EXPECT_TRUE(e == f) << "HEVC, same threads, same frames: the files must be identical";
  EXPECT_NE(a.find("threads=3 "), std::string::npos);
  EXPECT_NE(c.find("threads=1 "), std::string::npos);
}

namespace {
// A 2 s 10-bit ProRes source in MOV with a sine audio track, a timecode and a rotation.
std::string make_prores_source(const fs::path& dir) {
  std::string plain = (dir / "src_plain.mov").string(), mov = (dir / "src_prores.mov").string();
  bool ok = ffmpeg(
      "-f lavfi -i testsrc2=size=320x180:rate=25:duration=2 -f lavfi -i "
      "sine=frequency=440:sample_rate=48000:duration=2"
      " -c:v prores_ks -profile:v 3 -pix_fmt yuv422p10le -c:a pcm_s16le -timecode 01:02:03:04 " +
      q(plain));
  // ffmpeg 5.1 turns the "rotate" tag into a display matrix when remuxing.
  ok = ok && ffmpeg("-i " + q(plain) + " -map 0 -c copy -metadata:s:v:0 rotate=90 " + q(mov));
  return ok ? mov : std::string();
}
}  // namespace

TEST(VideoWriter, TenBitSourceDefaultsToProResAndKeepsAudioTimecodeRotation) {
  fs::path dir = scratch_dir("video_writer_prores");
  std::string src = make_prores_source(dir);
  ASSERT_FALSE(src.empty());
  VideoReader r(src, {FrameOutput::Yuv});
  const VideoStreamInfo& in = r.info();
  EXPECT_EQ(in.bit_depth, 10);
  EXPECT_EQ(in.chroma_shift_x, 1);
  EXPECT_EQ(in.chroma_shift_y, 0);
  EXPECT_EQ(in.timecode, "01:02:03:04");
  EXPECT_NEAR(std::fabs(in.rotation), 90.0, 1e-6);
  EXPECT_EQ(in.audio_streams, 1);
  std::string out = (dir / "graded.mov").string();
  VideoWriter w(out, in);
  EXPECT_EQ(w.target().codec, "prores_ks");
  EXPECT_EQ(w.target().pixel_format, "yuv422p10le");
  VideoFrame f;
  int n = 0;
  while (r.next(f)) {
    ASSERT_FALSE(f.yuv.empty());
    EXPECT_EQ(f.yuv.bit_depth, 10);
    w.write(f.yuv, f.pts);
    ++n;
  }
  w.finish();
  EXPECT_EQ(n, 50);

  auto vs = video_stream(out);
  EXPECT_EQ(vs.value("codec_name", ""), "prores");
  EXPECT_EQ(vs.value("profile", ""), "HQ");
  EXPECT_EQ(vs.value("pix_fmt", ""), "yuv422p10le");
  EXPECT_EQ(vs.value("color_primaries", ""), "bt709");
  EXPECT_EQ(vs.value("color_transfer", ""), "bt709");
  EXPECT_EQ(vs.value("color_space", ""), "bt709");
  EXPECT_EQ(vs.value("color_range", ""), "tv");
  EXPECT_EQ(vs.value("r_frame_rate", ""), "25/1");
  EXPECT_EQ(ffprobe_pts(out).size(), 50u);
  VideoReader back(out);
  EXPECT_EQ(back.info().timecode, "01:02:03:04");
  EXPECT_DOUBLE_EQ(back.info().rotation, in.rotation);
  // Audio carried over packet for packet.
  std::string a = packet_md5(src, "0:a"), b = packet_md5(out, "0:a");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
}

TEST(VideoWriter, EightBitSourceDefaultsToH264AndCopiesAacAndSubtitles) {
  fs::path dir = scratch_dir("video_writer_h264");
  std::string srt = (dir / "subs.srt").string();
  {
    std::ofstream s(srt);
    s << "1\n00:00:00,200 --> 00:00:00,900\nhello\n\n2\n00:00:01,000 --> 00:00:01,500\nworld\n";
  }
  std::string src = (dir / "src.mkv").string();
  ASSERT_TRUE(ffmpeg(
      "-f lavfi -i testsrc2=size=320x180:rate=30000/1001:duration=2 -f lavfi -i "
      "sine=frequency=1000:duration=2 -i " +
      q(srt) + " -map 0 -map 1 -map 2 -c:v libx264 -pix_fmt yuv420p -c:a aac -c:s srt " + q(src)));
  VideoReader r(src);
  EXPECT_EQ(r.info().subtitle_streams, 1);
  std::string out = (dir / "out.mkv").string();
  VideoWriter w(out, r.info());
  EXPECT_EQ(w.target().codec, "libx264");
  VideoFrame f;
  std::vector<int64_t> pts;
  while (r.next(f)) {
    w.write(f.rgb, f.pts);
    pts.push_back(f.pts);
  }
  w.finish();
  auto vs = video_stream(out);
  EXPECT_EQ(vs.value("codec_name", ""), "h264");
  EXPECT_EQ(vs.value("pix_fmt", ""), "yuv420p");
  EXPECT_EQ(vs.value("color_space", ""), "bt709");
  EXPECT_EQ(vs.value("color_range", ""), "tv");
  EXPECT_EQ(ffprobe_pts(out), ffprobe_pts(src));  // same time base and timestamps in MKV
  EXPECT_EQ(packet_md5(src, "0:a"), packet_md5(out, "0:a"));
  EXPECT_FALSE(packet_md5(src, "0:s").empty());
  EXPECT_EQ(packet_md5(src, "0:s"), packet_md5(out, "0:s"));
}

TEST(VideoReader, DecodesManyContainersCodecsAndDepths) {
  fs::path dir = scratch_dir("video_formats");
  struct Case {
    std::string name, args;
    int depth, shift_x, shift_y;
  };
  const std::string src = "-f lavfi -i testsrc2=size=256x144:rate=24:duration=1 ";
  std::vector<Case> cases = {
      {"dnxhr.mov", "-c:v dnxhd -profile:v dnxhr_hqx -pix_fmt yuv422p10le", 10, 1, 0},
      {"dnxhr.mxf", "-c:v dnxhd -profile:v dnxhr_hq -pix_fmt yuv422p", 8, 1, 0},
      {"vp9.webm", "-c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 300k -pix_fmt yuv420p", 8,
       1, 1},
      {"h264_444.mkv", "-c:v libx264 -preset ultrafast -pix_fmt yuv444p", 8, 0, 0},
      {"h264_10.mp4", "-c:v libx264 -preset ultrafast -pix_fmt yuv420p10le", 10, 1, 1},
      {"hevc_12.mkv",
       "-c:v libx265 -preset ultrafast -pix_fmt yuv444p12le -x265-params log-level=error", 12, 0,
       0},
      {"ffv1_rgb.mkv", "-c:v ffv1 -pix_fmt gbrp10le", 10, 0, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string path = (dir / c.name).string();
    ASSERT_TRUE(ffmpeg(src + c.args + " " + q(path)));
    VideoReader r(path, {FrameOutput::Both});
    EXPECT_EQ(r.info().bit_depth, c.depth);
    EXPECT_EQ(r.info().chroma_shift_x, c.shift_x);
    EXPECT_EQ(r.info().chroma_shift_y, c.shift_y);
    VideoFrame f;
    int n = 0;
    double mean_g = 0;
    while (r.next(f)) {
      ++n;
      EXPECT_EQ(f.yuv.width, 256);
      EXPECT_FALSE(f.yuv.empty());
      for (size_t i = 1; i < f.rgb.pixels.size(); i += 3) mean_g += f.rgb.pixels[i];
    }
    EXPECT_EQ(size_t(n), ffprobe_pts(path).size());
    EXPECT_EQ(n, 24);
    mean_g /= double(n) * 256 * 144;
    EXPECT_GT(mean_g, 0.1);  // testsrc2 is a colourful picture, not black
  }
}

TEST(VideoReader, VariableFrameRateTimestampsMatchFfprobe) {
  fs::path dir = scratch_dir("video_vfr");
  std::string path = (dir / "vfr.mkv").string();
  // Drop every third frame and keep the gaps: irregular timestamps.
  ASSERT_TRUE(ffmpeg(
      "-f lavfi -i testsrc2=size=160x90:rate=24:duration=2 -vf \"select=not(eq(mod(n\\,3)\\,1))\" "
      "-fps_mode passthrough -c:v libx264 -preset ultrafast " +
      q(path)));
  VideoReader r(path);
  std::vector<int64_t> got;
  VideoFrame f;
  while (r.next(f)) got.push_back(f.pts);
  std::vector<int64_t> want = ffprobe_pts(path);
  EXPECT_EQ(got, want);
  ASSERT_GT(got.size(), 10u);
  EXPECT_NE(got[1] - got[0], got[2] - got[1]);  // really irregular
}

TEST(VideoReader, SampleFramesMatchSequentialDecode) {
  std::vector<int64_t> idx = sample_indices(10, 200, 5);
  EXPECT_EQ(idx, (std::vector<int64_t>{10, 58, 105, 153, 200}));
  auto frames = sample_frames(tears_of_steel(), 10, 200, 5, {FrameOutput::Rgb, 64, 0});
  ASSERT_EQ(frames.size(), 5u);
  VideoReader r(tears_of_steel(), {FrameOutput::Rgb, 64, 0});
  EXPECT_EQ(frames[0].rgb.width, 64);
  EXPECT_EQ(frames[0].rgb.height, 36);
  VideoFrame f;
  size_t k = 0;
  while (k < idx.size() && r.next(f))
    if (f.index == idx[k]) {
      EXPECT_EQ(frames[k].pts, f.pts);
      EXPECT_EQ(frames[k].rgb.pixels, f.rgb.pixels);
      ++k;
    }
  EXPECT_EQ(k, idx.size());
}

TEST(VideoErrors, TruncatedAudioOnlyEmptyAndGarbageFilesAreBadInput) {
  fs::path dir = scratch_dir("video_errors");
  auto expect_bad = [](const std::string& path, const std::string& must_contain) {
    try {
      VideoReader r(path);
      VideoFrame f;
      while (r.next(f)) {
      }
      ADD_FAILURE() << path << ": no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput) << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(must_contain), std::string::npos) << e.what();
    }
  };
  // Truncated MP4 with the index up front: the data ends early.
  std::string full = (dir / "full.mp4").string(), cut = (dir / "truncated.mp4").string();
  ASSERT_TRUE(
      ffmpeg("-f lavfi -i testsrc2=size=320x180:rate=24:duration=3 -c:v libx264 -preset ultrafast "
             "-movflags +faststart " +
             q(full)));
  {
    std::string bytes;
    std::ifstream in(full, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
    std::ofstream o(cut, std::ios::binary);
    o.write(bytes.data(), std::streamsize(bytes.size() * 6 / 10));
  }
  expect_bad(cut, "frame");
  // Truncated MP4 with the index at the end: cannot even open.
  std::string tail_index = (dir / "noindex.mp4").string(), cut2 = (dir / "truncated2.mp4").string();
  ASSERT_TRUE(ffmpeg(
      "-f lavfi -i testsrc2=size=320x180:rate=24:duration=3 -c:v libx264 -preset ultrafast " +
      q(tail_index)));
  fs::copy_file(tail_index, cut2);
  fs::resize_file(cut2, fs::file_size(cut2) / 2);
  expect_bad(cut2, "cannot");
  // Audio only.
  std::string m4a = (dir / "audio.m4a").string();
  ASSERT_TRUE(ffmpeg("-f lavfi -i sine=duration=1 -c:a aac " + q(m4a)));
  expect_bad(m4a, "no video stream");
  // A video stream without a single frame.
  // ffmpeg writes no stream at all for zero frames: the file has no video to open.
  std::string empty = (dir / "empty.mkv").string();
  ASSERT_TRUE(ffmpeg("-f lavfi -i testsrc2=size=64x64:rate=24 -frames:v 0 -c:v ffv1 " + q(empty)));
  expect_bad(empty, "cannot open");
  // Not a video at all.
  std::string junk = (dir / "junk.mp4").string();
  {
    std::ofstream o(junk, std::ios::binary);
    for (int i = 0; i < 5000; ++i) o.put(char((i * 7919) & 0xff));
  }
  expect_bad(junk, "cannot");
}

TEST(VideoWriter, FailureMidwayLeavesNothingAndInputIsNeverOverwritten) {
  fs::path dir = scratch_dir("video_writer_abort");
  VideoReader r(tears_of_steel());
  try {
    VideoWriter w((dir / "out.mp4").string(), r.info());
    VideoFrame f;
    for (int i = 0; i < 3 && r.next(f); ++i) w.write(f.rgb, f.pts);
    throw std::runtime_error("simulated failure");
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(fs::is_empty(dir));
  fs::path copy = dir / "in.mp4";
  fs::copy_file(tears_of_steel(), copy);
  VideoReader r2(copy.string());
  try {
    VideoWriter w(copy.string(), r2.info());
    ADD_FAILURE() << "writing over the input was allowed";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
  EXPECT_EQ(fs::file_size(copy), fs::file_size(tears_of_steel()));
}

TEST(VideoTypes, UntaggedRuleFollowsPlayers) {
  ColorTags none;
  EXPECT_EQ(effective_color_tags(none, 1920, 1080, false).matrix, kH273Bt709);
  EXPECT_EQ(effective_color_tags(none, 1280, 720, false).matrix, kH273Bt709);
  EXPECT_EQ(effective_color_tags(none, 720, 576, false).matrix, kH273Bt601_525);
  EXPECT_EQ(effective_color_tags(none, 640, 360, false).range, ColorRange::Limited);
  EXPECT_EQ(effective_color_tags(none, 640, 480, true).range, ColorRange::Full);
  ColorTags bt2020{9, 16, 9, ColorRange::Limited};
  EXPECT_EQ(effective_color_tags(bt2020, 3840, 2160, false), bt2020);
  EXPECT_EQ(color_matrix_name(kH273Bt709), "bt709");
  EXPECT_EQ(color_range_name(ColorRange::Limited), "tv");
}
