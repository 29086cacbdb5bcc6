// bench_lutgen: the learned LUT generator (issue 8) on bench_match's ground-truth protocol,
// restricted to the held-out split (lutgen_data.hpp): looks AND photos the network never saw.
// For a held-out creative LUT L and two different held-out photos A and B (≤ 384 px, 8-bit):
// reference = L(B) saved as 8-bit, truth = L(A); every method sees A (as source) and L(B); its
// LUT applied to A is scored against L(A) with CIEDE2000 (CIE 142-2001, sRGB → Lab D65) and
// PSNR on code values. Also times `learned` for one reference + 8 source frames on one core.
//
// --split validation scores the validation set instead (lutgen_validation in lutgen_data.hpp:
// every 6th training photo; 25 looks built from every 5th training LUT, blends, partial
// strengths and film-like looks, none trained on), the one to choose models and settings by
// (the trainer's early stopping uses the same cases at --pairs 8); the held-out table is for
// reporting only.
//
// `hybrid` (lutgen.hpp) combines the learned and auto LUTs of each case. --sweep-hybrid STEP
// also scores every combination identity + w_l (learned - identity) + w_a (auto - identity)
// with w_l, w_a on a grid of STEP, w_l + w_a <= 1, in code values and (for w_l + w_a = 1) in
// CIELAB: the table its weights are chosen by (on --split validation only).
//
//   bench_lutgen [--model FILE] [--pairs 8] [--methods auto,learned,hybrid]
//                [--split test|validation] [--sweep-hybrid STEP] [--verbose] [--no-timing]
#include "autograde/learn/lutgen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/look/match.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/training/lutgen_data.hpp"
#include "autograde/training/match_protocol.hpp"

using namespace autograde;

