// Issue 25, the output side, through the autograde binary: the finishing codecs (DNxHR HQ/HQX,
// ProRes 4444, HEVC Main 10, H.264 High 10) checked with ffprobe and decoded back against a
// lossless (FFV1) render of the same plan; image sequences (EXR, DPX, TIFF) read back with
// OpenImageIO against the plan's LUTs applied in float, with the source timecode in names and
// headers; audio transcoded where the container cannot carry it; --frames and --split.
//
// The source: 2 s of the bundled Tears of Steel excerpt (CC BY 3.0; one cut at ~0.9 s) at
// 320x180, 24 fps, tagged BT.709 so the fused Y'CbCr path applies, Vorbis audio (a 440 Hz sine),
// start timecode 01:00:00:00, made by the ffmpeg binary.
#include <OpenImageIO/imageio.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "autograde/core/files.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/pipeline/plan.hpp"
#include "autograde/pipeline/render.hpp"
#include "autograde/pipeline/render_clip.hpp"
#include "autograde/pipeline/shot_lut.hpp"
#include "cli_support.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace autograde;
using autograde::testing::CliRun;
using autograde::testing::listing;
using autograde::testing::sh;

namespace {

CliRun run(std::string args) { return autograde::testing::run_cli(std::move(args)); }
std::string q(const fs::path& p) { return autograde::testing::quoted(p); }
fs::path source(const std::string& rel) { return autograde::testing::source_dir() / rel; }

// The standard output of a shell command ("" on failure).
std::string capture(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r")) {
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    if (pclose(p) != 0) return "";
  }
  return out;
}

nlohmann::json ffprobe(const fs::path& file, const std::string& args) {
  const std::string out = capture("ffprobe -v error -of json " + args + " " + q(file));
  return out.empty() ? nlohmann::json{} : nlohmann::json::parse(out, nullptr, false);
}

// Every frame as display code values, through the project's reader (which converts with the
// stream's own matrix and range, as the tags say).
std::vector<ImageF> decode_rgb(const fs::path& file) {
  VideoReader r(file.string());
  std::vector<ImageF> frames;
  VideoFrame f;
  while (r.next(f)) frames.push_back(f.rgb);
  return frames;
}

void write_identity_cube(const fs::path& p) {
  std::ofstream(p) << "LUT_3D_SIZE 2\n0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1\n";
}

// SMPTE ST 12-1 packed BCD (frames in bits 0-5, seconds 8-14, minutes 16-22, hours 24-29) as
// "HH:MM:SS:FF".
std::string unpack_timecode(uint32_t v) {
  auto bcd = [](uint32_t x) { return int((x >> 4) * 10 + (x & 15)); };
  return fmt::format("{:02d}:{:02d}:{:02d}:{:02d}", bcd((v >> 24) & 0x3f), bcd((v >> 16) & 0x7f),
                     bcd((v >> 8) & 0x7f), bcd(v & 0x3f));
}

// The "timeCode" attribute read straight from an OpenEXR file's header, by the file layout of
// the OpenEXR specification ("OpenEXR File Layout": magic, version, then attributes as
// name\0 type\0 int32 size, value; an empty name ends the header). "" when absent.
std::string exr_header_timecode(const fs::path& file) {
  const std::string b = read_file(file.string());
  if (b.size() < 8 || b.compare(0, 4, "\x76\x2f\x31\x01") != 0) return "";
  size_t at = 8;
  while (at < b.size() && b[at] != '\0') {
    const std::string name = b.c_str() + at;
    at += name.size() + 1;
    const std::string type = b.c_str() + at;
    at += type.size() + 1;
    uint32_t size = 0;
    std::memcpy(&size, b.data() + at, 4);  // little-endian, as is this machine
    at += 4;
    if (name == "timeCode" && type == "timecode" && size == 8) {
      uint32_t v = 0;
      std::memcpy(&v, b.data() + at, 4);
      return unpack_timecode(v);
    }
    at += size;
  }
  return "";
}

