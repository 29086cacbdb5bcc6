// Network version 3 of the learned LUT generator (lutgen.hpp): the plain-C++ 3D transposed
// convolution against hand-computed scatter patterns, and the version-3 forward pass's
// "zero last layer = identity" guarantee. LUT values are display code values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "autograde/core/error.hpp"
#include "autograde/learn/lutgen.hpp"

namespace ag = autograde;
namespace al = autograde::learn;

namespace {

// A version-3 model (d 8, 2 heads, hidden 4, C channels on a lattice N = 4 m + 1) with every
// trainable tensor pseudo-random (LCG, values in -0.5..0.5) and standardisation 0/1.
al::LutgenModel random_v3_model(int channels, int lattice, uint32_t seed) {
  al::LutgenModel m;
  m.version = 3;
  m.d = 8, m.heads = 2, m.hidden = 4, m.bases = channels, m.lattice = lattice;
  m.look_dim = al::kLutgenLookFeatures;
  uint32_t state = seed;
  for (const auto& [name, shape] :
       al::LutgenModel::layout(m.d, m.heads, m.hidden, m.bases, m.lattice, m.look_dim, 3)) {
    size_t n = 1;
    for (int s : shape) n *= size_t(s);
    std::vector<float> v(n);
    const bool fixed = name.rfind("norm.", 0) == 0;
    for (float& x : v) {
      state = state * 1664525u + 1013904223u;
      x = fixed ? (name.ends_with("_mean") ? 0.f : 1.f) : float(state >> 8) / 16777216.f - 0.5f;
    }
    m.tensors[name] = al::LutgenTensor{shape, std::move(v)};
  }
  return m;
}

}  // namespace

TEST(LutgenConv, SingleWeightScattersToTheHandComputedNode) {
  // One input channel on 2³ nodes, one non-zero input value 2 at (z, y, x) = (1, 0, 1); two
  // output channels; the only non-zero weight is in→out 1 at tap (kz, ky, kx) = (0, 2, 1).
  // Stride 2, padding 1: output size 2 (2 - 1) - 2 + 3 = 3, and input node x reaches output
  // node 2x - 1 + tap: z = 2 - 1 + 0 = 1, y = 0 - 1 + 2 = 1, x = 2 - 1 + 1 = 2.
  std::vector<float> input(8, 0.f);
  input[(1 * 2 + 0) * 2 + 1] = 2.f;
  al::LutgenTensor w{{1, 2, 3, 3, 3}, std::vector<float>(54, 0.f)};
  w.values[27 + (0 * 3 + 2) * 3 + 1] = 0.5f;
  const al::LutgenTensor b{{2}, {0.1f, -0.3f}};
  const std::vector<float> out = al::conv_transpose3d_stride2(input, 1, 2, w, b, 1);
  ASSERT_EQ(out.size(), size_t(2 * 27));
  for (int o = 0; o < 2; ++o)
    for (int i = 0; i < 27; ++i) {
      const bool hit = o == 1 && i == (1 * 3 + 1) * 3 + 2;
      EXPECT_FLOAT_EQ(out[size_t(o * 27 + i)], hit ? -0.3f + 2.f * 0.5f : b.values[size_t(o)])
          << o << " " << i;
    }
  // A tap that lands outside the output (z = 2 · 1 - 1 + 2 = 3 ≥ 3) contributes nothing.
  std::fill(w.values.begin(), w.values.end(), 0.f);
  w.values[27 + (2 * 3 + 1) * 3 + 1] = 0.5f;
  for (float v : al::conv_transpose3d_stride2(input, 1, 2, w, b, 1))
    EXPECT_TRUE(v == 0.1f || v == -0.3f);
}

