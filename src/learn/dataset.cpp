#include "autograde/learn/dataset.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>

#include "autograde/core/error.hpp"
#include "autograde/learn/features.hpp"
#include "autograde/learn/image_ops.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/media/video_reader.hpp"

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
      if (!by_name.count(name)) by_name[name] = SourceImage{it->path().string(), name, name, Split::Train, {}};
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

namespace {

bool is_video_file(const fs::path& p) {
  std::string ext = p.extension().string();
  for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".mp4" || ext == ".mkv" || ext == ".mov" || ext == ".avi" || ext == ".webm";
}

}  // namespace

std::vector<SourceImage> load_video_frames(const std::string& shared_data_dir, uint64_t seed,
                                           double every_seconds) {
  std::vector<fs::path> clips;
  std::error_code ec;
  const fs::path dir = fs::path(shared_data_dir) / "videos";
  if (!fs::is_directory(dir, ec)) return {};
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file() && is_video_file(it->path())) clips.push_back(it->path());
  }
  std::sort(clips.begin(), clips.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  // Seeded Fisher-Yates (own stream, so the picture split does not depend on the clips).
  std::vector<size_t> order(clips.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  Rng rng(seed ^ 0x5649444555ull);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[size_t(rng.below(int(i)))]);
  const size_t n_val = clips.size() < 2 ? 0 : std::max<size_t>(1, (clips.size() * 15 + 50) / 100);
  std::vector<SourceImage> out;
  for (size_t k = 0; k < order.size(); ++k) {
    const fs::path& clip = clips[order[k]];
    const Split split = k < n_val ? Split::Validation : Split::Train;
    try {
      VideoReadOptions opt;
      opt.rgb_width = kSourceSide;  // the height follows the display aspect ratio
      opt.threads = 1;
      VideoReader reader(clip.string(), opt);
      VideoFrame frame;
      double next_time = 0.5 * every_seconds;
      ImageF last_thumb;
      while (reader.next(frame)) {
        if (frame.time < next_time) continue;
        next_time = frame.time + every_seconds;
        ImageF img = downsample_area(frame.rgb, kSourceSide);
        const ImageF thumb = resize_area(img, 16, 9);
        if (!last_thumb.empty()) {
          double diff = 0;
          for (size_t i = 0; i < thumb.pixels.size(); ++i) diff += std::abs(thumb.pixels[i] - last_thumb.pixels[i]);
          if (diff / double(thumb.pixels.size()) < 0.03) continue;
        }
        last_thumb = thumb;
        SourceImage s;
        s.path = clip.string();
        s.name = clip.filename().string() + "@" + std::to_string(int(std::lround(frame.time))) + "s";
        s.group = clip.filename().string();
        s.split = split;
        s.image = std::move(img);
        out.push_back(std::move(s));
      }
    } catch (const Error&) {
      // An unreadable clip is left out; its frames are simply missing.
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

// A sample from its clean feature-size picture and the picture its 32x32 tile is cut from:
// both detuned by the same defects.
static Sample detuned_sample(ImageF clean, const ImageF& tile_source, const std::vector<Defect>& defects) {
  Sample s;
  s.clean = std::move(clean);
  s.clean_tile = resize_area(tile_source, kTileSide, kTileSide);
  s.detuned = s.clean;
  s.detuned_tile = s.clean_tile;
  apply_defects(defects, s.detuned);
  apply_defects(defects, s.detuned_tile);
  s.defects = defects;
  return s;
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
  return detuned_sample(downsample_area(region, kFeatureSide), region, defects);
}

}  // namespace autograde::learn

namespace autograde::learn {

namespace {

ImageF random_crop(const ImageF& img, Rng& rng) {
  const double fw = 0.5 + 0.5 * rng.uniform(), fh = 0.5 + 0.5 * rng.uniform();
  const int w = std::max(8, int(img.width * fw)), h = std::max(8, int(img.height * fh));
  const int x = rng.below(img.width - w + 1), y = rng.below(img.height - h + 1);
  ImageF region = crop(img, x, y, w, h);
  if (rng.uniform() < 0.5) flip_horizontal(region);
  return region;
}

}  // namespace

Sample make_mosaic_sample(const SourceImage& a, const SourceImage& b,
                          const std::vector<Defect>& defects, Rng& rng) {
  const int W = kFeatureSide, H = kFeatureSide * 3 / 4;
  const int split = std::clamp(int(W * (0.3 + 0.4 * rng.uniform())), 8, W - 8);
  const ImageF left = resize_area(random_crop(a.image, rng), split, H);
  const ImageF right = resize_area(random_crop(b.image, rng), W - split, H);
  ImageF whole(W, H, 3);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const float* p = x < split ? left.at(x, y) : right.at(x - split, y);
      float* q = whole.at(x, y);
      q[0] = p[0];
      q[1] = p[1];
      q[2] = p[2];
    }
  return detuned_sample(whole, whole, defects);
}

}  // namespace autograde::learn
