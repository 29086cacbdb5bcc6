#include <OpenImageIO/imagebuf.h>
#include <OpenImageIO/imageio.h>

#include <algorithm>
#include <filesystem>

#include "autograde/core/error.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/lut/load.hpp"

namespace autograde {

namespace {

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

ImageF read_lut_image(const std::string& path) {
  auto in = OIIO::ImageInput::open(path);
  if (!in) throw_bad_input(path, "cannot read LUT image: " + OIIO::geterror());
  const auto& spec = in->spec();
  if (spec.width <= 0 || spec.height <= 0 || spec.width > 65536 || spec.height > 65536)
    throw_bad_input(path, "LUT image size is out of range");
  ImageF img(spec.width, spec.height, 3);
  if (spec.nchannels >= 3) {
    if (!in->read_image(0, 0, 0, 3, OIIO::TypeDesc::FLOAT, img.pixels.data()))
      throw_bad_input(path, "cannot decode LUT image: " + in->geterror());
    return img;
  }
  // A one-channel (grey, or grey + alpha) LUT image is a neutral look, e.g. black-and-white:
  // every entry's output has R = G = B.
  std::vector<float> grey(img.pixel_count());
  if (!in->read_image(0, 0, 0, 1, OIIO::TypeDesc::FLOAT, grey.data()))
    throw_bad_input(path, "cannot decode LUT image: " + in->geterror());
  for (size_t i = 0; i < grey.size(); ++i)
    img.pixels[3 * i] = img.pixels[3 * i + 1] = img.pixels[3 * i + 2] = grey[i];
  return img;
}

}  // namespace

LutFile load_lut(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw_bad_input(path, "no such file");
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
