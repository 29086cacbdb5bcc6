// bench_fairness (issue 21; the design's equations 40-42): skin across the Monk tone range under
// strong creative looks, with and without skin protection.
//
// Portraits: ../shared/data/corpus/faces (75 studio portraits, landmark-derived skin masks) and
// faces_diverse (Pratheepan with skin masks; UTKFace crops, skin shift inside a central face
// ellipse; FASSEG, detection only: its corpus masks mark the backdrop), grouped by
// their photometric MST estimate: light 1-3, medium 4-6, dark 7-10 (corpus README: estimates,
// not labels). Split by a hash of each file's bytes (training/corpus_split.hpp); choices (the default --protect-skin) are
// made on `validation`, `test` is read for the final table only.
//
// Looks: strong display-referred LUTs (teal-orange, tints, bleach, cross-process, film
// emulations, a mono tint), split into a validation and a test set of looks as well.
//
// Per group, over portraits × looks:
//   - skin shift: mean CIEDE2000 between the ungraded and the graded portrait inside the
//     ground-truth skin mask, for the look alone and for the look with skin protection (the
//     region path a render takes: engine/region_renderer.hpp with semantic/region_luts.hpp);
//   - outside people: mean CIEDE2000 between the protected and the unprotected grade outside
//     the predicted person mask (the look must stay where it belongs);
//   - matte: the mean of the skin matte (region_mattes) inside the truth's skin;
//   - skin-mask IoU (predicted skin ≥ 0.5 vs the ground truth; portraits with masks; "landmark":
//     the London set's landmark-derived masks alone, the truth for this bar) and
//     face-detection recall (a
//     face found whose box centre lies in the truth's box: .tem landmarks, else the mask's
//     bounding box, else the whole crop);
//   - bias metric (equation 40): std / mean of the group means of the skin shift.
//
// Usage: bench_fairness [--split validation|test] [--protect S[,S...]] [--limit N]
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "autograde/analysis/masked_difference.hpp"
#include "autograde/core/files.hpp"
#include "autograde/core/image_ops.hpp"
#include "autograde/engine/region_renderer.hpp"
#include "autograde/engine/renderer.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/load.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/semantic/region_luts.hpp"
#include "autograde/semantic/region_masks.hpp"
#include "autograde/training/corpus_split.hpp"

namespace fs = std::filesystem;
using namespace autograde;

