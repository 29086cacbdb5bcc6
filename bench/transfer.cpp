// bench_transfer: the transfer dial (issue 25) against the classic transfers on their own job.
// For photos A, B and a creative LUT L, the reference is L(B) as 8-bit and the truth L(A)
// (bench_match's protocol). Every method sees A and the reference. Scored per pair:
//   swd     sliced Wasserstein-1 distance in CIELAB (ΔE*ab units; 64 fixed random directions,
//           Rabin et al. 2011) between the graded A and the reference: how close the result's
//           colour distribution is to the reference's — what a full transfer is for;
//   truth   mean CIEDE2000 against L(A): how well the reference's grade (not its content) was
//           recovered — what `auto` is for; the T that minimises it is the default's evidence;
//   p99 d2  99th percentile of the 33³ table's absolute second differences along each axis
//           (posterisation shows as large second differences); issue bar 0.025;
//   mono    share of lattice steps along R, G or B whose output display luminance Y falls by more
//           than 0.002;
//   black   |L*(LUT(black)) - L* of the reference's darkest 0.5 %| when the reference holds
//           black (that L* < 3), else not counted.
//
//   bench_transfer [--images DIR]... [--luts DIR] [--split dev|test|all] [--pairs N]
//                  [--size 256] [--sheet out.png] [--sheet-pairs 12] [--tune KEY=VALUE]...
//                  [--quick] [--verbose]
//
// Photos default to ../shared/data/corpus (open, research, clothing); looks to its luts/. The
// split is fixed by a hash of each file's path (a quarter is `test`): choices are made on
// `dev`, `test` is reported once. T = 1 goes through match_reference as `lut --transfer 1`
// does; --tune sets a TransferTuning field (methods.hpp) and the T = 1 rows then call the full
// transfer directly. --sheet writes a contact sheet, one row per pair: A | reference | T=0 | T=0.5 |
// T=1 | MKL | Reinhard.
#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "../src/look/image_stats.hpp"
#include "../src/look/lattice_fit.hpp"
#include "../src/look/methods.hpp"
#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/look/match.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/training/match_protocol.hpp"

namespace fs = std::filesystem;
using namespace autograde;

