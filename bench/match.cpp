// bench_match: the ground-truth protocol for matching a reference still (issue 3; the protocol
// Deep Preset / Neural Preset use). For a creative LUT L and two different photos A and B, the
// reference is L(B) saved as 8-bit, the truth is L(A). Every method sees A (as source) and L(B);
// its LUT applied to A is scored against L(A) with CIEDE2000 (CIE 142-2001) on sRGB→Lab D65 and
// PSNR on 8-bit code values. Identity (do nothing) is the baseline.
// A second table scores LUT extraction: from (A, L(A)) as 8-bit, extract a LUT, apply it to
// other images C and compare with L(C).
//
//   bench_match [--luts DIR] [--images DIR]... [--size 384] [--pairs 4] [--half all|even|odd]
//               [--split train|validation|test] [--corpus DIR] [--fit-strata varied,...]
//               [--fit-per-lut 24] [--methods auto,reinhard,mkl,hist,idt] [--no-extract]
//               [--fit-priors]
//               [--fit-all-images] [--extract-only] [--extract-detail] [--extract-fits N]
//               [--extract-pairs K] [--ex KEY=VALUE]... [--oracles] [--verbose]
//
// --methods: any name of the method table (pipeline/shot_look.hpp), learned and hybrid included;
// NAME+fit scores the method's grade read as Look parameters alone (look_fit.hpp), NAME@A its
// displacement from identity scaled by A.
// Images: every image under each --images DIR (repeatable; default all of
// ../shared/data/images). The dev corpus is Kodak + scikit-image:
//   --images ../shared/data/images/kodak24 --images ../shared/data/images/skimage_data
//
// --extract-only skips the matching table; --extract-detail prints one extraction row per
// (LUT, photo); --extract-fits N fits each LUT from N photos spread over the image list (1, the
// default, fits LUT l from image l); --extract-pairs K fits each from K pairs pooled (A and the
// K - 1 images after it; scored on images outside the pool); --ex sets an ExtractOptions field
// (fit_size, bending, ...).
// --oracles adds five diagnostic rows that are told the reference's ungraded picture (see
// oracle_lut below): how much of the error is not knowing the reference's content.
// --split takes photos and looks from the corpus (--corpus, default ../shared/data/corpus; issue
// 20): the photos of open/, research/ and clothing/ and the creative LUTs of luts/ whose content
// hash falls in that split (training/corpus_split.hpp). Every LUT is then matched `--pairs` times
// per stratum (varied scenes, clothing, low light), A from that stratum and B from any, and the
// table is printed for all cases and per stratum. Choices are made on validation; test is read
// once for a final table.
// --fit-priors prints the natural-image prior table (mean/std of the statistics `auto` uses)
// from the even-indexed images only, so the odd half stays held out (--half odd); with
// --fit-all-images from every image given (to fit on one folder and score on another). With
// --split train it fits on the training split: content from the photos of --fit-strata (default
// all), grade effects from every LUT on --fit-per-lut photos each (rotating through the list).
#include "autograde/look/match.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "../src/look/image_stats.hpp"
#include "../src/look/lattice_fit.hpp"
#include "../src/look/methods.hpp"
#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/image_ops.hpp"
#include "autograde/look/extract.hpp"
#include "autograde/look/look_fit.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/load.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/pipeline/shot_look.hpp"
#include "autograde/training/corpus_split.hpp"
#include "autograde/training/match_protocol.hpp"

namespace fs = std::filesystem;
using namespace autograde;

namespace {

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[size_t(q * double(v.size() - 1))];
}

// A zero-mean Gaussian scale mixture Σm w_m N(0, s_m²) fitted to samples by EM. Start: scales
// at the given quantiles of |x|, equal weights; no scale falls below floor_sd.
template <int M>
void fit_scale_mixture(const std::vector<double>& x, const std::array<double, M>& start_q,
                       double floor_sd, std::array<double, M>& w, std::array<double, M>& s) {
  std::vector<double> a;
  for (double v : x) a.push_back(std::abs(v));
  std::sort(a.begin(), a.end());
  if (a.empty()) {
    w.fill(0.0);
    s.fill(floor_sd);
    return;
  }
  for (int m = 0; m < M; ++m) {
    w[m] = 1.0 / M;
    s[m] = std::max(floor_sd, a[size_t(start_q[m] * double(a.size() - 1))]);
  }
  for (int it = 0; it < 200; ++it) {
    std::array<double, M> rs{}, r2{};
    for (double v : x) {
      std::array<double, M> r{};
      double tot = 0;
      for (int m = 0; m < M; ++m)
        tot += r[m] = w[m] / s[m] * std::exp(-0.5 * v * v / (s[m] * s[m]));
      if (!(tot > 0)) continue;
      for (int m = 0; m < M; ++m) {
        rs[m] += r[m] / tot;
        r2[m] += r[m] / tot * v * v;
      }
    }
    for (int m = 0; m < M; ++m) {
      w[m] = std::max(1e-4, rs[m] / double(x.size()));
      s[m] = std::max(floor_sd, std::sqrt(r2[m] / std::max(1e-12, rs[m])));
    }
  }
}

