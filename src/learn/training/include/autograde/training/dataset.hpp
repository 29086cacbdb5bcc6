#pragma once
// The seeded training / evaluation data: correct pictures, detuned synthetically
// (defects.hpp), split by source picture so train, validation and test never share one.
//
// Sources: every image under <shared>/images/** (kodak24, skimage_data, debian_wallpapers)
// and <repo>/data/images, de-duplicated by file name. The pictures shipped in data/images are
// always in the test split, so the unit tests exercise held-out pictures; the rest are
// shuffled with the seed and dealt 15 % test, 15 % validation, 70 % train.
//
// A sample: a random crop (60-100 % of each side) of a source reduced to <= kSourceSide px,
// flipped half the time, detuned at that resolution and only then reduced to <= kFeatureSide
// for features (as at inference, where a defective picture is reduced before its features are
// computed), plus a kTileSide^2 tile of the same clean and detuned crop for the pixel losses.
// kSourceSide is twice kFeatureSide, so a crop is reduced by 1.2-2x like the 256 px pictures
// of bench_correct.
#include <cstdint>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/learn/defects.hpp"

namespace autograde::learn {

constexpr int kSourceSide = 256;
// Width of the cross-faded band between the two parts of a mosaic sample (share of the width).
constexpr double kMosaicBlend = 0.15;
constexpr int kTileSide = 32;

enum class Split { Train, Validation, Test };
const char* split_name(Split s);

struct SourceImage {
  std::string path;
  std::string name;   // file name, the identity used for splitting ("clip.mp4@12s" for a frame)
  std::string group;  // the source it came from: its own name, or the clip of a video frame
  Split split = Split::Train;
  ImageF image;  // display code values, reduced to <= kSourceSide (empty until loaded)
};

// Lists and assigns splits (no pixels read). Sorted by name; deterministic for a seed.
std::vector<SourceImage> list_sources(const std::string& shared_data_dir,
                                      const std::string& repo_data_dir, uint64_t seed);
// Reads and reduces the pictures of `split` (all when include_all). Unreadable files are skipped.
std::vector<SourceImage> load_sources(std::vector<SourceImage> listed, Split split);

// Frames of every clip under <shared>/videos/**: one about every `every_seconds`, reduced to
// <= kSourceSide, a frame that looks like the last kept one of its clip (mean absolute
// difference of 16x9 thumbnails below 0.03 in code values) dropped. All frames of a clip share
// its group and its split. Clips go to train or validation only — never to test — so the
// held-out test pictures are the same with or without them: sorted by name, shuffled with the
// seed, the first ~15 % (at least one when there are two or more) to validation.
// Unreadable clips are skipped.
std::vector<SourceImage> load_video_frames(const std::string& shared_data_dir, uint64_t seed,
                                           double every_seconds = 2.0);

// Clean pictures rendered from scene-linear HDR panoramas (equirectangular OpenEXR files in
// `dir`, e.g. the corpus's hdr/), `views` per panorama, all for the training split: a window of
// 90 x 67.5 degrees around the horizon (taken from the equirectangular image as it is; near the
// horizon its distortion is small), exposed as a camera's auto exposure would (log-average
// luminance to mid grey, +-0.5 stop), through a highlight shoulder (Reinhard et al. 2002's
// global curve, white point drawn in 2-5 stops above mid grey) and the sRGB encoding: pictures
// of light the photo corpus rarely has (sun, lamps, night skies) with no defect applied, to be
// detuned like any other. Unreadable files are skipped.
std::vector<SourceImage> render_hdr_views(const std::string& dir, int views, uint64_t seed);

// A small, portable random source (SplitMix64): same numbers on every platform, unlike the
// distributions of <random>.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  double uniform();  // [0, 1)
  int below(int n);  // 0 .. n-1
 private:
  uint64_t state_;
};

// `count` defects of distinct groups; amount jittered by +-jitter (fraction of a severity
// step) around severity/3.
std::vector<Defect> random_defects(Rng& rng, int count, float jitter);

struct Sample {
  ImageF clean;       // crop reduced to <= kFeatureSide
  ImageF detuned;     // the detuned crop, reduced to <= kFeatureSide
  ImageF clean_tile;  // kTileSide x kTileSide
  ImageF detuned_tile;
  std::vector<Defect> defects;
};

// One augmented sample from `source` with the given defects.
Sample make_sample(const SourceImage& source, const std::vector<Defect>& defects, Rng& rng,
                   bool augment);
// A mosaic sample (CutMix, Yun et al. 2019; the "mosaic" of YOLOv4): random crops of two
// sources side by side (split at 30-70 % of the width, each crop resized to its part of a
// kSourceSide x 3/4 kSourceSide frame, cross-faded over a band of kMosaicBlend of the width so
// the seam is no hard edge), then the defects over the whole, then the reduction. Every part is a
// real picture, but the whole is a new "clean picture" each time, so a model cannot learn the
// defect-free statistics of each training picture by heart; it has to learn what defects do.
Sample make_mosaic_sample(const SourceImage& a, const SourceImage& b,
                          const std::vector<Defect>& defects, Rng& rng);

}  // namespace autograde::learn
