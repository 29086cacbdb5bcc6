// The orbit of the clip-free scaling defects (defect_orbit.hpp): on a real picture, each
// defect moves the coordinate by exactly its documented step and leaves the remainder alone,
// which is what lets bench_correct_ceiling reason about every classifier at once. Truth here
// is the defect formulas of defects.hpp, applied by the generator itself.
#include <gtest/gtest.h>

#include <stdexcept>

#include "autograde/core/image_ops.hpp"
#include "autograde/learn/defects.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/training/defect_orbit.hpp"
#include "test_support.hpp"

namespace al = autograde::learn;
using autograde::ImageF;

namespace {
ImageF astronaut() {
  const auto path = autograde::testing::source_dir() / "data" / "images" / "astronaut.png";
  return autograde::area_average(autograde::read_image(path.string()).image, {.max_side = 128});
}
}  // namespace

TEST(DefectOrbit, EachScalingDefectShiftsTheCoordinateByItsStepAndKeepsTheRemainder) {
  const ImageF clean = astronaut();
  for (al::Family f : {al::Family::SaturationLow, al::Family::ContrastLow, al::Family::ExposureDark,
                       al::Family::ExposureBright}) {
    const double t0 = al::orbit_coordinate(clean, f);
    const auto r0 = al::orbit_invariants(clean, f);
    for (int s = 1; s <= 3; ++s) {
      ImageF d = clean;
      al::apply_defects({al::make_defect(f, s)}, d);
      EXPECT_NEAR(al::orbit_coordinate(d, f) - t0, *al::orbit_step(f) * s / 3.0, 2e-3)
          << al::family_name(f) << " " << s;
      const auto r = al::orbit_invariants(d, f);
      ASSERT_EQ(r.size(), r0.size());
      for (size_t i = 0; i < r.size(); ++i)
        EXPECT_NEAR(r[i], r0[i], 5e-3) << al::family_name(f) << " feature " << i;
    }
  }
}

TEST(DefectOrbit, ClippingFamiliesHaveNoOrbitAndAGreyCardHasNoCoordinate) {
  // A defect that clips (or is not a scaling) moves the picture off any single coordinate.
  for (al::Family f : {al::Family::SaturationHigh, al::Family::ContrastHigh, al::Family::BlackHigh,
                       al::Family::CastGreen, al::Family::WhiteLow})
    EXPECT_FALSE(al::orbit_step(f).has_value()) << al::family_name(f);
  // Saturation high does clip: on the real picture its coordinate moves less than the nominal
  // +0.9 at 100 % (the orbit would be exact only without clipping).
  const ImageF clean = astronaut();
  ImageF d = clean;
  al::apply_defects({al::make_defect(al::Family::SaturationHigh, 3)}, d);
  EXPECT_LT(al::orbit_coordinate(d, al::Family::SaturationHigh) -
                al::orbit_coordinate(clean, al::Family::SaturationHigh),
            0.9 - 0.01);
  ImageF grey(8, 8, 3);
  std::fill(grey.pixels.begin(), grey.pixels.end(), 0.5f);
  EXPECT_THROW(al::orbit_coordinate(grey, al::Family::SaturationLow), std::invalid_argument);
  EXPECT_THROW(al::orbit_coordinate(grey, al::Family::CastBlue), std::invalid_argument);
}
