#include "autograde/training/dataset.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/image_ops.hpp"
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
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (!it->is_regular_file() || !is_image_path(it->path().string())) continue;
      const std::string name = it->path().filename().string();
      if (is_bundled) bundled.push_back(name);
      if (!by_name.count(name))
        by_name[name] = SourceImage{it->path().string(), name, name, Split::Train, {}};
    }
  };
  scan(fs::path(repo_data_dir) / "images", true);
  scan(fs::path(shared_data_dir) / "images", false);
  std::vector<SourceImage> all;
  for (auto& [name, s] : by_name) all.push_back(std::move(s));  // sorted by name
  // Seeded Fisher-Yates over the non-bundled pictures.
  std::vector<size_t> others;
  for (size_t i = 0; i < all.size(); ++i)
    if (std::find(bundled.begin(), bundled.end(), all[i].name) == bundled.end())
      others.push_back(i);
    else
      all[i].split = Split::Test;
  Rng rng(seed);
  for (size_t i = others.size(); i > 1; --i)
    std::swap(others[i - 1], others[size_t(rng.below(int(i)))]);
  const size_t n = all.size();
  const size_t n_test = (n * 15 + 50) / 100, n_val = (n * 15 + 50) / 100;
  size_t test = n - others.size();
  size_t k = 0;
  for (; k < others.size() && test < n_test; ++k, ++test) all[others[k]].split = Split::Test;
  for (size_t v = 0; k < others.size() && v < n_val; ++k, ++v)
    all[others[k]].split = Split::Validation;
  return all;
}

std::vector<SourceImage> load_sources(std::vector<SourceImage> listed, Split split) {
  std::vector<SourceImage> out;
  for (auto& s : listed) {
    if (s.split != split) continue;
    try {
      s.image = area_average(read_image(s.path).image, {.max_side = kSourceSide});
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
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file() && is_video_file(it->path())) clips.push_back(it->path());
  }
  std::sort(clips.begin(), clips.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  // Seeded Fisher-Yates (own stream, so the picture split does not depend on the clips).
  std::vector<size_t> order(clips.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  Rng rng(seed ^ 0x5649444555ull);
  for (size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[size_t(rng.below(int(i)))]);
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
        ImageF img = area_average(frame.rgb, {.max_side = kSourceSide});
        const ImageF thumb = area_average(img, {.width = 16, .height = 9});
        if (!last_thumb.empty()) {
          double diff = 0;
          for (size_t i = 0; i < thumb.pixels.size(); ++i)
            diff += std::abs(thumb.pixels[i] - last_thumb.pixels[i]);
          if (diff / double(thumb.pixels.size()) < 0.03) continue;
        }
        last_thumb = thumb;
        SourceImage s;
        s.path = clip.string();
        s.name =
            clip.filename().string() + "@" + std::to_string(int(std::lround(frame.time))) + "s";
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

std::vector<SourceImage> render_hdr_views(const std::string& dir, int views, uint64_t seed) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::string ext = it->path().extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (it->is_regular_file() && ext == ".exr") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  std::vector<SourceImage> out;
  Rng rng(seed ^ 0x484452ull);  // own stream: the photo split does not depend on the panoramas
  for (const fs::path& file : files) {
    ImageF pano;
    try {
      pano = read_image(file.string()).image;
    } catch (const Error&) {
      continue;
    }
    const int W = pano.width, H = pano.height, C = pano.channels;
    const int w = std::max(8, W / 4), h = std::max(6, int(std::lround(H * 67.5 / 180.0)));
    for (int v = 0; v < views; ++v) {
      const int x0 = rng.below(W);  // the window wraps around the panorama's seam
      const int y0 = std::clamp(int(H * (0.5 + 0.15 * (2 * rng.uniform() - 1))) - h / 2, 0, H - h);
      ImageF view(w, h, 3);
      double log_sum = 0;
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          const float* p = &pano.pixels[(size_t(y0 + y) * W + size_t((x0 + x) % W)) * C];
          float* q = view.at(x, y);
          for (int c = 0; c < 3; ++c) q[c] = std::max(0.f, p[c]);
          const double lum = 0.2126 * q[0] + 0.7152 * q[1] + 0.0722 * q[2];
          log_sum += std::log(lum + 1e-4);
        }
      const double key = std::exp(log_sum / (double(w) * h));
      const float gain = float(0.18 / key * std::exp2(rng.uniform() - 0.5));
      const float white = float(0.18 * std::exp2(2 + 3 * rng.uniform()));
      const float inv_w2 = 1.f / (white * white);
      for (float& x : view.pixels) {
        const float l = x * gain;
        x = std::clamp(linear_to_srgb(l * (1 + l * inv_w2) / (1 + l)), 0.f, 1.f);
      }
      SourceImage s;
      s.path = file.string();
      s.name = file.filename().string() + "#" + std::to_string(v);
      s.group = file.filename().string();
      s.split = Split::Train;
      s.image = area_average(view, {.max_side = kSourceSide});
      out.push_back(std::move(s));
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

// A sample from a clean crop at source resolution: the defects are applied at that resolution
// and only then is the picture reduced to the feature size, as at inference, where the features
// of a defective picture are computed on its area-averaged thumbnail (features.hpp). Averaging
// and a non-linear defect do not commute (a crushed black averaged with a neighbour is not the
// average crushed), so applying the defect to the thumbnail would show the spatial cues
// something they never see at inference. The 32x32 tile pair is reduced the same way.
static Sample detuned_sample(const ImageF& region, const std::vector<Defect>& defects) {
  ImageF detuned = region;
  apply_defects(defects, detuned);
  Sample s;
  s.clean = area_average(region, {.max_side = kFeatureSide});
  s.detuned = area_average(detuned, {.max_side = kFeatureSide});
  s.clean_tile = area_average(region, {.width = kTileSide, .height = kTileSide});
  s.detuned_tile = area_average(detuned, {.width = kTileSide, .height = kTileSide});
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
  return detuned_sample(region, defects);
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
  // Built at source resolution (kSourceSide x 3/4), detuned, then reduced like any sample.
  const int W = kSourceSide, H = kSourceSide * 3 / 4;
  const int split = std::clamp(int(W * (0.3 + 0.4 * rng.uniform())), 16, W - 16);
  // The two parts overlap by a band of kMosaicBlend of the width and are cross-faded across it
  // (linear weights), so the seam is a gentle ramp instead of a step: a hard seam is an edge
  // no real picture has, and the grey-edge cues (spatial_features.hpp), which weight strong
  // edges most (p = 6), would read it as content.
  const int band = std::max(2, int(W * kMosaicBlend));
  const int left_w = std::min(W, split + band / 2), right_x = std::max(0, split - band / 2);
  const ImageF left = area_average(random_crop(a.image, rng), {.width = left_w, .height = H});
  const ImageF right = area_average(random_crop(b.image, rng), {.width = W - right_x, .height = H});
  ImageF whole(W, H, 3);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      // Weight of the right part: 0 left of the band, 1 right of it, linear across it.
      const float t = std::clamp(float(x - right_x + 0.5f) / float(left_w - right_x), 0.f, 1.f);
      const float* p = x < left_w ? left.at(x, y) : nullptr;
      const float* r = x >= right_x ? right.at(x - right_x, y) : nullptr;
      float* q = whole.at(x, y);
      for (int c = 0; c < 3; ++c) q[c] = (p ? (1.f - t) * p[c] : 0.f) + (r ? t * r[c] : 0.f);
    }
  return detuned_sample(whole, defects);
}

}  // namespace autograde::learn
