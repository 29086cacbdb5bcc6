// Feeds thousands of mutated .cube files to the parser. Every one must either parse into a
// valid LUT or raise autograde::Error(BadInput); under ASan+UBSan any overflow, leak or UB
// aborts the run.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "autograde/core/error.hpp"
#include "autograde/lut/cube_io.hpp"

using namespace autograde;

namespace {

std::string mutate(std::string text, std::mt19937& rng) {
  static const char* tokens[] = {"LUT_3D_SIZE", "LUT_1D_SIZE", "DOMAIN_MIN", "DOMAIN_MAX",
                                 "TITLE",       "\"",          "nan",        "-inf",
                                 "1e40",        "\n",          "\r",         "\t",
                                 "257",         "0",           "-1",         "65537",
                                 "#",           "LUT_3D_INPUT_RANGE", "99999999999999999999"};
  std::uniform_int_distribution<int> op(0, 5);
  int edits = 1 + int(rng() % 6);
  for (int k = 0; k < edits; ++k) {
    size_t pos = text.empty() ? 0 : rng() % (text.size() + 1);
    switch (op(rng)) {
      case 0: if (!text.empty() && pos < text.size()) text[pos] = char(rng() % 256); break;
      case 1: if (pos < text.size()) text.erase(pos, 1 + rng() % 16); break;
      case 2: text.insert(pos, tokens[rng() % std::size(tokens)]); break;
      case 3: text.resize(pos); break;  // truncation
      case 4: if (!text.empty()) text.insert(pos, text.substr(rng() % text.size(), 1 + rng() % 32)); break;
      case 5: text.insert(pos, 1, char(rng() % 256)); break;
    }
  }
  return text;
}

}  // namespace

TEST(FuzzCubeParser, MutatedFilesNeverCrash) {
  std::vector<std::string> corpus = {
      "TITLE \"seed\"\nLUT_3D_SIZE 2\n0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1\n",
      "LUT_1D_SIZE 3\nLUT_3D_SIZE 2\nLUT_1D_INPUT_RANGE 0 1\n0 0 0\n.5 .5 .5\n1 1 1\n"
      "0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1\n",
      "DOMAIN_MIN 0 0 0\r\nDOMAIN_MAX 1 1 1\r\nLUT_1D_SIZE 2\r\n0 0 0\r\n1 1 1\r\n"};
  std::mt19937 rng(20261122);
  int parsed = 0, rejected = 0;
  const int kCases = 3000;
  for (int i = 0; i < kCases; ++i) {
    std::string text = mutate(corpus[i % corpus.size()], rng);
    try {
      LutFile f = parse_cube(text, "fuzz.cube");
      // Whatever parses must be a valid LUT.
      if (f.cube) validate(*f.cube, "fuzz.cube");
      if (f.shaper) validate(*f.shaper, "fuzz.cube");
      ++parsed;
    } catch (const Error& e) {
      ASSERT_EQ(e.kind(), ErrorKind::BadInput) << e.what();
      ASSERT_EQ(std::string(e.what()).rfind("fuzz.cube", 0), 0u) << e.what();
      ++rejected;
    }
  }
  EXPECT_EQ(parsed + rejected, kCases);
  EXPECT_GT(rejected, kCases / 2);  // the mutations are mostly destructive
  EXPECT_GT(parsed, 0);             // ... but not all: the parser accepts valid variants
}