namespace {

const fs::path kData = AUTOGRADE_SHARED_DATA;

std::string group_of(int mst) { return mst <= 3 ? "light" : mst <= 6 ? "medium" : "dark"; }

struct Portrait {
  fs::path photo, mask;  // mask may be empty (detection only)
  std::string group, set;
  float box[4] = {0, 0, 0, 0};  // truth face box (pixels of the photo); all 0 = none
  // UTKFace's aligned crops have no skin mask; their skin shift is measured inside a central
  // face ellipse (centre at 55 % of the height, semi-axes 0.22 w x 0.26 h) without the eyes,
  // brows and lips the face mesh finds there. No IoU for them.
  bool proxy = false;
};

// The face box from a WebMorph template: the outline points 109-144 and 185-188 (ears,
// hairline, jaw and chin; corpus README).
bool tem_box(const fs::path& tem, float box[4]) {
  std::ifstream in(tem);
  int n = 0;
  if (!(in >> n) || n < 189) return false;
  std::vector<std::array<float, 2>> pts;
  pts.resize(size_t(n));
  for (auto& p : pts) in >> p[0] >> p[1];
  box[0] = box[1] = 1e9f, box[2] = box[3] = -1e9f;
  for (int i = 109; i <= 144; ++i) {
    box[0] = std::min(box[0], pts[size_t(i)][0]), box[1] = std::min(box[1], pts[size_t(i)][1]);
    box[2] = std::max(box[2], pts[size_t(i)][0]), box[3] = std::max(box[3], pts[size_t(i)][1]);
  }
  return true;
}

ImageF grey_of(const fs::path& p) {
  const ImageF im = read_image(p.string()).image;
  ImageF g(im.width, im.height, 1);
  for (size_t i = 0; i < g.pixel_count(); ++i)
    g.pixels[i] = im.pixels[i * size_t(im.channels)] >= 0.5f ? 1.f : 0.f;
  return g;
}

std::vector<Portrait> portraits(const std::string& split) {
  std::vector<Portrait> out;
  for (const auto& r : learn::read_tsv(kData / "corpus/faces/faces.tsv")) {
    Portrait p;
    p.photo = kData / "corpus" / r.at("file");
    p.mask = kData / "corpus" / r.at("mask");
    p.group = group_of(std::stoi(r.at("mst_estimate")));
    p.set = "faces";
    if (!tem_box(kData / "corpus" / r.at("tem"), p.box)) continue;
    if (learn::split_name(learn::content_split(p.photo)) == split) out.push_back(p);
  }
  for (const auto& r : learn::read_tsv(kData / "corpus/faces_diverse/faces.tsv")) {
    Portrait p;
    p.photo = kData / "corpus" / r.at("file");
    p.set = r.at("source_set");
    // FASSEG's skin masks in the corpus mark the backdrop, not the skin (found by eye, issue 21
    // note): those photos count for detection only.
    if (!r.at("mask").empty() && p.set != "fasseg") p.mask = kData / "corpus" / r.at("mask");
    p.group = group_of(std::stoi(r.at("mst_estimate")));
    p.proxy = p.set == "utkface";
    if (learn::split_name(learn::content_split(p.photo)) == split) out.push_back(p);
  }
  return out;
}

// Looks chosen as strong, varied creative grades; the two sets share no LUT.
std::vector<fs::path> looks(const std::string& split) {
  const fs::path l = kData / "luts", c = kData / "corpus/luts";
  if (split == "validation")
    return {l / "debian_kdenlive/TEAL_ORANGE.cube", l / "debian_kdenlive/GREEN_TINT.cube",
            l / "debian_digikam_lut3d_png/bleach.png", l / "debian_digikam_lut3d_png/x_process.png",
            c / "natron_colorslide_fuji_velvia_50.png", c / "lumix_nightmarket.png"};
  return {l / "debian_kdenlive/BLUE_TINT.cube", l / "debian_kdenlive/CINEMATIC.cube",
          l / "debian_digikam_lut3d_png/blue_crush.png", l / "debian_digikam_lut3d_png/tokyo.png",
          c / "natron_negative_color_lomography_redscale_100.png", c / "lumix_dusktide.png"};
}

struct Acc {
  double sum = 0;
  int n = 0;
  void add(double v) {
    if (std::isfinite(v)) sum += v, ++n;
  }
  double mean() const { return n ? sum / n : NAN; }
};

double iou(const ImageF& pred, const ImageF& truth) {
  double inter = 0, uni = 0;
  for (size_t i = 0; i < pred.pixels.size(); ++i) {
    const bool a = pred.pixels[i] >= 0.5f, b = truth.pixels[i] >= 0.5f;
    inter += a && b, uni += a || b;
  }
  return uni > 0 ? inter / uni : NAN;
}

}  // namespace