// The DPX television header's time code (SMPTE 268M: offset 1920, 32-bit, in the file's byte
// order, "SDPX" big-endian or "XPDS" little-endian).
std::string dpx_header_timecode(const fs::path& file) {
  const std::string b = read_file(file.string());
  if (b.size() < 1924) return "";
  const auto* u = reinterpret_cast<const unsigned char*>(b.data()) + 1920;
  const bool big = b.compare(0, 4, "SDPX") == 0;
  const uint32_t v = big ? uint32_t(u[0]) << 24 | uint32_t(u[1]) << 16 | uint32_t(u[2]) << 8 | u[3]
                         : uint32_t(u[3]) << 24 | uint32_t(u[2]) << 16 | uint32_t(u[1]) << 8 | u[0];
  return unpack_timecode(v);
}

struct Diff {
  double mean = 0, p99 = 0, max = 0;
};
// |a - b| over the columns [x0, x1) of every pixel and channel.
Diff difference(const ImageF& a, const ImageF& b, int x0 = 0, int x1 = -1) {
  if (x1 < 0) x1 = a.width;
  std::vector<float> d;
  for (int y = 0; y < a.height; ++y)
    for (int x = x0; x < x1; ++x)
      for (int c = 0; c < 3; ++c) {
        const size_t ia =
            (size_t(y) * size_t(a.width) + size_t(x)) * size_t(a.channels) + size_t(c);
        const size_t ib =
            (size_t(y) * size_t(b.width) + size_t(x)) * size_t(b.channels) + size_t(c);
        d.push_back(std::abs(a.pixels[ia] - b.pixels[ib]));
      }
  Diff r;
  for (float v : d) r.mean += v;
  r.mean /= double(d.size());
  std::sort(d.begin(), d.end());
  r.p99 = d[d.size() * 99 / 100];
  r.max = d.back();
  return r;
}

}  // namespace

class OutputsCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    media_ = autograde::testing::scratch_dir("outputs_media");
    const fs::path tears = source("data/video/tears_of_steel_excerpt.mp4");
    ASSERT_TRUE(sh("ffmpeg -nostdin -v error -y -i " + q(tears) +
                   " -f lavfi -i sine=frequency=440:sample_rate=44100 -t 2 -vf scale=320:180 "
                   "-map 0:v -map 1:a -c:v libx264 -preset veryfast -crf 16 -pix_fmt yuv420p "
                   "-color_primaries bt709 -color_trc bt709 -colorspace bt709 -color_range tv "
                   "-c:a libvorbis -timecode 01:00:00:00 " +
                   q(media_ / "clip.mkv")))
        << "needs ffmpeg with libx264 and libvorbis";
    // The lossless render every other output is compared with; its plan is what they render.
    full_ = run("grade " + q(media_ / "clip.mkv") + " --prompt warm --protect-skin 0 --codec ffv1 -o " +
                q(media_ / "full.mkv") + " --quiet");
    plan_ = media_ / "full.plan.json";
  }
  static inline fs::path media_, plan_;
  static inline CliRun full_;
};

TEST_F(OutputsCli, FullLosslessRenderTakesTheFusedPath) {
  ASSERT_EQ(full_.code, 0) << full_.out;
  EXPECT_NE(full_.out.find("(yuv path)"), std::string::npos) << full_.out;
  const nlohmann::json p = ffprobe(media_ / "full.mkv", "-count_frames -show_streams");
  ASSERT_TRUE(p.contains("streams")) << p;
  EXPECT_EQ(p["streams"][0]["codec_name"], "ffv1");
  EXPECT_EQ(p["streams"][0]["nb_read_frames"], "48");
  EXPECT_EQ(p["streams"][1]["codec_name"], "vorbis") << "Matroska keeps Vorbis as it is";
}

