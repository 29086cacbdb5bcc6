#pragma once
// Training / held-out data of the learned LUT generator (lutgen.hpp), shared by its trainer
// (src/learn/tools/train_lutgen.cpp) and its held-out benchmark (bench/lutgen.cpp).
//
// Split (by LUT and by photo, so the test cases pair looks and photos never seen in training):
//   photos: every image file under <images> sorted by path, as bench_match lists them; the
//           odd-indexed ones are held out (bench_match --half odd, the half the `auto`
//           priors were not fitted on), the even-indexed ones train.
//   LUTs:   the creative LUTs bench_match uses (display-referred in and out: no shaper, unit
//           domain, no "log" in the path) sorted by path; every third one (index % 3 == 1) is
//           held out, the rest train.
//   clips:  every video under <videos> trains (no test photo comes from a clip).
#include <cstdint>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/look/look.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde::learn {

struct NamedLut {
  std::string name;  // <folder>/<file>
  Lut3D lut;         // as loaded (any size)
};

struct LutgenSplit {
  std::vector<std::string> train_images, test_images, train_videos;
  std::vector<NamedLut> train_luts, test_luts;
};

// Lists (and loads the LUTs of) the split; unreadable LUTs are skipped with a line on stderr.
LutgenSplit lutgen_split(const std::string& images_dir, const std::string& luts_dir,
                         const std::string& videos_dir);

// Images are reduced, quantised and graded with look/match_protocol.hpp (bench_match's helpers).

// A seeded random parametric Look: each stage is used with some probability and drawn from
// ranges typical of creative grades (exposure ±0.5 stop, temperature ±0.6, contrast 0.7-1.5,
// saturation 0-1.8 incl. monochrome, split toning, hue shifts, fade, ...).
Look random_look(uint64_t seed);

}  // namespace autograde::learn
