#include "autograde/learn/dataset.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "autograde/core/error.hpp"
#include "autograde/learn/features.hpp"
#include "autograde/learn/image_ops.hpp"
#include "autograde/media/image_io.hpp"

namespace autograde::learn {

namespace fs = std::filesystem;

const char* split_name(Split s) {
  return s == Split::Train ? "train" : s == Split::Validation ? "validation" : "test";
}

uint64_t Rng::next() {
  // SplitMix64 (Steele, Lea & Flood 2014).
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
double Rng::uniform() { return double(next() >> 11) * 0x1.0p-53; }
int Rng::below(int n) { return n <= 1 ? 0 : int(next() % uint64_t(n)); }

std::vector<SourceImage> list_sources(const std::string& shared_data_dir,
                                      const std::string& repo_data_dir, uint64_t seed) {
  std::map<std::string, SourceImage> by_name;
  std::vector<std::string> bundled;
  auto scan = [&](const fs::path& dir, bool is_bundled) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return;
    for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (ec) break;
      if (!it->is_regular_file() || !is_image_path(it->path().string())) continue;
      const std::string name = it->path().filename().string();
      if (is_bundled) bundled.push_back(name);
      if (!by_name.count(name)) by_name[name] = SourceImage{it->path().string(), name, Split::Train, {}};
    }
  };
  scan(fs::path(repo_data_dir) / "images", true);
  scan(fs::path(shared_data_dir) / "images", false);
  std::vector<SourceImage> all;
  for (auto& [name, s] : by_name) all.push_back(std::move(s));  // sorted by name
  // Seeded Fisher-Yates over the non-bundled pictures.
  std::vector<size_t> others;
  for (size_t i = 0; i < all.size(); ++i)
    if (std::find(bundled.begin(), bundled.end(), all[i].name) == bundled.end()) others.push_back(i);
    else all[i].split = Split::Test;
  Rng rng(seed);
  for (size_t i = others.size(); i > 1; --i) std::swap(others[i - 1], others[size_t(rng.below(int(i)))]);
  const size_t n = all.size();
  const size_t n_test = (n * 15 + 50) / 100, n_val = (n * 15 + 50) / 100;
  size_t test = n - others.size();
  size_t k = 0;
  for (; k < others.size() && test < n_test; ++k, ++test) all[others[k]].split = Split::Test;
  for (size_t v = 0; k < others.size() && v < n_val; ++k, ++v) all[others[k]].split = Split::Validation;
  return all;
}

std::vector<SourceImage> load_sources(std::vector<SourceImage> listed, Split split) {
  std::vector<SourceImage> out;
  for (auto& s : listed) {
    if (s.split != split) continue;
    try {
      s.image = downsample_area(read_image(s.path).image, kSourceSide);
      out.push_back(std::move(s));
    } catch (const Error&) {
      // An unreadable picture is left out of the set; the caller reports the count.
    }
  }
  return out;
}

std::vector<Defect> random_defects(Rng& rng, int count, float jitter) {
  std::vector<Defect> out;
  std::vector<int> groups_used;
  while (int(out.size()) < count) {
    const Family f = Family(rng.below(kFamilyCount));
    const int g = int(group_of(f));
    if (std::find(groups_used.begin(), groups_used.end(), g) != groups_used.end()) continue;
    groups_used.push_back(g);
    Defect d = make_defect(f, 1 + rng.below(kSeverityCount));
    d.amount = std::clamp(d.amount + float((rng.uniform() * 2.0 - 1.0) * jitter / kSeverityCount),
                          0.05f, 1.1f);
    out.push_back(d);
  }
  return out;
}

Sample make_sample(const SourceImage& source, const std::vector<Defect>& defects, Rng& rng,
                   bool augment) {
  const ImageF& img = source.image;
  ImageF region;
  if (augment) {
    const double fw = 0.6 + 0.4 * rng.uniform(), fh = 0.6 + 0.4 * rng.uniform();
    const int w = std::max(8, int(img.width * fw)), h = std::max(8, int(img.height * fh));
    const int x = rng.below(img.width - w + 1), y = rng.below(img.height - h + 1);
    region = crop(img, x, y, w, h);
    if (rng.uniform() < 0.5) flip_horizontal(region);
  } else {
    region = crop(img, 0, 0, img.width, img.height);
  }
  Sample s;
  s.clean = downsample_area(region, kFeatureSide);
  s.clean_tile = resize_area(region, kTileSide, kTileSide);
  s.detuned = s.clean;
  s.detuned_tile = s.clean_tile;
  apply_defects(defects, s.detuned);
  apply_defects(defects, s.detuned_tile);
  s.defects = defects;
  return s;
}

}  // namespace autograde::learn