// Every finishing codec: what ffprobe says it is, and the same frames as the lossless render
// within the codec's own loss. The tolerance is measured in the same run: the ffmpeg binary
// encodes the lossless render's frames with the same encoder and settings, and our output may
// be at most 25 % (plus 0.5 code value) further from the lossless frames than that encode is.
// The figures of both are printed (6 frames of 320x180, RGB code values 0..1).
TEST_F(OutputsCli, FinishingCodecsAreWhatFfprobeSaysAndDecodeToTheGrade) {
  ASSERT_EQ(full_.code, 0) << full_.out;
  const std::vector<ImageF> full = decode_rgb(media_ / "full.mkv");
  ASSERT_EQ(full.size(), 48u);
  struct Case {
    std::string codec, file, codec_name, profile, pix_fmt, audio, ffmpeg_args;
  };
  const std::vector<Case> cases = {
      {"dnxhr_hq", "hq.mxf", "dnxhd", "DNXHR HQ", "yuv422p", "pcm_s24le",
       "-c:v dnxhd -profile:v dnxhr_hq -pix_fmt yuv422p"},
      {"dnxhr_hqx", "hqx.mxf", "dnxhd", "DNXHR HQX", "yuv422p10le", "pcm_s24le",
       "-c:v dnxhd -profile:v dnxhr_hqx -pix_fmt yuv422p10le"},
      {"dnxhr_hqx", "hqx.mov", "dnxhd", "DNXHR HQX", "yuv422p10le", "aac",
       "-c:v dnxhd -profile:v dnxhr_hqx -pix_fmt yuv422p10le"},
      // FFmpeg's ProRes decoder gives 4444 as 12-bit; the encode is 10-bit 4:4:4.
      {"prores4444", "p4444.mov", "prores", "4444", "yuv444p12le", "aac",
       "-c:v prores_ks -profile:v 4 -vendor apl0 -pix_fmt yuv444p10le"},
      {"hevc_10", "h10.mp4", "hevc", "Main 10", "yuv420p10le", "aac",
       "-c:v libx265 -crf 20 -preset medium -x265-params log-level=error -pix_fmt yuv420p10le"},
      {"h264_10", "h264_10.mp4", "h264", "High 10", "yuv420p10le", "aac",
       "-c:v libx264 -crf 18 -preset medium -pix_fmt yuv420p10le"},
  };
  const fs::path dir = autograde::testing::scratch_dir("outputs_codecs");
  auto worst_against_full = [&](const fs::path& file) {
    const std::vector<ImageF> got = decode_rgb(file);
    Diff worst;
    if (got.size() != 6u) {
      ADD_FAILURE() << file << " has " << got.size() << " frames";
      return worst;
    }
    for (size_t i = 0; i < got.size(); ++i) {
      const Diff d = difference(got[i], full[i]);
      worst.mean = std::max(worst.mean, d.mean);
      worst.p99 = std::max(worst.p99, d.p99);
      worst.max = std::max(worst.max, d.max);
    }
    return worst;
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.codec + " " + c.file);
    const CliRun r = run("render " + q(plan_) + " --codec " + c.codec + " --frames 0-5 -o " +
                         q(dir / c.file) + " --quiet");
    ASSERT_EQ(r.code, 0) << r.out;
    const nlohmann::json p = ffprobe(dir / c.file, "-count_frames -show_streams -show_format");
    ASSERT_TRUE(p.contains("streams")) << p;
    const nlohmann::json& v = p["streams"][0];
    EXPECT_EQ(v["codec_name"], c.codec_name);
    EXPECT_EQ(v["profile"], c.profile);
    EXPECT_EQ(v["pix_fmt"], c.pix_fmt);
    EXPECT_EQ(v["nb_read_frames"], "6");
    // MXF keeps the timecode in the file's header, MP4/MOV on the video track (and tmcd).
    const nlohmann::json& tags = c.file.ends_with(".mxf") ? p["format"]["tags"] : v["tags"];
    EXPECT_EQ(tags.value("timecode", ""), "01:00:00:00") << p.dump();
    ASSERT_GE(p["streams"].size(), 2u);
    const nlohmann::json& a = p["streams"][1];
    EXPECT_EQ(a["codec_type"], "audio");
    EXPECT_EQ(a["codec_name"], c.audio);
    if (c.audio.starts_with("pcm")) {
      EXPECT_EQ(a["sample_rate"], "48000");
    }
    EXPECT_NE(r.out.find("transcoded"), std::string::npos) << "the note on the audio: " << r.out;

    const fs::path peer = dir / ("ffmpeg_" + c.file);
    ASSERT_TRUE(sh("ffmpeg -nostdin -v error -y -i " + q(media_ / "full.mkv") +
                   " -frames:v 6 -map 0:v " + c.ffmpeg_args + " " + q(peer)));
    const Diff ours = worst_against_full(dir / c.file);
    const Diff theirs = worst_against_full(peer);
    std::cout << fmt::format(
        "{:>11} {:<12} mean |diff| {:.5f} (ffmpeg {:.5f})  p99 {:.5f} ({:.5f})  max {:.5f} "
        "({:.5f})\n",
        c.codec, c.file, ours.mean, theirs.mean, ours.p99, theirs.p99, ours.max, theirs.max);
    EXPECT_LE(ours.mean, 1.25 * theirs.mean + 0.5 / 255);
    EXPECT_LE(ours.p99, 1.25 * theirs.p99 + 0.5 / 255);
  }
}

