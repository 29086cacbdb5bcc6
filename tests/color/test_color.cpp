// Colour primitives against published values: IEC 61966-2-1, ITU-R BT.709/BT.2020/BT.2087,
// SMPTE EG 432-1 / RP 431-2, SMPTE ST 2065-1, Ottosson's OKLab post, Sharma et al. (2005) — and
// against OpenColorIO's own built-in matrices, which are computed by independent code.
#include <OpenColorIO/OpenColorIO.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "autograde/color/color.hpp"

namespace OCIO = OCIO_NAMESPACE;
using namespace autograde;

namespace {

void expect_matrix_near(const Mat3& got, const Mat3& want, double tol, const char* what) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_NEAR(got[i][j], want[i][j], tol) << what << " [" << i << "][" << j << "]";
}

// Applies a chain of OCIO built-ins (style, inverse?) to one RGB triple.
Vec3 ocio_apply(const std::vector<std::pair<const char*, bool>>& chain, Vec3 v) {
  auto g = OCIO::GroupTransform::Create();
  for (auto& [style, inv] : chain) {
    auto t = OCIO::BuiltinTransform::Create();
    t->setStyle(style);
    t->setDirection(inv ? OCIO::TRANSFORM_DIR_INVERSE : OCIO::TRANSFORM_DIR_FORWARD);
    g->appendTransform(t);
  }
  auto cpu = OCIO::Config::CreateRaw()->getProcessor(g)->getOptimizedCPUProcessor(
      OCIO::BIT_DEPTH_F32, OCIO::BIT_DEPTH_F32, OCIO::OPTIMIZATION_LOSSLESS);
  cpu->applyRGB(v.data());
  return v;
}

}  // namespace

// --- Transfer functions --------------------------------------------------------------------

TEST(Transfer, SrgbBreakPointsPerIec61966) {
  // IEC 61966-2-1: linear segment slope 12.92 up to 0.0031308 (code 0.04045), then
  // 1.055·L^(1/2.4) − 0.055. The two pieces meet at the break to ~1e-7.
  EXPECT_NEAR(srgb_to_linear(0.04045f), 0.04045f / 12.92f, 1e-7);
  EXPECT_NEAR(linear_to_srgb(0.0031308f), 0.040449936f, 1e-6);
  const float below = srgb_to_linear(0.04045f - 1e-6f), above = srgb_to_linear(0.04045f + 1e-6f);
  EXPECT_NEAR(below, above, 1e-6);
  EXPECT_FLOAT_EQ(srgb_to_linear(0.f), 0.f);
  EXPECT_NEAR(srgb_to_linear(1.f), 1.f, 1e-6);
  // Code 0.5 → 0.2140 linear (e.g. the standard's informative tables / any ICC profile).
  EXPECT_NEAR(srgb_to_linear(0.5f), 0.21404f, 5e-5);
  EXPECT_NEAR(linear_to_srgb(0.18f), 0.46135f, 5e-5);
}

TEST(Transfer, RoundTripsAndMonotone) {
  float prev_s = -1, prev_709 = -1, prev_2020 = -1;
  for (int i = 0; i <= 1000; ++i) {
    const float v = float(i) / 1000.f;
    EXPECT_NEAR(linear_to_srgb(srgb_to_linear(v)), v, 2e-6) << v;
    // BT.709's rounded constants leave a gap in the OETF's range, (0.081, 0.081248): the
    // power segment starts at 1.099·0.018^0.45 − 0.099 = 0.081248. Codes inside it have no
    // exact preimage; everything the OETF produces must round-trip.
    EXPECT_NEAR(rec709_inverse_oetf(rec709_oetf(v)), v, 2e-6) << v;
    if (v < 0.081f || v > 0.081248f) {
      EXPECT_NEAR(rec709_oetf(rec709_inverse_oetf(v)), v, 2e-6) << v;
    }
    EXPECT_NEAR(rec2020_oetf(rec2020_inverse_oetf(v)), v, 2e-6) << v;
    EXPECT_NEAR(bt1886_inverse_eotf(bt1886_eotf(v)), v, 2e-6) << v;
    EXPECT_NEAR(dci_p3_inverse_eotf(dci_p3_eotf(v)), v, 2e-6) << v;
    const float s = srgb_to_linear(v), a = rec709_inverse_oetf(v), b = rec2020_inverse_oetf(v);
    EXPECT_GT(s, prev_s);
    EXPECT_GE(a, prev_709);
    EXPECT_GE(b, prev_2020);
    prev_s = s, prev_709 = a, prev_2020 = b;
  }
  // Negative values mirror (useful for out-of-gamut intermediates).
  EXPECT_FLOAT_EQ(srgb_to_linear(-0.5f), -srgb_to_linear(0.5f));
}