namespace {

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[size_t(q * double(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) try {
  std::string model, methods_arg = "auto,learned,hybrid";
  double sweep_step = 0;
  int pairs = 8;
  bool verbose = false, timing = true;
  std::string split_name = "test";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw_usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--model")
      model = next();
    else if (a == "--pairs")
      pairs = std::stoi(next());
    else if (a == "--methods")
      methods_arg = next();
    else if (a == "--verbose")
      verbose = true;
    else if (a == "--no-timing")
      timing = false;
    else if (a == "--split")
      split_name = next();
    else if (a == "--sweep-hybrid")
      sweep_step = std::stod(next());
    else
      throw_usage("unknown argument " + a);
  }
  std::string cmd;
  for (int i = 0; i < argc; ++i) cmd += std::string(i ? " " : "") + argv[i];
  fmt::print("command: {}\n", cmd);
  const std::string shared = AUTOGRADE_SHARED_DATA;
  if (split_name != "test" && split_name != "validation")
    throw_usage("--split must be test or validation");
  learn::LutgenSplit split =
      learn::lutgen_split(shared + "/images", shared + "/luts", shared + "/videos");
  if (split_name == "validation") {
    // The trainer's validation set (lutgen_data.hpp), inside the training half.
    learn::LutgenValidation v = learn::lutgen_validation(split);
    split.test_images = std::move(v.photos);
    split.test_luts = std::move(v.looks);
  }
  std::vector<std::pair<std::string, ImageF>> images;
  for (const auto& p : split.test_images) {
    ImageF img = reduce_image(read_image(p).image, 384);
    quantise_8bit(img);
    images.emplace_back(p.substr(p.find_last_of('/') + 1), std::move(img));
  }
  if (images.size() < 3 || split.test_luts.empty())
    throw_bad_input(shared, "held-out split needs >= 3 photos and a LUT");
  std::vector<std::string> methods{"identity"};
  if (sweep_step > 0 && methods_arg.find("auto") == std::string::npos)
    throw_usage("--sweep-hybrid needs auto among --methods");
  for (size_t s = 0, e; s <= methods_arg.size(); s = e + 1) {
    e = methods_arg.find(',', s);
    if (e == std::string::npos) e = methods_arg.size();
    if (e > s) methods.push_back(methods_arg.substr(s, e - s));
  }
  fmt::print(
      "{} split: {} looks never trained on, {} photos never trained on (≤ 384 px), {} pairs "
      "per LUT\n",
      split_name == "test" ? "held-out" : "validation", split.test_luts.size(), images.size(),
      pairs);
  std::string lut_names;
  for (const auto& l : split.test_luts) lut_names += " " + l.name;
  fmt::print("{} LUTs:{}\n\n", split_name == "test" ? "held-out" : "validation", lut_names);

  std::map<std::string, std::vector<MatchScore>> scores;
  std::map<std::string, double> seconds;
  const size_t n = images.size();
  int cases = 0, monotone_mixed = 0;  // network LUTs mixed towards identity (per network)
  int networks = 1;
  std::map<std::tuple<float, float, int>, std::vector<MatchScore>> sweep;  // (w_l, w_a, lab)
  for (size_t l = 0; l < split.test_luts.size(); ++l) {
    const Lut3D& L = split.test_luts[l].lut;
    for (int j = 0; j < pairs; ++j) {
      const auto [ia, ib] = learn::lutgen_case_photos(l, j, pairs, n);
      const ImageF& A = images[ia].second;
      ImageF ref = apply_lut_clamped(L, images[ib].second);
      quantise_8bit(ref);
      const ImageF truth = apply_lut_clamped(L, A);
      ++cases;
      // The learned and auto results of this case, computed once (hybrid combines them).
      std::optional<MatchResult> learned_r, auto_r;
      double parts_s = 0;  // seconds spent computing learned_r and auto_r (hybrid's cost)
      auto get_learned = [&] {
        if (!learned_r) {
          const auto t = std::chrono::steady_clock::now();
          MatchOptions o;
          o.method = "learned";
          learned_r = learn::match_reference_learned(ref, std::span<const ImageF>(&A, 1), o,
                                                     "reference", nullptr, model);
          networks = 1 + int(learn::shipped_lutgen(model).members.size());
          for (const auto& note : learned_r->notes)
            if (note.find("monotone") != std::string::npos) {
              ++monotone_mixed;
              if (verbose) fmt::print("  learned: {}\n", note);
            }
          parts_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
        }
        return *learned_r;
      };
      auto get_auto = [&] {
        if (!auto_r) {
          const auto t = std::chrono::steady_clock::now();
          MatchOptions o;
          auto_r = match_reference(ref, std::span<const ImageF>(&A, 1), o);
          parts_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
        }
        return *auto_r;
      };
      for (const auto& m : methods) {
        const auto t0 = std::chrono::steady_clock::now();
        Lut3D lut = Lut3D::identity(2);
        MatchOptions o;
        o.method = m;
        if (m == "learned")
          lut = get_learned().lut;
        else if (m == "auto")
          lut = get_auto().lut;
        else if (m == "hybrid") {
          lut = learn::hybrid_match(get_learned(), get_auto()).lut;
          seconds[m] += parts_s;  // it runs both methods
        } else if (m != "identity")
          lut = match_reference(ref, std::span<const ImageF>(&A, 1), o).lut;
        seconds[m] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        scores[m].push_back(score_against_truth(apply_lut_clamped(lut, A), truth));
      }
      if (sweep_step > 0) {
        const int k = int(std::lround(1.0 / sweep_step));
        for (int i = 0; i <= k; ++i)
          for (int j = 0; i + j <= k; ++j) {
            const float wl = float(i) / float(k), wa = float(j) / float(k);
            for (int lab = 0; lab < (i + j == k && i > 0 && j > 0 ? 2 : 1); ++lab) {
              const Lut3D lut = learn::combine_luts(
                  get_learned().lut, get_auto().lut, wl, wa,
                  lab ? learn::HybridSpace::lab : learn::HybridSpace::code_values);
              sweep[{wl, wa, lab}].push_back(score_against_truth(apply_lut_clamped(lut, A), truth));
            }
          }
      }
      if (verbose) {
        fmt::print("{:<44} {:<24} {:<24}", split.test_luts[l].name, images[ia].first,
                   images[ib].first);
        for (const auto& m : methods) fmt::print(" {}={:.2f}", m, scores[m].back().mean);
        fmt::print("\n");
      }
    }
  }

  fmt::print(
      "{} reference matching ({} cases: LUT x (A, B); reference = L(B) 8-bit, truth = "
      "L(A))\n",
      split_name == "test" ? "Held-out" : "Validation", cases);
  fmt::print("{:<10} {:>9} {:>9} {:>8} {:>11} {:>9} {:>10} {:>8}\n", "method", "mean dE00",
             "p90 dE00", "PSNR dB", "case-p90 dE", "beats id", "beats auto", "s/case");
  std::map<std::string, std::array<double, 3>> summary;  // mean, p90, beats-auto share
  const bool have_auto = scores.count("auto") > 0;
  for (const auto& m : methods) {
    const auto& s = scores[m];
    double mean = 0, p90 = 0, psnr = 0;
    int beats_id = 0, beats_auto = 0;
    std::vector<double> case_means;
    for (size_t i = 0; i < s.size(); ++i) {
      mean += s[i].mean / double(s.size());
      p90 += s[i].p90 / double(s.size());
      psnr += s[i].psnr / double(s.size());
      case_means.push_back(s[i].mean);
      if (s[i].mean < scores["identity"][i].mean) ++beats_id;
      if (have_auto && s[i].mean < scores["auto"][i].mean) ++beats_auto;
    }
    summary[m] = {mean, p90, double(beats_auto) / double(s.size())};
    const std::string ba = have_auto && m != "auto"
                               ? fmt::format("{:.1f}%", 100.0 * beats_auto / double(s.size()))
                               : "-";
    const std::string bi =
        m != "identity" ? fmt::format("{:.1f}%", 100.0 * beats_id / double(s.size())) : "-";
    fmt::print("{:<10} {:>9.3f} {:>9.3f} {:>8.2f} {:>11.3f} {:>9} {:>10} {:>8.3f}\n", m, mean, p90,
               psnr, percentile(case_means, 0.9), bi, ba, seconds[m] / double(s.size()));
  }
  fmt::print(
      "(mean/p90 dE00: per-image mean and 90th percentile of per-pixel CIEDE2000, averaged over "
      "cases;\n"
      " case-p90: 90th percentile over cases of the per-image mean; beats: share of cases with a "
      "lower\n"
      " mean dE00)\n\n");
  if (!sweep.empty()) {
    fmt::print("Hybrid sweep: identity + w_l (learned - identity) + w_a (auto - identity)\n");
    fmt::print("{:>5} {:>5} {:<5} {:>9} {:>9} {:>11} {:>9} {:>10}\n", "w_l", "w_a", "space",
               "mean dE00", "p90 dE00", "case-p90 dE", "beats id", "beats auto");
    for (const auto& [key, s] : sweep) {
      double mean = 0, p90 = 0;
      int bi = 0, ba = 0;
      std::vector<double> cm;
      for (size_t i = 0; i < s.size(); ++i) {
        mean += s[i].mean / double(s.size());
        p90 += s[i].p90 / double(s.size());
        cm.push_back(s[i].mean);
        if (s[i].mean < scores["identity"][i].mean) ++bi;
        if (s[i].mean < scores["auto"][i].mean) ++ba;
      }
      fmt::print("{:>5.3f} {:>5.3f} {:<5} {:>9.3f} {:>9.3f} {:>11.3f} {:>8.1f}% {:>9.1f}%\n",
                 std::get<0>(key), std::get<1>(key), std::get<2>(key) ? "Lab" : "RGB", mean, p90,
                 percentile(cm, 0.9), 100.0 * bi / double(s.size()), 100.0 * ba / double(s.size()));
    }
    fmt::print("\n");
  }
  if (summary.count("learned"))
    fmt::print("learned: {} of {} LUTs were mixed towards identity to stay monotone on grey{}\n\n",
               monotone_mixed, cases * networks,
               networks > 1 ? fmt::format(" ({} networks x {} cases)", networks, cases) : "");
  for (const std::string name : {"learned", "hybrid"}) {
    if (!summary.count(name) || !have_auto) continue;
    const auto& L = summary[name];
    const auto& A = summary["auto"];
    const auto& I = summary["identity"];
    auto yes = [](bool b) { return b ? "yes" : "NO"; };
    fmt::print("Issue 8 bars ({} vs auto / identity):\n", name);
    fmt::print(
        "  mean dE00 {:.3f}: {:+.1f}% vs auto (bar <= -15%: {}), {:+.1f}% vs identity (bar <= "
        "-30%: {})\n",
        L[0], 100.0 * (L[0] / A[0] - 1), yes(L[0] <= 0.85 * A[0]), 100.0 * (L[0] / I[0] - 1),
        yes(L[0] <= 0.7 * I[0]));
    fmt::print("  p90 dE00 {:.3f} below auto {:.3f} and identity {:.3f}: {}\n", L[1], A[1], I[1],
               yes(L[1] < A[1] && L[1] < I[1]));
    fmt::print("  beats auto on {:.1f}% of cases (bar >= 65%: {})\n\n", 100.0 * L[2],
               yes(L[2] >= 0.65));
  }

  if (timing) {
    // One reference still + 8 source frames of a shot, Full HD, on this (single) thread.
    ImageF ref = reduce_image(read_image(split.test_images[0]).image, 4096);
    std::vector<ImageF> frames;
    const ImageF& base = images[1].second;
    for (int f = 0; f < 8; ++f) {
      ImageF fr(1920, 1080, 3);
      for (int y = 0; y < fr.height; ++y)
        for (int x = 0; x < fr.width; ++x) {
          const float* p = base.at(std::min(base.width - 1, (x + 3 * f) * base.width / fr.width),
                                   y * base.height / fr.height);
          for (int c = 0; c < 3; ++c) fr.at(x, y)[c] = p[c];
        }
      frames.push_back(std::move(fr));
    }
    MatchOptions o;
    o.method = "learned";
    learn::match_reference_learned(ref, frames, o, "reference", nullptr,
                                   model);  // load the model once
    std::vector<double> t;
    for (int k = 0; k < 5; ++k) {
      const auto t0 = std::chrono::steady_clock::now();
      learn::match_reference_learned(ref, frames, o, "reference", nullptr, model);
      t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() *
                  1000.0);
    }
    fmt::print(
        "Inference per shot (reference {}x{} + 8 source frames 1920x1080, one thread, 33^3 LUT): "
        "median "
        "{:.1f} ms over 5 runs (bar < 200 ms)\n",
        ref.width, ref.height, percentile(t, 0.5));
  }
  return 0;
} catch (const Error& e) {
  fmt::print(stderr, "bench_lutgen: {}\n", e.what());
  return e.exit_code();
}
