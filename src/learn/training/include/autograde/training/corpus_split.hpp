#pragma once
// The corpus's split by photo (issue 20's rule, used by the region models of issue 21 and their
// benches and tests): FNV-1a 64 of the file's bytes, buckets 0-5 train, 6-7 validation, 8-9
// test, so a photo keeps its split whatever its name or folder, and a copy lands with its
// original. Choices are made on validation; test is read for a final table only.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "autograde/training/dataset.hpp"

namespace autograde::learn {

// Error(BadInput) naming the file when it cannot be read.
Split content_split(const std::filesystem::path& file);

// A tab-separated table with a header row (the corpus's MANIFEST.tsv and faces.tsv): one map
// per row, column name → cell (every column present, "" where a row is short). Error(BadInput) when unreadable.
std::vector<std::map<std::string, std::string>> read_tsv(const std::filesystem::path& file);

}  // namespace autograde::learn