ExtractOptions g_extract;

// Roughness of a LUT, measured the same way for every LUT: resampled to 17^3 (tetrahedral),
// the 99th percentile over lattice nodes and axes of the second difference's length in code
// values. A smooth grade bends gently; a clipping or keyed LUT (hard thresholds, isolated hues)
// has kinks whose second difference is a large share of the step.
struct LutShape {
  double d2_mean = 0, d2_p99 = 0, clip = 0;
};
LutShape lut_shape(const Lut3D& lut) {
  constexpr int S = 17;
  std::vector<Rgb> v(size_t(S * S * S));
  auto id = [](int r, int g, int b) { return size_t((b * S + g) * S + r); };
  int clipped = 0;
  for (int b = 0; b < S; ++b)
    for (int g = 0; g < S; ++g)
      for (int r = 0; r < S; ++r) {
        const Rgb o =
            sample_tetrahedral(lut, {float(r) / (S - 1), float(g) / (S - 1), float(b) / (S - 1)});
        v[id(r, g, b)] = o;
        bool c = false;
        for (int k = 0; k < 3; ++k) c = c || o[k] <= 0.002f || o[k] >= 0.998f;
        clipped += c;
      }
  std::vector<double> d2;
  for (int b = 0; b < S; ++b)
    for (int g = 0; g < S; ++g)
      for (int r = 0; r < S; ++r) {
        const int p[3] = {r, g, b};
        for (int ax = 0; ax < 3; ++ax) {
          if (p[ax] == 0 || p[ax] == S - 1) continue;
          int lo[3] = {r, g, b}, hi[3] = {r, g, b};
          --lo[ax];
          ++hi[ax];
          const Rgb& a = v[id(lo[0], lo[1], lo[2])];
          const Rgb& m = v[id(r, g, b)];
          const Rgb& c = v[id(hi[0], hi[1], hi[2])];
          double s = 0;
          for (int k = 0; k < 3; ++k) s += (a[k] - 2 * m[k] + c[k]) * (a[k] - 2 * m[k] + c[k]);
          d2.push_back(std::sqrt(s));
        }
      }
  LutShape out;
  for (double x : d2) out.d2_mean += x / double(d2.size());
  out.d2_p99 = percentile(d2, 0.99);
  out.clip = double(clipped) / double(v.size());
  return out;
}

// Mean CIEDE2000 between two images over the pixels where `mask` is set (or all if empty).
double masked_de(const ImageF& a, const ImageF& b, const std::vector<char>& mask, bool want) {
  double s = 0;
  size_t n = 0;
  for (size_t i = 0; i < a.pixel_count(); ++i) {
    if (!mask.empty() && bool(mask[i]) != want) continue;
    const float* p = a.pixels.data() + 3 * i;
    const float* q = b.pixels.data() + 3 * i;
    s += ciede2000(srgb_to_lab({p[0], p[1], p[2]}), srgb_to_lab({q[0], q[1], q[2]}));
    ++n;
  }
  return n ? s / double(n) : 0.0;
}

// LUT extraction table: from (A, L(A)) as 8-bit, extract a LUT, apply it to three other images
// C and compare with L(C). `fits` photos A per LUT (1: A = image l, the original protocol; more:
// spread evenly over the image list). With `detail`, one row per (LUT, A) splits the error of
// C's pixels into colours the pair covers (their 1/32-wide RGB cell holds a pixel of A) and
// colours it does not (extrapolation), and prints the LUT's roughness.
//
// "Smooth" LUTs (the target class) are told apart by one rule measured on the LUT
// itself, the same for every LUT: the 99th percentile of its second differences on a 17^3
// lattice is at most two lattice steps (2/16 code values), i.e. the slope changes by less than 2
// from one cell to the next almost everywhere.
constexpr double kSmoothD2 = 2.0 / 16.0;

