// The region LUTs under a strong teal-orange look: the Monk Skin Tone swatches (Monk 2019, the
// ten published sRGB values) keep their ungraded hue and chroma through the skin LUT while their
// lightness follows the look; the one-LUT skin protection leaves clearly non-skin colours at the
// base exactly; every LUT stays bounded, smooth and monotone on the grey axis.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "autograde/color/color.hpp"
#include "autograde/look/look.hpp"
#include "autograde/lut/cube_io.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/semantic/region_luts.hpp"

namespace autograde {
namespace {

// Monk Skin Tone scale, swatches 1 (lightest) to 10 (darkest), sRGB as published by Google.
const char* const kMonk[10] = {"f6ede4", "f3e7db", "f7ead0", "eadaba", "d7bd96",
                               "a07e56", "825c43", "604134", "3a312a", "292420"};

Rgb hex_rgb(const std::string& h) {
  Rgb c;
  for (int i = 0; i < 3; ++i)
    c[i] = float(std::stoi(h.substr(2 * size_t(i), 2), nullptr, 16)) / 255.f;
  return c;
}

Vec3 lab(const Rgb& c) {
  return srgb_to_lab(
      {std::clamp(c[0], 0.f, 1.f), std::clamp(c[1], 0.f, 1.f), std::clamp(c[2], 0.f, 1.f)});
}

// A strong teal-orange look from the Look model: teal shadows, orange highlights, more
// contrast and saturation, skin-range hues pushed towards orange.
Lut3D teal_orange() {
  Look look = identity_look();
  look.contrast = 1.35f;
  look.saturation = 1.25f;
  look.split.shadow_hue_deg = 200.f;
  look.split.shadow_amount = 0.09f;
  look.split.highlight_hue_deg = 60.f;
  look.split.highlight_amount = 0.07f;
  look.temperature = 0.25f;
  return bake_look(look, 33);
}

// Lightness-equalised CIEDE2000: the hue and chroma part of the difference between a and b.
float hue_chroma_de(const Vec3& a, const Vec3& b) { return ciede2000(a, {a[0], b[1], b[2]}); }

struct MonkResult {
  float base_shift = 0, skin_shift = 0;  // full CIEDE2000 from the ungraded swatch
  float base_hc = 0, skin_hc = 0;        // hue/chroma part
  float L_follow_err = 0;                // |L(skin) − (L(u) + k (L(base) − L(u)))|
};

MonkResult monk(const Lut3D& base, const Lut3D& skin, const Rgb& swatch) {
  const Vec3 u = lab(swatch);
  const Vec3 b = lab(sample(base, swatch, Interp::Tetrahedral));
  const Vec3 s = lab(sample(skin, swatch, Interp::Tetrahedral));
  MonkResult r;
  r.base_shift = ciede2000(b, u);
  r.skin_shift = ciede2000(s, u);
  r.base_hc = hue_chroma_de(b, u);
  r.skin_hc = hue_chroma_de(s, u);
  r.L_follow_err = std::fabs(s[0] - (u[0] + kSkinToneFollow * (b[0] - u[0])));
  return r;
}

void check_skin_lut(const Lut3D& base, const char* name) {
  const Lut3D ungraded = Lut3D::identity(base.size);
  const Lut3D skin = skin_region_lut(base, ungraded);
  std::printf("  %s: Monk swatch  base dE00 (hue/chroma)  skin-LUT dE00 (hue/chroma)  L error\n",
              name);
  float sum_base = 0, sum_skin = 0;
  float group_base[3] = {}, group_skin[3] = {};  // light MST 1-3, medium 4-6, dark 7-10
  auto group = [](int i) { return i < 3 ? 0 : (i < 6 ? 1 : 2); };
  int strong = 0;
  for (int i = 0; i < 10; ++i) {
    SCOPED_TRACE(::testing::Message() << name << " Monk " << i + 1);
    const MonkResult r = monk(base, skin, hex_rgb(kMonk[i]));
    std::printf("    MST %2d  %6.2f (%5.2f)  %6.2f (%5.2f)  %5.2f\n", i + 1, r.base_shift,
                r.base_hc, r.skin_shift, r.skin_hc, r.L_follow_err);
    sum_base += r.base_shift;
    sum_skin += r.skin_shift;
    // Hue and chroma stay near the ungraded swatch (chroma scales a little with lightness)...
    EXPECT_LE(r.skin_hc, 2.5f);
    // ...where the look moved them far.
    if (r.base_hc > 5.f) {
      ++strong;
      EXPECT_LE(r.skin_hc, 0.3f * r.base_hc);
    }
    // Lightness goes kSkinToneFollow of the way to the base's (up to the lattice's
    // interpolation error), and the whole shift is at most half the look's.
    EXPECT_LE(r.L_follow_err, 1.5f);
    EXPECT_LE(r.skin_shift, 0.55f * r.base_shift);
    group_base[group(i)] += r.base_shift;
    group_skin[group(i)] += r.skin_shift;
  }
  std::printf("    mean     %6.2f          %6.2f\n", sum_base / 10, sum_skin / 10);
  EXPECT_GE(strong, 5) << "the look should be strong on skin";
  EXPECT_LE(sum_skin, 0.5f * sum_base);
  // The bar, per tone group: the skin shift at least 50 % below the look's.
  for (int g = 0; g < 3; ++g) EXPECT_LE(group_skin[g], 0.5f * group_base[g]) << "group " << g;
  EXPECT_TRUE(grey_axis_monotone(skin, 1e-4f));
}

TEST(RegionLuts, SkinLutKeepsMonkSwatchesNaturalUnderTealOrange) {
  check_skin_lut(teal_orange(), "Look teal-orange");
}

// The shared kdenlive teal-orange LUT (a real creative LUT), when the data is there.
TEST(RegionLuts, SkinLutUnderSharedTealOrangeCube) {
  const std::filesystem::path p =
      std::filesystem::path(AUTOGRADE_SHARED_DATA) / "luts/debian_kdenlive/TEAL_ORANGE.cube";
  if (!std::filesystem::exists(p)) GTEST_SKIP() << p << " absent";
  const LutFile f = read_cube(p.string());
  ASSERT_TRUE(f.cube);
  ASSERT_FALSE(f.shaper);
  check_skin_lut(*f.cube, "kdenlive TEAL_ORANGE.cube");
}

TEST(RegionLuts, ProtectedLutIsTheBaseAwayFromSkin) {
  const Lut3D base = teal_orange();
  const Lut3D ungraded = Lut3D::identity(base.size);
  const Lut3D prot = skin_protected_lut(base, ungraded, 1.f);
  // The doubled lattice (the base reproduced exactly between its own lattice points).
  ASSERT_EQ(prot.size, 2 * base.size - 1);
  const int n = prot.size;
  // Every lattice point whose (ungraded) colour is clearly not skin: hue far from the locus or
  // near neutral: the table entry is the base's, bit for bit.
  int checked = 0, differ = 0;
  for (int b = 0; b < n; ++b)
    for (int g = 0; g < n; ++g)
      for (int r = 0; r < n; ++r) {
        const Rgb u{float(r) / float(n - 1), float(g) / float(n - 1), float(b) / float(n - 1)};
        const Vec3 l = lab(u);
        const float C = std::hypot(l[1], l[2]);
        const float h = std::atan2(l[2], l[1]) * 180.f / 3.14159265f;
        // Grey (saturation C*/(L* + 10) well under the qualifier's floor) or a hue far from skin.
        const bool non_skin = C / (std::max(l[0], 0.f) + 10.f) < 0.004f || h < 8.f || h > 122.f;
        if (!non_skin) continue;
        ++checked;
        const Rgb want = sample(base, u, Interp::Tetrahedral);
        for (int c = 0; c < 3; ++c)
          if (prot.at(r, g, b)[c] != want[c]) ++differ;
      }
  EXPECT_GT(checked, n * n * n / 2);
  EXPECT_EQ(differ, 0);
  // Saturated blue, green and greys through the LUT as a whole.
  for (Rgb c : {Rgb{0.1f, 0.2f, 0.9f}, Rgb{0.2f, 0.7f, 0.2f}, Rgb{0.5f, 0.5f, 0.5f},
                Rgb{0.25f, 0.25f, 0.25f}, Rgb{0.0f, 0.5f, 0.6f}})
    for (int k = 0; k < 3; ++k)
      EXPECT_EQ(sample(prot, c, Interp::Tetrahedral)[k], sample(base, c, Interp::Tetrahedral)[k]);
  // protect = 0 is the base everywhere; on the base's own lattice points bit for bit.
  const Lut3D off = skin_protected_lut(base, ungraded, 0.f);
  for (int b = 0; b < base.size; ++b)
    for (int g = 0; g < base.size; ++g)
      for (int r = 0; r < base.size; ++r)
        for (int c = 0; c < 3; ++c) ASSERT_EQ(off.at(2 * r, 2 * g, 2 * b)[c], base.at(r, g, b)[c]);
  // Between them the doubled lattice reproduces the base's tetrahedral interpolation.
  for (Rgb c : {Rgb{0.13f, 0.71f, 0.42f}, Rgb{0.9f, 0.05f, 0.33f}, Rgb{0.61f, 0.6f, 0.59f}})
    for (int k = 0; k < 3; ++k)
      EXPECT_NEAR(sample(off, c, Interp::Tetrahedral)[k], sample(base, c, Interp::Tetrahedral)[k],
                  2e-6f);
  EXPECT_TRUE(grey_axis_monotone(prot, 1e-4f));
}

TEST(RegionLuts, ProtectedLutMovesSkinTowardsUngraded) {
  const Lut3D base = teal_orange();
  const Lut3D ungraded = Lut3D::identity(base.size);
  const Lut3D full = skin_protected_lut(base, ungraded, 1.f);
  const Lut3D half = skin_protected_lut(base, ungraded, 0.5f);
  std::printf("  protected LUT: Monk swatch  base dE00  protect 0.5  protect 1.0\n");
  for (int i = 0; i < 10; ++i) {
    SCOPED_TRACE(::testing::Message() << "Monk " << i + 1);
    const Rgb s = hex_rgb(kMonk[i]);
    const Vec3 u = lab(s);
    const float d_base = ciede2000(lab(sample(base, s, Interp::Tetrahedral)), u);
    const float d_half = ciede2000(lab(sample(half, s, Interp::Tetrahedral)), u);
    const float d_full = ciede2000(lab(sample(full, s, Interp::Tetrahedral)), u);
    std::printf("    MST %2d  %6.2f  %6.2f  %6.2f\n", i + 1, d_base, d_half, d_full);
    EXPECT_LT(d_full, d_half);
    EXPECT_LT(d_half, d_base);
  }
}

// Largest |second difference| along any lattice axis (a kink shows up as a spike).
float max_second_difference(const Lut3D& l) {
  const int n = l.size;
  float m = 0;
  for (int b = 0; b < n; ++b)
    for (int g = 0; g < n; ++g)
      for (int r = 0; r < n; ++r)
        for (int axis = 0; axis < 3; ++axis) {
          int i[3] = {r, g, b};
          if (i[axis] == 0 || i[axis] == n - 1) continue;
          int lo[3] = {r, g, b}, hi[3] = {r, g, b};
          --lo[axis];
          ++hi[axis];
          for (int c = 0; c < 3; ++c) {
            const float d =
                l.at(lo[0], lo[1], lo[2])[c] - 2 * l.at(r, g, b)[c] + l.at(hi[0], hi[1], hi[2])[c];
            m = std::max(m, std::fabs(d));
          }
        }
  return m;
}

TEST(RegionLuts, AllRegionLutsAreBoundedSmoothAndMonotoneOnGrey) {
  const Lut3D base = teal_orange();
  const Lut3D ungraded = Lut3D::identity(base.size);
  const float base_d2 = max_second_difference(base);
  struct Named {
    const char* name;
    Lut3D lut;
  };
  const Named luts[] = {{"skin", skin_region_lut(base, ungraded)},
                        {"protected", skin_protected_lut(base, ungraded, 1.f)},
                        {"sky", sky_region_lut(base, ungraded)},
                        {"foliage", foliage_region_lut(base, ungraded)}};
  for (const Named& n : luts) {
    SCOPED_TRACE(n.name);
    for (float v : n.lut.table) {
      ASSERT_GE(v, 0.f);
      ASSERT_LE(v, 1.f);
    }
    const float d2 = max_second_difference(n.lut);
    std::printf("  %-9s max second difference %.4f (base %.4f)\n", n.name, d2, base_d2);
    EXPECT_LE(d2, base_d2 + 0.06f);
    EXPECT_TRUE(grey_axis_monotone(n.lut, 1e-4f));
  }
}

// No visible step: along hue sweeps (OKLab hue in 0.5° steps at several lightnesses and
// chromas), neighbouring outputs differ by less than 1 CIEDE2000 and by at most 1.5 times the
// base's own steepest step (the qualifiers' fades steepen the look's gradients a little, no
// more).
TEST(RegionLuts, HueSweepsHaveNoVisibleSteps) {
  const Lut3D base = teal_orange();
  const Lut3D ungraded = Lut3D::identity(base.size);
  const Lut3D luts[5] = {base, skin_region_lut(base, ungraded),
                         skin_protected_lut(base, ungraded, 1.f), sky_region_lut(base, ungraded),
                         foliage_region_lut(base, ungraded)};
  const char* names[5] = {"base", "skin", "protected", "sky", "foliage"};
  float worst[5] = {};
  for (float L : {0.35f, 0.5f, 0.65f, 0.8f, 0.9f})
    for (float C : {0.03f, 0.06f, 0.1f, 0.14f}) {
      Vec3 prev[5];
      for (int i = 0; i <= 720; ++i) {
        const float h = float(i) * 0.5f * 3.14159265f / 180.f;
        const Vec3 lin = oklab_to_linear_srgb({L, C * std::cos(h), C * std::sin(h)});
        Rgb c;
        for (int k = 0; k < 3; ++k) c[k] = linear_to_srgb(std::clamp(lin[k], 0.f, 1.f));
        for (int q = 0; q < 5; ++q) {
          const Vec3 o = lab(sample(luts[q], c, Interp::Tetrahedral));
          if (i > 0 && ciede2000(o, prev[q]) > worst[q]) {
            worst[q] = ciede2000(o, prev[q]);
            if (std::getenv("AG_DEBUG_SWEEP"))
              std::printf("    %s L %.2f C %.2f hue %.1f: %.2f\n", names[q], L, C, i * 0.5f,
                          worst[q]);
          }
          prev[q] = o;
        }
      }
    }
  for (int q = 0; q < 5; ++q) {
    std::printf("  %-9s largest step %.2f dE00\n", names[q], worst[q]);
    EXPECT_LT(worst[q], 1.f) << names[q];
    EXPECT_LE(worst[q], 1.5f * worst[0]) << names[q];
  }
}

TEST(RegionLuts, SkyAndFoliageActOnTheirColoursOnly) {
  const Lut3D base = teal_orange();
  const Lut3D ungraded = Lut3D::identity(base.size);
  const Lut3D sky = sky_region_lut(base, ungraded), foliage = foliage_region_lut(base, ungraded);
  auto oklab = [](const Rgb& c) {
    return linear_srgb_to_oklab({srgb_to_linear(std::clamp(c[0], 0.f, 1.f)),
                                 srgb_to_linear(std::clamp(c[1], 0.f, 1.f)),
                                 srgb_to_linear(std::clamp(c[2], 0.f, 1.f))});
  };
  auto chroma = [](const Vec3& o) { return std::hypot(o[1], o[2]); };
  auto hue_gap = [](const Vec3& a, const Vec3& b) {
    float d = std::fabs(std::atan2(a[2], a[1]) - std::atan2(b[2], b[1]));
    return std::min(d, 2.f * 3.14159265f - d);
  };
  // Sky blues: deeper (not lighter than the base), at least as chromatic, hue nearer the
  // ungraded blue than the look's.
  for (const char* h : {"87ceeb", "6fa8dc", "4a90d9", "5b9bd5"}) {
    SCOPED_TRACE(h);
    const Rgb c = hex_rgb(h);
    const Vec3 u = oklab(c), b = oklab(sample(base, c, Interp::Tetrahedral)),
               s = oklab(sample(sky, c, Interp::Tetrahedral));
    EXPECT_LE(s[0], b[0] + 1e-3f);
    EXPECT_GE(s[0], b[0] - 0.06f);  // keeps the look's tone
    EXPECT_GE(chroma(s), chroma(b) - 1e-3f);
    EXPECT_LE(hue_gap(s, u), hue_gap(b, u) + 1e-3f);
  }
  // Foliage greens: the look's tone, hue nearer the ungraded green, chroma kept.
  for (const char* h : {"4f7942", "228b22", "6b8e23", "2e8b57"}) {
    SCOPED_TRACE(h);
    const Rgb c = hex_rgb(h);
    const Vec3 u = oklab(c), b = oklab(sample(base, c, Interp::Tetrahedral)),
               f = oklab(sample(foliage, c, Interp::Tetrahedral));
    EXPECT_NEAR(f[0], b[0], 0.02f);
    EXPECT_LE(hue_gap(f, u), 0.5f * hue_gap(b, u) + 0.01f);
    EXPECT_GE(chroma(f), std::min(chroma(u), chroma(b)) - 1e-3f);
  }
  // Neutrals and skin keep the look under both.
  for (const char* h : {"808080", "d0d0d0", "a07e56", "825c43"})
    for (const Lut3D* l : {&sky, &foliage}) {
      const Rgb c = hex_rgb(h);
      const Rgb o = sample(*l, c, Interp::Tetrahedral), b = sample(base, c, Interp::Tetrahedral);
      for (int k = 0; k < 3; ++k) EXPECT_NEAR(o[k], b[k], 1e-6f) << h;
    }
}

}  // namespace
}  // namespace autograde