TEST(Transfer, Bt709AndBt2020Values) {
  // BT.709-6 item 1.2: V = 4.5 L below 0.018, 1.099 L^0.45 − 0.099 above.
  EXPECT_NEAR(rec709_oetf(0.0179f), 4.5 * 0.0179, 1e-7);
  EXPECT_NEAR(rec709_oetf(0.018f), 1.099 * std::pow(0.018, 0.45) - 0.099, 1e-6);
  EXPECT_NEAR(rec709_oetf(1.f), 1.f, 1e-6);
  EXPECT_NEAR(rec709_oetf(0.18f), 0.40901f, 5e-5);
  // BT.2020-2 Table 4: the precise alpha/beta make the two pieces continuous.
  const double beta = 0.018053968510807;
  EXPECT_NEAR(rec2020_oetf(float(beta)), 4.5 * beta, 1e-6);
  EXPECT_NEAR(rec2020_oetf(float(beta) * 1.0001f), 4.5 * beta * 1.0001, 2e-6);
  EXPECT_NEAR(rec2020_oetf(1.f), 1.f, 1e-6);
  // BT.1886 with Lb = 0, Lw = 1 is a pure 2.4 power; DCI a pure 2.6 power.
  EXPECT_NEAR(bt1886_eotf(0.5f), std::pow(0.5, 2.4), 1e-6);
  EXPECT_NEAR(dci_p3_eotf(0.5f), std::pow(0.5, 2.6), 1e-6);
}

// --- Gamut matrices ------------------------------------------------------------------------

TEST(Gamut, Rec709MatrixMatchesIec61966) {
  // IEC 61966-2-1 eq. (7), printed to 4 decimals: rounding allows ±5e-5.
  const Mat3 want{{{0.4124, 0.3576, 0.1805}, {0.2126, 0.7152, 0.0722}, {0.0193, 0.1192, 0.9505}}};
  expect_matrix_near(rgb_to_xyz_matrix(kRec709), want, 5e-5, "sRGB→XYZ");
  // BT.709-6 item 3.2 luma coefficients are the middle row.
  EXPECT_NEAR(rec709_luma({1, 0, 0}), rgb_to_xyz_matrix(kRec709)[1][0], 5e-5);
}

TEST(Gamut, Rec2020MatrixMatchesBt2020AndBt2087) {
  // BT.2020-2 Table 4 luma: Y = 0.2627 R + 0.6780 G + 0.0593 B; X and Z rows as published in
  // e.g. SMPTE RP 177 derivations of BT.2020 (0.6370 0.1446 0.1689 / 0.0000 0.0281 1.0610).
  const Mat3 want{{{0.6370, 0.1446, 0.1689}, {0.2627, 0.6780, 0.0593}, {0.0000, 0.0281, 1.0610}}};
  expect_matrix_near(rgb_to_xyz_matrix(kRec2020), want, 5e-5, "2020→XYZ");
  // ITU-R BT.2087-0 §2, linear BT.709 → BT.2020 RGB (4 decimals).
  const Mat3 m709_2020{
      {{0.6274, 0.3293, 0.0433}, {0.0691, 0.9195, 0.0114}, {0.0164, 0.0880, 0.8956}}};
  expect_matrix_near(rgb_to_rgb_matrix(kRec709, kRec2020), m709_2020, 5e-5, "709→2020");
}