void run_extraction(const std::vector<std::pair<std::string, Lut3D>>& luts,
                    const std::vector<std::pair<std::string, ImageF>>& images, bool detail,
                    int fits, int pool) {
  const size_t n = images.size();
  std::vector<MatchScore> ex, exid, ex_smooth, exid_smooth;
  std::vector<double> covered_err;
  double t = 0;
  int smooth_luts = 0;
  if (detail)
    fmt::print("{:<46} {:<28} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7} {:>5} {:>7}\n",
               "LUT", "A", "cellsA", "id", "extr", "fitA", "cov", "uncov", "%unc", "d2mean",
               "d2p99", "clip", "bending");
  for (size_t l = 0; l < luts.size(); ++l) {
    const LutShape sh = lut_shape(luts[l].second);
    const bool smooth = sh.d2_p99 <= kSmoothD2;
    smooth_luts += smooth;
    for (int j = 0; j < fits; ++j) {
      const size_t ia = (l + size_t(j) * n / size_t(fits)) % n;
      // The pair(s): A and the pool - 1 images after it in the list.
      std::vector<ImageF> befores, afters;
      std::vector<size_t> in_pool;
      for (int k = 0; k < pool; ++k) {
        in_pool.push_back((ia + size_t(k)) % n);
        befores.push_back(images[in_pool.back()].second);
        afters.push_back(apply_lut_clamped(luts[l].second, befores.back()));
        quantise_8bit(afters.back());
      }
      const ImageF& A = befores.front();
      const ImageF& after = afters.front();
      const auto t0 = std::chrono::steady_clock::now();
      ExtractReport rep;
      const Lut3D lut = extract_lut(befores, afters, g_extract, &rep);
      t += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      constexpr int G = 32;
      std::vector<char> occupied(size_t(G * G * G), 0);
      auto cell = [](const float* p) {
        int k = 0;
        for (int c = 2; c >= 0; --c)
          k = k * G + std::min(G - 1, int(std::clamp(p[c], 0.f, 1.f) * G));
        return size_t(k);
      };
      for (const ImageF& B : befores)
        for (size_t i = 0; i < B.pixel_count(); ++i) occupied[cell(B.pixels.data() + 3 * i)] = 1;
      double e_id = 0, e_ex = 0, e_cov = 0, e_unc = 0, f_unc = 0;
      int used = 0;
      for (int k = 1; k <= 3; ++k) {
        const size_t ic = (ia + size_t(k) * (n / 4 + 1)) % n;
        if (std::find(in_pool.begin(), in_pool.end(), ic) != in_pool.end()) continue;
        const ImageF& C = images[ic].second;
        const ImageF truth = apply_lut_clamped(luts[l].second, C);
        const ImageF got = apply_lut_clamped(lut, C);
        ex.push_back(score_against_truth(got, truth));
        exid.push_back(score_against_truth(C, truth));
        if (smooth) ex_smooth.push_back(ex.back()), exid_smooth.push_back(exid.back());
        std::vector<char> covered(C.pixel_count());
        size_t unc = 0;
        for (size_t i = 0; i < C.pixel_count(); ++i) {
          covered[i] = occupied[cell(C.pixels.data() + 3 * i)];
          unc += !covered[i];
        }
        if (unc < C.pixel_count()) covered_err.push_back(masked_de(got, truth, covered, true));
        if (!detail) continue;
        e_id += exid.back().mean;
        e_ex += ex.back().mean;
        e_cov += masked_de(got, truth, covered, true);
        e_unc += masked_de(got, truth, covered, false);
        f_unc += double(unc) / double(C.pixel_count());
        ++used;
      }
      if (detail) {
        const double fit_a = masked_de(apply_lut_clamped(lut, A), after, {}, true);
        const double u = std::max(1, used);
        fmt::print(
            "{:<46} {:<28} {:>5} {:>6.2f} {:>6.2f} {:>6.2f} {:>6.2f} {:>6.2f} {:>5.1f}% {:>7.4f} "
            "{:>7.4f} {:>5.2f} {:>7.0e}\n",
            luts[l].first, images[ia].first.substr(0, 28),
            std::count(occupied.begin(), occupied.end(), 1), e_id / u, e_ex / u, fit_a, e_cov / u,
            e_unc / u, 100 * f_unc / u, sh.d2_mean, sh.d2_p99, sh.clip, rep.bending);
      }
    }
  }
  fmt::print(
      "LUT extraction ({} LUTs x {} photo(s) A; fit on {} pair(s) (A, L(A)) 8-bit, scored on 3 "
      "other images each)\n",
      luts.size(), fits, pool);
  fmt::print("{:<16} {:>9} {:>9} {:>9} {:>8}\n", "method", "mean dE00", "p90 dE00", "PSNR dB",
             "s/LUT");
  auto row = [&](const std::string& name, const std::vector<MatchScore>& s, double secs) {
    double mean = 0, p90 = 0, psnr = 0;
    for (const auto& x : s) {
      mean += x.mean / double(s.size());
      p90 += x.p90 / double(s.size());
      psnr += x.psnr / double(s.size());
    }
    fmt::print("{:<16} {:>9.3f} {:>9.3f} {:>9.2f} {:>8.3f}\n", name, mean, p90, psnr, secs);
  };
  row("identity", exid, 0);
  row("extract", ex, t / double(luts.size() * size_t(fits)));
  row(fmt::format("identity smooth"), exid_smooth, 0);
  row(fmt::format("extract smooth"), ex_smooth, 0);
  double cov = 0;
  for (double v : covered_err) cov += v / double(covered_err.size());
  fmt::print(
      "(smooth: {} of {} LUTs whose 17^3 second differences have p99 <= {:.3f} code values;\n"
      " extract on colours the pair covers (C pixels in an RGB cell of width 1/32 holding a pixel "
      "of A):\n"
      " mean dE00 {:.3f})\n\n",
      smooth_luts, luts.size(), kSmoothD2, cov);
}

