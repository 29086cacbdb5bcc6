#pragma once
// Shared by the skin and sky/foliage tests: the hash split the trainer uses
// (src/learn/training/train_regions.cpp), so the tests measure only held-out photos.
#include <cstdint>
#include <filesystem>
#include <fstream>

namespace autograde::testing {

// 0 train, 1 validation, 2 test: FNV-1a 64 of the file's bytes, 60/20/20.
inline int region_split(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  uint64_t h = 1469598103934665603ull;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0)
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= uint8_t(buf[i]);
      h *= 1099511628211ull;
    }
  const int b = int(h % 10);
  return b < 6 ? 0 : b < 8 ? 1 : 2;
}

}  // namespace autograde::testing