TEST(Gamut, P3MatricesMatchSmpte) {
  // SMPTE EG 432-1 (P3 primaries, D65) normalised primary matrix.
  const Mat3 p3d65{{{0.4865709, 0.2656677, 0.1982173},
                    {0.2289746, 0.6917385, 0.0792869},
                    {0.0000000, 0.0451134, 1.0439444}}};
  expect_matrix_near(rgb_to_xyz_matrix(kDisplayP3), p3d65, 5e-7, "P3-D65→XYZ");
  // SMPTE RP 431-2 (DCI white x 0.314 y 0.351).
  const Mat3 dci{{{0.4451698, 0.2771344, 0.1722827},
                  {0.2094917, 0.7215953, 0.0689131},
                  {0.0000000, 0.0470606, 0.9073554}}};
  expect_matrix_near(rgb_to_xyz_matrix(kDciP3), dci, 5e-7, "DCI-P3→XYZ");
}

TEST(Gamut, AcesMatricesMatchStandards) {
  // SMPTE ST 2065-1 AP0 → XYZ and AMPAS S-2014-004 AP1 → XYZ (10 decimals; ACES white).
  const Mat3 ap0{{{0.9525523959, 0.0, 0.0000936786},
                  {0.3439664498, 0.7281660966, -0.0721325464},
                  {0.0, 0.0, 1.0088251844}}};
  const Mat3 ap1{{{0.6624541811, 0.1340042065, 0.1561876870},
                  {0.2722287168, 0.6740817658, 0.0536895174},
                  {-0.0055746495, 0.0040607335, 1.0103391003}}};
  expect_matrix_near(rgb_to_xyz_matrix(kAcesAP0), ap0, 1e-9, "AP0→XYZ");
  expect_matrix_near(rgb_to_xyz_matrix(kAcesAP1), ap1, 1e-9, "AP1→XYZ");
}

TEST(Gamut, InverseAndWhitePreserved) {
  for (const auto* c : {&kRec709, &kRec2020, &kDisplayP3, &kDciP3, &kAcesAP0}) {
    const Mat3 m = rgb_to_xyz_matrix(*c);
    const Mat3 id = multiply(m, inverse(m));
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) EXPECT_NEAR(id[i][j], i == j ? 1.0 : 0.0, 1e-12);
    // RGB white (1,1,1) lands on the white point with Y = 1.
    const Vec3 w = apply_matrix(m, {1, 1, 1});
    EXPECT_NEAR(w[1], 1.0, 1e-6);
    EXPECT_NEAR(w[0] / (w[0] + w[1] + w[2]), c->wx, 1e-6);
    EXPECT_NEAR(w[1] / (w[0] + w[1] + w[2]), c->wy, 1e-6);
  }
  // Adapted conversions keep white white.
  const Vec3 w = apply_matrix(rgb_to_rgb_matrix(kAcesAP1, kRec709), {1, 1, 1});
  for (float x : w) EXPECT_NEAR(x, 1.0, 1e-6);
}

// OpenColorIO derives its built-in matrices with its own code (ColorMatrixHelpers.cpp);
// agreement checks our primaries → matrix and Bradford code independently of the tables above.
TEST(Gamut, Rec709ToRec2020MatchesOcioDisplayBuiltins) {
  // OCIO: Rec.709 BT.1886 code → XYZ D65 (inverse display built-in) → Rec.2020 BT.1886 code.
  // Our side: linearise with the same BT.1886 EOTF and apply our 709 → 2020 matrix.
  const Mat3 m = rgb_to_rgb_matrix(kRec709, kRec2020);
  for (Vec3 lin : {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}, Vec3{0.2f, 0.5f, 0.8f},
                   Vec3{0.9f, 0.4f, 0.1f}, Vec3{0.18f, 0.18f, 0.18f}}) {
    Vec3 code{bt1886_inverse_eotf(lin[0]), bt1886_inverse_eotf(lin[1]),
              bt1886_inverse_eotf(lin[2])};
    const Vec3 out = ocio_apply({{"DISPLAY - CIE-XYZ-D65_to_REC.1886-REC.709", true},
                                 {"DISPLAY - CIE-XYZ-D65_to_REC.1886-REC.2020", false}},
                                code);
    const Vec3 want = apply_matrix(m, lin);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(bt1886_eotf(out[i]), want[i], 2e-5) << i;
  }
}