// Diagnostic rows (--oracles): methods that are told the reference's ungraded picture B, so
// they show what is lost to not knowing it. "auto|B": auto's own Look family with the grade
// read as the plain difference of statistics between L(B) and B (no prior, no shrinkage);
// "look|B": every parameter of the Look fitted to the pixel pairs (B, L(B)) (look_fit.hpp), the
// most an explicit Look can express of the grade ("look-|B" without per-channel curves and hue
// controls, roughly auto's parameters; "lookc|B" with per-channel curves, without hue controls);
// "extract|B": LUT extraction from the same pair, any shape of LUT.
Lut3D oracle_lut(const std::string& m, const ImageF& a, const ImageF& b, const ImageF& ref) {
  const MatchOptions defaults;
  if (m == "extract|B") return extract_lut(b, ref, g_extract);
  auto px = [&](const ImageF& img) {
    return look_detail::pixels_of(area_average(
        img, {.max_side = defaults.analysis_size, .grid = AreaGrid::WholeBlocks, .name = "image"}));
  };
  const auto content = px(b);
  if (m.starts_with("look")) {
    LookFitParts parts;
    if (m == "look-|B") parts = {false, false};  // roughly auto's parameters
    if (m == "lookc|B") parts = {true, false};   // + per-channel curves
    Lut3D lut = bake_look(fit_look_to_pairs(content, px(ref), 2000, parts).look, defaults.lut_size);
    look_detail::regularise_lut(lut);
    return lut;
  }
  const auto fit = look_detail::fit_auto_look(px(a), px(ref), &content);
  Lut3D lut = bake_look(fit.look, defaults.lut_size);
  look_detail::regularise_lut(lut);
  return lut;
}

}  // namespace

