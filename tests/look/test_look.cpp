// Look: JSON round trip, delta algebra, baking smoothness and neutrality.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/look/look.hpp"
#include "autograde/lut/interpolate.hpp"

using namespace autograde;

namespace {

Look busy_look() {
  Look l;
  l.black_point = 0.02f;
  l.white_point = 0.97f;
  l.exposure = 0.3f;
  l.temperature = 0.2f;
  l.tint = -0.1f;
  l.contrast = 1.25f;
  l.pivot = 0.4f;
  l.lift = {0.01f, 0.0f, -0.01f};
  l.gamma = {1.05f, 1.0f, 0.95f};
  l.gain = {1.02f, 1.0f, 0.98f};
  l.fade = 0.05f;
  l.saturation = 0.9f;
  l.vibrance = 0.2f;
  l.hue_shift_deg[2] = 10.f;
  l.hue_saturation[5] = -0.3f;
  l.split = {200.f, 0.03f, 60.f, 0.02f, 0.1f};
  l.strength = 0.8f;
  return l;
}

// Max of |second difference| along each axis (code values) over the lattice interior,
// inputs 0.1..0.9: the gradients footage holds. (At the cube's surface strong saturation or
// exposure meets the gamut clip, which is a kink by design.)
float max_second_difference(const Lut3D& lut) {
  float worst = 0.f;
  const int n = lut.size, lo = int(0.1f * (n - 1)), hi = n - 1 - lo;
  for (int b = lo; b <= hi; ++b)
    for (int g = lo; g <= hi; ++g)
      for (int r = lo + 1; r < hi; ++r)
        for (int c = 0; c < 3; ++c) {
          worst = std::max(worst, std::abs(lut.at(r - 1, g, b)[c] - 2 * lut.at(r, g, b)[c] + lut.at(r + 1, g, b)[c]));
          worst = std::max(worst, std::abs(lut.at(g, r - 1, b)[c] - 2 * lut.at(g, r, b)[c] + lut.at(g, r + 1, b)[c]));
          worst = std::max(worst, std::abs(lut.at(g, b, r - 1)[c] - 2 * lut.at(g, b, r)[c] + lut.at(g, b, r + 1)[c]));
        }
  return worst;
}

}  // namespace

TEST(Look, JsonRoundTripKeepsEveryField) {
  Look l = busy_look();
  l.residual = Lut3D::identity(3);
  l.residual->table[5] = 0.7f;
  const Look back = look_from_json(nlohmann::json::parse(to_json(l).dump()));
  EXPECT_EQ(to_json(back), to_json(l));
  ASSERT_TRUE(back.residual);
  EXPECT_FLOAT_EQ(back.residual->table[5], 0.7f);
  // The baked tables agree too.
  EXPECT_EQ(bake_look(back, 9).table, bake_look(l, 9).table);
}

TEST(Look, JsonMissingFieldsDefaultAndVersionsMigrate) {
  const Look l = look_from_json(nlohmann::json::parse(R"({"exposure": 0.5})"));
  EXPECT_EQ(l.version, kLookVersion);
  EXPECT_FLOAT_EQ(l.exposure, 0.5f);
  EXPECT_FLOAT_EQ(l.contrast, 1.f);
  EXPECT_FLOAT_EQ(l.saturation, 1.f);
  EXPECT_THROW(look_from_json(nlohmann::json::parse(R"({"version": 99})")), Error);
  EXPECT_THROW(look_from_json(nlohmann::json::parse(R"({"contrast": "high"})")), Error);
  EXPECT_THROW(look_from_json(nlohmann::json::parse(R"([1,2])")), Error);
}

