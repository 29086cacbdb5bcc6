// Raw YUV4MPEG2 streams (src/media/y4m) and `autograde apply` on them: header parsing, lossless
// frame round trips, truncated input, and the CLI's output against the library's fused path.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/engine/yuv_renderer.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/media/y4m.hpp"
#include "engine_test_luts.hpp"
#include "test_support.hpp"

namespace autograde {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> random_frame(const Y4mFormat& f, unsigned seed) {
  std::vector<std::uint8_t> frame(f.frame_bytes());
  std::mt19937 rng(seed);
  if (f.bit_depth == 8) {
    for (auto& b : frame) b = std::uint8_t(rng());
  } else {
    for (size_t i = 0; i + 1 < frame.size(); i += 2) {
      const std::uint16_t v = std::uint16_t(rng() % (1u << f.bit_depth));
      std::memcpy(&frame[i], &v, 2);
    }
  }
  return frame;
}

void write_stream(const std::string& path, const Y4mFormat& f,
                  const std::vector<std::vector<std::uint8_t>>& frames) {
  Y4mWriter w(path, f);
  for (const auto& fr : frames) w.write_frame(fr.data());
  w.finish();
}

int run(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(Y4m, ParsesFfmpegHeaders) {
  const Y4mFormat a =
      parse_y4m_header("YUV4MPEG2 W320 H240 F25:1 Ip A1:1 C420jpeg XYSCSS=420JPEG", "a");
  EXPECT_EQ(a.width, 320);
  EXPECT_EQ(a.height, 240);
  EXPECT_EQ(a.bit_depth, 8);
  EXPECT_EQ(a.log2_chroma_w, 1);
  EXPECT_EQ(a.log2_chroma_h, 1);
  EXPECT_EQ(a.frame_bytes(), 320u * 240 * 3 / 2);
  EXPECT_EQ(format_y4m_header(a), "YUV4MPEG2 W320 H240 F25:1 Ip A1:1 XYSCSS=420JPEG C420jpeg\n");
  const Y4mFormat b =
      parse_y4m_header("YUV4MPEG2 W33 H7 F30000:1001 C422p10 XCOLORRANGE=LIMITED", "b");
  EXPECT_EQ(b.bit_depth, 10);
  EXPECT_EQ(b.log2_chroma_h, 0);
  EXPECT_EQ(b.plane_width(1), 17);
  EXPECT_EQ(b.frame_bytes(), (33u * 7 + 2 * 17 * 7) * 2);
  const Y4mFormat c = parse_y4m_header("YUV4MPEG2 W5 H5", "c");  // C defaults to 420jpeg
  EXPECT_EQ(c.plane_height(1), 3);
  for (const char* bad : {"YUV4MPEG W5 H5", "YUV4MPEG2 W5", "YUV4MPEG2 W0 H5",
                          "YUV4MPEG2 W5 H5 Cmono", "YUV4MPEG2 W5 H5 It", "YUV4MPEG2 Wx H5"})
    EXPECT_THROW(parse_y4m_header(bad, "bad.y4m"), Error) << bad;
}

TEST(Y4m, FramesRoundTripAndTruncationIsReported) {
  const fs::path dir = testing::scratch_dir("y4m_roundtrip");
  Y4mFormat f = parse_y4m_header("YUV4MPEG2 W33 H7 F25:1 C422p10", "x");
  const std::vector<std::vector<std::uint8_t>> frames = {random_frame(f, 1), random_frame(f, 2),
                                                         random_frame(f, 3)};
  const std::string path = (dir / "a.y4m").string();
  write_stream(path, f, frames);
  {
    Y4mReader r(path);
    EXPECT_EQ(format_y4m_header(r.format()), format_y4m_header(f));
    std::vector<std::uint8_t> got;
    for (const auto& want : frames) {
      ASSERT_TRUE(r.read_frame(got));
      EXPECT_EQ(got, want);
    }
    EXPECT_FALSE(r.read_frame(got));
  }
  // Cut the stream inside the second frame.
  std::string bytes = read_file(path);
  const std::string cut = (dir / "cut.y4m").string();
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() - f.frame_bytes() - 10);
  Y4mReader r(cut);
  std::vector<std::uint8_t> got;
  EXPECT_TRUE(r.read_frame(got));
  try {
    r.read_frame(got);
    FAIL() << "truncated frame not reported";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("frame 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cut.y4m"), std::string::npos) << e.what();
  }
  // An unfinished writer leaves nothing behind.
  {
    Y4mWriter w((dir / "never.y4m").string(), f);
    w.write_frame(frames[0].data());
  }
  EXPECT_FALSE(fs::exists(dir / "never.y4m"));
}

