#pragma once
// Training / held-out data of the learned LUT generator (lutgen.hpp), shared by its trainer
// (src/learn/training/train_lutgen.cpp) and its held-out benchmark (bench/lutgen.cpp).
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
#include <utility>
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

// Images are reduced, quantised and graded with training/match_protocol.hpp (bench_match's helpers).

// A seeded random parametric Look: each stage is used with some probability and drawn from
// ranges typical of creative grades (exposure ±0.5 stop, temperature ±0.6, contrast 0.7-1.5,
// saturation 0-1.8 incl. monochrome, split toning, hue shifts, fade, ...).
Look random_look(uint64_t seed);

// A seeded film-emulation-like look on a size^3 lattice (code values in and out): channel
// crosstalk (rows sum to 1, so greys stay grey before the curves), per-channel S-shaped tone
// curves sharing a contrast with small per-channel gamma offsets (casts that change with
// brightness, as film stocks show), lifted toe / lowered shoulder, then a mild random Look.
Lut3D film_look(uint64_t seed, int size = 17);

// The validation set models and settings are chosen by (train_lutgen's early stopping,
// bench_lutgen --split validation). It lies inside the training half of lutgen_split and
// never touches the held-out looks or photos:
//   photos: every 6th training photo (index % 6 == 5), never trained on;
//   looks:  built only from the validation LUTs (every 5th training LUT, index % 5 == 4, never
//           trained on) and from generators the default training mix does not use:
//             each validation LUT at full strength and at half strength (subtle grades),
//             every 50/50 blend of two validation LUTs,
//             each validation LUT followed by a mild random Look (seeds outside training's),
//             identity (a reference that carries no grade),
//             kValidationFilmLooks film_look()s (seeds outside training's).
// Derived looks are 33^3 lattices.
constexpr int kValidationFilmLooks = 6;
struct LutgenValidation {
  std::vector<std::string> photos;
  std::vector<NamedLut> looks;
};
LutgenValidation lutgen_validation(const LutgenSplit& split);

// The case pairs of the benchmark protocol: for look l and pair j (of `pairs`) over n >= 2
// photos, the source photo A and the (always different) photo B the reference is graded from.
std::pair<size_t, size_t> lutgen_case_photos(size_t look, int pair, int pairs, size_t n);

}  // namespace autograde::learn