TEST(LutgenConv, AllOnesCountsOneTapOnEvenNodesAndTwoOnOddOnes) {
  // Kernel 3, stride 2, padding 1 on 5³ → 9³ (the generator's first layer): output node 2x
  // takes input x through the centre tap only, node 2x + 1 takes x (tap 2) and x + 1 (tap 0),
  // per axis. With all inputs and weights 1 an output is bias + C_in · Π_axes (1 or 2).
  const int cin = 3, cout = 2, n = 5;
  const std::vector<float> input(size_t(cin * n * n * n), 1.f);
  const al::LutgenTensor w{{cin, cout, 3, 3, 3}, std::vector<float>(size_t(cin * cout * 27), 1.f)};
  const al::LutgenTensor b{{cout}, {0.f, 1.f}};
  const std::vector<float> out = al::conv_transpose3d_stride2(input, cin, n, w, b, 1);
  const int m = 9;
  ASSERT_EQ(out.size(), size_t(cout * m * m * m));
  for (int o = 0; o < cout; ++o)
    for (int z = 0; z < m; ++z)
      for (int y = 0; y < m; ++y)
        for (int x = 0; x < m; ++x) {
          const float taps = float((z % 2 ? 2 : 1) * (y % 2 ? 2 : 1) * (x % 2 ? 2 : 1));
          EXPECT_EQ(out[size_t(((o * m + z) * m + y) * m + x)], b.values[size_t(o)] + cin * taps);
        }
}

TEST(LutgenConv, Version3ZeroLastLayerIsExactlyIdentityAndTheBiasShiftsEveryNode) {
  al::LutgenModel m = random_v3_model(2, 9, 777);
  EXPECT_EQ(m.tensors.at("gen.l2.weight").shape, (std::vector<int>{2 * 27, 4}));  // C · 3³
  EXPECT_EQ(m.tensors.at("gen.up2.weight").shape, (std::vector<int>{2, 3, 3, 3, 3}));
  const al::LutgenTokens a = al::lutgen_tokens(std::vector<ag::Rgb>{{0.2f, 0.4f, 0.6f}});
  const al::LutgenTokens r =
      al::lutgen_tokens(std::vector<ag::Rgb>{{0.7f, 0.3f, 0.2f}, {0.1f, 0.1f, 0.15f}});
  const ag::Lut3D id = ag::Lut3D::identity(9);
  // Random weights move the LUT, and the model survives the file round trip unchanged.
  const ag::Lut3D moved = m.predict(&a, r, nullptr);
  ASSERT_EQ(moved.size, 9);
  float most = 0.f;
  for (size_t i = 0; i < id.table.size(); ++i)
    most = std::max(most, std::abs(moved.table[i] - id.table[i]));
  EXPECT_GT(most, 1e-2f);
  const al::LutgenModel back = al::parse_lutgen(al::serialise_lutgen(m), "v3.bin");
  EXPECT_EQ(back.version, 3);
  const ag::Lut3D again = back.predict(&a, r, nullptr);
  for (size_t i = 0; i < id.table.size(); ++i) EXPECT_EQ(again.table[i], moved.table[i]);
  // Zero last layer (weight and bias): exactly the identity, whatever came before.
  std::fill(m.tensors["gen.up2.weight"].values.begin(), m.tensors["gen.up2.weight"].values.end(),
            0.f);
  m.tensors["gen.up2.bias"].values = {0.f, 0.f, 0.f};
  const ag::Lut3D zero = m.predict(&a, r, nullptr);
  for (size_t i = 0; i < id.table.size(); ++i) EXPECT_EQ(zero.table[i], id.table[i]);
  // Only the bias: every node moves by it, per output channel (R', G', B').
  m.tensors["gen.up2.bias"].values = {0.25f, 0.f, -0.125f};
  const ag::Lut3D shift = m.predict(nullptr, r, nullptr);
  for (size_t i = 0; i < id.table.size(); i += 3) {
    EXPECT_FLOAT_EQ(shift.table[i], id.table[i] + 0.25f);
    EXPECT_FLOAT_EQ(shift.table[i + 1], id.table[i + 1]);
    EXPECT_FLOAT_EQ(shift.table[i + 2], id.table[i + 2] - 0.125f);
  }
}

TEST(LutgenConv, Version3NeedsALatticeOfFourMPlusOneNodes) {
  al::LutgenModel m = random_v3_model(2, 9, 5);
  std::string bytes = al::serialise_lutgen(m);
  // Rewrite the header's lattice 9 → 7 (same digit count; the tensors still list 9-node
  // shapes): the reader must refuse it as a bad file, not crash.
  const size_t at = bytes.find("\"lattice\":9");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 10] = '7';
  EXPECT_THROW(al::parse_lutgen(bytes, "bad.bin"), ag::Error);
  m.lattice = 7;
  EXPECT_THROW(al::serialise_lutgen(m), ag::Error);
}
