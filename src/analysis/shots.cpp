#include "autograde/analysis/shots.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "autograde/media/video_reader.hpp"

namespace autograde {

std::string boundary_kind_name(BoundaryKind k) {
  switch (k) {
    case BoundaryKind::Start:
      return "start";
    case BoundaryKind::Cut:
      return "cut";
    case BoundaryKind::Fade:
      return "fade";
  }
  return "?";
}

std::vector<int64_t> ShotList::cut_frames() const {
  std::vector<int64_t> out;
  for (const Shot& s : shots)
    if (s.starts_with == BoundaryKind::Cut) out.push_back(s.first_frame);
  return out;
}

ShotDetector::ShotDetector(double fps, ShotDetectOptions options)
    : fps_(fps > 0 ? fps : 25.0), options_(options) {}

void ShotDetector::add(const ImageF& frame, double time) {
  const size_t lags = size_t(std::max(0, options_.max_flash_frames)) + 1;
  ColorHistogram h = compute_color_histogram(frame);
  Record r;
  r.time = time;
  r.luma_mean = h.luma_mean;
  r.luma_stddev = h.luma_stddev;
  // recent_ holds the previous histograms, newest last.
  for (size_t j = 1; j <= lags && j <= recent_.size(); ++j)
    r.back.push_back(frame_difference(h, recent_[recent_.size() - j]));
  records_.push_back(std::move(r));
  stats_.push_back(compute_frame_stats(frame));
  recent_.push_back(std::move(h));
  if (recent_.size() > lags) recent_.erase(recent_.begin());
}

namespace {

struct Robust {
  float median = 0, sigma = 0;
};

Robust robust_stats(std::vector<float>& v) {
  Robust r;
  if (v.empty()) return r;
  auto mid = v.begin() + std::ptrdiff_t(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  r.median = *mid;
  for (float& x : v) x = std::fabs(x - r.median);
  std::nth_element(v.begin(), mid, v.end());
  r.sigma = 1.4826f * *mid;  // MAD → σ for a normal distribution
  return r;
}

struct Candidate {
  int64_t frame;
  float score;
  BoundaryKind kind;
};

}  // namespace

ShotList ShotDetector::finish() {
  ShotList out;
  out.fps = fps_;
  const int64_t n = int64_t(records_.size());
  out.frame_count = n;
  out.frame_stats = std::move(stats_);
  if (n == 0) return out;
  const ShotDetectOptions& o = options_;

  std::vector<float>& d = out.difference;
  d.assign(size_t(n), 0.f);
  for (int64_t t = 1; t < n; ++t)
    d[size_t(t)] = records_[size_t(t)].back.empty() ? 0.f : records_[size_t(t)].back[0];
  auto back = [&](int64_t frame, int lag) -> float {  // difference between frame and frame-lag
    const auto& b = records_[size_t(frame)].back;
    return lag >= 1 && size_t(lag) <= b.size() ? b[size_t(lag - 1)]
                                               : std::numeric_limits<float>::infinity();
  };

  // 1. Adaptive threshold from the neighbouring transitions.
  const int64_t w = std::max<int64_t>(4, std::llround(o.window_seconds * fps_));
  out.threshold.assign(size_t(n), 0.f);
  std::vector<float> window;
  std::vector<Candidate> candidates;
  for (int64_t t = 1; t < n; ++t) {
    window.clear();
    for (int64_t u = std::max<int64_t>(1, t - w); u <= std::min(n - 1, t + w); ++u)
      if (u != t) window.push_back(d[size_t(u)]);
    Robust r = robust_stats(window);
    float thr = std::max({float(o.min_difference), r.median + float(o.threshold_k) * r.sigma,
                          float(o.ratio) * r.median});
    out.threshold[size_t(t)] = thr;
    const float dt = d[size_t(t)];
    const bool local_max = dt >= d[size_t(t - 1)] && (t + 1 >= n || dt >= d[size_t(t + 1)]);
    if (dt > thr && local_max) candidates.push_back({t, dt, BoundaryKind::Cut});
  }

  // 2. Flash filter: the content after a short spike is back to what it was before it.
  std::vector<bool> removed(size_t(n), false);
  for (const Candidate& c : candidates) {
    if (removed[size_t(c.frame)]) continue;
    for (int j = 1; j <= o.max_flash_frames && c.frame + j < n; ++j) {
      const int64_t u = c.frame + j;
      const float again = back(u, j + 1);  // frame u against frame c.frame − 1
      if (again < out.threshold[size_t(c.frame)] && again <= 0.5f * c.score) {
        for (int64_t v = c.frame; v <= u; ++v) removed[size_t(v)] = true;
        out.flashes.push_back(c.frame);
        break;
      }
    }
  }

  // 3. Fades: flat runs approached by monotone ramps.
  std::vector<Candidate> boundaries;
  const int64_t ramp_max =
      std::max<int64_t>(o.fade_min_frames, std::llround(o.fade_max_seconds * fps_));
  auto flat = [&](int64_t t) { return records_[size_t(t)].luma_stddev < o.flat_stddev; };
  for (int64_t a = 0; a < n;) {
    if (!flat(a)) {
      ++a;
      continue;
    }
    int64_t b = a;
    while (b + 1 < n && flat(b + 1)) ++b;
    // The flattest frame of the run is the fade's turning point (the black frame of a fade
    // through black) and the colour the ramps head towards.
    int64_t turn = a;
    for (int64_t u = a; u <= b; ++u)
      if (records_[size_t(u)].luma_stddev < records_[size_t(turn)].luma_stddev) turn = u;
    const float flat_mean = records_[size_t(turn)].luma_mean;
    // Walking away from the flat run, contrast and distance from the flat colour must grow.
    auto ramp = [&](int64_t start, int step) {
      // A fade scales the picture's distance from the flat colour by a factor that changes
      // steadily, so contrast grows by similar steps each frame; once the steps collapse to a
      // fraction of the largest one, the ramp has ended and ordinary motion has taken over.
      int64_t len = 0;
      int64_t prev = start - step;
      float max_step = 0.f;
      for (int64_t u = start; u >= 0 && u < n && len < ramp_max; u += step, prev += step) {
        const Record& cur = records_[size_t(u)];
        const Record& p = records_[size_t(prev)];
        const float step_sd = cur.luma_stddev - p.luma_stddev;
        const bool more_contrast = step_sd > 1e-4f;
        const bool further =
            std::fabs(cur.luma_mean - flat_mean) > std::fabs(p.luma_mean - flat_mean) + 1e-4f;
        if (!more_contrast || !further || step_sd < 0.25f * max_step) break;
        max_step = std::max(max_step, step_sd);
        ++len;
      }
      return len;
    };
    const int64_t k_out = a > 0 ? ramp(a - 1, -1) : 0;
    const int64_t k_in = b + 1 < n ? ramp(b + 1, +1) : 0;
    if (k_out >= o.fade_min_frames || k_in >= o.fade_min_frames) {
      Transition tr;
      tr.first_frame = a - k_out;
      tr.last_frame = b + k_in;
      const bool content_before = tr.first_frame > 0, content_after = tr.last_frame < n - 1;
      if (content_before && content_after) {
        tr.boundary_frame = std::max<int64_t>(turn, 1);
        boundaries.push_back(
            {tr.boundary_frame, std::numeric_limits<float>::infinity(), BoundaryKind::Fade});
      }
      for (int64_t v = tr.first_frame; v <= std::min(n - 1, tr.last_frame + 1); ++v)
        removed[size_t(v)] = true;
      out.transitions.push_back(tr);
    }
    a = b + 1;
  }
  for (const Candidate& c : candidates)
    if (!removed[size_t(c.frame)]) boundaries.push_back(c);

  // 4. Minimum shot length: strongest boundaries first.
  const int64_t min_len = std::max<int64_t>(2, std::llround(o.min_shot_seconds * fps_));
  std::sort(boundaries.begin(), boundaries.end(),
            [](const Candidate& x, const Candidate& y) { return x.score > y.score; });
  std::vector<Candidate> kept;
  for (const Candidate& c : boundaries) {
    if (c.frame < min_len || c.frame > n - min_len) continue;
    bool ok = true;
    for (const Candidate& k : kept)
      if (std::llabs(k.frame - c.frame) < min_len) ok = false;
    if (ok) kept.push_back(c);
  }
  std::sort(kept.begin(), kept.end(),
            [](const Candidate& x, const Candidate& y) { return x.frame < y.frame; });

  // Shots and their statistics.
  const double frame_duration = 1.0 / fps_;
  int64_t start = 0;
  BoundaryKind kind = BoundaryKind::Start;
  float score = 0;
  auto close_shot = [&](int64_t last) {
    Shot s;
    s.index = int(out.shots.size());
    s.first_frame = start;
    s.last_frame = last;
    s.start_time = records_[size_t(start)].time;
    s.end_time = records_[size_t(last)].time + frame_duration;
    s.starts_with = kind;
    s.boundary_score = score;
    double l = 0, a = 0, bb = 0, p5 = 0, p95 = 0, ch = 0, y1 = 0, y99 = 0, ll = 0;
    for (int64_t f = start; f <= last; ++f) {
      const FrameStats& fs = out.frame_stats[size_t(f)];
      l += fs.mean_lab[0];
      a += fs.mean_lab[1];
      bb += fs.mean_lab[2];
      ll += double(fs.mean_lab[0]) * fs.mean_lab[0];
      p5 += fs.l_p05;
      p95 += fs.l_p95;
      ch += fs.mean_chroma;
      y1 += fs.luma_p01;
      y99 += fs.luma_p99;
    }
    const double m = double(last - start + 1);
    s.stats.mean_lab = {float(l / m), float(a / m), float(bb / m)};
    s.stats.l_p05 = float(p5 / m);
    s.stats.l_p95 = float(p95 / m);
    s.stats.mean_chroma = float(ch / m);
    s.stats.luma_p01 = float(y1 / m);
    s.stats.luma_p99 = float(y99 / m);
    s.stats.l_stddev_over_time = float(std::sqrt(std::max(0.0, ll / m - (l / m) * (l / m))));
    s.sample_frames = sample_indices(start, last, o.samples_per_shot);
    out.shots.push_back(std::move(s));
  };
  for (const Candidate& c : kept) {
    close_shot(c.frame - 1);
    start = c.frame;
    kind = c.kind;
    score = c.kind == BoundaryKind::Fade ? d[size_t(c.frame)] : c.score;
  }
  close_shot(n - 1);
  return out;
}

ShotList detect_shots(const std::string& path, const ShotDetectOptions& options,
                      const std::function<void(int64_t, int64_t)>& progress) {
  VideoReadOptions ro;
  ro.output = FrameOutput::Rgb;
  ro.rgb_width = options.analysis_width;
  VideoReader reader(path, ro);
  ShotDetector detector(reader.info().fps(), options);
  VideoFrame f;
  while (reader.next(f)) {
    detector.add(f.rgb, f.time);
    if (progress) progress(reader.frames_read(), reader.info().frame_count);
  }
  return detector.finish();
}

}  // namespace autograde
