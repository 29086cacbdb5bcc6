// Feeds thousands of mutated .cube files to the parser. Every one must either parse into a
// valid LUT or raise autograde::Error(BadInput); under ASan+UBSan any overflow, leak or UB
// aborts the run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
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

// The small real-world .cube files from ../shared/data (when present) join the seeds, so the
// mutations start from what other tools actually write (Resolve shaper files, kdenlive, OBS).
void add_shared_seeds(std::vector<std::string>& corpus) {
  namespace fs = std::filesystem;
  const fs::path luts = fs::path(AUTOGRADE_SHARED_DATA) / "luts";
  std::error_code ec;
  if (!fs::is_directory(luts, ec)) return;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(luts, ec))
    if (e.is_regular_file() && e.path().extension() == ".cube" && e.file_size() <= 128 * 1024)
      files.push_back(e.path());
  std::sort(files.begin(), files.end());  // a fixed order keeps the run reproducible
  for (const auto& p : files) {
    std::ifstream in(p, std::ios::binary);
    corpus.emplace_back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
}

// Structure-keeping edits (digits, signs, exponents, whitespace, line ends, comments) so a
// good share of cases reach the accepting paths and the writer round trip, not just the
// first-line rejections.
std::string mutate_gently(std::string text, std::mt19937& rng) {
  const int edits = 1 + int(rng() % 8);
  for (int k = 0; k < edits && !text.empty(); ++k) {
    const size_t pos = rng() % text.size();
    const char c = text[pos];
    switch (rng() % 5) {
      case 0: if (c >= '0' && c <= '9') text[pos] = char('0' + rng() % 10); break;
      case 1: if (c == ' ') text.replace(pos, 1, rng() % 2 ? "\t" : "  "); break;
      case 2: if (c == '\n') text.replace(pos, 1, rng() % 2 ? "\r\n" : "\n# note\n\n"); break;
      case 3: if (c >= '0' && c <= '9' && (pos + 1 == text.size() || text[pos + 1] <= ' '))
                text.insert(pos + 1, rng() % 2 ? "e-1" : "E+0");
              break;
      case 4: if ((c >= '0' && c <= '9') && (pos == 0 || text[pos - 1] <= ' '))
                text.insert(pos, rng() % 2 ? "-" : "+");
              break;
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
      "DOMAIN_MIN 0 0 0\r\nDOMAIN_MAX 1 1 1\r\nLUT_1D_SIZE 2\r\n0 0 0\r\n1 1 1\r\n",
      "# per-channel domain\nDOMAIN_MIN -0.5 0 0.1\nDOMAIN_MAX 2 1.5 0.9\nLUT_3D_SIZE 2\n"
      "-1e-3 0 0\n1.2 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1.5\n",
      "LUT_3D_SIZE 3\nLUT_3D_INPUT_RANGE -0.25 1.25\n" + [] {
        std::string rows;
        for (int i = 0; i < 27; ++i)
          rows += std::to_string(i % 3 * 0.5) + " " + std::to_string(i / 3 % 3 * 0.5) + " " +
                  std::to_string(i / 9 * 0.5) + "\n";
        return rows;
      }()};
  const size_t builtin_seeds = corpus.size();
  add_shared_seeds(corpus);
  std::printf("seed corpus: %zu built-in + %zu from ../shared/data\n", builtin_seeds,
              corpus.size() - builtin_seeds);
  std::mt19937 rng(20261122);
  int parsed = 0, rejected = 0, rewritten = 0;
  const int kCases = 4000;
  for (int i = 0; i < kCases; ++i) {
    // One case in eight starts from a shared-data file (4096-row tables are slow under ASan).
    const size_t shared = corpus.size() - builtin_seeds;
    const std::string& seed = shared > 0 && i % 8 == 7
                                  ? corpus[builtin_seeds + size_t(i / 8) % shared]
                                  : corpus[size_t(i) % builtin_seeds];
    std::string text = i % 3 == 2 ? mutate_gently(seed, rng) : mutate(seed, rng);
    try {
      LutFile f = parse_cube(text, "fuzz.cube");
      // Whatever parses must be a valid LUT.
      if (f.cube) validate(*f.cube, "fuzz.cube");
      if (f.shaper) validate(*f.shaper, "fuzz.cube");
      // ... and survive our writer: what we accept we can write, and read back the same.
      const bool per_channel_shaper =
          f.shaper && f.cube &&
          (f.shaper->domain_min[0] != f.shaper->domain_min[1] ||
           f.shaper->domain_min[1] != f.shaper->domain_min[2] ||
           f.shaper->domain_max[0] != f.shaper->domain_max[1] ||
           f.shaper->domain_max[1] != f.shaper->domain_max[2] ||
           f.cube->domain_min[0] != f.cube->domain_min[1] ||
           f.cube->domain_min[1] != f.cube->domain_min[2] ||
           f.cube->domain_max[0] != f.cube->domain_max[1] ||
           f.cube->domain_max[1] != f.cube->domain_max[2]);
      if (!per_channel_shaper) {  // the Resolve form cannot hold per-channel domains
        LutFile back = parse_cube(format_cube(f), "rewritten.cube");
        ASSERT_EQ(bool(back.cube), bool(f.cube));
        ASSERT_EQ(bool(back.shaper), bool(f.shaper));
        auto same = [](const std::vector<float>& a, const std::vector<float>& b) {
          if (a.size() != b.size()) return false;
          for (size_t k = 0; k < a.size(); ++k)
            if (!(std::abs(a[k] - b[k]) <= 6e-9f + 1e-6f * std::abs(a[k]))) return false;
          return true;
        };
        if (f.cube) {
          ASSERT_TRUE(same(back.cube->table, f.cube->table)) << text;
        }
        if (f.shaper) {
          ASSERT_TRUE(same(back.shaper->table, f.shaper->table)) << text;
        }
        ++rewritten;
      }
      ++parsed;
    } catch (const Error& e) {
      ASSERT_EQ(e.kind(), ErrorKind::BadInput) << e.what();
      ASSERT_EQ(std::string(e.what()).rfind("fuzz.cube", 0), 0u) << e.what();
      ++rejected;
    }
  }
  EXPECT_EQ(parsed + rejected, kCases);
  EXPECT_GT(rejected, kCases / 2);  // the mutations are mostly destructive
  EXPECT_GT(parsed, 0);
  EXPECT_GT(rewritten, 0);
  std::printf("%d cases: %d parsed (%d rewritten and re-read), %d rejected\n", kCases, parsed,
              rewritten, rejected);             // ... but not all: the parser accepts valid variants
}