int main(int argc, char** argv) {
  std::string split = "validation";
  std::vector<float> protects{0.8f};
  size_t limit = SIZE_MAX;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--split" && i + 1 < argc) split = argv[++i];
    else if (a == "--limit" && i + 1 < argc) limit = size_t(std::stoul(argv[++i]));
    else if (a == "--protect" && i + 1 < argc) {
      protects.clear();
      std::stringstream ss(argv[++i]);
      std::string v;
      while (std::getline(ss, v, ',')) protects.push_back(std::stof(v));
    } else {
      fmt::print(stderr, "usage: bench_fairness [--split validation|test] [--protect S,...] [--limit N]\n");
      return 2;
    }
  }
  if (!fs::exists(kData / "corpus/faces")) {
    fmt::print("bench_fairness: {} not found; nothing to measure\n", (kData / "corpus").string());
    return 0;
  }
  std::vector<Portrait> people = portraits(split);
  if (people.size() > limit) people.resize(limit);
  std::vector<LutFile> lut_files;
  std::vector<std::string> look_names;
  for (const fs::path& p : looks(split)) {
    if (!fs::exists(p)) continue;
    lut_files.push_back(load_lut(p.string()));
    look_names.push_back(p.stem().string());
  }
  fmt::print("bench_fairness: split {}, {} portraits, {} looks ({})\n", split, people.size(),
             lut_files.size(), fmt::join(look_names, ", "));
  const PixelFormat rgbf{SampleType::F32, Layout::Packed, 3};
  const Lut3D identity = Lut3D::identity(33);

  const std::vector<std::string> groups{"light", "medium", "dark"};
  std::map<std::string, Acc> iou_by, recall_by, count_by, matte_by, iou_landmark_by;
  std::map<std::string, Acc> without_by;
  std::map<float, std::map<std::string, Acc>> with_by, outside_by;
  for (const Portrait& p : people) {
    const ImageF photo = read_image(p.photo.string()).image;
    ImageF rgb(photo.width, photo.height, 3);
    for (size_t i = 0; i < rgb.pixel_count(); ++i)
      std::copy_n(&photo.pixels[i * size_t(photo.channels)], 3, &rgb.pixels[3 * i]);
    const int w = std::min(512, rgb.width);
    const ImageF small = area_average(
        rgb, {.width = w, .height = std::max(1, int(std::lround(double(rgb.height) * w / rgb.width)))});
    const std::vector<Region> wanted{Region::Skin};
    const RegionMasks m = compute_region_masks(small, wanted);
    count_by[p.group].add(1);
    // Detection recall: any face whose box centre lies in the truth box.
    float truth[4] = {p.box[0], p.box[1], p.box[2], p.box[3]};
    ImageF truth_mask;
    if (!p.mask.empty()) truth_mask = grey_of(p.mask);
    if (truth[2] <= truth[0]) {
      if (!truth_mask.empty()) {
        truth[0] = truth[1] = 1e9f, truth[2] = truth[3] = -1e9f;
        for (int y = 0; y < truth_mask.height; ++y)
          for (int x = 0; x < truth_mask.width; ++x)
            if (*truth_mask.at(x, y) > 0.5f) {
              truth[0] = std::min(truth[0], float(x)), truth[1] = std::min(truth[1], float(y));
              truth[2] = std::max(truth[2], float(x)), truth[3] = std::max(truth[3], float(y));
            }
      } else {
        truth[0] = 0, truth[1] = 0, truth[2] = float(rgb.width), truth[3] = float(rgb.height);
      }
    }
    const double s = double(rgb.width) / small.width;
    bool found = false;
    for (const FaceBox& f : m.faces) {
      const double cx = s * (f.x0 + f.x1) / 2, cy = s * (f.y0 + f.y1) / 2;
      found |= cx >= truth[0] && cx <= truth[2] && cy >= truth[1] && cy <= truth[3];
    }
    recall_by[p.group].add(found ? 1 : 0);
    if (truth_mask.empty() && p.proxy) {
      truth_mask = ImageF(rgb.width, rgb.height, 1);
      const float cx = 0.5f * rgb.width, cy = 0.55f * rgb.height;
      const float rx = 0.22f * rgb.width, ry = 0.26f * rgb.height;
      for (int y = 0; y < rgb.height; ++y)
        for (int x = 0; x < rgb.width; ++x) {
          const float dx = (x + 0.5f - cx) / rx, dy = (y + 0.5f - cy) / ry;
          *truth_mask.at(x, y) = dx * dx + dy * dy <= 1.f ? 1.f : 0.f;
        }
      // The ellipse also holds the eyes, brows and lips, which are not skin (the landmark masks
      // of the London set leave them out); they come out by the face mesh's outlines, the only
      // landmarks these crops have.
      const ImageF features = resize_mask(m.features, rgb.width, rgb.height);
      for (size_t i = 0; i < truth_mask.pixels.size(); ++i)
        if (features.pixels[i] >= 0.5f) truth_mask.pixels[i] = 0.f;
    } else if (truth_mask.empty()) {
      continue;  // detection only
    } else {
      const double v = iou(resize_mask(m.skin, rgb.width, rgb.height), truth_mask);
      iou_by[p.group].add(v);
      if (p.set == "faces") iou_landmark_by[p.group].add(v);
    }
    // The matte the render blends the skin LUT by (the skin plus the faces' features).
    const ImageF skin_matte = std::move(region_mattes(m, wanted)[0]);
    {
      // How much of the truth's skin the matte holds: a cut below 100 % comes either from the
      // matte (here) or from the skin LUT letting part of the look through.
      const ImageF matte = resize_mask(skin_matte, rgb.width, rgb.height);
      double in = 0, n = 0;
      for (size_t i = 0; i < matte.pixels.size(); ++i)
        if (truth_mask.pixels[i] >= 0.5f) in += matte.pixels[i], n += 1;
      if (n > 0) matte_by[p.group].add(in / n);
    }
    const ImageF person = resize_mask(m.person, rgb.width, rgb.height);
    ImageF outside = person;
    for (float& v : outside.pixels) v = 1.f - v;
    for (const LutFile& look : lut_files) {
      LutFile base;
      base.cube = resample(*look.cube, 33, Interp::Tetrahedral);
      if (look.shaper) {  // bake shaper + cube on our lattice
        base.cube = Lut3D::identity(33);
        for (size_t i = 0; i < base.cube->table.size(); i += 3) {
          const Rgb v = sample(look, {base.cube->table[i], base.cube->table[i + 1],
                                      base.cube->table[i + 2]}, Interp::Tetrahedral);
          std::copy(v.begin(), v.end(), &base.cube->table[i]);
        }
      }
      ImageF graded = rgb;
      make_renderer(base, rgbf, Interp::Tetrahedral).apply(graded);
      without_by[p.group].add(masked_ciede2000(rgb, graded, truth_mask));
      LutFile skin;
      skin.cube = skin_region_lut(*base.cube, identity);
      const RegionRenderer rr = make_region_renderer(base, {&skin, 1}, rgbf, Interp::Tetrahedral);
      for (float k : protects) {
        ImageF prot = rgb;
        const ImageF* masks[1] = {&skin_matte};
        const float strengths[1] = {k};
        rr.apply(prot, masks, strengths);
        with_by[k][p.group].add(masked_ciede2000(rgb, prot, truth_mask));
        outside_by[k][p.group].add(masked_ciede2000(prot, graded, outside));
      }
    }
  }

  fmt::print("\n{:<8} {:>6} {:>9} {:>8} {:>9} {:>7} {:>10}", "group", "n", "recall", "IoU", "landmark", "matte", "shift");
  for (float k : protects) fmt::print(" {:>12} {:>8} {:>9}", fmt::format("prot {:.2f}", k), "cut", "outside");
  fmt::print("\n");
  auto bias = [&](const std::map<std::string, Acc>& by) -> double {
    std::vector<double> v;
    for (const auto& g : groups)
      if (by.count(g) && by.at(g).n) v.push_back(by.at(g).mean());
    if (v.size() < 2) return double(NAN);
    const double mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
    double var = 0;
    for (double x : v) var += (x - mean) * (x - mean);
    return std::sqrt(var / double(v.size())) / mean;
  };
  for (const auto& g : groups) {
    fmt::print("{:<8} {:>6} {:>9.3f} {:>8.3f} {:>9.3f} {:>7.2f} {:>10.2f}", g, count_by[g].n,
               recall_by[g].mean(), iou_by[g].mean(), iou_landmark_by[g].mean(), matte_by[g].mean(),
               without_by[g].mean());
    for (float k : protects) {
      const double w = with_by[k][g].mean();
      fmt::print(" {:>12.2f} {:>7.0f}% {:>9.2f}", w, 100 * (1 - w / without_by[g].mean()),
                 outside_by[k][g].mean());
    }
    fmt::print("\n");
  }
  fmt::print("bias (eq. 40, std/mean of group skin shifts): look alone {:.3f}", bias(without_by));
  for (float k : protects) fmt::print(", protect {:.2f}: {:.3f}", k, bias(with_by[k]));
  fmt::print("\n");
  return 0;
}
