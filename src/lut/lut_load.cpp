#include <algorithm>
#include <filesystem>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/core/image_module.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/lut/load.hpp"

namespace autograde {

namespace {

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext;
}

ImageF read_lut_image(const std::string& path) {
  ImageF img;
  image_module::Status status;
  image_module::functions().read_lut_image(path, img, status);
  image_module::check(status);
  return img;
}

}  // namespace

LutFile load_lut(const std::string& path) {
  // Before any reader (ours, OIIO's or OCIO's) opens it: /dev/zero or a FIFO would never end.
  check_input_file(path, input_limits::kLutBytes, "LUT");
  const std::string ext = lower_extension(path);
  if (ext == ".cube") return read_cube(path);
  if (ext == ".png" || ext == ".tif" || ext == ".tiff" || ext == ".exr" || ext == ".jpg" ||
      ext == ".jpeg") {
    LutFile f;
    f.cube = lut_from_image(read_lut_image(path), path);
    return f;
  }
  return read_lut_with_ocio(path);
}

}  // namespace autograde
