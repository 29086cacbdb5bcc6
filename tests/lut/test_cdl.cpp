// ASC CDL: apply_cdl against OpenColorIO's CDLTransform (an independent implementation of the
// ASC CDL v1.2 formula), the .cdl/.ccc writers read back by OpenColorIO's CDL parsers, the EDL
// lines, and fit_cdl on LUTs a CDL can and cannot express.
#include <OpenColorIO/OpenColorIO.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <iostream>
#include <locale>
#include <random>

#include "autograde/core/error.hpp"
#include "autograde/lut/cdl.hpp"
#include "autograde/lut/interpolate.hpp"
#include "lut_test_support.hpp"
#include "test_support.hpp"

using namespace autograde;
namespace OCIO = OCIO_NAMESPACE;
namespace agt = autograde::testing;

namespace {

OCIO::CDLTransformRcPtr ocio_cdl(const Cdl& c) {
  auto t = OCIO::CDLTransform::Create();
  t->setSlope(c.slope.data());
  t->setOffset(c.offset.data());
  t->setPower(c.power.data());
  t->setSat(c.saturation);
  // OCIO 2.1's default style is CDL_NO_CLAMP (OpenColorTypes.h); the spec's v1.2 is CDL_ASC.
  t->setStyle(OCIO::CDL_ASC);
  return t;
}

// OCIO's exact CPU path: OPTIMIZATION_NONE keeps the SSE fast-power approximation
// (OPTIMIZATION_FAST_LOG_EXP_POW) out, so the comparison measures the formula, not a pow.
std::vector<Rgb> ocio_apply(const OCIO::ConstTransformRcPtr& t, std::vector<Rgb> colours) {
  auto proc = OCIO::Config::CreateRaw()->getProcessor(t);
  auto cpu = proc->getOptimizedCPUProcessor(OCIO::BIT_DEPTH_F32, OCIO::BIT_DEPTH_F32,
                                            OCIO::OPTIMIZATION_NONE);
  OCIO::PackedImageDesc desc(colours.data()->data(), long(colours.size()), 1, 3);
  cpu->apply(desc);
  return colours;
}

Cdl random_cdl(std::mt19937& rng, double slope_lo, double slope_hi, double offset, double pow_lo,
               double pow_hi, double sat_lo, double sat_hi) {
  auto u = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  Cdl c;
  for (int i = 0; i < 3; ++i) {
    c.slope[i] = u(slope_lo, slope_hi);
    c.offset[i] = u(-offset, offset);
    c.power[i] = u(pow_lo, pow_hi);
  }
  c.saturation = u(sat_lo, sat_hi);
  return c;
}

std::vector<Rgb> random_colours(int count, float lo, float hi) {
  return autograde::testing::random_colours(count, lo, hi, 25);
}
using autograde::testing::max_diff;

Lut3D bake(int n, const std::function<Rgb(Rgb)>& f) {
  Lut3D lut = Lut3D::identity(n);
  for (int b = 0; b < n; ++b)
    for (int g = 0; g < n; ++g)
      for (int r = 0; r < n; ++r) {
        const float* e = lut.at(r, g, b);
        const Rgb v = f({e[0], e[1], e[2]});
        std::copy(v.begin(), v.end(), lut.at(r, g, b));
      }
  return lut;
}

// |tetrahedral(residual, apply_cdl(cdl, x)) − lut(x)| over the lattice, computed here rather
// than trusted from CdlFit.
float composed_max_error(const CdlFit& fit, const Lut3D& lut) {
  const Lut3D id = Lut3D::identity(lut.size);
  float m = 0;
  for (size_t i = 0; i < lut.table.size(); i += 3) {
    const Rgb x{id.table[i], id.table[i + 1], id.table[i + 2]};
    const Rgb v = sample_tetrahedral(fit.residual, apply_cdl(fit.cdl, x));
    m = std::max(m, max_diff(v, {lut.table[i], lut.table[i + 1], lut.table[i + 2]}));
  }
  return m;
}

double max_param_diff(const Cdl& a, const Cdl& b) {
  double m = std::abs(a.saturation - b.saturation);
  for (int i = 0; i < 3; ++i)
    m = std::max({m, std::abs(a.slope[i] - b.slope[i]), std::abs(a.offset[i] - b.offset[i]),
                  std::abs(a.power[i] - b.power[i])});
  return m;
}

std::string write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

void expect_same_numbers(const OCIO::CDLTransform& t, const Cdl& c, double tol) {
  double v[3];
  t.getSlope(v);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(v[i], c.slope[i], tol) << "slope " << i;
  t.getOffset(v);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(v[i], c.offset[i], tol) << "offset " << i;
  t.getPower(v);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(v[i], c.power[i], tol) << "power " << i;
  EXPECT_NEAR(t.getSat(), c.saturation, tol);
}

// The example look published with the ASC_CDL operator in Autodesk's CTF documentation and
// in OpenColorIO's test data (tests/data/files/cdl_test1.ccc, "cc0001"). The ASC's own CDL
// 1.2 document was not at hand, so its examples are not used here.
Cdl published_example() {
  Cdl c;
  c.slope = {1.0, 1.0, 0.9};
  c.offset = {-0.03, -0.02, 0.0};
  c.power = {1.25, 1.0, 1.0};
  c.saturation = 1.7;
  return c;
}

}  // namespace