// The background-thread reader and writer `apply` uses: same frames, in order; a truncated
// frame is reported after the frames before it; an abandoned writer leaves no file.
TEST(Y4m, ReadAheadAndWriteBehindKeepFramesAndErrors) {
  const fs::path dir = testing::scratch_dir("y4m_threads");
  const Y4mFormat f = parse_y4m_header("YUV4MPEG2 W17 H9 F25:1 C420jpeg", "x");
  std::vector<std::vector<std::uint8_t>> frames;
  for (unsigned i = 0; i < 7; ++i) frames.push_back(random_frame(f, 10 + i));
  const std::string in = (dir / "in.y4m").string(), out = (dir / "out.y4m").string();
  write_stream(in, f, frames);
  {
    Y4mReader reader(in);
    Y4mWriter writer(out, reader.format());
    Y4mReadAhead source(reader, 2);
    Y4mWriteBehind sink(writer, 2);
    int n = 0;
    while (const std::uint8_t* frame = source.next()) {
      ASSERT_LT(n, 7);
      EXPECT_EQ(std::memcmp(frame, frames[size_t(n)].data(), f.frame_bytes()), 0) << n;
      std::memcpy(sink.buffer(), frame, f.frame_bytes());
      sink.commit();
      ++n;
    }
    EXPECT_EQ(n, 7);
    EXPECT_EQ(source.next(), nullptr);
    EXPECT_FALSE(fs::exists(out));  // not before finish()
    sink.finish();
  }
  EXPECT_EQ(read_file(out), read_file(in));

  const std::string bytes = read_file(in);
  const std::string cut = (dir / "cut.y4m").string();
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() - 3 * f.frame_bytes());
  Y4mReader reader(cut);
  Y4mReadAhead source(reader, 3);
  int n = 0;
  try {
    while (source.next()) ++n;
    FAIL() << "truncated frame not reported";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("frame 5"), std::string::npos) << e.what();
  }
  EXPECT_EQ(n, 4);
  {
    Y4mWriter writer((dir / "never.y4m").string(), f);
    Y4mWriteBehind sink(writer);
    std::memcpy(sink.buffer(), frames[0].data(), f.frame_bytes());
    sink.commit();
  }
  EXPECT_FALSE(fs::exists(dir / "never.y4m"));
}