int main(int argc, char** argv) {
  std::string luts_dir = AUTOGRADE_SHARED_DATA "/luts",
              images_default = AUTOGRADE_SHARED_DATA "/images";
  std::vector<std::string> image_dirs;
  int size = 384, pairs = 4;
  std::string half = "all", methods_arg = "auto,reinhard,mkl,hist,idt", split_arg, fit_strata;
  std::filesystem::path corpus_dir = AUTOGRADE_SHARED_DATA "/corpus";
  bool luts_given = false;
  int fit_per_lut = 24;
  bool extract = true, fit_priors = false, fit_all_images = false, verbose = false,
       extract_detail = false, extract_only = false, oracles = false;
  int extract_fits = 1, extract_pairs = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        fmt::print(stderr, "{} needs a value\n", a);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--luts") {
      luts_dir = next();
      luts_given = true;
    } else if (a == "--split")
      split_arg = next();
    else if (a == "--corpus")
      corpus_dir = next();
    else if (a == "--fit-strata")
      fit_strata = next();
    else if (a == "--fit-per-lut")
      fit_per_lut = std::max(1, std::stoi(next()));
    else if (a == "--images")
      image_dirs.push_back(next());
    else if (a == "--size")
      size = std::stoi(next());
    else if (a == "--pairs")
      pairs = std::stoi(next());
    else if (a == "--half")
      half = next();
    else if (a == "--methods")
      methods_arg = next();
    else if (a == "--no-extract")
      extract = false;
    else if (a == "--oracles")
      oracles = true;
    else if (a == "--fit-priors")
      fit_priors = true;
    else if (a == "--fit-all-images")
      fit_all_images = true;
    else if (a == "--verbose")
      verbose = true;
    else if (a == "--extract-detail")
      extract_detail = true;
    else if (a == "--extract-only")
      extract_only = true;
    else if (a == "--extract-fits")
      extract_fits = std::max(1, std::stoi(next()));
    else if (a == "--extract-pairs")
      extract_pairs = std::max(1, std::stoi(next()));
    else if (a == "--ex") {
      const std::string kv = next();
      const auto eq = kv.find('=');
      const std::string k = kv.substr(0, eq);
      const float v = std::stof(kv.substr(eq + 1));
      if (k == "fit_size")
        g_extract.fit_size = int(v);
      else if (k == "cv_size")
        g_extract.cv_size = int(v);
      else if (k == "bending")
        g_extract.bending = v;
      else if (k == "ridge")
        g_extract.ridge = v;
      else if (k == "weight_power")
        g_extract.weight_power = v;
      else if (k == "cv_max_samples")
        g_extract.cv_max_samples = int(v);
      else {
        fmt::print(stderr, "unknown --ex key {}\n", k);
        return 2;
      }
    } else {
      fmt::print(stderr, "unknown argument {}\n", a);
      return 2;
    }
  }
  std::string cmd;
  for (int i = 0; i < argc; ++i) cmd += std::string(i ? " " : "") + argv[i];
  fmt::print("command: {}\n", cmd);

  // Images (downscaled, 8-bit quantised as they came), each with its stratum ("" outside --split).
  std::optional<learn::Split> split;
  if (!split_arg.empty()) {
    try {
      split = learn::parse_split(split_arg);
    } catch (const Error& e) {
      fmt::print(stderr, "--split: {}\n", e.what());
      return 2;
    }
    if (!image_dirs.empty() || half != "all") {
      fmt::print(stderr, "--split takes its photos from --corpus; drop --images and --half\n");
      return 2;
    }
    if (!luts_given) luts_dir = (corpus_dir / "luts").string();
    fit_all_images = true;
  }
  std::vector<std::pair<std::string, ImageF>> images;
  std::vector<std::string> strata;
  std::vector<std::pair<std::filesystem::path, std::string>> image_files;
  if (split) {
    for (const auto& p : learn::list_corpus_photos(corpus_dir, split))
      if (fit_strata.empty() || !fit_priors ||
          ("," + fit_strata + ",").find("," + std::string(learn::stratum_name(p.stratum)) + ",") !=
              std::string::npos)
        image_files.emplace_back(p.path, learn::stratum_name(p.stratum));
  } else {
    if (image_dirs.empty()) image_dirs.push_back(images_default);
    for (const auto& dir : image_dirs)
      for (auto& f : files_with_extensions(dir, {".png", ".jpg", ".jpeg", ".tif", ".tiff"}))
        image_files.emplace_back(std::move(f), "");
  }
  for (size_t i = 0; i < image_files.size(); ++i) {
    const bool even = i % 2 == 0;
    if ((half == "even" || (fit_priors && !fit_all_images)) && !even) continue;
    if (half == "odd" && even) continue;
    try {
      ImageF img = reduce_image(read_image(image_files[i].first.string()).image, size);
      quantise_8bit(img);
      images.emplace_back(image_files[i].first.filename().string(), std::move(img));
      strata.push_back(image_files[i].second);
    } catch (const Error& e) {
      fmt::print(stderr, "skipping image: {}\n", e.what());
    }
  }
  if (images.size() < 3) {
    fmt::print(stderr, "need at least 3 images under {}\n", fmt::join(image_dirs, ", "));
    return 3;
  }

  // Creative LUTs: display-referred in and out. Camera-log input LUTs (a shaper, a non-unit
  // domain, or "log" in the file name) are not creative looks and are skipped.
  std::vector<std::pair<std::string, Lut3D>> luts;
  int lut_index = -1;
  for (const auto& p :
       files_with_extensions(luts_dir, {".cube", ".png", ".3dl", ".spi3d", ".clf"})) {
    try {
      if (split && learn::content_split(p) != *split) continue;
      std::optional<Lut3D> lut = load_creative_lut(p);
      if (!lut) continue;
      ++lut_index;
      if (half == "odd" && lut_index % 2 == 0) continue;  // --half odd: held-out LUTs too
      luts.emplace_back(p.parent_path().filename().string() + "/" + p.filename().string(),
                        std::move(*lut));
    } catch (const Error& e) {
      fmt::print(stderr, "skipping LUT: {}\n", e.what());
    }
  }
  fmt::print("{} LUTs, {} images (≤ {} px), {} pairs per LUT\n\n", luts.size(), images.size(), size,
             pairs);

  if (fit_priors) {
    // Content: statistics of the (even-indexed) images. Grade: the change each (even-indexed)
    // LUT makes to those statistics. Both halves' odd members stay held out.
    using namespace autograde::look_detail;
    using Vec = Eigen::Matrix<double, kStatCount, 1>;
    auto stats_of = [&](const ImageF& img) {
      const auto f = flatten(grade_stats(pixels_of(
          area_average(img, {.max_side = 256, .grid = AreaGrid::WholeBlocks, .name = "image"}))));
      Vec v;
      for (int k = 0; k < kStatCount; ++k) v[k] = f[k];
      return v;
    };
    std::vector<Vec> content;
    for (const auto& [name, img] : images) content.push_back(stats_of(img));
    Vec mean = Vec::Zero();
    for (const auto& v : content) mean += v / double(content.size());
    Vec var = Vec::Zero();
    for (const auto& v : content) var += (v - mean).cwiseAbs2() / double(content.size() - 1);
    std::vector<Vec> effects;  // δ = stats(L(image)) - stats(image)
    const size_t lut_step = split ? 1 : 2;
    const size_t per_lut = split ? std::min(images.size(), size_t(fit_per_lut)) : images.size();
    for (size_t l = 0; l < luts.size(); l += lut_step)
      for (size_t k = 0; k < per_lut; ++k) {
        const size_t i = split ? (l * per_lut + k) % images.size() : k;
        ImageF g = apply_lut_clamped(luts[l].second, images[i].second);
        quantise_8bit(g);
        effects.push_back(stats_of(g) - content[i]);
      }
    // Per statistic, the grade effects' scale mixtures by EM (the effects are observed here, so
    // these are plain mixture fits), each side of zero on its own (half-normal mixtures; start:
    // scales at the 30th, 70th and 95th percentiles of |δ|; a side's weight is its share of the
    // effects, an exact zero counting half to each).
    using Sides = std::array<std::array<double, kGradeMixture>, 2>;
    std::array<Sides, kStatCount> pi{}, sd{};
    for (int k = 0; k < kStatCount; ++k) {
      std::array<std::vector<double>, 2> side;
      double zeros = 0;
      for (const auto& e : effects) {
        if (e[k] == 0) ++zeros;
        if (e[k] <= 0) side[0].push_back(-e[k]);
        if (e[k] >= 0) side[1].push_back(e[k]);
      }
      const double spread = std::sqrt(var[k]);
      for (int sgn = 0; sgn < 2; ++sgn) {
        const double mass = (double(side[sgn].size()) - zeros / 2) / double(effects.size());
        fit_scale_mixture<kGradeMixture>(side[sgn], {0.3, 0.7, 0.95}, 1e-3 * spread + 1e-6,
                                         pi[k][sgn], sd[k][sgn]);
        for (double& w : pi[k][sgn]) w *= mass;
      }
    }
    fmt::print("// content: {} images; grade: {} (LUT, image) pairs from {} LUTs\n", content.size(),
               effects.size(), (luts.size() + lut_step - 1) / lut_step);
    auto row = [](const auto& v, int n) {
      std::string out;
      for (int k = 0; k < n; ++k) out += fmt::format("{}{:.5g}f", k ? ", " : "", double(v[k]));
      return out;
    };
    Vec sdev = var.cwiseSqrt();
    fmt::print("      {{{}}},\n      {{{}}},\n", row(mean, kStatCount), row(sdev, kStatCount));
    auto sided = [&](const auto& t, bool last) {
      fmt::print("      {{{{");
      for (int k = 0; k < kStatCount; ++k)
        fmt::print("{}{{{{{{{}}}, {{{}}}}}}}", k ? ", " : "", row(t[k][0], kGradeMixture),
                   row(t[k][1], kGradeMixture));
      fmt::print("}}}}{}\n", last ? "" : ",");
    };
    sided(pi, false);
    sided(sd, true);
    return 0;
  }

  if (extract_only) {
    run_extraction(luts, images, extract_detail, extract_fits, extract_pairs);
    return 0;
  }
  std::vector<std::string> methods{"identity"};
  for (size_t s = 0, e; s <= methods_arg.size(); s = e + 1) {
    e = methods_arg.find(',', s);
    if (e == std::string::npos) e = methods_arg.size();
    if (e > s) methods.push_back(methods_arg.substr(s, e - s));
  }
  if (oracles) {
    methods.push_back("auto|B");
    methods.push_back("look-|B");
    methods.push_back("lookc|B");
    methods.push_back("look|B");
    methods.push_back("extract|B");
  }
  std::map<std::string, std::vector<MatchScore>> scores;
  std::map<std::string, double> fit_rms;  // "+fit" rows: sum over cases of the fit's RMS
  std::map<std::string, std::vector<double>> confidences;  // per method, per case
  std::map<std::string, double> seconds;
  const size_t n = images.size();
  int cases = 0, one_hued = 0;
  // The A photos of each LUT's cases: `pairs` from the whole list, or with --split `pairs` from
  // each stratum (so a small stratum still gets its share), rotating through each list.
  std::map<std::string, std::vector<size_t>> by_stratum;
  for (size_t i = 0; i < n; ++i) by_stratum[strata[i]].push_back(i);
  std::vector<std::string> case_stratum;
  for (size_t l = 0; l < luts.size(); ++l) {
    std::vector<size_t> as;
    for (const auto& [name, members] : by_stratum)
      for (int j = 0; j < pairs; ++j)
        as.push_back(members[(l * size_t(pairs) + size_t(j)) % members.size()]);
    for (size_t j = 0; j < as.size(); ++j) {
      const size_t ia = as[j];
      const size_t ib = (ia + 1 + (l * 7 + j * 3) % (n - 1)) % n;  // never equal to ia
      case_stratum.push_back(strata[ia]);
      const ImageF& A = images[ia].second;
      ImageF ref = apply_lut_clamped(luts[l].second, images[ib].second);
      quantise_8bit(ref);
      const ImageF truth = apply_lut_clamped(luts[l].second, A);
      ++cases;
      for (const auto& m : methods) {
        const auto t0 = std::chrono::steady_clock::now();
        Lut3D lut = Lut3D::identity(2);
        if (m.ends_with("|B")) {
          lut = oracle_lut(m, A, images[ib].second, ref);
        } else if (m != "identity") {
          // "NAME+fit": the method's grade read as Look parameters alone (look_fit.hpp), the
          // grade the plan would hold if it kept no residual LUT.
          // "NAME@A": the method's displacement from identity scaled by A (clamped to 0..1), to
          // ask whether its LUTs are too timid or too bold on average.
          const bool fit = m.ends_with("+fit");
          const size_t at = m.find('@');
          LookRequest q;
          q.reference = &ref;
          q.sources = std::span<const ImageF>(&A, 1);
          q.method = fit ? m.substr(0, m.size() - 4) : m.substr(0, at);
          auto res = match_by_method(q);
          confidences[m].push_back(res.confidence);
          lut = std::move(res.lut);
          if (at != std::string::npos) {
            lut = mix_with_identity(lut, std::stof(m.substr(at + 1)));
            for (float& v : lut.table) v = std::clamp(v, 0.f, 1.f);
          }
          if (fit) {
            Look grade = identity_look();
            grade.residual = lut;
            const LookPairFit f = fit_look_to_grade(grade);
            fit_rms[m] += f.rms;
            lut = bake_look(f.look, lut.size);
          }
          if (verbose && res.look) fmt::print("{}", describe(*res.look));
          if (verbose)
            for (const auto& note : res.notes) fmt::print("  note: {}\n", note);
          if (m == "auto")  // match_auto.cpp's one-hued-scene rejection, counted for the summary
            one_hued += std::any_of(res.notes.begin(), res.notes.end(), [](const std::string& s) {
              return s.find("scene's own colour") != std::string::npos;
            });
        }
        scores[m].push_back(score_against_truth(apply_lut_clamped(lut, A), truth));
        seconds[m] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      }
      if (verbose) {
        fmt::print("{:<48} {:<16} {:<16} {:<9}", luts[l].first, images[ia].first, images[ib].first,
                   strata[ia]);
        for (const auto& m : methods) fmt::print(" {}={:.2f}", m, scores[m].back().mean);
        fmt::print("\n");
      }
    }
    fmt::print(stderr, "\r{}/{} LUTs", l + 1, luts.size());
  }
  fmt::print(stderr, "\n");

  auto table = [&](const std::string& stratum) {
    std::vector<size_t> rows;
    for (size_t i = 0; i < case_stratum.size(); ++i)
      if (stratum.empty() || case_stratum[i] == stratum) rows.push_back(i);
    fmt::print(
        "Reference matching{} ({} cases: LUT x (A, B) pairs; reference = L(B) 8-bit, truth = "
        "L(A))\n",
        stratum.empty() ? "" : ", A from " + stratum, rows.size());
    fmt::print("{:<10} {:>9} {:>9} {:>9} {:>12} {:>10} {:>8}\n", "method", "mean dE00", "p90 dE00",
               "PSNR dB", "case-p90 dE", "beats id", "s/case");
    const auto& id = scores["identity"];
    for (const auto& m : methods) {
      const auto& s = scores[m];
      double mean = 0, p90 = 0, psnr = 0;
      int beats = 0;
      std::vector<double> case_means;
      const double k = double(rows.size());
      for (size_t i : rows) {
        mean += s[i].mean / k;
        p90 += s[i].p90 / k;
        psnr += s[i].psnr / k;
        case_means.push_back(s[i].mean);
        if (s[i].mean < id[i].mean) ++beats;
      }
      fmt::print("{:<10} {:>9.3f} {:>9.3f} {:>9.2f} {:>12.3f} {:>9.1f}% {:>8.3f}\n", m, mean, p90,
                 psnr, percentile(case_means, 0.9), m == "identity" ? 0.0 : 100.0 * beats / k,
                 seconds[m] / double(s.size()));
    }
  };
  table("");
  if (by_stratum.size() > 1)
    for (const auto& [name, members] : by_stratum) {
      fmt::print("\n");
      table(name);
    }
  fmt::print(
      "(mean/p90 dE00: per-image mean and 90th percentile of per-pixel CIEDE2000, averaged over\n"
      " cases; case-p90: 90th percentile over cases of the per-image mean; beats id: share of "
      "cases\n"
      " whose mean dE00 is below identity's)\n");
  // Does a method's confidence say anything? Spearman's rank correlation between it and the
  // case's error relative to identity's (a useful confidence correlates negatively).
  for (const auto& [m, conf] : confidences) {
    const auto& s = scores[m];
    const auto& id = scores["identity"];
    if (conf.size() != s.size() || conf.size() < 3) continue;
    auto ranks = [](const std::vector<double>& v) {
      std::vector<size_t> order(v.size());
      for (size_t i = 0; i < v.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
      std::vector<double> r(v.size());
      for (size_t i = 0; i < v.size();) {  // ties share their mean rank
        size_t j = i;
        while (j + 1 < v.size() && v[order[j + 1]] == v[order[i]]) ++j;
        for (size_t k = i; k <= j; ++k) r[order[k]] = 0.5 * double(i + j);
        i = j + 1;
      }
      return r;
    };
    std::vector<double> rel;
    for (size_t i = 0; i < s.size(); ++i) rel.push_back(s[i].mean / std::max(id[i].mean, 1e-9));
    const auto a = ranks(conf), b = ranks(rel);
    const double n = double(a.size()), mid = 0.5 * (n - 1);
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < a.size(); ++i)
      sab += (a[i] - mid) * (b[i] - mid), saa += (a[i] - mid) * (a[i] - mid), sbb += (b[i] - mid) * (b[i] - mid);
    const double rho = saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
    fmt::print("{}: confidence mean {:.2f}; Spearman rho with the case's error / identity's {:+.3f}\n", m,
               std::accumulate(conf.begin(), conf.end(), 0.0) / n, rho);
  }
  for (const auto& [m, sum] : fit_rms)
    fmt::print("{}: the fitted Look is within {:.2f} code values RMS of the LUT (mean over cases)\n",
               m, 255.0 * sum / double(cases));
  if (std::find(methods.begin(), methods.end(), "auto") != methods.end())
    fmt::print(
        "auto read {} of {} references as one-hued scenes (tone matched, colour left alone)\n",
        one_hued, cases);
  fmt::print("\n");

  if (extract) run_extraction(luts, images, extract_detail, extract_fits, extract_pairs);
  return 0;
}