TEST(Gamut, BradfordMatchesOcioAcesUtilities) {
  // "UTILITY - ACES-AP1_to_LINEAR-REC709_BFD" and "UTILITY - ACES-AP0_to_CIE-XYZ-D65_BFD".
  const Mat3 ap1_709 = rgb_to_rgb_matrix(kAcesAP1, kRec709);
  const Mat3 ap0_xyz = multiply(bradford_adaptation(kAcesAP0.wx, kAcesAP0.wy, 0.3127, 0.3290),
                                rgb_to_xyz_matrix(kAcesAP0));
  for (Vec3 v : {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}, Vec3{0.3f, 0.6f, 0.2f}}) {
    const Vec3 a = ocio_apply({{"UTILITY - ACES-AP1_to_LINEAR-REC709_BFD", false}}, v);
    const Vec3 b = ocio_apply({{"UTILITY - ACES-AP0_to_CIE-XYZ-D65_BFD", false}}, v);
    const Vec3 wa = apply_matrix(ap1_709, v), wb = apply_matrix(ap0_xyz, v);
    for (int i = 0; i < 3; ++i) {
      EXPECT_NEAR(a[i], wa[i], 1e-5) << i;
      EXPECT_NEAR(b[i], wb[i], 1e-5) << i;
    }
  }
}

// --- CIE L*a*b* ----------------------------------------------------------------------------

TEST(Lab, WhiteBlackAndGrey) {
  const Vec3 white = srgb_to_lab({1, 1, 1});
  EXPECT_NEAR(white[0], 100.0, 1e-4);
  EXPECT_NEAR(white[1], 0.0, 1e-4);
  EXPECT_NEAR(white[2], 0.0, 1e-4);
  const Vec3 black = srgb_to_lab({0, 0, 0});
  EXPECT_NEAR(black[0], 0.0, 1e-6);
  // CIE 15:2004: Y = 0.18 → L* = 116·0.18^(1/3) − 16 = 49.496.
  EXPECT_NEAR(xyz_to_lab({0.18f * 0.95046f, 0.18f, 0.18f * 1.08906f})[0], 49.4961, 1e-3);
  // Below the 216/24389 break L* is linear: L* = 24389/27 · Y.
  EXPECT_NEAR(xyz_to_lab({0.004f * 0.95046f, 0.004f, 0.004f * 1.08906f})[0], 3.6132, 1e-3);
}

TEST(Lab, SrgbPrimariesMatchTabulatedValues) {
  // sRGB primaries in L*a*b* (D65) as commonly tabulated (B. Lindbloom's calculator, EasyRGB):
  // red 53.24/80.09/67.20, green 87.73/−86.18/83.18, blue 32.30/79.19/−107.86. Those use the
  // 5-digit D65 (Xn 0.95047, Zn 1.08883) where we use the sRGB white x 0.3127 y 0.3290 (Xn
  // 0.95046, Zn 1.08906); that moves b* by up to 0.02, plus ±0.005 from rounding.
  struct P {
    Vec3 rgb, lab;
  };
  for (const P& p :
       {P{{1, 0, 0}, {53.24f, 80.09f, 67.20f}}, P{{0, 1, 0}, {87.73f, -86.18f, 83.18f}},
        P{{0, 0, 1}, {32.30f, 79.19f, -107.86f}}}) {
    const Vec3 lab = srgb_to_lab(p.rgb);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(lab[i], p.lab[i], 0.03) << i;
  }
}

TEST(Lab, RoundTrip) {
  for (float r = 0; r <= 1.f; r += 0.125f)
    for (float g = 0; g <= 1.f; g += 0.125f)
      for (float b = 0; b <= 1.f; b += 0.125f) {
        const Vec3 back = lab_to_srgb(srgb_to_lab({r, g, b}));
        EXPECT_NEAR(back[0], r, 1e-4);
        EXPECT_NEAR(back[1], g, 1e-4);
        EXPECT_NEAR(back[2], b, 1e-4);
      }
}

// --- OKLab ---------------------------------------------------------------------------------

