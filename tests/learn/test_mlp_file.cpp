// The AGNN weight file (mlp.hpp): round trip, inference arithmetic, malformed files.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "autograde/core/error.hpp"
#include "autograde/learn/mlp.hpp"
#include "test_support.hpp"

namespace al = autograde::learn;

namespace {

al::Mlp tiny() {
  al::Mlp m;
  m.task = "tiny";
  m.input_mean = {1.f, -1.f};
  m.input_std = {2.f, 0.5f};
  al::DenseLayer a{2, 2, al::Activation::Relu, {1.f, 0.f, 0.f, -1.f}, {0.f, 0.5f}};
  al::DenseLayer b{2, 1, al::Activation::Linear, {2.f, 3.f}, {-1.f}};
  m.layers = {a, b};
  m.meta["lattice"] = 2;
  return m;
}

}  // namespace

TEST(MlpFile, ForwardMatchesHandComputation) {
  const al::Mlp m = tiny();
  // x = (3, 0): standardised (1, 2); layer 1: relu(1, -2 + 0.5) = (1, 0); layer 2: 2*1 + 0 - 1 = 1.
  EXPECT_FLOAT_EQ(m.forward({3.f, 0.f})[0], 1.f);
  // x = (1, -2): standardised (0, -2); relu(0, 2.5) = (0, 2.5); 3 * 2.5 - 1 = 6.5.
  EXPECT_FLOAT_EQ(m.forward({1.f, -2.f})[0], 6.5f);
  EXPECT_THROW(m.forward({1.f}), autograde::Error);
}

TEST(MlpFile, RoundTripKeepsEveryNumber) {
  const al::Mlp m = tiny();
  const al::Mlp r = al::parse_mlp(al::serialise_mlp(m), "mem");
  EXPECT_EQ(r.task, "tiny");
  EXPECT_EQ(r.input_mean, m.input_mean);
  EXPECT_EQ(r.input_std, m.input_std);
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.layers[0].weights, m.layers[0].weights);
  EXPECT_EQ(r.layers[1].bias, m.layers[1].bias);
  EXPECT_EQ(r.layers[0].activation, al::Activation::Relu);
  EXPECT_EQ(r.meta.value("lattice", 0), 2);
}

namespace {
void expect_bad(const std::string& bytes, const std::string& needle) {
  try {
    al::parse_mlp(bytes, "broken.agnn");
    FAIL() << "accepted a malformed file (" << needle << ")";
  } catch (const autograde::Error& e) {
    EXPECT_EQ(e.kind(), autograde::ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("broken.agnn"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}
}  // namespace

TEST(MlpFile, MalformedFilesAreClearErrors) {
  const std::string good = al::serialise_mlp(tiny());
  expect_bad("", "magic");
  expect_bad("PNG\x89 not a model", "magic");
  expect_bad(good.substr(0, good.size() - 3), "truncated");
  expect_bad(good + "xxxx", "payload");
  std::string bad_header = good;
  bad_header[14] = '!';  // inside the JSON header
  expect_bad(bad_header, "header");
  // A NaN in the payload (last float).
  std::string nan = good;
  const float q = std::nanf("");
  std::memcpy(nan.data() + nan.size() - 4, &q, 4);
  expect_bad(nan, "non-finite");
}

TEST(MlpFile, MissingFileNamesIt) {
  const auto dir = autograde::testing::scratch_dir("learn_missing");
  try {
    al::read_mlp((dir / "nope.agnn").string());
    FAIL();
  } catch (const autograde::Error& e) {
    EXPECT_EQ(e.kind(), autograde::ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("nope.agnn"), std::string::npos);
  }
}