TEST_F(OutputsCli, CodecsTheContainerOrPictureCannotTakeAreRefusedUpFront) {
  ASSERT_EQ(full_.code, 0) << full_.out;
  const fs::path dir = autograde::testing::scratch_dir("outputs_refused");
  for (const std::string& args :
       {"--codec dnxhr_hq -o " + q(dir / "a.mp4"), "--codec prores4444 -o " + q(dir / "a.mp4"),
        "--codec hevc_10 -o " + q(dir / "a.mxf"), "--codec h264 -o " + q(dir / "s.%04d.exr"),
        "-o " + q(dir / "s.%04d.png"), "-o " + q(dir / "s.%4x.exr"),
        "-o " + q(dir / "missing" / "s.%04d.exr")}) {
    const CliRun r = run("render " + q(plan_) + " " + args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
  }
  // DNxHR's smallest picture is 256x120: said with the clip's size.
  ASSERT_TRUE(
      sh("ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=96x54:rate=24 -t 0.5 "
         "-c:v libx264 -pix_fmt yuv420p " +
         q(dir / "small.mp4")));
  write_identity_cube(dir / "id.cube");
  const CliRun small = run("apply " + q(dir / "id.cube") + " " + q(dir / "small.mp4") +
                           " --codec dnxhr_hq -o " + q(dir / "small.mov"));
  EXPECT_EQ(small.code, 2) << small.out;
  EXPECT_NE(small.out.find("256x120"), std::string::npos) << small.out;
  EXPECT_NE(small.out.find("96x54"), std::string::npos) << small.out;
  // MXF holds the broadcast frame rates only: 12 fps is refused naming the clip and its rate.
  ASSERT_TRUE(sh("ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=320x180:rate=12 -t 0.5 "
                 "-c:v libx264 -pix_fmt yuv420p " +
                 q(dir / "r12.mp4")));
  const CliRun r12 = run("apply " + q(dir / "id.cube") + " " + q(dir / "r12.mp4") +
                         " --codec dnxhr_hq -o " + q(dir / "r12.mxf"));
  EXPECT_EQ(r12.code, 2) << r12.out;
  EXPECT_NE(r12.out.find("12/1 fps"), std::string::npos) << r12.out;
  EXPECT_EQ(listing(dir), (std::vector<std::string>{"id.cube", "r12.mp4", "small.mp4"}));
}

// --frames: exactly B-A+1 frames, equal to frames A..B of the full render (FFV1 is lossless, so
// bit for bit: ffmpeg's per-frame MD5 of the decoded pictures), timecode moved to frame A, audio
// cut to the span.
TEST_F(OutputsCli, FrameRangeHoldsExactlyThoseFramesOfTheFullRender) {
  ASSERT_EQ(full_.code, 0) << full_.out;
  const fs::path dir = autograde::testing::scratch_dir("outputs_frames");
  const CliRun r = run("render " + q(plan_) + " --frames 10-29 -o " + q(dir / "part.mkv"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("rendered 20 frames"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(yuv path)"), std::string::npos)
      << "the fused path still applies: " << r.out;
  auto frame_md5s = [](const fs::path& f) {
    std::vector<std::string> v;
    const std::string out =
        capture("ffmpeg -nostdin -v error -i " + q(f) + " -map 0:v -f framemd5 -");
    size_t pos = 0;
    while ((pos = out.find('\n', pos)) != std::string::npos) {
      const size_t start = pos + 1;
      pos = start;
      const size_t end = out.find('\n', start);
      const std::string line = out.substr(start, end == std::string::npos ? end : end - start);
      if (!line.empty() && line[0] != '#') v.push_back(line.substr(line.rfind(',') + 1));
    }
    return v;
  };
  const std::vector<std::string> all = frame_md5s(media_ / "full.mkv");
  const std::vector<std::string> part = frame_md5s(dir / "part.mkv");
  ASSERT_EQ(all.size(), 48u);
  ASSERT_EQ(part.size(), 20u);
  for (size_t i = 0; i < part.size(); ++i) EXPECT_EQ(part[i], all[10 + i]) << "frame " << 10 + i;

  const nlohmann::json p = ffprobe(dir / "part.mkv", "-show_streams -show_format");
  EXPECT_EQ(p["format"]["tags"].value("TIMECODE", ""), "01:00:00:10") << p.dump();
  // Copied Vorbis is cut at packet boundaries: it starts within one packet (1024 samples at
  // 44.1 kHz here, 23 ms) of the picture and ends with it.
  const nlohmann::json pkts = ffprobe(dir / "part.mkv", "-select_streams a -show_packets");
  ASSERT_FALSE(pkts["packets"].empty());
  const double a0 = std::stod(pkts["packets"].front()["pts_time"].get<std::string>());
  const double a1 = std::stod(pkts["packets"].back()["pts_time"].get<std::string>());
  EXPECT_GE(a0, 0.0);
  EXPECT_LE(a0, 0.03);
  EXPECT_NEAR(a1, 20.0 / 24, 0.03);

  // Into .mp4 the Vorbis is transcoded to AAC, cut to the sample: 20 frames of audio.
  const CliRun m =
      run("render " + q(plan_) + " --codec h264 --frames 10-29 -o " + q(dir / "part.mp4"));
  ASSERT_EQ(m.code, 0) << m.out;
  const nlohmann::json pm = ffprobe(dir / "part.mp4", "-count_frames -show_streams");
  EXPECT_EQ(pm["streams"][0]["nb_read_frames"], "20");
  EXPECT_EQ(pm["streams"][0]["tags"].value("timecode", ""), "01:00:00:10");
  EXPECT_EQ(pm["streams"][1]["codec_name"], "aac");
  EXPECT_NEAR(std::stod(pm["streams"][1]["duration"].get<std::string>()), 20.0 / 24, 0.005);

  // Outside the clip: a usage error naming the frame count; nothing written.
  const CliRun bad = run("render " + q(plan_) + " --frames 40-48 -o " + q(dir / "bad.mkv"));
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.out.find("48 frames"), std::string::npos) << bad.out;
  const CliRun bad2 = run("grade " + q(media_ / "clip.mkv") + " --prompt warm --frames 5-2 -o " +
                          q(dir / "bad.mkv"));
  EXPECT_EQ(bad2.code, 2) << bad2.out;
  EXPECT_EQ(listing(dir), (std::vector<std::string>{"part.mkv", "part.mp4"}));
}

// --split on a plan whose input is read as S-Log3, written as 16-bit TIFF (no chroma
// subsampling, no codec): left of the divider the source after that conversion alone, right
// of it the plan's LUT applied in float, the divider mid grey. A video split renders the same
// frame count.
TEST_F(OutputsCli, SplitShowsTheConvertedSourceLeftAndTheGradeRight) {
  ASSERT_EQ(full_.code, 0) << full_.out;
  const fs::path dir = autograde::testing::scratch_dir("outputs_split");
  const CliRun g = run("grade " + q(media_ / "clip.mkv") +
                       " --prompt warm --input-colorspace slog3 --split --frames 20-25 "
                       "-o " +
                       q(dir / "split.%04d.tif") + " --quiet");
  ASSERT_EQ(g.code, 0) << g.out;
  EXPECT_NE(g.out.find("(rgb path)"), std::string::npos) << g.out;
  const GradePlan plan = read_plan((dir / "split.plan.json").string());
  EXPECT_EQ(plan.input_colorspace, CameraLog::SLog3);
  EXPECT_FALSE(plan.shots[0].metrics) << "a split measures nothing";
  const std::vector<Lut3D> luts = plan_luts(plan);
  std::vector<ImageF> src;
  {
    VideoReader r((media_ / "clip.mkv").string());
    VideoFrame f;
    while (r.next(f)) src.push_back(f.rgb);
  }
  const int w = src[0].width;
  const SplitDivider d = split_divider(w);
  EXPECT_EQ(d.width, 2);
  EXPECT_EQ(d.first, 159);
  const double tiff = 0.5 / 65535 + 1e-4;  // 16-bit rounding + engine against reference
  for (int i = 20; i <= 25; ++i) {
    SCOPED_TRACE("frame " + std::to_string(i));
    // 01:00:00:00 at 24 fps is frame 86400.
    const fs::path file = dir / fmt::format("split.{:04d}.tif", 86400 + i);
    ASSERT_TRUE(fs::exists(file)) << file;
    auto in = OIIO::ImageInput::open(file.string());
    ASSERT_TRUE(in);
    ImageF got(in->spec().width, in->spec().height, 3);
    ASSERT_TRUE(in->read_image(0, 0, 0, 3, OIIO::TypeDesc::FLOAT, got.pixels.data()));
    ImageF before = src[size_t(i)];
    to_display(CameraLog::SLog3, before);
    ImageF after = src[size_t(i)];
    apply_reference(luts[size_t(shot_of_frame(plan, i))], after, plan.interp);
    EXPECT_LE(difference(got, before, 0, d.first).max, tiff);
    EXPECT_LE(difference(got, after, d.first + d.width, w).max, tiff);
    ImageF grey = got;
    std::fill(grey.pixels.begin(), grey.pixels.end(), 0.5f);
    EXPECT_LE(difference(got, grey, d.first, d.first + d.width).max, tiff);
    // The sides are not the same picture (the grade changed it).
    EXPECT_GT(difference(got, after, 0, d.first).mean, 0.003);
  }
  EXPECT_EQ(listing(dir).size(), 6u + 2u) << "the frames, the plan and the LUT folder";

  const CliRun v = run("render " + q(dir / "split.plan.json") + " --split --frames 0-5 -o " +
                       q(dir / "split.mkv") + " --quiet");
  ASSERT_EQ(v.code, 0) << v.out;
  const nlohmann::json p = ffprobe(dir / "split.mkv", "-count_frames -show_streams");
  EXPECT_EQ(p["streams"][0]["nb_read_frames"], "6");
}

// Image sequences: numbered by the source timecode, timecode in EXR and DPX headers, values
// equal to the plan's LUT applied in float to the decoded source within the format's precision.
TEST_F(OutputsCli, ImageSequencesCarryTimecodeAndTheGradedValues) {
  ASSERT_EQ(full_.code, 0) << full_.out;
  const GradePlan plan = read_plan(plan_.string());
  const std::vector<Lut3D> luts = plan_luts(plan);
  std::vector<ImageF> src;
  {
    VideoReader r((media_ / "clip.mkv").string());
    VideoFrame f;
    while (r.next(f) && src.size() < 2) src.push_back(f.rgb);
  }
  ASSERT_EQ(src.size(), 2u);
  struct Case {
    std::string pattern, first_name;
    double tolerance;  // |file - float LUT|: half float, 10-bit, 16-bit quantisation + engine
    bool header_timecode;
  };
  const std::vector<Case> cases = {{"shot.%07d.exr", "shot.0086400.exr", 1.0 / 1024, true},
                                   {"shot_%06d.dpx", "shot_086400.dpx", 0.5 / 1023 + 1e-4, true},
                                   {"shot.%d.tif", "shot.86400.tif", 0.6 / 65535 + 1e-4, false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.pattern);
    const fs::path dir = autograde::testing::scratch_dir("outputs_seq");
    // The plan says ffv1; a sequence takes its format from its extension instead.
    const CliRun r = run("render " + q(plan_) + " --frames 0-1 -o " +
                         q(dir / c.pattern) + " --quiet");
    ASSERT_EQ(r.code, 0) << r.out;
    std::vector<std::string> names = listing(dir);
    ASSERT_EQ(names.size(), 2u) << "nothing but the frames: "
                                << fmt::format("{}", fmt::join(names, " "));
    EXPECT_EQ(names[0], c.first_name);
    const FramePattern pattern = *parse_frame_pattern((dir / c.pattern).string());
    for (int i = 0; i < 2; ++i) {
      const fs::path file = pattern.path(86400 + i);
      ASSERT_TRUE(fs::exists(file)) << file;
      auto in = OIIO::ImageInput::open(file.string());
      ASSERT_TRUE(in) << OIIO::geterror();
      const OIIO::ImageSpec& spec = in->spec();
      if (c.pattern.ends_with(".exr")) {
        EXPECT_EQ(spec.format, OIIO::TypeDesc::HALF);
      }
      if (c.pattern.ends_with(".dpx")) {
        EXPECT_EQ(spec.get_int_attribute("oiio:BitsPerSample"), 10);
      }
      if (c.pattern.ends_with(".tif")) {
        EXPECT_EQ(spec.format, OIIO::TypeDesc::UINT16);
      }
      const std::string tc = fmt::format("01:00:00:{:02d}", i);
      if (c.header_timecode) {
        const OIIO::ParamValue* p = spec.find_attribute("smpte:TimeCode", OIIO::TypeTimeCode);
        ASSERT_TRUE(p) << "no timecode in " << file;
        EXPECT_EQ(spec.metadata_val(*p), tc);
        // Also straight from the bytes, by the formats' specifications.
        if (c.pattern.ends_with(".dpx")) {
          EXPECT_EQ(spec.get_string_attribute("dpx:TimeCode"), tc);
          EXPECT_EQ(dpx_header_timecode(file), tc);
        } else {
          EXPECT_EQ(exr_header_timecode(file), tc);
        }
      }
      ImageF got(spec.width, spec.height, 3);
      ASSERT_TRUE(in->read_image(0, 0, 0, 3, OIIO::TypeDesc::FLOAT, got.pixels.data()));
      ImageF want = src[size_t(i)];
      apply_reference(luts[size_t(shot_of_frame(plan, i))], want, plan.interp);
      const Diff d = difference(got, want);
      EXPECT_LE(d.max, c.tolerance) << "mean " << d.mean;
    }
  }
  // EXR and DPX read back with a timecode field that also names the file: checked above.
  // A source without a timecode numbers from 0; a failure midway leaves no frame (a truncated
  // clip: its frames stop part of the way in).
  const fs::path dir = autograde::testing::scratch_dir("outputs_seq_fail");
  ASSERT_TRUE(sh("ffmpeg -nostdin -v error -y -i " + q(media_ / "clip.mkv") +
                 " -t 0.5 -map 0:v -map_metadata -1 -c:v libx264 -preset veryfast -pix_fmt yuv420p "
                 "-movflags +faststart " +
                 q(dir / "notc.mp4")));
  const std::string cube = (fs::path(plan.luts_dir) / plan.shots[0].lut_file).string();
  const CliRun ok = run("apply " + q(cube) + " " + q(dir / "notc.mp4") + " -o " +
                        q(dir / "f.%04d.exr") + " --quiet");
  ASSERT_EQ(ok.code, 0) << ok.out;
  EXPECT_TRUE(fs::exists(dir / "f.0000.exr"));
  EXPECT_TRUE(fs::exists(dir / "f.0011.exr"));
  EXPECT_FALSE(fs::exists(dir / "f.0012.exr"));
  const std::string bytes = read_file((dir / "notc.mp4").string());
  const fs::path bad_dir = autograde::testing::scratch_dir("outputs_seq_truncated");
  std::ofstream(bad_dir / "cut.mp4", std::ios::binary)
      .write(bytes.data(), std::streamsize(bytes.size() * 6 / 10));
  const CliRun bad = run("apply " + q(cube) + " " + q(bad_dir / "cut.mp4") + " -o " +
                         q(bad_dir / "f.%04d.dpx") + " --quiet");
  EXPECT_EQ(bad.code, 3) << bad.out;
  EXPECT_EQ(listing(bad_dir), std::vector<std::string>{"cut.mp4"});
}

// Opus into .mov becomes AAC with a note; the audio is all there (same length, not silent).
TEST_F(OutputsCli, OpusIntoMovIsTranscodedToAacNotDropped) {
  if (!sh("ffmpeg -hide_banner -encoders | grep -q libopus")) GTEST_SKIP() << "no libopus";
  const fs::path dir = autograde::testing::scratch_dir("outputs_opus");
  ASSERT_TRUE(
      sh("ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=96x54:rate=24 -f lavfi "
         "-i sine=frequency=440:sample_rate=48000 -t 1 -c:v libx264 -pix_fmt yuv420p "
         "-c:a libopus " +
         q(dir / "opus.mkv")));
  write_identity_cube(dir / "id.cube");
  const CliRun r =
      run("apply " + q(dir / "id.cube") + " " + q(dir / "opus.mkv") + " -o " + q(dir / "o.mov"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("opus) transcoded to AAC"), std::string::npos) << r.out;
  const nlohmann::json p = ffprobe(dir / "o.mov", "-show_streams");
  ASSERT_GE(p["streams"].size(), 2u);
  EXPECT_EQ(p["streams"][1]["codec_name"], "aac");
  EXPECT_NEAR(std::stod(p["streams"][1]["duration"].get<std::string>()), 1.0, 0.03);
  const std::string vol = capture("{ ffmpeg -nostdin -i " + q(dir / "o.mov") +
                                  " -map 0:a -af volumedetect -f null - 2>&1; }");
  const size_t at = vol.find("mean_volume: ");
  ASSERT_NE(at, std::string::npos) << vol;
  EXPECT_GT(std::stod(vol.substr(at + 13)), -30.0) << "the sine is there, not silence";
}

// Ctrl-C while a grade writes an image sequence (frames inside the sequence's staging folder,
// itself inside the grade's): nothing is left, not a frame, not a folder.
TEST_F(OutputsCli, CtrlCDuringAnImageSequenceLeavesNothing) {
  const fs::path dir = autograde::testing::scratch_dir("outputs_sigint");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string in = source("data/video/tears_of_steel_excerpt.mp4").string();
    const std::string out = (dir / "shot.%07d.exr").string();
    execl(AUTOGRADE_CLI, "autograde", "--quiet", "grade", in.c_str(), "--prompt", "warm", "-o",
          out.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  bool writing = false;  // a frame file somewhere below the folder
  for (int i = 0; i < 2400 && !writing; ++i) {
    usleep(50000);
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec))
      if (it->path().extension() == ".exr") writing = true;
  }
  EXPECT_TRUE(writing) << "grade never started writing frames";
  kill(pid, SIGINT);
  const std::optional<int> status = autograde::testing::wait_child(pid, 120);
  ASSERT_TRUE(status) << "grade did not end after SIGINT";
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGINT);
  EXPECT_TRUE(fs::is_empty(dir)) << "left " << fs::directory_iterator(dir)->path();
}
