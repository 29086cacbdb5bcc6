#include "autograde/training/corpus_split.hpp"

#include <cstdint>
#include <fstream>
#include <sstream>

#include "autograde/core/error.hpp"

namespace autograde::learn {

Split content_split(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw_bad_input(file.string(), "cannot be read");
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64 offset basis
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0)
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= uint8_t(buf[i]);
      h *= 1099511628211ull;  // FNV 64 prime
    }
  const int b = int(h % 10);
  return b < 6 ? Split::Train : b < 8 ? Split::Validation : Split::Test;
}

std::vector<std::map<std::string, std::string>> read_tsv(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw_bad_input(file.string(), "cannot be read");
  std::string line;
  std::vector<std::string> head;
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, '\t')) cells.push_back(c);
    if (!line.empty() && line.back() == '\t') cells.push_back("");
    if (head.empty()) {
      head = cells;
      continue;
    }
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < head.size(); ++i) row[head[i]] = i < cells.size() ? cells[i] : "";
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace autograde::learn