TEST(ApplyCdl, MatchesOpenColorIOCdlTransform) {
  std::mt19937 rng(2009);
  // Inputs beyond 0..1 and parameters that push past both clamps, so every branch is hit.
  const std::vector<Rgb> colours = random_colours(20000, -0.25f, 1.25f);
  float worst = 0;
  for (int k = 0; k < 12; ++k) {
    const Cdl cdl = k == 0 ? Cdl{} : random_cdl(rng, 0.0, 2.5, 0.4, 0.2, 3.5, 0.0, 2.5);
    const std::vector<Rgb> ref = ocio_apply(ocio_cdl(cdl), colours);
    for (size_t i = 0; i < colours.size(); ++i) {
      const float d = max_diff(apply_cdl(cdl, colours[i]), ref[i]);
      worst = std::max(worst, d);
      ASSERT_LE(d, 1e-5f) << "cdl " << k << " colour " << i;
    }
  }
  std::cout << "[cdl] apply_cdl vs OCIO CDLTransform (CDL_ASC), 12 CDLs x 20000 colours: max "
            << worst << "\n";
}

TEST(ApplyCdl, ClampsAndNaN) {
  Cdl c;
  c.slope = {2, 2, 2};
  c.offset = {-0.5, -0.5, -0.5};
  // Below 0 before the power, above 1 too (v1.2 clamps both ends).
  EXPECT_EQ(apply_cdl(c, {0.1f, 0.9f, 0.5f})[0], 0.f);
  EXPECT_EQ(apply_cdl(c, {0.1f, 0.9f, 0.5f})[1], 1.f);
  EXPECT_EQ(apply_cdl(Cdl{}, {NAN, 0.5f, 0.5f})[0], 0.f);
}

TEST(ApplyCdl, PublishedExampleByHand) {
  // (0.5, 0.4, 0.3): SOP gives (0.47^1.25, 0.38, 0.27) = (0.38915474, 0.38, 0.27); luma =
  // 0.2126·0.38915474 + 0.7152·0.38 + 0.0722·0.27 = 0.37400430; out = luma + 1.7 (w − luma)
  // = (0.39976005, 0.38419699, 0.19719699).
  const Rgb out = apply_cdl(published_example(), {0.5f, 0.4f, 0.3f});
  EXPECT_NEAR(out[0], 0.39976005, 1e-6);
  EXPECT_NEAR(out[1], 0.38419699, 1e-6);
  EXPECT_NEAR(out[2], 0.19719699, 1e-6);
}

TEST(CdlText, EdlLinesExactly) {
  EXPECT_EQ(edl_asc_lines(published_example()),
            "*ASC_SOP (1.000000 1.000000 0.900000)(-0.030000 -0.020000 0.000000)"
            "(1.250000 1.000000 1.000000)\n*ASC_SAT 1.700000\n");
  Cdl tiny;
  tiny.offset = {-1e-9, 0, 0};  // rounds to zero: no "-0.000000"
  EXPECT_EQ(edl_asc_lines(tiny),
            "*ASC_SOP (1.000000 1.000000 1.000000)(0.000000 0.000000 0.000000)"
            "(1.000000 1.000000 1.000000)\n*ASC_SAT 1.000000\n");
}

