#pragma once
// Shared by the skin and sky/foliage tests: the split the trainer uses
// (training/corpus_split.hpp), so the tests measure only held-out photos.
#include <filesystem>

#include "autograde/training/corpus_split.hpp"

namespace autograde::testing {

// 0 train, 1 validation, 2 test.
inline int region_split(const std::filesystem::path& file) {
  return int(autograde::learn::content_split(file));
}

}  // namespace autograde::testing
