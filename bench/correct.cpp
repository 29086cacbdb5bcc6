// bench_correct (issue 7): the defect classifier and the learned LUT correction on held-out
// pictures (the test split of training/dataset.hpp: no picture in it was trained on), against
// the research results (Kundert-Gibbs et al.: 98.3 % exact, 100 % within one severity on single
// defects) and classic auto-correction: grey-world + auto-levels (ours, classic.hpp) and
// ImageMagick `convert -auto-level -auto-gamma` run as a peer when the real ImageMagick is
// installed.
//
// Usage: bench_correct [--seed N] [--multi N] [--no-peer] [--split test|validation|train]
//                      [--corpus SPLIT [--stratum varied|clothing|lowlight] [--count N]]
//                      [--per-family] [--confusion] [--dump]
// (--corpus takes the pictures from that split of ../shared/data/corpus instead (issue 20;
// training/corpus_split.hpp): photos the models never saw, the first --count (default 40) in
// hash order of one stratum, or of each stratum in turn without --stratum.)
// (--split other than test is a diagnostic: how the models do on pictures they did see or were
// selected on; the table is the test split. --per-family adds a table per defect
// family; --confusion adds, per family and severity, where the top finding went (fine, another
// family, or this family at 33/66/100 %); --dump prints the top finding and the applied amounts for each 100 % defect.)
#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/core/image_ops.hpp"
#include "autograde/learn/analyzer.hpp"
#include "autograde/learn/corrector.hpp"
#include "autograde/learn/features.hpp"
#include "autograde/learn/image_ops.hpp"
#include "autograde/learn/models.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/training/classic.hpp"
#include "autograde/training/corpus_split.hpp"
#include "autograde/training/dataset.hpp"

namespace al = autograde::learn;
namespace fs = std::filesystem;
using autograde::ImageF;

