#include "autograde/analysis/temporal_metrics.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>
#include <unordered_map>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"

namespace autograde {

namespace {

void check_same(const ImageF& a, const ImageF& b, const char* what) {
  if (a.width != b.width || a.height != b.height || a.channels < 3 || b.channels < 3)
    throw_usage(std::string("temporal metrics: ") + what + " frames differ in size");
}

// Per cell and frame: count, sums and cross-products of input and output code values.
struct Cell {
  double n = 0;
  Eigen::Vector3d sin = Eigen::Vector3d::Zero(), sout = Eigen::Vector3d::Zero();
  Eigen::Matrix3d sii = Eigen::Matrix3d::Zero(), soi = Eigen::Matrix3d::Zero();
};

std::unordered_map<int, Cell> bin_by_input(const ImageF& in, const ImageF& out, int bins) {
  std::unordered_map<int, Cell> cells;
  const size_t n = in.pixel_count();
  for (size_t i = 0; i < n; ++i) {
    const float* p = in.pixels.data() + i * in.channels;
    const float* q = out.pixels.data() + i * out.channels;
    int key = 0;
    for (int c = 0; c < 3; ++c) key = key * bins + std::clamp(int(p[c] * float(bins)), 0, bins - 1);
    Cell& cell = cells[key];
    const Eigen::Vector3d x(p[0], p[1], p[2]), y(q[0], q[1], q[2]);
    cell.n += 1;
    cell.sin += x;
    cell.sout += y;
    cell.sii += x * x.transpose();
    cell.soi += y * x.transpose();
  }
  return cells;
}

// 8-bit grey for DIS (which wants CV_8UC1), Rec.709 luma weights on code values.
cv::Mat grey8(const ImageF& im) {
  cv::Mat g(im.height, im.width, CV_8UC1);
  for (int y = 0; y < im.height; ++y) {
    const float* r = im.row(y);
    auto* d = g.ptr<uint8_t>(y);
    for (int x = 0; x < im.width; ++x) {
      const float* p = r + size_t(x) * im.channels;
      d[x] = uint8_t(std::clamp(rec709_luma({p[0], p[1], p[2]}) * 255.f + 0.5f, 0.f, 255.f));
    }
  }
  return g;
}

cv::Mat rgb_mat(const ImageF& im) {
  cv::Mat m(im.height, im.width, CV_32FC3);
  for (int y = 0; y < im.height; ++y) {
    const float* r = im.row(y);
    auto* d = m.ptr<float>(y);
    for (int x = 0; x < im.width; ++x)
      for (int c = 0; c < 3; ++c) d[3 * x + c] = r[size_t(x) * im.channels + c];
  }
  return m;
}

float dist(Vec3 a, Vec3 b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                   (a[2] - b[2]) * (a[2] - b[2]));
}

StepStats step_stats(const std::vector<float>& v) {
  StepStats s;
  if (v.empty()) return s;
  s.mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
  s.max = *std::max_element(v.begin(), v.end());
  s.steps = int64_t(v.size());
  return s;
}

nlohmann::json to_json(const StepStats& s) {
  return {{"mean", s.mean}, {"max", s.max}, {"steps", s.steps}};
}

// A JSON integer within 0..2^53 (frame numbers, counts). A float is refused rather than
// converted: converting one outside the target type's range is undefined behaviour.
int64_t count_from_json(const nlohmann::json& v, const std::string& source_name, const char* what) {
  if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > (uint64_t(1) << 53)))
    throw_bad_input(source_name, std::string("temporal metrics: '") + what +
                                     "' must be an integer 0..2^53");
  const int64_t x = v.get<int64_t>();
  if (x < 0 || x > (int64_t(1) << 53))
    throw_bad_input(source_name, std::string("temporal metrics: '") + what +
                                     "' must be an integer 0..2^53");
  return x;
}

StepStats step_stats_from_json(const nlohmann::json& j, const std::string& source_name) {
  return {j.at("mean").get<double>(), j.at("max").get<double>(),
          count_from_json(j.at("steps"), source_name, "steps")};
}

}  // namespace