TEST(CdlText, DecimalPointWhateverTheLocale) {
  // No comma-decimal locale is installed here, so build one: a global C++ locale whose
  // numbers use ',' (what de_DE would give iostreams and locale-aware formatting).
  struct Comma : std::numpunct<char> {
    char do_decimal_point() const override { return ','; }
  };
  // std::locale takes ownership of the facet (its reference count deletes it).
  const std::locale previous = std::locale::global(std::locale(std::locale::classic(), new Comma));
  const std::string lines = edl_asc_lines(published_example());
  const std::string xml = format_cdl_xml(published_example(), "a", "");
  std::locale::global(previous);
  EXPECT_EQ(lines.find(','), std::string::npos) << lines;
  EXPECT_NE(xml.find("<Slope>1.000000 1.000000 0.900000</Slope>"), std::string::npos) << xml;
}

TEST(CdlText, CdlFileReadBackByOpenColorIO) {
  const auto dir = agt::scratch_dir("cdl_xml");
  std::mt19937 rng(7);
  const Cdl cdl = random_cdl(rng, 0.3, 2.0, 0.3, 0.4, 2.5, 0.2, 2.0);
  const std::string xml = format_cdl_xml(cdl, "shot_001 & <co>", "warm \"evening\" look");
  const std::string path = write_text(dir / "look.cdl", xml);
  auto t = OCIO::CDLTransform::CreateFromFile(path.c_str(), "shot_001 & <co>");
  // 6 decimals: half a unit of the last printed digit.
  expect_same_numbers(*t, cdl, 5e-7 + 1e-12);
  EXPECT_STREQ(t->getFirstSOPDescription(), "warm \"evening\" look");
  EXPECT_STREQ(t->getFormatMetadata().getID(), "shot_001 & <co>");
  // OCIO 2.1 gives a CDL read from a file its default style, CDL_NO_CLAMP, not the v1.2
  // clamps: a consumer that renders our .cdl through OCIO has to ask for CDL_ASC.
  EXPECT_EQ(t->getStyle(), OCIO::CDL_NO_CLAMP);
  t->setStyle(OCIO::CDL_ASC);

  // Then OCIO renders what it read as we render the numbers we wrote.
  const std::vector<Rgb> colours = random_colours(2000, 0.f, 1.f);
  const std::vector<Rgb> ref = ocio_apply(t, colours);
  for (size_t i = 0; i < colours.size(); ++i)
    ASSERT_LE(max_diff(apply_cdl(cdl, colours[i]), ref[i]), 2e-5f);
}

TEST(CdlText, CccFileReadBackByOpenColorIO) {
  const auto dir = agt::scratch_dir("ccc_xml");
  std::mt19937 rng(8);
  std::vector<std::pair<std::string, Cdl>> list = {{"cc0001", published_example()}};
  for (int i = 2; i <= 4; ++i)
    list.emplace_back("cc000" + std::to_string(i),
                      random_cdl(rng, 0.3, 2.0, 0.3, 0.4, 2.5, 0.2, 2));
  const std::string path = write_text(dir / "looks.ccc", format_ccc_xml(list));
  for (const auto& [id, cdl] : list) {
    auto t = OCIO::CDLTransform::CreateFromFile(path.c_str(), id.c_str());
    expect_same_numbers(*t, cdl, 5e-7 + 1e-12);
  }
  // By index too, which tells the order was kept.
  auto third = OCIO::CDLTransform::CreateFromFile(path.c_str(), "2");
  expect_same_numbers(*third, list[2].second, 5e-7 + 1e-12);
  EXPECT_EQ(OCIO::CDLTransform::CreateGroupFromFile(path.c_str())->getNumTransforms(), 4);
}

TEST(CdlText, RefusesInvalidCdl) {
  Cdl c;
  c.slope[1] = -0.5;
  EXPECT_THROW(format_cdl_xml(c, "x", ""), Error);
  c = Cdl{};
  c.power[2] = 0;
  EXPECT_THROW(edl_asc_lines(c), Error);
  c = Cdl{};
  c.saturation = NAN;
  EXPECT_THROW(format_ccc_xml({{"x", c}}), Error);
}