namespace {

constexpr int kEvalSide = 256;

// Mean CIEDE2000 (CIE 142-2001) between two sRGB code-value images of the same size.
double mean_de2000(const ImageF& a, const ImageF& b) {
  double sum = 0;
  const size_t n = a.pixel_count();
  for (size_t i = 0; i < n; ++i) {
    const float* p = a.pixels.data() + 3 * i;
    const float* q = b.pixels.data() + 3 * i;
    sum += autograde::ciede2000(autograde::srgb_to_lab({p[0], p[1], p[2]}), autograde::srgb_to_lab({q[0], q[1], q[2]}));
  }
  return sum / double(n);
}

// The real ImageMagick (Debian's /usr/bin/convert); a stand-in elsewhere on PATH is not it.
std::string find_imagemagick() {
  for (const char* c : {"/usr/bin/convert", "/usr/bin/convert-im6.q16"}) {
    if (!fs::exists(c)) continue;
    std::string cmd = std::string(c) + " -version 2>/dev/null";
    FILE* f = popen(cmd.c_str(), "r");
    if (!f) continue;
    char buf[256] = {0};
    const bool ok = fgets(buf, sizeof buf, f) && std::string(buf).find("ImageMagick") != std::string::npos;
    pclose(f);
    if (ok) return c;
  }
  return "";
}

ImageF imagemagick_correct(const std::string& convert, const ImageF& in, const fs::path& tmp) {
  const auto src = (tmp / "in.png").string(), dst = (tmp / "out.png").string();
  autograde::ImageMeta meta;
  meta.format = autograde::SampleFormat::U16;
  meta.bits_per_sample = 16;
  autograde::write_image(src, in, meta);
  const std::string cmd = convert + " " + src + " -auto-level -auto-gamma " + dst + " 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) autograde::throw_internal("convert failed: " + cmd);
  ImageF out = autograde::read_image(dst).image;
  return al::crop(out, 0, 0, out.width, out.height);  // 3 channels
}

struct Correction {
  double input = 0, ours = 0, ours_full = 0, classic = 0, peer = 0;
  int n = 0, peer_n = 0;
};

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 20240607;
  int multi_per_image = 12;
  bool use_peer = true, dump = false, per_family_table = false, confusion_table = false;
  al::Split split = al::Split::Test;
  std::string corpus_split, stratum;
  size_t count = 40;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--split" && i + 1 < argc) {
      const std::string v = argv[++i];
      split = v == "train" ? al::Split::Train : v == "validation" ? al::Split::Validation : al::Split::Test;
      continue;
    }
    if (a == "--corpus" && i + 1 < argc) corpus_split = argv[++i];
    else if (a == "--stratum" && i + 1 < argc) stratum = argv[++i];
    else if (a == "--count" && i + 1 < argc) count = size_t(std::max(1, std::atoi(argv[++i])));
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--multi" && i + 1 < argc) multi_per_image = std::atoi(argv[++i]);
    else if (a == "--no-peer") use_peer = false;
    else if (a == "--dump") dump = true;
    else if (a == "--per-family") per_family_table = true;
    else if (a == "--confusion") confusion_table = true;
  }
  try {
    const std::string shared = AUTOGRADE_SHARED_DATA, repo = std::string(AUTOGRADE_SOURCE_DIR) + "/data";
    const auto analyzer = al::DefectAnalyzer::load(al::model_path(al::kDefectModelFile));
    const auto corrector = al::LutCorrector::load(al::model_path(al::kCorrectionModelFile));
    // The split is fixed by the training seed stored in the model, so "held out" stays true.
    const uint64_t split_seed = analyzer.network().meta.value("seed", seed);
    std::vector<std::pair<std::string, std::string>> files;  // path, name
    if (corpus_split.empty()) {
      for (const auto& s : al::list_sources(shared, repo, split_seed))
        if (s.split == split) files.emplace_back(s.path, s.name);
    } else {
      split = al::parse_split(corpus_split);
      std::map<std::string, size_t> taken;
      for (const auto& p : al::list_corpus_photos(shared + "/corpus", split)) {
        const std::string st = al::stratum_name(p.stratum);
        if ((stratum.empty() || st == stratum) && taken[st]++ < count)
          files.emplace_back(p.path.string(), p.file);
      }
    }
    std::vector<ImageF> tests;
    std::vector<std::string> names;
    for (const auto& [path, name] : files) {
      try {
        tests.push_back(
            autograde::area_average(autograde::read_image(path).image, {.max_side = kEvalSide}));
        names.push_back(name);
      } catch (const autograde::Error&) {
      }
    }
    if (tests.empty()) {
      fmt::print("bench_correct: no held-out pictures found under {} (skipped)\n", shared);
      return 0;
    }
    if (dump) {  // diagnostic: what the models say for each 100 % single defect
      for (size_t t = 0; t < tests.size(); ++t)
        for (int f = -1; f < al::kFamilyCount; ++f) {
          ImageF img = tests[t];
          if (f >= 0) al::apply_defects({al::make_defect(al::Family(f), 3)}, img);
          const auto feats = al::image_features(img);
          const al::Analysis an = analyzer.analyze_features(feats);
          const auto am = corrector.amounts_features(feats, an, al::correction_strength(an));
          const auto truth = f >= 0 ? al::defect_amounts({al::make_defect(al::Family(f), 3)}) : al::DefectAmounts{};
          fmt::print("{:<28} {:<16} top {:<16} amounts {:+.2f} truth {:+.2f}\n", names[t], f < 0 ? "clean" : al::family_name(al::Family(f)),
                     an.defects.empty() ? "fine" : al::family_name(an.defects.front().family), fmt::join(am, " "), fmt::join(truth, " "));
        }
      return 0;
    }
    const std::string convert = use_peer ? find_imagemagick() : "";
    const fs::path tmp = fs::temp_directory_path() / fmt::format("bench_correct_{}", ::getpid());
    fs::create_directories(tmp);

    Correction single_c, multi_c;
    auto correct_all = [&](const ImageF& clean, const ImageF& detuned, const al::Analysis& an, Correction& c) {
      ImageF ours = detuned, full = detuned;
      const auto feats = al::image_features(detuned);
      autograde::apply_reference(corrector.predict_features(feats, an, al::correction_strength(an)), ours,
                                 autograde::Interp::Trilinear);
      autograde::apply_reference(corrector.predict_features(feats, an, 1.f), full, autograde::Interp::Trilinear);
      ImageF classic = detuned;
      autograde::apply_reference(al::classic_auto_correct_lut(detuned), classic, autograde::Interp::Tetrahedral);
      c.input += mean_de2000(detuned, clean);
      c.ours += mean_de2000(ours, clean);
      c.ours_full += mean_de2000(full, clean);
      c.classic += mean_de2000(classic, clean);
      ++c.n;
      if (!convert.empty()) {
        c.peer += mean_de2000(imagemagick_correct(convert, detuned, tmp), clean);
        ++c.peer_n;
      }
    };

    // 1. Single defects: every family x severity on every held-out picture.
    int singles = 0, exact = 0, within = 0, family_ok = 0, extra = 0;
    std::array<std::array<int, 4>, al::kFamilyCount> per_family{};  // family right at 33/66/100 %, exact
    std::array<std::array<double, 2>, al::kFamilyCount> per_family_de{};  // input, ours
    // [family][severity - 1] -> counts of the top finding: fine, other family, this family at 1, 2, 3.
    std::array<std::array<std::array<int, 5>, 3>, al::kFamilyCount> confusion{};
    for (size_t t = 0; t < tests.size(); ++t)
      for (int f = 0; f < al::kFamilyCount; ++f)
        for (int s = 1; s <= al::kSeverityCount; ++s) {
          ImageF img = tests[t];
          al::apply_defects({al::make_defect(al::Family(f), s)}, img);
          const al::Analysis an = analyzer.analyze(img);
          ++singles;
          auto& cell = confusion[size_t(f)][size_t(s - 1)];
          if (an.defects.empty()) ++cell[0];
          else if (int(an.defects.front().family) != f) ++cell[1];
          else ++cell[size_t(1 + an.defects.front().severity)];
          if (!an.defects.empty()) {
            const auto& top = an.defects.front();
            per_family[size_t(f)][size_t(s - 1)] += int(top.family) == f;
            per_family[size_t(f)][3] += int(top.family) == f && top.severity == s;
            family_ok += int(top.family) == f;
            exact += int(top.family) == f && top.severity == s;
            within += int(top.family) == f && std::abs(top.severity - s) <= 1;
            extra += int(an.defects.size()) - 1;
          }
          const double in_before = single_c.input, ours_before = single_c.ours;
          correct_all(tests[t], img, an, single_c);
          per_family_de[size_t(f)][0] += single_c.input - in_before;
          per_family_de[size_t(f)][1] += single_c.ours - ours_before;
        }

    // 2. Two or three defects at once (distinct groups), seeded.
    al::Rng rng(seed);
    int named = 0, total_true = 0, reported = 0, reported_true = 0, multi_n = 0;
    for (size_t t = 0; t < tests.size(); ++t)
      for (int k = 0; k < multi_per_image; ++k) {
        const auto defects = al::random_defects(rng, 2 + (k % 2), 0.f);
        ImageF img = tests[t];
        al::apply_defects(defects, img);
        const al::Analysis an = analyzer.analyze(img);
        ++multi_n;
        for (const auto& d : defects) {
          ++total_true;
          named += std::any_of(an.defects.begin(), an.defects.end(), [&](const al::Finding& x) { return x.family == d.family; });
        }
        for (const auto& x : an.defects) {
          ++reported;
          reported_true += std::any_of(defects.begin(), defects.end(), [&](const al::Defect& d) { return x.family == d.family; });
        }
        correct_all(tests[t], img, an, multi_c);
      }

    // 3. Do no harm: the clean pictures themselves.
    int fine = 0;
    double harm_ours = 0, harm_full = 0, harm_classic = 0, harm_peer = 0;
    for (const auto& clean : tests) {
      const al::Analysis an = analyzer.analyze(clean);
      fine += an.fine();
      ImageF ours = clean, full = clean, classic = clean;
      autograde::apply_reference(corrector.predict(clean, an, al::correction_strength(an)), ours, autograde::Interp::Trilinear);
      autograde::apply_reference(corrector.predict(clean, an, 1.f), full, autograde::Interp::Trilinear);
      autograde::apply_reference(al::classic_auto_correct_lut(clean), classic, autograde::Interp::Tetrahedral);
      harm_ours += mean_de2000(ours, clean);
      harm_full += mean_de2000(full, clean);
      harm_classic += mean_de2000(classic, clean);
      if (!convert.empty()) harm_peer += mean_de2000(imagemagick_correct(convert, clean, tmp), clean);
    }
    fs::remove_all(tmp);
    const double nt = double(tests.size());

    fmt::print("bench_correct: {} {} pictures ({}), evaluated at <= {} px; seed {}\n", tests.size(),
               !corpus_split.empty()
                   ? fmt::format("corpus {} (never trained on){}", al::split_name(split),
                                 stratum.empty() ? "" : ", " + stratum)
               : split == al::Split::Test ? "held-out"
                                          : fmt::format("{} (NOT held out)", al::split_name(split)),
               fmt::join(names, ", "), kEvalSide, seed);
    fmt::print("\n{:<46} {:>10} {:>10} {:>8}\n", "classification (held-out pictures)", "autograde", "research", "bar");
    fmt::print("{:<46} {:>9.1f}% {:>9.1f}% {:>8}\n", fmt::format("single defect: exact class+severity (n={})", singles),
               100.0 * exact / singles, 98.3, ">=98.3%");
    fmt::print("{:<46} {:>9.1f}% {:>9.1f}% {:>8}\n", "single defect: within one severity step", 100.0 * within / singles,
               100.0, "100%");
    fmt::print("{:<46} {:>9.1f}% {:>10} {:>8}\n", "single defect: family right", 100.0 * family_ok / singles, "-", "-");
    fmt::print("{:<46} {:>10.2f} {:>10} {:>8}\n", "single defect: extra defects reported/image", double(extra) / singles, "-", "-");
    fmt::print("{:<46} {:>9.1f}% {:>10} {:>8}\n", fmt::format("2-3 defects: recall, every defect named (n={})", multi_n),
               100.0 * named / std::max(total_true, 1), "failed", ">=90%");
    fmt::print("{:<46} {:>9.1f}% {:>10} {:>8}\n", "2-3 defects: precision of named defects",
               100.0 * reported_true / std::max(reported, 1), "-", "-");
    fmt::print("{:<46} {:>9.1f}% {:>10} {:>8}\n", "clean pictures called fine", 100.0 * fine / nt, "-", "-");

    auto row = [&](const char* what, const Correction& c) {
      const double in = c.input / c.n;
      fmt::print("{:<26} {:>8.2f} {:>8.2f} ({:>+4.0f}%) {:>8.2f} ({:>+4.0f}%) {:>8.2f} ({:>+4.0f}%) ", what, in, c.ours / c.n,
                 100.0 * (c.ours / c.n / in - 1), c.ours_full / c.n, 100.0 * (c.ours_full / c.n / in - 1), c.classic / c.n,
                 100.0 * (c.classic / c.n / in - 1));
      if (c.peer_n) fmt::print("{:>8.2f} ({:>+4.0f}%)\n", c.peer / c.peer_n, 100.0 * (c.peer / c.peer_n / in - 1));
      else fmt::print("{:>16}\n", "skipped");
    };
    fmt::print("\ncorrection: mean CIEDE2000 to the clean picture (bar: ours >= 50% below input and below the baselines)\n");
    fmt::print("{:<26} {:>8} {:>16} {:>16} {:>16} {:>16}\n", "", "input", "autograde", "autograde full",
               "greyworld+levels", "IM auto-lvl/gam");
    row(fmt::format("single defect (n={})", single_c.n).c_str(), single_c);
    row(fmt::format("2-3 defects (n={})", multi_c.n).c_str(), multi_c);
    Correction all = single_c;
    all.input += multi_c.input;
    all.ours += multi_c.ours;
    all.ours_full += multi_c.ours_full;
    all.classic += multi_c.classic;
    all.peer += multi_c.peer;
    all.n += multi_c.n;
    all.peer_n += multi_c.peer_n;
    row("all", all);
    fmt::print("\ndo no harm: mean CIEDE2000 change on clean pictures (bar < 1.0)\n");
    fmt::print("{:<26} {:>8.2f} {:>16.2f} {:>16.2f} ", "clean (n=" + std::to_string(tests.size()) + ")", 0.0,
               harm_ours / nt, harm_full / nt);
    fmt::print("{:>16.2f} ", harm_classic / nt);
    if (!convert.empty()) fmt::print("{:>16.2f}\n", harm_peer / nt);
    else fmt::print("{:>16}\n", "skipped");
    if (per_family_table) {
      fmt::print("\nper family (single defects, {} pictures): family right at 33/66/100 %, exact, mean CIEDE2000 input -> autograde\n", tests.size());
      for (int f = 0; f < al::kFamilyCount; ++f) {
        const auto& c = per_family[size_t(f)];
        const double n = double(tests.size());
        fmt::print("{:<18} {:>5.0f}% {:>5.0f}% {:>5.0f}%   exact {:>5.1f}%   {:>6.2f} -> {:>6.2f}\n", al::family_name(al::Family(f)),
                   100 * c[0] / n, 100 * c[1] / n, 100 * c[2] / n, 100 * c[3] / (3 * n), per_family_de[size_t(f)][0] / (3 * n),
                   per_family_de[size_t(f)][1] / (3 * n));
      }
    }
    if (confusion_table) {
      fmt::print("\nconfusion (single defects, {} pictures): where the top finding went, % of pictures\n", tests.size());
      fmt::print("{:<18} {:>4} {:>6} {:>6} {:>6} {:>6} {:>6}\n", "family", "sev", "fine", "other", "33%", "66%", "100%");
      for (int f = 0; f < al::kFamilyCount; ++f)
        for (int s = 0; s < al::kSeverityCount; ++s) {
          const auto& c = confusion[size_t(f)][size_t(s)];
          const double n = double(tests.size()) / 100.0;
          fmt::print("{:<18} {:>3}% {:>5.0f}% {:>5.0f}% {:>5.0f}% {:>5.0f}% {:>5.0f}%\n", al::family_name(al::Family(f)),
                     al::severity_percent(s + 1), c[0] / n, c[1] / n, c[2] / n, c[3] / n, c[4] / n);
        }
    }
    fmt::print("\nautograde = LUT scaled by the classifier's do-no-harm strength (1 - P(fine)); full = the raw "
               "predicted LUT.\nIM = {}\n", convert.empty() ? "ImageMagick not installed (peer skipped)" : convert + " -auto-level -auto-gamma");
    return 0;
  } catch (const autograde::Error& e) {
    fmt::print(stderr, "bench_correct: {}\n", e.what());
    return e.exit_code();
  }
}