TEST(ApplyCli, Y4mOutputEqualsTheLibraryFusedPath) {
  const fs::path dir = testing::scratch_dir("apply_y4m");
  LutFile lut;
  lut.cube = testing::make_test_cube(17, 5);
  const std::string cube = (dir / "look.cube").string();
  write_cube(*lut.cube, cube);
  const LutFile written = read_cube(cube);  // the CLI sees the file's 9-digit values
  for (const char* header : {"YUV4MPEG2 W64 H35 F25:1 Ip C420jpeg",
                             "YUV4MPEG2 W31 H9 F25:1 C420p10", "YUV4MPEG2 W30 H8 F25:1 C422p10"}) {
    SCOPED_TRACE(header);
    const Y4mFormat f = parse_y4m_header(header, "x");
    const std::vector<std::vector<std::uint8_t>> frames = {random_frame(f, 7), random_frame(f, 8)};
    const std::string in = (dir / "in.y4m").string(), out = (dir / "out.y4m").string();
    write_stream(in, f, frames);
    ASSERT_EQ(run(std::string(AUTOGRADE_CLI) + " --quiet apply " + cube + " " + in + " -o " + out),
              0);
    const YuvLutRenderer r = make_yuv_renderer(
        written, YuvFormat{f.bit_depth, f.log2_chroma_w, f.log2_chroma_h}, Interp::Tetrahedral);
    Y4mReader reader(out);
    std::vector<std::uint8_t> got;
    for (auto want : frames) {
      YuvImage v;
      v.width = f.width, v.height = f.height;
      size_t off = 0;
      for (int p = 0; p < 3; ++p) {
        v.planes[p] = want.data() + off;
        v.strides[p] = std::ptrdiff_t(f.plane_width(p) * f.sample_bytes());
        off += f.plane_bytes(p);
      }
      r.apply(v);
      ASSERT_TRUE(reader.read_frame(got));
      EXPECT_EQ(got, want);
    }
    EXPECT_FALSE(reader.read_frame(got));
    // The same through a pipe.
    const std::string piped = (dir / "piped.y4m").string();
    ASSERT_EQ(
        run("cat " + in + " | " + AUTOGRADE_CLI + " --quiet apply " + cube + " - -o - > " + piped),
        0);
    EXPECT_EQ(read_file(piped), read_file(out));
  }
}

TEST(ApplyCli, TruncatedY4mExitsThreeAndWritesNothing) {
  const fs::path dir = testing::scratch_dir("apply_y4m_bad");
  const std::string cube = (dir / "id.cube").string();
  write_cube(Lut3D::identity(2), cube);
  const Y4mFormat f = parse_y4m_header("YUV4MPEG2 W16 H16 C420jpeg", "x");
  const std::string in = (dir / "in.y4m").string(), out = (dir / "out.y4m").string();
  write_stream(in, f, {random_frame(f, 1)});
  const std::string bytes = read_file(in);
  std::ofstream(in, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 5);
  EXPECT_EQ(run(std::string(AUTOGRADE_CLI) + " --quiet apply " + cube + " " + in + " -o " + out +
                " 2>/dev/null"),
            3);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(run(std::string(AUTOGRADE_CLI) + " --quiet apply " + cube + " " + in + " -o " + in +
                " 2>/dev/null"),
            2);
}

TEST(ApplyCli, ReadsAndWritesWhatFfmpegWrites) {
  if (run("ffmpeg -version > /dev/null 2>&1") != 0) GTEST_SKIP() << "ffmpeg not installed";
  const fs::path dir = testing::scratch_dir("apply_y4m_ffmpeg");
  const std::string cube = (dir / "id.cube").string();
  write_cube(Lut3D::identity(33), cube);
  for (const char* pix : {"yuv420p", "yuv420p10le", "yuv422p10le"}) {
    SCOPED_TRACE(pix);
    const std::string in = (dir / "in.y4m").string(), out = (dir / "out.y4m").string();
    ASSERT_EQ(run(std::string("ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=96x54:rate=25 "
                              "-frames:v 3 -vf hue=s=0.5,scale=out_color_matrix=bt709:out_range=tv "
                              "-strict -1 -pix_fmt ") +
                  pix + " " + in),
              0);
    ASSERT_EQ(run(std::string(AUTOGRADE_CLI) + " --quiet apply " + cube + " " + in + " -o " + out),
              0);
    ASSERT_EQ(run("ffmpeg -nostdin -v error -i " + out + " -f null -"), 0);
    // BT.709 limited-range frames at half saturation: an identity LUT returns every in-gamut
    // sample within one code value. The few samples at colour edges whose shared 4:2:0 chroma
    // with a different luma leaves the R'G'B' cube are clamped by the LUT's domain.
    Y4mReader a(in), b(out);
    std::vector<std::uint8_t> fa, fb;
    int frames = 0;
    while (a.read_frame(fa)) {
      ASSERT_TRUE(b.read_frame(fb));
      ++frames;
      const Y4mFormat& f = a.format();
      size_t close = 0, total = 0;
      for (size_t i = 0; i < fa.size(); i += f.sample_bytes(), ++total) {
        int va = fa[i], vb = fb[i];
        if (f.sample_bytes() == 2) va |= fa[i + 1] << 8, vb |= fb[i + 1] << 8;
        close += std::abs(va - vb) <= 1;
      }
      EXPECT_GT(double(close) / double(total), 0.97);
    }
    EXPECT_EQ(frames, 3);
    EXPECT_FALSE(b.read_frame(fb));
  }
}