namespace {

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::vector<Eigen::Vector3d> lab_pixels(const ImageF& im) {
  std::vector<Eigen::Vector3d> v(im.pixel_count());
  for (size_t i = 0; i < v.size(); ++i) {
    const float* p = im.pixels.data() + 3 * i;
    const Vec3 l = srgb_to_lab({p[0], p[1], p[2]});
    v[i] = {l[0], l[1], l[2]};
  }
  return v;
}

// Sliced W1 between two CIELAB samples: the mean over directions of the mean absolute
// difference between their 1-D quantile functions (256 quantiles).
double sliced_w1(const std::vector<Eigen::Vector3d>& a, const std::vector<Eigen::Vector3d>& b) {
  static const std::vector<Eigen::Vector3d> dirs = [] {
    std::mt19937 rng(7);
    std::normal_distribution<double> g;
    std::vector<Eigen::Vector3d> d(64);
    for (auto& x : d) x = Eigen::Vector3d(g(rng), g(rng), g(rng)).normalized();
    return d;
  }();
  constexpr int kQ = 256;
  double total = 0;
  std::vector<double> pa(a.size()), pb(b.size());
  for (const auto& d : dirs) {
    for (size_t i = 0; i < a.size(); ++i) pa[i] = a[i].dot(d);
    for (size_t i = 0; i < b.size(); ++i) pb[i] = b[i].dot(d);
    std::sort(pa.begin(), pa.end());
    std::sort(pb.begin(), pb.end());
    double s = 0;
    for (int q = 0; q < kQ; ++q) {
      const double u = (q + 0.5) / kQ;
      s += std::abs(pa[size_t(u * double(pa.size() - 1))] - pb[size_t(u * double(pb.size() - 1))]);
    }
    total += s / kQ;
  }
  return total / double(dirs.size());
}

double second_diff_p99(const Lut3D& lut) {
  std::vector<float> d;
  const int n = lut.size;
  for (int b = 0; b < n; ++b)
    for (int g = 0; g < n; ++g)
      for (int r = 0; r < n; ++r)
        for (int axis = 0; axis < 3; ++axis) {
          int p[3] = {r, g, b};
          if (p[axis] == 0 || p[axis] == n - 1) continue;
          int lo[3] = {r, g, b}, hi[3] = {r, g, b};
          lo[axis] -= 1;
          hi[axis] += 1;
          const float* e0 = lut.at(lo[0], lo[1], lo[2]);
          const float* e1 = lut.at(r, g, b);
          const float* e2 = lut.at(hi[0], hi[1], hi[2]);
          for (int c = 0; c < 3; ++c) d.push_back(std::abs(e0[c] - 2 * e1[c] + e2[c]));
        }
  std::nth_element(d.begin(), d.begin() + long(double(d.size()) * 0.99), d.end());
  return d[size_t(double(d.size()) * 0.99)];
}

double luma_drops(const Lut3D& lut) {
  const int n = lut.size;
  size_t steps = 0, drops = 0;
  for (int b = 0; b < n; ++b)
    for (int g = 0; g < n; ++g)
      for (int r = 0; r < n; ++r)
        for (int axis = 0; axis < 3; ++axis) {
          int hi[3] = {r, g, b};
          if (++hi[axis] >= n) continue;
          const float* e0 = lut.at(r, g, b);
          const float* e1 = lut.at(hi[0], hi[1], hi[2]);
          ++steps;
          if (display_luminance({e1[0], e1[1], e1[2]}) < display_luminance({e0[0], e0[1], e0[2]}) - 0.002f) ++drops;
        }
  return double(drops) / double(std::max<size_t>(1, steps));
}

struct Row {
  std::vector<double> swd, truth, d2, mono, black;
};

ImageF thumbnail(const ImageF& im, int h) {
  ImageF out(std::max(1, int(std::lround(double(im.width) * h / im.height))), h, 3);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x) {
      const int sx = std::min(im.width - 1, x * im.width / out.width);
      const int sy = std::min(im.height - 1, y * im.height / out.height);
      for (int c = 0; c < 3; ++c) out.pixels[(size_t(y) * out.width + x) * 3 + c] = im.pixels[(size_t(sy) * im.width + sx) * 3 + c];
    }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path shared = AUTOGRADE_SHARED_DATA;
  std::vector<fs::path> image_dirs;
  fs::path lut_dir = shared / "corpus" / "luts";
  std::string split = "dev", sheet;
  int pairs = 40, size = 256, sheet_pairs = 12;
  bool verbose = false, quick = false;  // --quick: only T=1, MKL and Reinhard (tuning runs)
  look_detail::TransferTuning tuning;
  bool tuned = false;  // any --tune: the T = 1 rows bypass match_reference to take it
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        fmt::print(stderr, "{} needs a value\n", a);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--images") image_dirs.emplace_back(next());
    else if (a == "--luts") lut_dir = next();
    else if (a == "--split") split = next();
    else if (a == "--pairs") pairs = std::stoi(next());
    else if (a == "--size") size = std::stoi(next());
    else if (a == "--sheet") sheet = next();
    else if (a == "--sheet-pairs") sheet_pairs = std::stoi(next());
    else if (a == "--verbose") verbose = true;
    else if (a == "--quick") quick = true;
    else if (a == "--tune") {
      const std::string kv = next();
      const auto eq = kv.find('=');
      const std::string k = kv.substr(0, eq);
      const double v = std::stod(kv.substr(eq + 1));
      tuned = true;
      if (k == "iterations") tuning.iterations = int(v);
      else if (k == "min_slope") tuning.min_slope = v;
      else if (k == "max_slope") tuning.max_slope = v;
      else if (k == "tone_smooth_radius") tuning.tone_smooth_radius = int(v);
      else if (k == "anchor_reach") tuning.anchor_reach = v;
      else if (k == "extreme_quantile") tuning.extreme_quantile = v;
      else if (k == "fit_size") tuning.fit_size = int(v);
      else if (k == "smoothness") tuning.smoothness = float(v);
      else if (k == "table_smoothing") tuning.table_smoothing = v;
      else if (k == "max_samples") tuning.max_samples = size_t(v);
      else {
        fmt::print(stderr, "unknown tuning key {}\n", k);
        return 2;
      }
    } else {
      fmt::print(stderr, "unknown argument {}\n", a);
      return 2;
    }
  }
  if (image_dirs.empty())
    for (const char* d : {"open", "research", "clothing"}) image_dirs.push_back(shared / "corpus" / d);

  std::vector<fs::path> images;
  for (const auto& d : image_dirs)
    for (const auto& f : files_with_extensions(d, {".jpg", ".jpeg", ".png"})) {
      const bool test = fnv1a(fs::relative(f, d.parent_path()).string()) % 4 == 0;
      if (split == "all" || (split == "test") == test) images.push_back(f);
    }
  std::vector<Lut3D> looks;
  for (const auto& f : files_with_extensions(lut_dir, {".png", ".cube"})) {
    const bool test = fnv1a(f.filename().string()) % 4 == 0;
    if (split != "all" && (split == "test") != test) continue;
    if (auto l = load_creative_lut(f)) looks.push_back(std::move(*l));
  }
  if (images.size() < 2 || looks.empty()) {
    fmt::print("bench_transfer: needs photos and creative LUTs (../shared/data/corpus); skipped\n");
    return 0;
  }
  // A fixed shuffle spreads the pairs over every source folder.
  std::mt19937 rng(11);
  std::shuffle(images.begin(), images.end(), rng);
  pairs = std::min<int>(pairs, int(images.size() / 2));
  fmt::print("bench_transfer: split {}, {} photos, {} looks, {} pairs, analysis {} px\n", split, images.size(),
             looks.size(), pairs, size);

  const std::vector<std::string> names =
      quick ? std::vector<std::string>{"T=1", "mkl", "reinhard"}
            : std::vector<std::string>{"identity", "T=0 (auto)", "T=0.25", "T=0.5", "T=0.75", "T=1", "mkl", "reinhard", "idt"};
  std::map<std::string, Row> rows;
  int wins_both = 0, wins_mkl = 0, wins_reinhard = 0;
  std::vector<std::vector<ImageF>> sheet_rows;
  for (int k = 0; k < pairs; ++k) {
    const ImageF a = reduce_image(read_image(images[size_t(2 * k)].string()).image, size);
    const ImageF b = reduce_image(read_image(images[size_t(2 * k + 1)].string()).image, size);
    const Lut3D& look = looks[size_t(k) % looks.size()];
    ImageF ref = apply_lut_clamped(look, b);
    quantise_8bit(ref);
    const ImageF truth = apply_lut_clamped(look, a);
    const auto ref_lab = lab_pixels(ref);
    double ref_black = 100;
    {
      std::vector<double> l;
      for (const auto& p : ref_lab) l.push_back(p[0]);
      std::sort(l.begin(), l.end());
      ref_black = l[size_t(0.005 * double(l.size() - 1))];
    }
    const std::vector<ImageF> srcs{a};
    std::map<std::string, double> swd_of;
    std::vector<ImageF> sheet_row{a, ref};
    for (const std::string& name : names) {
      Lut3D lut;
      if (name == "identity") {
        lut = Lut3D::identity(33);
      } else if (name.rfind("T=", 0) == 0) {
        MatchOptions mo;
        mo.transfer = float(std::stod(name.substr(2)));
        if (mo.transfer >= 1.f && tuned) {
          // The far end with a tuning under study (--tune): the product's own path cannot take one.
          lut = look_detail::full_transfer_lut(look_detail::pixels_of(a), look_detail::pixels_of(ref), 33, tuning);
          look_detail::regularise_lut(lut);
        } else {
          lut = match_reference(ref, srcs, mo).lut;
        }
      } else {
        MatchOptions mo;
        mo.method = name;
        lut = match_reference(ref, srcs, mo).lut;
      }
      const ImageF out = apply_lut_clamped(lut, a);
      Row& r = rows[name];
      const double swd = sliced_w1(lab_pixels(out), ref_lab);
      swd_of[name] = swd;
      r.swd.push_back(swd);
      r.truth.push_back(score_against_truth(out, truth).mean);
      r.d2.push_back(second_diff_p99(lut));
      r.mono.push_back(luma_drops(lut));
      if (ref_black < 3) {
        const float* e = lut.at(0, 0, 0);
        r.black.push_back(std::abs(double(srgb_to_lab({e[0], e[1], e[2]})[0]) - ref_black));
      }
      if (name == "T=0 (auto)" || name == "T=0.5" || name == "T=1" || name == "mkl" || name == "reinhard")
        sheet_row.push_back(out);
    }
    const double t1 = swd_of["T=1"];
    wins_mkl += t1 < swd_of["mkl"];
    wins_reinhard += t1 < swd_of["reinhard"];
    wins_both += t1 < swd_of["mkl"] && t1 < swd_of["reinhard"];
    if (verbose)
      fmt::print("  pair {:3d}: swd T0 {:6.2f}  T1 {:6.2f}  mkl {:6.2f}  reinhard {:6.2f}  idt {:6.2f}  T1 d2 {:.4f}\n", k,
                 swd_of["T=0 (auto)"], t1, swd_of["mkl"], swd_of["reinhard"], swd_of["idt"], rows["T=1"].d2.back());
    if (int(sheet_rows.size()) < sheet_pairs) sheet_rows.push_back(std::move(sheet_row));
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0.0 : s / double(v.size());
  };
  auto pct = [](std::vector<double> v, double q) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[size_t(q * double(v.size() - 1))];
  };
  fmt::print("\n{:<12} {:>9} {:>9} {:>11} {:>11} {:>11} {:>9} {:>9} {:>10}\n", "method", "swd mean", "swd med", "truth dE00",
             "p99 d2 med", "p99 d2 max", "d2<=.025", "mono", "black dL*");
  for (const std::string& name : names) {
    const Row& r = rows[name];
    fmt::print("{:<12} {:9.2f} {:9.2f} {:11.2f} {:11.4f} {:11.4f} {:8.0f}% {:9.4f} {:10.2f}\n", name, mean(r.swd), pct(r.swd, 0.5),
               mean(r.truth), pct(r.d2, 0.5), pct(r.d2, 1.0),
               100.0 * double(std::count_if(r.d2.begin(), r.d2.end(), [](double x) { return x <= 0.025; })) /
                   double(std::max<size_t>(1, r.d2.size())),
               mean(r.mono), mean(r.black));
  }
  fmt::print("\nT=1 closer to the reference (swd) than MKL on {}/{} pairs, than Reinhard on {}/{}, than both on {}/{} "
             "({:.0f} %); references holding black: {}\n",
             wins_mkl, pairs, wins_reinhard, pairs, wins_both, pairs, 100.0 * wins_both / std::max(1, pairs),
             rows["T=1"].black.size());

  if (!sheet.empty() && !sheet_rows.empty()) {
    constexpr int kH = 120, kGap = 4;
    int width = 0;
    std::vector<std::vector<ImageF>> thumbs;
    for (const auto& row : sheet_rows) {
      std::vector<ImageF> t;
      int w = 0;
      for (const auto& im : row) {
        t.push_back(thumbnail(im, kH));
        w += t.back().width + kGap;
      }
      width = std::max(width, w);
      thumbs.push_back(std::move(t));
    }
    ImageF out(width, int(thumbs.size()) * (kH + kGap), 3);
    std::fill(out.pixels.begin(), out.pixels.end(), 0.18f);
    int y0 = 0;
    for (const auto& row : thumbs) {
      int x0 = 0;
      for (const auto& t : row) {
        for (int y = 0; y < t.height; ++y)
          for (int x = 0; x < t.width; ++x)
            for (int c = 0; c < 3; ++c)
              out.pixels[(size_t(y0 + y) * out.width + size_t(x0 + x)) * 3 + c] = t.pixels[(size_t(y) * t.width + x) * 3 + c];
        x0 += t.width + kGap;
      }
      y0 += kH + kGap;
    }
    write_image(sheet, out, ImageMeta{});
    fmt::print("contact sheet: {} (columns: A | reference | T=0 | T=0.5 | T=1 | MKL | Reinhard)\n", sheet);
  }
  return 0;
}
