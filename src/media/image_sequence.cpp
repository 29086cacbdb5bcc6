#include "autograde/media/image_sequence.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include "autograde/core/cleanup.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/media/image_io.hpp"

namespace fs = std::filesystem;

namespace autograde {

namespace {

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return ext;
}

}  // namespace

const std::vector<std::string>& image_sequence_extensions() {
  static const std::vector<std::string> e{".exr", ".dpx", ".tif", ".tiff"};
  return e;
}

bool is_image_sequence_path(const std::string& path) {
  return fs::path(path).filename().string().find('%') != std::string::npos;
}

void check_image_sequence_output(const std::string& path) {
  const std::optional<FramePattern> p = parse_frame_pattern(path);
  if (!p)
    throw_usage(fmt::format(
        "image sequence name '{}' must hold one frame-number field in its file name, like "
        "shot.%07d.exr ('%0Nd' with N = 1..12 digits, or '%d'); no other '%'",
        path));
  const std::string ext = lower_extension(path);
  const auto& ok = image_sequence_extensions();
  if (std::find(ok.begin(), ok.end(), ext) == ok.end())
    throw_usage(fmt::format("cannot write an image sequence as '{}': use one of {}", path,
                            fmt::join(ok, ", ")));
  if (p->suffix != ext && lower_extension(p->suffix) != ext)
    throw_usage("image sequence name '" + path + "' must end in its extension, after the field");
  std::error_code ec;
  const fs::path folder = p->folder.empty() ? fs::path(".") : fs::path(p->folder);
  if (!fs::is_directory(folder, ec))
    throw_usage("output folder '" + folder.string() + "' does not exist");
}

std::string output_stem(const std::string& path) {
  const std::optional<FramePattern> p = parse_frame_pattern(path);
  if (!p) return fs::path(path).stem().string();
  std::string stem = p->prefix;
  while (!stem.empty() && (stem.back() == '.' || stem.back() == '_' || stem.back() == '-'))
    stem.pop_back();
  if (stem.empty()) stem = fs::path(p->suffix).stem().string();
  return stem.empty() ? "frames" : stem;
}

struct ImageSequenceWriter::Impl {
  FramePattern target;
  std::string ext;
  int fps_num = 0, fps_den = 1;
  std::unique_ptr<StagingDir> staging;
  std::set<int64_t> numbers;
  bool finished = false;
};

ImageSequenceWriter::ImageSequenceWriter(const std::string& pattern, int fps_num, int fps_den)
    : impl_(std::make_unique<Impl>()) {
  check_image_sequence_output(pattern);
  impl_->target = *parse_frame_pattern(pattern);
  impl_->ext = lower_extension(pattern);
  impl_->fps_num = fps_num;
  impl_->fps_den = fps_den;
  impl_->staging = std::make_unique<StagingDir>(impl_->target.folder);
}

ImageSequenceWriter::~ImageSequenceWriter() = default;
ImageSequenceWriter::ImageSequenceWriter(ImageSequenceWriter&&) noexcept = default;
ImageSequenceWriter& ImageSequenceWriter::operator=(ImageSequenceWriter&&) noexcept = default;

int64_t ImageSequenceWriter::frames_written() const { return int64_t(impl_->numbers.size()); }
const std::string& ImageSequenceWriter::extension() const { return impl_->ext; }

void ImageSequenceWriter::write(const ImageF& rgb, int64_t number, const std::string& timecode) {
  Impl& m = *impl_;
  if (m.finished) throw_internal("ImageSequenceWriter::write after finish()");
  if (number < 0 || !m.numbers.insert(number).second)
    throw_internal(fmt::format("image sequence frame number {} is negative or repeated", number));
  ImageMeta meta;
  if (m.ext == ".exr") {
    meta.format = SampleFormat::Half;
  } else if (m.ext == ".dpx") {
    meta.format = SampleFormat::U16;
    meta.bits_per_sample = 10;
  } else {
    meta.format = SampleFormat::U16;
    meta.bits_per_sample = 16;
  }
  meta.color_space = "Rec709";
  // OpenEXR readers take pixels for scene-linear unless told; these are display code values.
  meta.text_attributes["autograde:Encoding"] =
      "Rec.709 display code values (BT.1886 R'G'B' 0..1), not linear";
  meta.timecode = timecode;
  meta.fps_num = m.fps_num;
  meta.fps_den = m.fps_den;
  write_image(m.staging->path_for(m.target.file_name(number)), rgb, meta);
}

void ImageSequenceWriter::finish() {
  Impl& m = *impl_;
  if (m.finished) return;
  if (m.numbers.empty()) throw_internal("ImageSequenceWriter::finish: no frames were written");
  for (int64_t n : m.numbers) m.staging->commit(m.target.file_name(n), m.target.path(n));
  m.finished = true;
}

}  // namespace autograde
