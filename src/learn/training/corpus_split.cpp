#include "autograde/training/corpus_split.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>

#include "autograde/core/error.hpp"
#include "autograde/training/match_protocol.hpp"

namespace autograde::learn {

uint64_t content_hash(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw_bad_input(file.string(), "cannot be read");
  uint64_t h = 1469598103934665603ull;  // see corpus_split.hpp
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0)
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= uint8_t(buf[i]);
      h *= 1099511628211ull;  // FNV 64 prime
    }
  return h;
}

Split split_of_hash(uint64_t hash) {
  const int b = int(hash % 10);
  return b < 6 ? Split::Train : b < 8 ? Split::Validation : Split::Test;
}

Split content_split(const std::filesystem::path& file) { return split_of_hash(content_hash(file)); }

Split parse_split(const std::string& word) {
  for (Split s : {Split::Train, Split::Validation, Split::Test})
    if (word == split_name(s)) return s;
  throw_usage("a split is train, validation or test, not '" + word + "'");
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

const char* stratum_name(Stratum s) {
  return s == Stratum::Varied ? "varied" : s == Stratum::Clothing ? "clothing" : "lowlight";
}

std::vector<CorpusPhoto> list_corpus_photos(const std::filesystem::path& dir,
                                            std::optional<Split> only) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> licence;
  if (fs::exists(dir / "MANIFEST.tsv"))
    for (auto& row : read_tsv(dir / "MANIFEST.tsv")) licence[row["file"]] = row["licence_class"];
  std::vector<CorpusPhoto> out;
  std::set<uint64_t> seen;
  for (const char* top : {"clothing", "open", "research"})
    for (const fs::path& p : files_with_extensions(dir / top, {".jpg", ".jpeg", ".png", ".exr"})) {
      CorpusPhoto c;
      c.path = p;
      c.file = fs::relative(p, dir).generic_string();
      c.folder = fs::relative(p.parent_path(), dir).generic_string();
      c.hash = content_hash(p);
      if (!seen.insert(c.hash).second) continue;
      c.split = split_of_hash(c.hash);
      if (only && c.split != *only) continue;
      if (auto it = licence.find(c.file); it != licence.end()) c.licence_class = it->second;
      c.stratum = c.folder == "clothing"                           ? Stratum::Clothing
                  : c.folder.find("lowlight") != std::string::npos ? Stratum::LowLight
                                                                   : Stratum::Varied;
      out.push_back(std::move(c));
    }
  std::sort(out.begin(), out.end(), [](const CorpusPhoto& a, const CorpusPhoto& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.file < b.file;
  });
  return out;
}

}  // namespace autograde::learn