// A learned grade's residual lattice is stored as its float32 bytes in base64 (look version 2):
// the values come back bit for bit, the text is a fraction of version 1's JSON numbers, and
// version 1's tables are still read.
TEST(Look, ResidualIsStoredInBase64BitForBitAndVersion1TablesStillRead) {
  Look l;
  l.residual = Lut3D::identity(17);
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> u(-0.25f, 1.3f);
  for (float& v : l.residual->table) v = u(gen);
  l.residual->table[0] = 1e-40f;  // subnormal
  l.residual->table[1] = -0.f;
  const nlohmann::json j = to_json(l);
  EXPECT_EQ(j["version"], 2);
  EXPECT_EQ(j["residual"]["encoding"], "float32le-base64");
  EXPECT_FALSE(j["residual"].contains("table"));
  const Look back = look_from_json(nlohmann::json::parse(j.dump(2)));
  ASSERT_TRUE(back.residual);
  ASSERT_EQ(back.residual->table.size(), l.residual->table.size());
  EXPECT_EQ(std::memcmp(back.residual->table.data(), l.residual->table.data(),
                        l.residual->table.size() * sizeof(float)),
            0);
  // The first float's bytes, little-endian, lead the data: 1e-40f is 0x000116c2.
  EXPECT_EQ(j["residual"]["data"].get<std::string>().substr(0, 6), "whYBAA");

  nlohmann::json v1 = j;
  v1["version"] = 1;
  v1["residual"] = {{"size", 17}, {"table", l.residual->table}};
  EXPECT_LT(j.dump(2).size() * 4, v1.dump(2).size());
  const Look old = look_from_json(nlohmann::json::parse(v1.dump(2)));
  ASSERT_TRUE(old.residual);
  EXPECT_EQ(old.residual->table, l.residual->table);

  auto refused = [&](nlohmann::json r, const std::string& why) {
    nlohmann::json bad = j;
    bad["residual"] = std::move(r);
    try {
      look_from_json(bad, "shot 3 look");
      ADD_FAILURE() << "accepted: " << why;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("shot 3 look"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  refused({{"size", 2}, {"encoding", "float32le-base64"}, {"data", "not base64!"}}, "base64");
  refused({{"size", 2}, {"encoding", "float16-base64"}, {"data", ""}}, "float16-base64");
  refused({{"size", 2}, {"encoding", "float32le-base64"}, {"data", "AAAAAAA="}},
          "whole number of float32");
  refused({{"size", 2}, {"encoding", "float32le-base64"}, {"data", "AAAAAAAAAAAAAAAA"}},
          "expected 8");  // 4 floats where a 2^3 lattice needs 24
  refused({{"size", 2}}, "float32le-base64");
  refused({{"size", 2}, {"table", nlohmann::json::array()}, {"encoding", "float32le-base64"},
           {"data", ""}},
          "float32le-base64");  // both layouts at once: which one was meant?
}

TEST(Look, IdentityBakesToIdentity) {
  const Lut3D lut = bake_look(identity_look(), 17);
  const Lut3D id = Lut3D::identity(17);
  for (size_t i = 0; i < lut.table.size(); ++i) ASSERT_NEAR(lut.table[i], id.table[i], 1e-6f);
  EXPECT_TRUE(is_identity(identity_look()));
  EXPECT_FALSE(is_identity(busy_look()));
}

TEST(Look, AddAndScaleAreConsistent) {
  const Look d = busy_look();
  // scale by 0 is identity; scale by 1 is the delta itself; add(identity, d) == d.
  EXPECT_TRUE(is_identity(scale(d, 0.f)));
  EXPECT_EQ(to_json(scale(d, 1.f)), to_json(d));
  EXPECT_NEAR(add(identity_look(), d).exposure, d.exposure, 1e-6f);
  EXPECT_NEAR(add(identity_look(), d).saturation, d.saturation, 1e-6f);
  // Two halves make the whole for additive and multiplicative parameters.
  const Look twice = add(scale(d, 0.5f), scale(d, 0.5f));
  EXPECT_NEAR(twice.exposure, d.exposure, 1e-5f);
  EXPECT_NEAR(twice.contrast, d.contrast, 1e-5f);
  EXPECT_NEAR(twice.split.shadow_amount, d.split.shadow_amount, 1e-5f);
  EXPECT_NEAR(twice.split.shadow_hue_deg, d.split.shadow_hue_deg, 1e-3f);
  // Limits clamp.
  Look big;
  big.exposure = 10.f;
  EXPECT_FLOAT_EQ(add(identity_look(), big).exposure, LookLimits{}.exposure);
}

TEST(Look, BakingIsSmooth) {
  // A bank of looks, each with strong settings: the baked 33^3 table's second differences stay
  // small (a band-free gradient). For reference, one lattice step is 1/32 = 0.031.
  std::vector<Look> looks{busy_look()};
  Look c;
  // Moderate settings: stronger saturation/exposure pushes interior colours through the hard
  // gamut clip (no soft gamut compression yet), which is a kink.
  c.contrast = 1.4f;
  looks.push_back(c);
  Look e;
  e.exposure = 0.4f;
  e.temperature = 0.2f;
  looks.push_back(e);
  // Not in the bank: saturation and hue edits on near-gamut colours hit the hard gamut clip
  // (there is no soft gamut compression yet), which shows up as kinks of ~0.08 here.
  for (const Look& l : looks) EXPECT_LT(max_second_difference(bake_look(l, 33)), 0.03f) << describe(l);
  // Identity has zero second differences: the measure does detect curvature.
  EXPECT_LT(max_second_difference(bake_look(identity_look(), 33)), 1e-6f);
  Look kink;
  kink.white_point = 0.5f;  // hard clip in the middle of the range
  EXPECT_GT(max_second_difference(bake_look(kink, 33)), 0.03f);
}

TEST(Look, NoTintKeepsNeutralAxisNeutralAndMonotone) {
  Look l;  // strong but tint-free: every parameter acts equally on R, G, B
  l.exposure = 0.5f;
  l.contrast = 1.4f;
  l.gamma = {1.2f, 1.2f, 1.2f};
  l.fade = 0.1f;
  l.saturation = 1.8f;
  l.vibrance = 0.5f;
  l.hue_shift_deg = {30, 0, -30, 10, 0, 0, 20, 0};
  l.hue_saturation = {0.5f, 0, 0, -0.5f, 0, 0, 0, 0.2f};
  const Lut3D lut = bake_look(l, 33);
  float prev = -1.f;
  for (int i = 0; i < 33; ++i) {
    const float* e = lut.at(i, i, i);
    const Vec3 lab = srgb_to_lab({e[0], e[1], e[2]});
    EXPECT_LT(std::hypot(lab[1], lab[2]), 0.05f) << "grey " << i;
    EXPECT_GE(e[0], prev - 1e-6f);
    prev = e[0];
  }
  // Temperature is a tint: it must move the neutral axis (so the check above can fail).
  l.temperature = 0.5f;
  const Lut3D warm = bake_look(l, 33);
  const float* mid = warm.at(16, 16, 16);
  EXPECT_GT(mid[0] - mid[2], 0.02f);
}
