#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "autograde/lut/interpolate.hpp"

using namespace autograde;

namespace {
// A LUT sampled from a known function: both interpolators must reproduce it exactly at the
// lattice points and, for an affine function, everywhere (both schemes are exact for affine maps).
Lut3D lut_from(int n, Rgb (*f)(Rgb)) {
  Lut3D lut = Lut3D::identity(n);
  for (size_t i = 0; i < lut.table.size(); i += 3) {
    Rgb v = f({lut.table[i], lut.table[i + 1], lut.table[i + 2]});
    lut.table[i] = v[0], lut.table[i + 1] = v[1], lut.table[i + 2] = v[2];
  }
  return lut;
}
Rgb affine(Rgb c) {
  return {0.8f * c[0] + 0.1f * c[1] + 0.05f, 0.2f * c[0] + 0.7f * c[1] + 0.1f * c[2],
          -0.1f * c[0] + 0.3f * c[1] + 0.9f * c[2]};
}
Rgb curvy(Rgb c) { return {c[0] * c[0], std::sqrt(c[1]), c[2] * c[1]}; }
}  // namespace

TEST(Interpolate, AffineIsExactForBothSchemes) {
  Lut3D lut = lut_from(5, affine);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (int i = 0; i < 2000; ++i) {
    Rgb in{u(rng), u(rng), u(rng)};
    Rgb want = affine(in);
    for (Interp m : {Interp::Tetrahedral, Interp::Trilinear}) {
      Rgb got = sample(lut, in, m);
      for (int c = 0; c < 3; ++c) EXPECT_NEAR(got[c], want[c], 2e-6f);
    }
  }
}

TEST(Interpolate, LatticePointsAreExact) {
  Lut3D lut = lut_from(7, curvy);
  for (int b = 0; b < 7; ++b)
    for (int g = 0; g < 7; ++g)
      for (int r = 0; r < 7; ++r) {
        Rgb in{r / 6.f, g / 6.f, b / 6.f};
        const float* e = lut.at(r, g, b);
        for (Interp m : {Interp::Tetrahedral, Interp::Trilinear}) {
          Rgb got = sample(lut, in, m);
          for (int c = 0; c < 3; ++c) EXPECT_NEAR(got[c], e[c], 1e-6f);
        }
      }
}

TEST(Interpolate, TetrahedralKeepsGreysOnTheDiagonal) {
  // Tetrahedral interpolation of a grey uses only lattice points on the grey diagonal, so a
  // LUT that is neutral on the diagonal but tinted off it gives exactly neutral greys;
  // trilinear mixes in the tinted neighbours.
  Lut3D lut = Lut3D::identity(3);
  for (int b = 0; b < 3; ++b)
    for (int g = 0; g < 3; ++g)
      for (int r = 0; r < 3; ++r)
        if (!(r == g && g == b)) lut.at(r, g, b)[1] += 0.2f;
  Rgb t = sample(lut, {0.3f, 0.3f, 0.3f}, Interp::Tetrahedral);
  EXPECT_FLOAT_EQ(t[0], t[1]);
  Rgb l = sample(lut, {0.3f, 0.3f, 0.3f}, Interp::Trilinear);
  EXPECT_GT(l[1] - l[0], 0.05f);
}

TEST(Interpolate, OutOfDomainClampsAndNaNIsSafe) {
  Lut3D lut = lut_from(4, affine);
  Rgb hi = sample(lut, {5.f, 5.f, 5.f}, Interp::Tetrahedral);
  Rgb one = affine({1.f, 1.f, 1.f});
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(hi[c], one[c], 1e-6f);
  Rgb nan = sample(lut, {NAN, 0.5f, 0.5f}, Interp::Trilinear);
  for (int c = 0; c < 3; ++c) EXPECT_TRUE(std::isfinite(nan[c]));
}

TEST(Interpolate, DomainIsHonoured) {
  Lut3D lut = Lut3D::identity(9);
  lut.domain_min = {-1.f, -1.f, -1.f};
  lut.domain_max = {3.f, 3.f, 3.f};
  for (size_t i = 0; i < lut.table.size(); ++i) lut.table[i] = lut.table[i] * 4.f - 1.f;
  Rgb got = sample(lut, {2.5f, -0.5f, 0.25f}, Interp::Tetrahedral);
  EXPECT_NEAR(got[0], 2.5f, 1e-5f);
  EXPECT_NEAR(got[1], -0.5f, 1e-5f);
  EXPECT_NEAR(got[2], 0.25f, 1e-5f);
}

TEST(Interpolate, ShaperThenCube) {
  LutFile f;
  f.shaper = Lut1D::identity(2);
  f.shaper->table = {0.f, 0.f, 0.f, 0.5f, 0.5f, 0.5f};  // halve
  f.cube = lut_from(5, affine);
  Rgb got = sample(f, {0.8f, 0.4f, 0.2f}, Interp::Tetrahedral);
  Rgb want = affine({0.4f, 0.2f, 0.1f});
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(got[c], want[c], 1e-6f);
}

TEST(Interpolate, ResampleOntoAnotherLatticeKeepsAffineMapsAndLatticePoints) {
  // An affine map survives resampling to any lattice exactly (both schemes are exact for it);
  // resampling a curved one onto a lattice that contains its own nodes (5 -> 9) keeps them.
  const Lut3D affine5 = lut_from(5, affine), curvy5 = lut_from(5, curvy);
  for (Interp interp : {Interp::Tetrahedral, Interp::Trilinear}) {
    const Lut3D a = resample(affine5, 12, interp), want = lut_from(12, affine);
    ASSERT_EQ(a.size, 12);
    for (size_t i = 0; i < a.table.size(); ++i) EXPECT_NEAR(a.table[i], want.table[i], 1e-5f);
    const Lut3D c = resample(curvy5, 9, interp);
    for (int b = 0; b < 5; ++b)
      for (int g = 0; g < 5; ++g)
        for (int r = 0; r < 5; ++r)
          for (int ch = 0; ch < 3; ++ch)
            EXPECT_NEAR(c.at(2 * r, 2 * g, 2 * b)[ch], curvy5.at(r, g, b)[ch], 1e-5f);
  }
}

// mix_with_identity is identity + t (lut - identity) entry by entry, in exactly that float
// expression (callers rely on it to reproduce their numbers bit for bit), and keeps the domain.
TEST(MixWithIdentity, EndpointsAndTheExactFloatExpression) {
  Lut3D lut = Lut3D::identity(4);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-0.2f, 1.3f);
  for (float& v : lut.table) v = u(rng);
  lut.domain_max = {2.f, 2.f, 2.f};
  const Lut3D id = Lut3D::identity(4);
  const Lut3D zero = mix_with_identity(lut, 0.f);
  const Lut3D one = mix_with_identity(lut, 1.f);
  const Lut3D third = mix_with_identity(lut, 1.f / 3.f);
  EXPECT_EQ(third.size, 4);
  EXPECT_EQ(third.domain_max[0], 2.f);
  for (size_t i = 0; i < lut.table.size(); ++i) {
    EXPECT_EQ(zero.table[i], id.table[i]);
    EXPECT_EQ(one.table[i], id.table[i] + 1.f * (lut.table[i] - id.table[i]));
    EXPECT_EQ(third.table[i], id.table[i] + (1.f / 3.f) * (lut.table[i] - id.table[i]));
  }
}