TEST(OKLab, OttossonReferencePairs) {
  // B. Ottosson, "A perceptual color space for image processing" (2020), table of example
  // XYZ and Oklab pairs, printed to 3 decimals: allow half a unit of the last place.
  struct P {
    Vec3 xyz, lab;
  };
  for (const P& p : {P{{0.950f, 1.000f, 1.089f}, {1.000f, 0.000f, 0.000f}},
                     P{{1.000f, 0.000f, 0.000f}, {0.450f, 1.236f, -0.019f}},
                     P{{0.000f, 1.000f, 0.000f}, {0.922f, -0.671f, 0.263f}},
                     P{{0.000f, 0.000f, 1.000f}, {0.153f, -1.415f, -0.449f}}}) {
    const Vec3 lab = xyz_to_oklab(p.xyz);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(lab[i], p.lab[i], 5e-4) << i;
    const Vec3 back = oklab_to_xyz(lab);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(back[i], p.xyz[i], 1e-5) << i;
  }
}

TEST(OKLab, SrgbPathAgreesWithXyzPath) {
  // Ottosson's linear-sRGB matrices are M1 · (sRGB → XYZ) precomputed; both routes must agree
  // to the precision of his printed matrices.
  const Mat3 m = rgb_to_xyz_matrix(kRec709);
  for (Vec3 c : {Vec3{1, 1, 1}, Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}, Vec3{0.2f, 0.4f, 0.7f},
                 Vec3{0.18f, 0.18f, 0.18f}}) {
    const Vec3 a = linear_srgb_to_oklab(c), b = xyz_to_oklab(apply_matrix(m, c));
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(a[i], b[i], 1e-3) << i;
    const Vec3 back = oklab_to_linear_srgb(a);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(back[i], c[i], 1e-5) << i;
  }
  const Vec3 white = linear_srgb_to_oklab({1, 1, 1});
  EXPECT_NEAR(white[0], 1.0, 1e-4);
  EXPECT_NEAR(white[1], 0.0, 1e-4);
  EXPECT_NEAR(white[2], 0.0, 1e-4);
}

TEST(OKLab, LchRoundTrip) {
  const Vec3 lab{0.6f, -0.1f, 0.05f};
  const Vec3 lch = oklab_to_oklch(lab);
  EXPECT_NEAR(lch[1], std::hypot(0.1, 0.05), 1e-7);
  EXPECT_NEAR(lch[2], std::atan2(0.05, -0.1), 1e-6);
  const Vec3 back = oklch_to_oklab(lch);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(back[i], lab[i], 1e-6);
}

// --- Colour differences --------------------------------------------------------------------

TEST(DeltaE, Cie76IsEuclidean) {
  EXPECT_FLOAT_EQ(delta_e76({50, 0, 0}, {53, 4, 0}), 5.f);
  EXPECT_FLOAT_EQ(delta_e76({50, 10, -10}, {50, 10, -10}), 0.f);
}

