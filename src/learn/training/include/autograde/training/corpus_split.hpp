#pragma once
// The corpus's split by photo (issue 20's rule, used by the region models of issue 21, the
// matching priors and their benches and tests): FNV-1a 64 of the file's bytes, buckets 0-5
// train, 6-7 validation, 8-9 test, so a photo keeps its split whatever its name or folder, and a
// copy lands with its original. Choices are made on validation; test is read for a final table
// only.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "autograde/training/dataset.hpp"

namespace autograde::learn {

// FNV-1a 64 of the file's bytes, from offset basis 1469598103934665603: the published basis
// (14695981039346656037) with its last digit lost when this was first written. The hash mixes
// as well either way, and every split already made (the region models' train / validation /
// test photos) depends on it, so it stays. Error(BadInput) naming the file when unreadable.
uint64_t content_hash(const std::filesystem::path& file);
Split split_of_hash(uint64_t hash);
// split_of_hash(content_hash(file)).
Split content_split(const std::filesystem::path& file);

// "train" / "validation" / "test" (split_name's words); Error(Usage) naming the word otherwise.
Split parse_split(const std::string& word);

// A tab-separated table with a header row (the corpus's MANIFEST.tsv and faces.tsv): one map
// per row, column name → cell (every column present, "" where a row is short). Error(BadInput) when unreadable.
std::vector<std::map<std::string, std::string>> read_tsv(const std::filesystem::path& file);

// Kinds of picture reported apart, so a gain on one cannot hide a loss on another: varied scenes
// (objects, cities, nature), indoor phone photos of clothing, under-exposed low-light photos.
enum class Stratum { Varied, Clothing, LowLight };
const char* stratum_name(Stratum s);  // "varied", "clothing", "lowlight"

struct CorpusPhoto {
  std::filesystem::path path;
  std::string file;           // relative to the corpus folder, as MANIFEST.tsv names it
  std::string folder;         // its source folder ("research/bsds500", "clothing", ...)
  std::string licence_class;  // "open" or "research" from the manifest; "" when unlisted
  Stratum stratum = Stratum::Varied;
  uint64_t hash = 0;  // content_hash
  Split split = Split::Train;
};

// The photographs of a corpus folder laid out as ../shared/data/corpus (README there): every
// JPEG / PNG / EXR under open/, research/ and clothing/ (the face, sky and HDR sets serve other
// models and are not listed). Licence classes come from <dir>/MANIFEST.tsv when it exists. Byte-
// identical copies are listed once (the first by path). Sorted by content hash, which mixes
// folders and strata deterministically; `only` keeps one split. Empty when `dir` is missing.
std::vector<CorpusPhoto> list_corpus_photos(const std::filesystem::path& dir,
                                            std::optional<Split> only = std::nullopt);

}  // namespace autograde::learn