TEST(FitCdl, RecoversKnownCdls) {
  std::mt19937 rng(1234);
  double worst_param = 0, worst_rms = 0;
  for (int k = 0; k < 6; ++k) {
    const Cdl truth = random_cdl(rng, 0.7, 1.4, 0.1, 0.7, 1.6, 0.6, 1.5);
    const Lut3D lut = bake(k == 0 ? 33 : 17, [&](Rgb x) { return apply_cdl(truth, x); });
    const CdlFit fit = fit_cdl(lut);
    const double dp = max_param_diff(fit.cdl, truth);
    worst_param = std::max(worst_param, dp);
    worst_rms = std::max(worst_rms, fit.rms_error);
    EXPECT_LE(dp, 1e-3) << "case " << k << ": " << edl_asc_lines(fit.cdl) << " vs "
                        << edl_asc_lines(truth);
    EXPECT_LT(fit.rms_error, 1e-4) << "case " << k;
    EXPECT_LT(fit.max_error, 1e-3) << "case " << k;
    // Nothing left for the residual to do, beyond what clamped nodes fold together.
    EXPECT_LE(composed_max_error(fit, lut), 1.f / 255) << "case " << k;
    std::cout << "[cdl] fit case " << k << " (" << lut.size << "^3): max |param error| " << dp
              << ", rms " << fit.rms_error << ", max " << fit.max_error << ", " << fit.iterations
              << " iterations, composed max " << composed_max_error(fit, lut) << ", clamped nodes "
              << fit.clamped_nodes << "\n";
  }
  std::cout << "[cdl] fit recovery: worst |param error| " << worst_param << ", worst rms "
            << worst_rms << "\n";
}

TEST(FitCdl, HueRotationNeedsTheResidual) {
  // 30° about the neutral axis (Rodrigues): no per-channel curve plus saturation does that.
  const double theta = 30.0 * M_PI / 180.0, cs = std::cos(theta), sn = std::sin(theta);
  const double k = 1.0 / std::sqrt(3.0);
  auto rotate = [&](Rgb v) {
    const double x = v[0], y = v[1], z = v[2];
    const double dot = k * (x + y + z);
    const double cx = k * (z - y), cy = k * (x - z), cz = k * (y - x);  // k × v
    return Rgb{float(x * cs + cx * sn + k * dot * (1 - cs)),
               float(y * cs + cy * sn + k * dot * (1 - cs)),
               float(z * cs + cz * sn + k * dot * (1 - cs))};
  };
  const Lut3D lut = bake(33, rotate);
  const CdlFit fit = fit_cdl(lut);
  const float composed = composed_max_error(fit, lut);
  std::cout << "[cdl] hue rotation 30deg: " << edl_asc_lines(fit.cdl) << "[cdl] rms "
            << fit.rms_error << ", max " << fit.max_error << ", composed max " << composed
            << " (reported " << fit.residual_max_error << "), clamped nodes " << fit.clamped_nodes
            << ", " << fit.iterations << " iterations\n";
  EXPECT_GT(fit.rms_error, 0.02);
  EXPECT_LE(composed, 1.f / 255);
  EXPECT_NEAR(composed, fit.residual_max_error, 1e-6);
}

TEST(FitCdl, SaysWhenTheResidualCannotRepairTheCdl) {
  // A channel cross (each output driven by other inputs): the least-squares CDL clamps, so
  // inputs the LUT keeps apart reach the residual as one colour. fit_cdl cannot fix that; it
  // has to say so in numbers a caller can act on (fall back to the LUT alone).
  const Lut3D lut = bake(17, [](Rgb c) {
    const float r = c[0], g = c[1], b = c[2];
    return Rgb{0.05f + 0.6f * g + 0.3f * b * b, 0.1f + 0.5f * b + 0.35f * std::sqrt(r),
               0.08f + 0.6f * r * g + 0.25f * (1.f - b)};
  });
  const CdlFit fit = fit_cdl(lut);
  std::cout << "[cdl] channel cross: rms " << fit.rms_error << ", composed max "
            << fit.residual_max_error << ", clamped nodes " << fit.clamped_nodes << "\n";
  EXPECT_GT(fit.clamped_nodes, 0);
  EXPECT_GT(fit.residual_max_error, 1.0 / 255);
  EXPECT_NEAR(composed_max_error(fit, lut), fit.residual_max_error, 1e-6);
}
