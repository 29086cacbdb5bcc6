// LUT extraction from a before/after pair (model in extract.hpp).
#include "autograde/look/extract.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "autograde/core/error.hpp"
#include "thin_plate_lattice.hpp"

namespace autograde {

namespace {

using look_detail::Sample;
using look_detail::ThinPlateLattice;

// Lattice output is clamped here: wide enough for grades that push past the display range
// (some shipped cubes do), narrow enough that a wild extrapolation stays bounded.
constexpr float kOutMin = -0.5f, kOutMax = 1.5f;

// The fitted lattice holds the displacement after - before (code values); the model is
// before + displacement.
Rgb evaluate(const ThinPlateLattice& lat, const std::vector<Rgb>& disp, const Rgb& x) {
  const Rgb d = lat.eval(disp, x);
  Rgb o;
  for (size_t c = 0; c < 3; ++c) {
    o[c] = std::clamp(x[c], 0.f, 1.f) + d[c];
    o[c] = std::isfinite(o[c]) ? std::clamp(o[c], kOutMin, kOutMax) : x[c];
  }
  return o;
}

// Colour-block cross-validation for the thin-plate weight. Samples are grouped by an 8×8×8
// partition of the RGB cube and the blocks dealt into four folds by a fixed hash; each candidate
// is fitted without one fold and scored on it. Holding out whole blocks of colour (not random
// pixels, whose neighbours would stay in the fit) asks the question extraction has to answer:
// how well does the fit predict colours the pair does not show? Returns the candidate with the
// least held-out error, or `fallback` when the samples fill fewer than two folds.
double choose_bending(const ThinPlateLattice& lat, const std::vector<Sample>& s, double ridge,
                      const std::vector<double>& candidates, double fallback) {
  constexpr int kBlocks = 8, kFolds = 4;
  std::vector<int> fold(s.size());
  std::vector<int> filled(kFolds, 0);
  for (size_t i = 0; i < s.size(); ++i) {
    uint32_t b = 0;
    for (size_t c = 0; c < 3; ++c)
      b = b * kBlocks + uint32_t(std::clamp(int(s[i].in[c] * kBlocks), 0, kBlocks - 1));
    // Integer mixing (Thomas Wang's 32-bit hash) so neighbouring blocks land in different folds.
    b = (b ^ 61u) ^ (b >> 16);
    b *= 9u;
    b ^= b >> 4;
    b *= 0x27d4eb2du;
    b ^= b >> 15;
    fold[i] = int(b % kFolds);
    filled[size_t(fold[i])] = 1;
  }
  if (std::count(filled.begin(), filled.end(), 1) < 2) return fallback;
  double best = fallback, best_err = 1e300;
  for (double cand : candidates) {
    double err = 0;
    for (int f = 0; f < kFolds; ++f) {
      if (!filled[size_t(f)]) continue;
      std::vector<Sample> train, test;
      for (size_t i = 0; i < s.size(); ++i) (fold[i] == f ? test : train).push_back(s[i]);
      const auto disp = lat.fit(train, cand, 0.0, ridge);
      for (const auto& x : test) {
        const Rgb p = evaluate(lat, disp, x.in);
        for (size_t c = 0; c < 3; ++c) {
          const double d = double(p[c]) - double(x.in[c]) - double(x.target[c]);
          err += x.weight * d * d;
        }
      }
    }
    if (err < best_err) best_err = err, best = cand;
  }
  return best;
}

}  // namespace

Lut3D extract_lut(const ImageF& before, const ImageF& after, const ExtractOptions& options,
                  ExtractReport* report, const std::string& before_name,
                  const std::string& after_name) {
  const std::string bn[1] = {before_name}, an[1] = {after_name};
  return extract_lut(std::span<const ImageF>(&before, 1), std::span<const ImageF>(&after, 1),
                     options, report, bn, an);
}

Lut3D extract_lut(std::span<const ImageF> befores, std::span<const ImageF> afters,
                  const ExtractOptions& options, ExtractReport* report,
                  std::span<const std::string> before_names,
                  std::span<const std::string> after_names) {
  if (befores.empty() || befores.size() != afters.size())
    throw_usage("extraction needs as many --after stills as --before stills (at least one)");
  if (options.lut_size < 2 || options.lut_size > 129) throw_usage("LUT size must be 2..129");
  if (options.fit_size < 3 || options.fit_size > 33 || options.cv_size < 3 || options.cv_size > 33)
    throw_usage("extraction lattice sizes must be 3..33");
  auto name = [](std::span<const std::string> names, size_t i, const char* what) {
    return i < names.size() ? names[i] : std::string(what) + " " + std::to_string(i + 1);
  };
  // Distinct input colours (quantised to 1/1023) with their mean output and count. Averaging
  // every pixel that shares an input colour also averages the 8-bit rounding of the output.
  struct Acc {
    double in[3] = {0, 0, 0}, out[3] = {0, 0, 0};
    double n = 0;
  };
  std::unordered_map<uint32_t, Acc> bins;
  size_t total = 0;
  for (const ImageF& b : befores) total += b.pixel_count();
  for (size_t p = 0; p < befores.size(); ++p) {
    const ImageF& before = befores[p];
    const ImageF& after = afters[p];
    const std::string before_name = name(before_names, p, "before"),
                      after_name = name(after_names, p, "after");
    if (before.empty() || before.channels < 3)
      throw_bad_input(before_name, "image is empty or not RGB");
    if (after.empty() || after.channels < 3)
      throw_bad_input(after_name, "image is empty or not RGB");
    if (before.width != after.width || before.height != after.height)
      throw_bad_input(after_name, "size " + std::to_string(after.width) + "x" +
                                      std::to_string(after.height) + " differs from " +
                                      before_name + " (" + std::to_string(before.width) + "x" +
                                      std::to_string(before.height) +
                                      "); a before/after pair must share framing");
    // The pixel budget is shared in proportion to each pair's size.
    const size_t count = before.pixel_count();
    const size_t stride = std::max<size_t>(1, total / size_t(std::max(1, options.max_samples)));
    for (size_t i = 0; i < count; i += stride) {
      const float* b = before.pixels.data() + i * size_t(before.channels);
      const float* a = after.pixels.data() + i * size_t(after.channels);
      bool finite = true;
      for (int c = 0; c < 3; ++c) finite = finite && std::isfinite(b[c]) && std::isfinite(a[c]);
      if (!finite)
        throw_bad_input(std::isfinite(b[0] + b[1] + b[2]) ? after_name : before_name,
                        "pixel " + std::to_string(i) + " holds NaN or infinity");
      uint32_t key = 0;
      for (int c = 0; c < 3; ++c)
        key = key * 1024u + uint32_t(std::lround(std::clamp(b[c], 0.f, 1.f) * 1023.f));
      Acc& acc = bins[key];
      for (int c = 0; c < 3; ++c) {
        acc.in[c] += std::clamp(b[c], 0.f, 1.f);
        acc.out[c] += a[c];
      }
      acc.n += 1;
    }
  }
  // Samples: before colour → displacement (after - before), weighted per distinct colour.
  std::vector<Sample> samples;
  samples.reserve(bins.size());
  for (const auto& [key, acc] : bins) {
    Sample s;
    for (size_t c = 0; c < 3; ++c) {
      s.in[c] = float(acc.in[c] / acc.n);
      s.target[c] = float(acc.out[c] / acc.n) - s.in[c];
    }
    s.weight = std::pow(acc.n, double(options.weight_power));
    samples.push_back(s);
  }
  double bending = options.bending;
  if (bending < 0) {
    // Cross-validation on an evenly strided subset keeps its cost bounded on large stills.
    std::vector<Sample> cv;
    const size_t cv_stride =
        std::max<size_t>(1, samples.size() / size_t(std::max(1, options.cv_max_samples)));
    for (size_t i = 0; i < samples.size(); i += cv_stride) cv.push_back(samples[i]);
    bending = choose_bending(ThinPlateLattice(options.cv_size), cv, options.ridge,
                             {1e-8, 1e-7, 1e-6, 1e-5, 1e-4}, 1e-7);
  }
  const ThinPlateLattice lat(options.fit_size);
  const auto disp = lat.fit(samples, bending, 0.0, options.ridge);
  Lut3D lut = Lut3D::identity(options.lut_size);
  for (size_t i = 0; i < lut.table.size(); i += 3) {
    const Rgb o = evaluate(lat, disp, {lut.table[i], lut.table[i + 1], lut.table[i + 2]});
    for (size_t c = 0; c < 3; ++c) lut.table[i + c] = o[c];
  }
  if (report) {
    double se = 0, wsum = 0;
    std::vector<char> touched(size_t((lat.size() - 1) * (lat.size() - 1) * (lat.size() - 1)), 0);
    for (const auto& s : samples) {
      const Rgb o = evaluate(lat, disp, s.in);
      for (size_t c = 0; c < 3; ++c) {
        const double d = double(o[c]) - double(s.in[c]) - double(s.target[c]);
        se += s.weight * d * d;
      }
      wsum += s.weight;
      int k = 0;
      for (int c = 2; c >= 0; --c)
        k = k * (lat.size() - 1) +
            std::min(lat.size() - 2, int(s.in[size_t(c)] * float(lat.size() - 1)));
      touched[size_t(k)] = 1;
    }
    report->fit_rms = float(std::sqrt(se / std::max(1e-12, 3 * wsum)));
    report->samples = samples.size();
    report->coverage = float(std::count(touched.begin(), touched.end(), 1)) / float(touched.size());
    report->bending = float(bending);
  }
  return lut;
}

}  // namespace autograde
