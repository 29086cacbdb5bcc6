// The corpus layer (training/corpus_split.hpp): the split hash against FNV-1a's published test
// vectors, and the listing's strata, licence classes, de-duplication and order on a small
// folder laid out like ../shared/data/corpus; then the real corpus's split shares when present.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>

#include "autograde/core/error.hpp"
#include "autograde/training/corpus_split.hpp"
#include "test_support.hpp"

using namespace autograde;
using namespace autograde::learn;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

}  // namespace

TEST(CorpusSplit, HashIsFnv1a64OfTheBytesWithTheKeptOffsetBasis) {
  // FNV-1a 64 (Fowler, Noll & Vo) from offset basis 1469598103934665603 (corpus_split.hpp says
  // why it is not the published one); the values are Python's, from this three-line loop:
  //   h = 1469598103934665603
  //   for c in data: h ^= c; h = (h * 0x100000001b3) % 2**64
  const fs::path dir = autograde::testing::scratch_dir("corpus_hash");
  write(dir / "empty", "");
  write(dir / "a", "a");
  write(dir / "foobar", "foobar");
  EXPECT_EQ(content_hash(dir / "empty"), 0x14650fb0739d0383ull);
  EXPECT_EQ(content_hash(dir / "a"), 0x44bd8ad473cd9906ull);
  EXPECT_EQ(content_hash(dir / "foobar"), 0x88fad7c0a8ff07f2ull);
  // Buckets by hash mod 10: 0-5 train, 6-7 validation, 8-9 test.
  EXPECT_EQ(split_of_hash(15), Split::Train);
  EXPECT_EQ(split_of_hash(26), Split::Validation);
  EXPECT_EQ(split_of_hash(37), Split::Validation);
  EXPECT_EQ(split_of_hash(48), Split::Test);
  EXPECT_EQ(content_split(dir / "a"), split_of_hash(0xaf63dc4c8601ec8cull));
  EXPECT_THROW(content_hash(dir / "missing"), Error);
}

TEST(CorpusSplit, ListsPhotosWithStratumLicenceAndOneEntryPerContent) {
  const fs::path dir = autograde::testing::scratch_dir("corpus_list");
  write(dir / "clothing/shirt.jpg", "shirt bytes");
  write(dir / "open/gcompris/cat.jpg", "cat bytes");
  write(dir / "research/bsds500/copy_of_cat.jpg", "cat bytes");  // byte-identical: listed once
  write(dir / "research/lowlight-zero-dce/night.png", "night bytes");
  write(dir / "research/bsds500/notes.txt", "not a photo");
  write(dir / "faces/portrait.jpg", "other sets are not listed");
  write(dir / "MANIFEST.tsv",
        "file\tsource\tlicence\tlicence_class\twidth\theight\tcredit\n"
        "clothing/shirt.jpg\ts\tCC0\topen\t1\t1\t\n"
        "open/gcompris/cat.jpg\ts\tCC0\topen\t1\t1\t\n"
        "research/lowlight-zero-dce/night.png\ts\tnone\tresearch\t1\t1\t\n");
  const auto all = list_corpus_photos(dir);
  ASSERT_EQ(all.size(), 3u);
  std::map<std::string, CorpusPhoto> by_file;
  for (size_t i = 0; i < all.size(); ++i) {
    by_file[all[i].file] = all[i];
    EXPECT_EQ(all[i].hash, content_hash(all[i].path));
    EXPECT_EQ(all[i].split, content_split(all[i].path));
    if (i) {
      EXPECT_LT(all[i - 1].hash, all[i].hash);
    }
  }
  ASSERT_TRUE(by_file.count("clothing/shirt.jpg"));
  ASSERT_TRUE(by_file.count("open/gcompris/cat.jpg"));  // "clothing" < "open" < "research"
  ASSERT_TRUE(by_file.count("research/lowlight-zero-dce/night.png"));
  EXPECT_EQ(by_file["clothing/shirt.jpg"].stratum, Stratum::Clothing);
  EXPECT_EQ(by_file["open/gcompris/cat.jpg"].stratum, Stratum::Varied);
  EXPECT_EQ(by_file["open/gcompris/cat.jpg"].folder, "open/gcompris");
  EXPECT_EQ(by_file["research/lowlight-zero-dce/night.png"].stratum, Stratum::LowLight);
  EXPECT_EQ(by_file["research/lowlight-zero-dce/night.png"].licence_class, "research");
  for (Split s : {Split::Train, Split::Validation, Split::Test})
    for (const auto& p : list_corpus_photos(dir, s)) EXPECT_EQ(p.split, s);
  EXPECT_TRUE(list_corpus_photos(dir / "missing").empty());
}

TEST(CorpusSplit, RealCorpusSplitsSixTwoTwoInEveryStratum) {
  const fs::path dir = autograde::testing::shared_data() / "corpus";
  if (!fs::exists(dir / "MANIFEST.tsv")) GTEST_SKIP() << "no ../shared/data/corpus";
  std::map<Stratum, std::map<Split, int>> n;
  int unlisted = 0;
  for (const auto& p : list_corpus_photos(dir)) {
    ++n[p.stratum][p.split];
    unlisted += p.licence_class.empty();
  }
  EXPECT_EQ(unlisted, 0);  // every photo has a row in the manifest
  for (auto& [stratum, by_split] : n) {
    const double total =
        by_split[Split::Train] + by_split[Split::Validation] + by_split[Split::Test];
    ASSERT_GE(total, 50) << stratum_name(stratum);
    // A binomial share of n draws has standard deviation sqrt(p(1-p)/n); allow 4 of them.
    const double tol = 4 * std::sqrt(0.24 / total);
    EXPECT_NEAR(by_split[Split::Train] / total, 0.6, tol) << stratum_name(stratum);
    EXPECT_NEAR(by_split[Split::Test] / total, 0.2, tol) << stratum_name(stratum);
  }
}
