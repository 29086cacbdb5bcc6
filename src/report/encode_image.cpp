#include "autograde/report/encode_image.hpp"

#include <filesystem>
#include <memory>

#include "autograde/core/cleanup.hpp"
#include "autograde/core/files.hpp"
#include "autograde/media/image_io.hpp"

namespace fs = std::filesystem;

namespace autograde {

namespace {

std::string encode(const ImageF& image, const char* name) {
  // One registered folder per thread, removed at exit and on a signal (cleanup.hpp).
  static thread_local std::unique_ptr<StagingDir> tmp;
  if (!tmp) tmp = std::make_unique<StagingDir>(fs::temp_directory_path().string());
  const std::string path = tmp->path_for(name);
  ImageMeta meta;
  meta.format = SampleFormat::U8;
  write_image(path, image, meta);
  std::string bytes = read_file(path);
  std::error_code ec;
  fs::remove(path, ec);
  return bytes;
}

}  // namespace

std::string encode_png(const ImageF& image) { return encode(image, "frame.png"); }
std::string encode_jpeg(const ImageF& image) { return encode(image, "frame.jpg"); }

}  // namespace autograde