// G. Sharma, W. Wu, E. N. Dalal, "The CIEDE2000 color-difference formula: implementation notes,
// supplementary test data, and mathematical observations", Color Research & Application 30(1),
// 2005, Table 1: all 34 pairs (L1 a1 b1, L2 a2 b2, ΔE00 to 4 decimals).
TEST(DeltaE, Ciede2000SharmaTable1) {
  struct Pair {
    Vec3 lab1, lab2;
    double de;
  };
  const Pair table[] = {
      {{50.0000f, 2.6772f, -79.7751f}, {50.0000f, 0.0000f, -82.7485f}, 2.0425},
      {{50.0000f, 3.1571f, -77.2803f}, {50.0000f, 0.0000f, -82.7485f}, 2.8615},
      {{50.0000f, 2.8361f, -74.0200f}, {50.0000f, 0.0000f, -82.7485f}, 3.4412},
      {{50.0000f, -1.3802f, -84.2814f}, {50.0000f, 0.0000f, -82.7485f}, 1.0000},
      {{50.0000f, -1.1848f, -84.8006f}, {50.0000f, 0.0000f, -82.7485f}, 1.0000},
      {{50.0000f, -0.9009f, -85.5211f}, {50.0000f, 0.0000f, -82.7485f}, 1.0000},
      {{50.0000f, 0.0000f, 0.0000f}, {50.0000f, -1.0000f, 2.0000f}, 2.3669},
      {{50.0000f, -1.0000f, 2.0000f}, {50.0000f, 0.0000f, 0.0000f}, 2.3669},
      {{50.0000f, 2.4900f, -0.0010f}, {50.0000f, -2.4900f, 0.0009f}, 7.1792},
      {{50.0000f, 2.4900f, -0.0010f}, {50.0000f, -2.4900f, 0.0010f}, 7.1792},
      {{50.0000f, 2.4900f, -0.0010f}, {50.0000f, -2.4900f, 0.0011f}, 7.2195},
      {{50.0000f, 2.4900f, -0.0010f}, {50.0000f, -2.4900f, 0.0012f}, 7.2195},
      {{50.0000f, -0.0010f, 2.4900f}, {50.0000f, 0.0009f, -2.4900f}, 4.8045},
      {{50.0000f, -0.0010f, 2.4900f}, {50.0000f, 0.0010f, -2.4900f}, 4.8045},
      {{50.0000f, -0.0010f, 2.4900f}, {50.0000f, 0.0011f, -2.4900f}, 4.7461},
      {{50.0000f, 2.5000f, 0.0000f}, {50.0000f, 0.0000f, -2.5000f}, 4.3065},
      {{50.0000f, 2.5000f, 0.0000f}, {73.0000f, 25.0000f, -18.0000f}, 27.1492},
      {{50.0000f, 2.5000f, 0.0000f}, {61.0000f, -5.0000f, 29.0000f}, 22.8977},
      {{50.0000f, 2.5000f, 0.0000f}, {56.0000f, -27.0000f, -3.0000f}, 31.9030},
      {{50.0000f, 2.5000f, 0.0000f}, {58.0000f, 24.0000f, 15.0000f}, 19.4535},
      {{50.0000f, 2.5000f, 0.0000f}, {50.0000f, 3.1736f, 0.5854f}, 1.0000},
      {{50.0000f, 2.5000f, 0.0000f}, {50.0000f, 3.2972f, 0.0000f}, 1.0000},
      {{50.0000f, 2.5000f, 0.0000f}, {50.0000f, 1.8634f, 0.5757f}, 1.0000},
      {{50.0000f, 2.5000f, 0.0000f}, {50.0000f, 3.2592f, 0.3350f}, 1.0000},
      {{60.2574f, -34.0099f, 36.2677f}, {60.4626f, -34.1751f, 39.4387f}, 1.2644},
      {{63.0109f, -31.0961f, -5.8663f}, {62.8187f, -29.7946f, -4.0864f}, 1.2630},
      {{61.2901f, 3.7196f, -5.3901f}, {61.4292f, 2.2480f, -4.9620f}, 1.8731},
      {{35.0831f, -44.1164f, 3.7933f}, {35.0232f, -40.0716f, 1.5901f}, 1.8645},
      {{22.7233f, 20.0904f, -46.6940f}, {23.0331f, 14.9730f, -42.5619f}, 2.0373},
      {{36.4612f, 47.8580f, 18.3852f}, {36.2715f, 50.5065f, 21.2231f}, 1.4146},
      {{90.8027f, -2.0831f, 1.4410f}, {91.1528f, -1.6435f, 0.0447f}, 1.4441},
      {{90.9257f, -0.5406f, -0.9208f}, {88.6381f, -0.8985f, -0.7239f}, 1.5381},
      {{6.7747f, -0.2908f, -2.4247f}, {5.8714f, -0.0985f, -2.2286f}, 0.6377},
      {{2.0776f, 0.0795f, -1.1350f}, {0.9033f, -0.0636f, -0.5514f}, 0.9082},
  };
  static_assert(sizeof(table) / sizeof(table[0]) == 34);
  int i = 1;
  for (const Pair& p : table) {
    EXPECT_NEAR(ciede2000(p.lab1, p.lab2), p.de, 1e-4) << "pair " << i;
    EXPECT_NEAR(ciede2000(p.lab2, p.lab1), p.de, 1e-4) << "pair " << i << " swapped";
    ++i;
  }
  EXPECT_EQ(ciede2000({50, 10, 10}, {50, 10, 10}), 0.f);
}
