#include "autograde/pipeline/shot_lut.hpp"

#include <tbb/parallel_for.h>

#include "autograde/core/error.hpp"

namespace autograde {

Lut3D bake_shot_lut(CameraLog input, const Look& look, int size, const Look* correction) {
  if (size < 2 || size > 129) throw_usage("LUT size must be 2..129, got " + std::to_string(size));
  Lut3D lut;
  if (input == CameraLog::Rec709 && !correction) {
    lut = bake_look(look, size);
  } else {
    // camera_log.hpp's own baker gives the display conversion at the lattice points (red
    // fastest, the .cube order); the Look is then evaluated on each of those display values.
    lut.size = size;
    lut.table = input == CameraLog::Rec709 ? Lut3D::identity(size).table
                                           : bake_camera_log_to_rec709_display(input, size);
    const size_t n = size_t(size) * size * size;
    tbb::parallel_for(size_t(0), n, [&](size_t i) {
      float* v = lut.table.data() + 3 * i;
      Rgb display{v[0], v[1], v[2]};
      if (correction) display = apply_look(*correction, display);
      const Rgb out = apply_look(look, display);
      v[0] = out[0], v[1] = out[1], v[2] = out[2];
    });
  }
  validate(lut, "shot LUT");
  return lut;
}

Rgb shot_grade(CameraLog input, const Look& look, const Look* correction, Rgb code) {
  Rgb display = code;
  if (input != CameraLog::Rec709) {
    const Vec3 d = camera_log_to_rec709_display(input, Vec3{code[0], code[1], code[2]});
    display = {d[0], d[1], d[2]};
  }
  if (correction) display = apply_look(*correction, display);
  return apply_look(look, display);
}

void to_display(CameraLog input, ImageF& image) {
  if (input == CameraLog::Rec709 || image.empty()) return;
  if (image.channels == 3) {
    camera_log_to_rec709_display(input, image.pixels);
    return;
  }
  std::vector<float> rgb(image.pixel_count() * 3);
  for (size_t i = 0; i < image.pixel_count(); ++i)
    for (int c = 0; c < 3; ++c) rgb[3 * i + c] = image.pixels[i * image.channels + c];
  camera_log_to_rec709_display(input, rgb);
  for (size_t i = 0; i < image.pixel_count(); ++i)
    for (int c = 0; c < 3; ++c) image.pixels[i * image.channels + c] = rgb[3 * i + c];
}

}  // namespace autograde