std::array<float, 3> mean_lab(const ImageF& image) {
  // Mean of per-pixel Lab over a strided subsample of about 8192 pixels: the same pixels in
  // every frame of a size, so consecutive means differ by what changed, and the cost (a Lab
  // conversion per pixel, run on every frame of a render) stays small next to the encoder.
  const size_t n = image.pixel_count();
  const size_t step = std::max<size_t>(1, n / 8192);
  double s[3] = {0, 0, 0};
  size_t count = 0;
  for (size_t i = 0; i < n; i += step, ++count) {
    const float* p = image.pixels.data() + i * image.channels;
    const Vec3 lab = srgb_to_lab({p[0], p[1], p[2]});
    for (int c = 0; c < 3; ++c) s[c] += lab[c];
  }
  if (count == 0) return {0, 0, 0};
  return {float(s[0] / count), float(s[1] / count), float(s[2] / count)};
}

BinConsistency bin_consistency(const ImageF& in_a, const ImageF& out_a, const ImageF& in_b,
                               const ImageF& out_b, int bins, int min_pixels) {
  check_same(in_a, out_a, "input/output");
  check_same(in_b, out_b, "input/output");
  if (bins < 2 || bins > 256) throw_usage("temporal metrics: bins must be 2..256");
  const auto a = bin_by_input(in_a, out_a, bins);
  const auto b = bin_by_input(in_b, out_b, bins);
  // Inside a cell the input colours of the two frames are distributed differently (a cell is
  // 1/bins of the range wide), so raw mean outputs differ even under one fixed grade. The
  // comparison is therefore made at the same input colour, by analysis of covariance (Fisher's
  // adjusted means): out = a_f + J (in - c) with the slope J shared by both frames (pooled
  // within-frame scatter, a small ridge so a cell of one flat colour falls back to J = 0) and
  // one intercept a_f per frame, evaluated at the pooled mean input c.
  BinConsistency r;
  double weighted = 0, weight = 0, raw_weighted = 0;
  double covered = 0;
  const double cell_var = 1.0 / (12.0 * double(bins) * double(bins));  // uniform spread in a cell
  for (const auto& [key, ca] : a) {
    auto it = b.find(key);
    if (it == b.end() || ca.n < min_pixels || it->second.n < min_pixels) continue;
    const Cell& cb = it->second;
    const Eigen::Vector3d mia = ca.sin / ca.n, mib = cb.sin / cb.n, moa = ca.sout / ca.n,
                          mob = cb.sout / cb.n;
    const Eigen::Matrix3d sii =
        (ca.sii - ca.n * mia * mia.transpose()) + (cb.sii - cb.n * mib * mib.transpose());
    const Eigen::Matrix3d soi =
        (ca.soi - ca.n * moa * mia.transpose()) + (cb.soi - cb.n * mob * mib.transpose());
    const double ridge = 0.01 * (ca.n + cb.n) * cell_var;
    const Eigen::Matrix3d J = soi * (sii + ridge * Eigen::Matrix3d::Identity()).inverse();
    const Eigen::Vector3d c = (ca.sin + cb.sin) / (ca.n + cb.n);
    const Eigen::Vector3d adj_a = moa + J * (c - mia), adj_b = mob + J * (c - mib);
    auto lab = [](const Eigen::Vector3d& v) {
      return srgb_to_lab({float(std::clamp(v[0], 0.0, 1.0)), float(std::clamp(v[1], 0.0, 1.0)),
                          float(std::clamp(v[2], 0.0, 1.0))});
    };
    const double de = ciede2000(lab(adj_a), lab(adj_b));
    const double w = std::min(ca.n, cb.n);
    weighted += w * de;
    raw_weighted += w * ciede2000(lab(moa), lab(mob));
    weight += w;
    r.max_de2000 = std::max(r.max_de2000, de);
    ++r.cells;
    covered += ca.n;
  }
  r.mean_de2000 = weight > 0 ? weighted / weight : 0.0;
  r.unadjusted_de2000 = weight > 0 ? raw_weighted / weight : 0.0;
  r.coverage = in_a.pixel_count() ? covered / double(in_a.pixel_count()) : 0.0;
  return r;
}

