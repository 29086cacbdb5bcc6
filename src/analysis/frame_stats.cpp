#include "autograde/analysis/frame_stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace autograde {

namespace {

// Percentile from a fine histogram over [lo, hi] (linear interpolation inside the bin).
struct FineHistogram {
  static constexpr int kBins = 1024;
  std::array<uint32_t, kBins> counts{};
  float lo, hi;
  uint64_t total = 0;
  FineHistogram(float l, float h) : lo(l), hi(h) {}
  void add(float v) {
    int b = int((v - lo) / (hi - lo) * kBins);
    counts[size_t(std::clamp(b, 0, kBins - 1))]++;
    ++total;
  }
  float percentile(double p) const {
    if (total == 0) return 0;
    double target = p * double(total);
    double acc = 0;
    for (int b = 0; b < kBins; ++b) {
      double next = acc + counts[size_t(b)];
      if (next >= target && counts[size_t(b)] > 0) {
        double frac = (target - acc) / counts[size_t(b)];
        return lo + float((b + frac) / kBins) * (hi - lo);
      }
      acc = next;
    }
    return hi;
  }
};

float median(std::vector<float> v) {
  if (v.empty()) return 0;
  auto mid = v.begin() + std::ptrdiff_t(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

}  // namespace

FrameStats compute_frame_stats(const ImageF& image, int max_samples) {
  FrameStats s;
  if (image.empty() || image.channels < 3) return s;
  const size_t n = image.pixel_count();
  const size_t step = std::max<size_t>(1, size_t(std::ceil(double(n) / std::max(1, max_samples))));
  FineHistogram lhist(0.f, 100.f), yhist(0.f, 1.f);
  double sl = 0, sa = 0, sb = 0, sll = 0, sc = 0, sy = 0, syy = 0;
  size_t count = 0;
  for (size_t i = 0; i < n; i += step) {
    const float* p = image.pixels.data() + i * size_t(image.channels);
    Vec3 rgb{std::clamp(p[0], 0.f, 1.f), std::clamp(p[1], 0.f, 1.f), std::clamp(p[2], 0.f, 1.f)};
    Vec3 lab = srgb_to_lab(rgb);
    float y = rec709_luma(rgb);
    sl += lab[0];
    sa += lab[1];
    sb += lab[2];
    sll += double(lab[0]) * lab[0];
    sc += std::hypot(lab[1], lab[2]);
    sy += y;
    syy += double(y) * y;
    lhist.add(lab[0]);
    yhist.add(y);
    ++count;
  }
  const double inv = 1.0 / double(count);
  s.samples = int(count);
  s.mean_lab = {float(sl * inv), float(sa * inv), float(sb * inv)};
  s.l_stddev = float(std::sqrt(std::max(0.0, sll * inv - (sl * inv) * (sl * inv))));
  s.mean_chroma = float(sc * inv);
  s.luma_mean = float(sy * inv);
  s.luma_stddev = float(std::sqrt(std::max(0.0, syy * inv - (sy * inv) * (sy * inv))));
  s.l_p01 = lhist.percentile(0.01);
  s.l_p05 = lhist.percentile(0.05);
  s.l_p50 = lhist.percentile(0.50);
  s.l_p95 = lhist.percentile(0.95);
  s.l_p99 = lhist.percentile(0.99);
  s.luma_p01 = yhist.percentile(0.01);
  s.luma_p99 = yhist.percentile(0.99);
  return s;
}

LogFootageVerdict assess_log_footage(const std::vector<FrameStats>& frames) {
  LogFootageVerdict v;
  v.frames = int(frames.size());
  if (frames.empty()) {
    v.reason = "no frames measured";
    return v;
  }
  std::vector<float> black, white, spread, chroma;
  for (const FrameStats& f : frames) {
    black.push_back(f.luma_p01);
    white.push_back(f.luma_p99);
    spread.push_back(f.luma_p99 - f.luma_p01);
    chroma.push_back(f.mean_chroma);
  }
  v.black_level = median(black);
  v.white_level = median(white);
  v.spread = median(spread);
  v.chroma = median(chroma);
  // Thresholds from the published curves (code values, full range 0..1):
  //   black: scene black encodes to 0.093 (LogC3 EI800, S-Log3 95/1023), 0.125 (V-Log),
  //          0.07 (C-Log3); graded Rec.709 frames put their 1st luma percentile near 0–0.04,
  //          so 0.06 separates the two.
  //   spread: 1.5× diffuse white encodes to 0.614 (LogC3) and 0.641 (S-Log3), i.e. 0.52–0.55
  //          above black: a log frame whose 99th percentile stays below 1.5× white spans at
  //          most ~0.55, while a graded frame spans 0.8–1.0.
  //   white: 4× diffuse white (speculars) encodes to 0.72 (LogC3) / 0.75 (S-Log3); display
  //          frames reach 0.8+ wherever they have any highlight.
  const bool lifted_black = v.black_level >= 0.06f;
  const bool narrow = v.spread <= 0.55f;
  const bool no_white = v.white_level <= 0.75f;
  v.looks_log = lifted_black && narrow && no_white;
  v.reason = fmt::format(
      "black level {:.3f} ({}), white level {:.3f}, spread {:.3f} ({}), mean chroma {:.1f} → {}",
      v.black_level, lifted_black ? "lifted" : "normal", v.white_level, v.spread,
      narrow ? "flat" : "normal contrast", v.chroma,
      v.looks_log ? "looks like camera log footage; pass --input-colorspace"
                  : "looks display-referred (Rec.709)");
  return v;
}

}  // namespace autograde