// A clip through `autograde apply` with a lossless encoder: every decoded output frame equals
// the library's fused path applied to the decoded input frame, sample for sample.
TEST(ApplyCli, ClipOutputEqualsTheLibraryFusedPath) {
  if (run("ffmpeg -version > /dev/null 2>&1") != 0) GTEST_SKIP() << "ffmpeg not installed";
  const fs::path dir = testing::scratch_dir("apply_clip");
  LutFile lut;
  lut.cube = testing::make_test_cube(17, 9);
  const std::string cube = (dir / "look.cube").string();
  write_cube(*lut.cube, cube);
  const LutFile written = read_cube(cube);
  for (const char* pix : {"yuv420p", "yuv422p10le"}) {
    SCOPED_TRACE(pix);
    const std::string in = (dir / "in.mkv").string(), out = (dir / "out.mkv").string();
    ASSERT_EQ(
        run(std::string("ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=98x54:rate=25 "
                        "-frames:v 4 -vf scale=out_color_matrix=bt709:out_range=tv -pix_fmt ") +
            pix +
            " -c:v ffv1 -color_primaries bt709 -color_trc bt709 -colorspace bt709 "
            "-color_range tv " +
            in),
        0);
    ASSERT_EQ(run(std::string(AUTOGRADE_CLI) + " --quiet apply " + cube + " " + in + " -o " + out +
                  " --codec ffv1"),
              0);
    VideoReadOptions o;
    o.output = FrameOutput::Yuv;
    VideoReader a(in, o), b(out, o);
    const VideoStreamInfo& info = a.info();
    EXPECT_EQ(b.info().pixel_format, info.pixel_format);
    const YuvLutRenderer r = make_yuv_renderer(
        written, YuvFormat{info.bit_depth, info.chroma_shift_x, info.chroma_shift_y},
        Interp::Tetrahedral);
    VideoFrame fa, fb;
    int frames = 0;
    while (a.next(fa)) {
      ASSERT_TRUE(b.next(fb));
      ++frames;
      const YuvPlanes& s = fa.yuv;
      const int bps = s.bytes_per_sample();
      std::vector<std::uint8_t> want[3];
      ConstYuvImage src;
      YuvImage dst;
      src.width = dst.width = s.width;
      src.height = dst.height = s.height;
      for (int p = 0; p < 3; ++p) {
        const int w = (p ? s.chroma_width() : s.width) * bps, h = p ? s.chroma_height() : s.height;
        want[p].resize(size_t(w) * h);
        src.planes[p] = s.data[p];
        src.strides[p] = s.stride[p];
        dst.planes[p] = want[p].data();
        dst.strides[p] = w;
      }
      r.apply(src, dst);
      for (int p = 0; p < 3; ++p) {
        const int w = (p ? s.chroma_width() : s.width) * bps, h = p ? s.chroma_height() : s.height;
        for (int y = 0; y < h; ++y)
          ASSERT_EQ(std::memcmp(fb.yuv.data[p] + std::ptrdiff_t(y) * fb.yuv.stride[p],
                                want[p].data() + size_t(y) * w, size_t(w)),
                    0)
              << "frame " << frames << " plane " << p << " row " << y;
      }
    }
    EXPECT_EQ(frames, 4);
    EXPECT_FALSE(b.next(fb));
  }
}

}  // namespace
}  // namespace autograde