void add_warp_error(const ImageF& in_t, const ImageF& out_t, const ImageF& in_t1,
                    const ImageF& out_t1, WarpError& acc) {
  check_same(in_t, out_t, "input/output");
  check_same(in_t1, out_t1, "input/output");
  check_same(in_t, in_t1, "consecutive");
  const cv::Mat g0 = grey8(in_t), g1 = grey8(in_t1);
  // One DIS instance per call keeps this thread-safe; the "fast" preset is accurate enough
  // for an occlusion-checked error at analysis resolution.
  cv::Ptr<cv::DISOpticalFlow> dis = cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_FAST);
  cv::Mat fwd, bwd;
  dis->calc(g0, g1, fwd);
  dis->calc(g1, g0, bwd);

  const int w = in_t.width, h = in_t.height;
  cv::Mat map_x(h, w, CV_32FC1), map_y(h, w, CV_32FC1), valid(h, w, CV_8UC1, cv::Scalar(0));
  for (int y = 0; y < h; ++y) {
    const auto* f = fwd.ptr<cv::Vec2f>(y);
    for (int x = 0; x < w; ++x) {
      const float tx = float(x) + f[x][0], ty = float(y) + f[x][1];
      map_x.at<float>(y, x) = tx;
      map_y.at<float>(y, x) = ty;
      if (tx < 0 || ty < 0 || tx > float(w - 1) || ty > float(h - 1)) continue;
      // Backward flow at the target, bilinear.
      const int x0 = std::min(int(tx), w - 2 < 0 ? 0 : w - 2),
                y0 = std::min(int(ty), h - 2 < 0 ? 0 : h - 2);
      const float fx = tx - float(x0), fy = ty - float(y0);
      cv::Vec2f b(0, 0);
      const int x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
      b += bwd.at<cv::Vec2f>(y0, x0) * ((1 - fx) * (1 - fy));
      b += bwd.at<cv::Vec2f>(y0, x1) * (fx * (1 - fy));
      b += bwd.at<cv::Vec2f>(y1, x0) * ((1 - fx) * fy);
      b += bwd.at<cv::Vec2f>(y1, x1) * (fx * fy);
      const cv::Vec2f sum = f[x] + b;
      const float lhs = sum.dot(sum);
      const float rhs = 0.01f * (f[x].dot(f[x]) + b.dot(b)) + 0.5f;
      if (lhs <= rhs) valid.at<uint8_t>(y, x) = 1;
    }
  }
  auto l1 = [&](const ImageF& a, const ImageF& b_next) {
    const cv::Mat ma = rgb_mat(a), mb = rgb_mat(b_next);
    cv::Mat warped;
    cv::remap(mb, warped, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    double s = 0;
    size_t n = 0;
    for (int y = 0; y < h; ++y) {
      const float* pa = ma.ptr<float>(y);
      const float* pw = warped.ptr<float>(y);
      const uint8_t* v = valid.ptr<uint8_t>(y);
      for (int x = 0; x < w; ++x) {
        if (!v[x]) continue;
        s += std::abs(pa[3 * x] - pw[3 * x]) + std::abs(pa[3 * x + 1] - pw[3 * x + 1]) +
             std::abs(pa[3 * x + 2] - pw[3 * x + 2]);
        ++n;
      }
    }
    return std::pair<double, size_t>{n ? 255.0 * s / (3.0 * double(n)) : 0.0, n};
  };
  const auto [ein, n] = l1(in_t, in_t1);
  const auto [eout, n2] = l1(out_t, out_t1);
  (void)n2;
  // Running means over pairs.
  const double k = double(acc.pairs);
  acc.input = (acc.input * k + ein) / (k + 1);
  acc.output = (acc.output * k + eout) / (k + 1);
  acc.valid_fraction = (acc.valid_fraction * k + double(n) / double(size_t(w) * h)) / (k + 1);
  ++acc.pairs;
}

ShotTemporalMeter::ShotTemporalMeter(int64_t first_frame, int64_t last_frame, int flow_stride)
    : first_(first_frame), last_(last_frame), stride_(std::max(1, flow_stride)) {}

