// make_demo_reference LOOK.json IN.png OUT.png: the bundled demo reference still is a CC0 /
// public-domain photo graded with a Look defined in data/looks/ (so the project ships no
// third-party graded frame). Encoding: the image's display code values in and out.
#include <cstdio>
#include <exception>
#include <utility>

#include <nlohmann/json.hpp>

#include "autograde/core/files.hpp"
#include "autograde/look/look.hpp"
#include "autograde/media/image_io.hpp"

int main(int argc, char** argv) {
  using namespace autograde;
  if (argc != 4) {
    std::fprintf(stderr, "usage: make_demo_reference LOOK.json IN.png OUT.png\n");
    return 2;
  }
  try {
    const Look look = look_from_json(nlohmann::json::parse(read_file(argv[1])), argv[1]);
    LoadedImage im = read_image(argv[2]);
    im.image = apply_look_to_image(look, std::move(im.image));
    im.meta.format = SampleFormat::U8;
    write_image(argv[3], im.image, im.meta);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_demo_reference: %s\n", e.what());
    return 3;
  }
  return 0;
}