void ShotTemporalMeter::add(int64_t index, const ImageF& in_code, const ImageF& in,
                            const ImageF& out) {
  check_same(in, out, "input/output");
  check_same(in_code, out, "input/output");
  const auto lab_in = mean_lab(in), lab_out = mean_lab(out);
  if (prev_index_ >= 0 && index == prev_index_ + 1) {
    lab_step_in_.push_back(dist(lab_in, prev_lab_in_));
    lab_step_out_.push_back(dist(lab_out, prev_lab_out_));
    if ((index - first_ - 1) % stride_ == 0) add_warp_error(prev_in_, prev_out_, in, out, warp_);
  }
  if (first_in_.empty()) {
    first_in_ = in_code;
    first_out_ = out;
  }
  if (index == last_ && index != first_ && !first_in_.empty()) {
    consistency_ = bin_consistency(first_in_, first_out_, in_code, out);
    have_consistency_ = true;
  }
  prev_in_ = in;
  prev_out_ = out;
  prev_index_ = index;
  prev_lab_in_ = lab_in;
  prev_lab_out_ = lab_out;
}

TemporalMetrics ShotTemporalMeter::result() const {
  TemporalMetrics m;
  m.first_frame = first_;
  m.last_frame = last_;
  if (have_consistency_) m.consistency = consistency_;
  m.warp = warp_;
  m.lab_change_input = step_stats(lab_step_in_);
  m.lab_change_output = step_stats(lab_step_out_);
  return m;
}

nlohmann::json to_json(const TemporalMetrics& m) {
  nlohmann::json j;
  if (m.consistency)
    j["consistency"] = {{"frames", {m.first_frame, m.last_frame}},
                        {"bins", 16},
                        {"mean_de2000", m.consistency->mean_de2000},
                        {"unadjusted_mean_de2000", m.consistency->unadjusted_de2000},
                        {"max_de2000", m.consistency->max_de2000},
                        {"cells", m.consistency->cells},
                        {"coverage", m.consistency->coverage}};
  j["warp_error"] = {{"input", m.warp.input},
                     {"output", m.warp.output},
                     {"ratio", m.warp.input > 0 ? m.warp.output / m.warp.input : 0.0},
                     {"valid_fraction", m.warp.valid_fraction},
                     {"pairs", m.warp.pairs},
                     {"units", "mean |difference|, 8-bit code values"}};
  j["mean_lab_change"] = {{"input", to_json(m.lab_change_input)},
                          {"output", to_json(m.lab_change_output)},
                          {"units", "delta E*ab between consecutive frame means"}};
  return j;
}

TemporalMetrics temporal_metrics_from_json(const nlohmann::json& j,
                                           const std::string& source_name) {
  TemporalMetrics m;
  try {
    if (j.contains("consistency")) {
      const auto& c = j.at("consistency");
      const auto frames = c.at("frames");
      m.first_frame = count_from_json(frames.at(0), source_name, "frames");
      m.last_frame = count_from_json(frames.at(1), source_name, "frames");
      BinConsistency b;
      b.mean_de2000 = c.at("mean_de2000").get<double>();
      b.unadjusted_de2000 = c.at("unadjusted_mean_de2000").get<double>();
      b.max_de2000 = c.at("max_de2000").get<double>();
      b.cells = int(std::min<int64_t>(count_from_json(c.at("cells"), source_name, "cells"), INT32_MAX));
      b.coverage = c.at("coverage").get<double>();
      m.consistency = b;
    }
    const auto& w = j.at("warp_error");
    m.warp.input = w.at("input").get<double>();
    m.warp.output = w.at("output").get<double>();
    m.warp.valid_fraction = w.at("valid_fraction").get<double>();
    m.warp.pairs = int(std::min<int64_t>(count_from_json(w.at("pairs"), source_name, "pairs"), INT32_MAX));
    m.lab_change_input = step_stats_from_json(j.at("mean_lab_change").at("input"), source_name);
    m.lab_change_output = step_stats_from_json(j.at("mean_lab_change").at("output"), source_name);
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(source_name, std::string("malformed temporal metrics: ") + e.what());
  }
  return m;
}

}  // namespace autograde
