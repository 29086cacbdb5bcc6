#include "autograde/semantic/person_segmenter.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "autograde/core/error.hpp"
#include "autograde/semantic/mediapipe_nets.hpp"

namespace autograde {

namespace {

using mediapipe::Net;

// ---- person ------------------------------------------------------------------------------

class MediapipeSegmenter final : public PersonSegmenter {
 public:
  MediapipeSegmenter() {
    // Load both now so a missing file fails at shared(), not in the middle of a grade.
    mediapipe::run(Net::Selfie, std::vector<float>(256 * 256 * 3, 0.f));
    mediapipe::run(Net::SelfieLandscape, std::vector<float>(256 * 144 * 3, 0.f));
  }

  ImageF segment(const ImageF& rgb) const override {
    // MediaPipe's two selfie models: the general one (256x256) and the landscape one
    // (256x144, 16:9). Both see the whole picture stretched to their tensor, so the one whose
    // shape is nearer the picture's distorts it least. They distort equally at 1.33 (the
    // geometric middle of 1:1 and 16:9), which is 4:3; that stays with the general model, and
    // from 1.4 (3:2 and wider) the landscape one takes over.
    const double aspect = double(rgb.width) / std::max(rgb.height, 1);
    const Net net = aspect >= 1.4 ? Net::SelfieLandscape : Net::Selfie;
    const auto info = mediapipe::net_info(net);
    const auto out = mediapipe::run(net, mediapipe::make_input(net, rgb));
    cv::Mat small(info.height, info.width, CV_32F, const_cast<float*>(out[0].data()));
    // Bilinear upsampling keeps the network's soft edge instead of a staircase; its weights
    // are a convex combination, so the sigmoid's 0..1 holds without a clamp.
    ImageF mask(rgb.width, rgb.height, 1);
    cv::Mat dst(rgb.height, rgb.width, CV_32F, mask.pixels.data());
    cv::resize(small, dst, dst.size(), 0, 0, cv::INTER_LINEAR);
    return mask;
  }
};

// ---- faces -------------------------------------------------------------------------------

// The two BlazeFace models' settings from MediaPipe's face_detection_short_range.pbtxt and
// face_detection_full_range.pbtxt (modules/face_detection) with the shared decoder options of
// face_detection.pbtxt: SSD anchors with fixed size (only their centres matter), 16 values per
// anchor (box centre x, y, width, height, then six keypoints x, y), scores through a sigmoid
// with the logit clipped to +-100, weighted non-maximum suppression at IoU 0.3.
struct FaceModel {
  Net net;
  int size;                  // square input, pixels
  std::vector<int> strides;  // one per SSD layer
  int anchors_per_layer;     // 1 aspect ratio + 1 interpolated scale (short), 1 (full)
  float min_score;
};

// min_score: MediaPipe's short-range graph keeps scores from 0.5; we keep 0.6 for both models
// (the full-range graph's value). On the validation part of our photos (models/mediapipe.md)
// 0.5 put boxes, most of them false (animals, fruit, buildings), on 14 more of 266 open
// photos and found no face of the face sets that 0.6 missed.
const FaceModel kShort{Net::FaceShort, 128, {8, 16, 16, 16}, 2, 0.6f};
const FaceModel kFull{Net::FaceFull, 192, {4}, 1, 0.6f};

struct Anchor {
  float x, y;  // centre, 0..1 of the input tensor
};

// MediaPipe's SsdAnchorsCalculator: consecutive layers with the same stride share one feature
// map (ceil(size / stride) cells a side) and put all their anchors on each cell, row-major.
std::vector<Anchor> make_anchors(const FaceModel& m) {
  std::vector<Anchor> a;
  size_t layer = 0;
  while (layer < m.strides.size()) {
    size_t last = layer;
    while (last + 1 < m.strides.size() && m.strides[last + 1] == m.strides[layer]) ++last;
    const int per_cell = int(last - layer + 1) * m.anchors_per_layer;
    const int cells = (m.size + m.strides[layer] - 1) / m.strides[layer];
    for (int y = 0; y < cells; ++y)
      for (int x = 0; x < cells; ++x)
        for (int k = 0; k < per_cell; ++k) a.push_back({(x + 0.5f) / cells, (y + 0.5f) / cells});
    layer = last + 1;
  }
  return a;
}

// rgb (3 or 4 channels) shrunk to w x h by area averaging.
ImageF shrink(const ImageF& rgb, int w, int h) {
  ImageF out(w, h, rgb.channels);
  const cv::Mat src(rgb.height, rgb.width, CV_32FC(rgb.channels),
                    const_cast<float*>(rgb.pixels.data()));
  cv::Mat dst(h, w, CV_32FC(rgb.channels), out.pixels.data());
  cv::resize(src, dst, dst.size(), 0, 0, cv::INTER_AREA);
  return out;
}

float iou(const FaceBox& a, const FaceBox& b) {
  const float ix = std::max(0.f, std::min(a.x1, b.x1) - std::max(a.x0, b.x0));
  const float iy = std::max(0.f, std::min(a.y1, b.y1) - std::max(a.y0, b.y0));
  const float inter = ix * iy;
  const float uni = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter;
  return uni > 0 ? inter / uni : 0.f;
}

// MediaPipe's WEIGHTED non-maximum suppression: the strongest remaining box takes every box
// overlapping it by more than `threshold` IoU, and the group becomes one box whose corners and
// keypoints are the score-weighted mean of the group's, with the strongest one's score.
std::vector<FaceBox> weighted_nms(std::vector<FaceBox> boxes, float threshold) {
  std::stable_sort(boxes.begin(), boxes.end(),
                   [](const FaceBox& a, const FaceBox& b) { return a.score > b.score; });
  std::vector<FaceBox> out;
  std::vector<bool> used(boxes.size(), false);
  for (size_t i = 0; i < boxes.size(); ++i) {
    if (used[i]) continue;
    FaceBox sum{};
    float wsum = 0;
    for (size_t j = i; j < boxes.size(); ++j) {
      if (used[j] || (j != i && iou(boxes[i], boxes[j]) <= threshold)) continue;
      used[j] = true;
      const float w = boxes[j].score;
      sum.x0 += w * boxes[j].x0;
      sum.y0 += w * boxes[j].y0;
      sum.x1 += w * boxes[j].x1;
      sum.y1 += w * boxes[j].y1;
      for (int k = 0; k < 6; ++k)
        for (int c = 0; c < 2; ++c) sum.keypoints[k][c] += w * boxes[j].keypoints[k][c];
      wsum += w;
    }
    FaceBox r;
    r.x0 = sum.x0 / wsum;
    r.y0 = sum.y0 / wsum;
    r.x1 = sum.x1 / wsum;
    r.y1 = sum.y1 / wsum;
    for (int k = 0; k < 6; ++k)
      for (int c = 0; c < 2; ++c) r.keypoints[k][c] = sum.keypoints[k][c] / wsum;
    r.score = boxes[i].score;
    out.push_back(r);
  }
  return out;
}

class BlazeFaceDetector final : public FaceDetector {
 public:
  BlazeFaceDetector() : short_anchors_(make_anchors(kShort)), full_anchors_(make_anchors(kFull)) {
    if (short_anchors_.size() != 896 || full_anchors_.size() != 2304)
      throw_internal("BlazeFace anchors: counts differ from the models' 896 / 2304 boxes");
    mediapipe::run(Net::FaceShort, std::vector<float>(128 * 128 * 3, 0.f));
    mediapipe::run(Net::FaceFull, std::vector<float>(192 * 192 * 3, 0.f));
  }

  // Both ranges, always, pooled before one suppression. The short-range model (faces within
  // about 2 m, 128 px input) is the sharper on large faces; the full-range one (up to 5 m,
  // 192 px, one stride-4 map) finds smaller ones. Graded pictures hold either and the pair
  // costs a few milliseconds, so nothing is gained by guessing which to run; where both fire
  // on one face the suppression merges them.
  //
  // Seen whole, a 1920-pixel frame shrinks to 192 and a face under ~100 px wide (a wide shot)
  // falls below what the full-range model resolves (tests: recall 0.65 at 96 px, 0.12 at 64).
  // So the full-range model also looks at overlapping square tiles, each 0.6 of the picture's
  // short side (a 3x closer look at 16:9: faces from ~48 px at 1080p); tiles overlap by 30 % so
  // every face up to that size lies whole inside one, and a box cut by an inner tile edge is
  // dropped (its face is whole in the neighbour or was found in the whole-picture pass).
  std::vector<FaceBox> detect(const ImageF& rgb) const override {
    const mediapipe::Crop whole{0, 0, rgb.width, rgb.height};
    std::vector<FaceBox> all = run_model(kShort, short_anchors_, rgb, whole);
    auto add = [&all](std::vector<FaceBox> more) {
      all.insert(all.end(), more.begin(), more.end());
    };
    add(run_model(kFull, full_anchors_, rgb, whole));
    const int tile = int(std::lround(0.6 * std::min(rgb.width, rgb.height)));
    if (tile >= kMinTile) {
      // The picture is shrunk once so that a tile is exactly the model's input: the same area
      // averaging as shrinking each tile on its own, done once instead of once a tile.
      const double r = double(kFull.size) / tile;
      const ImageF small = shrink(rgb, std::max(1, int(std::lround(rgb.width * r))),
                                  std::max(1, int(std::lround(rgb.height * r))));
      const int t = std::min({kFull.size, small.width, small.height});
      const auto starts = [t](int extent) {
        const int n = extent <= t ? 1 : 1 + int(std::ceil((extent - t) / (0.7 * t)));
        std::vector<int> v;
        for (int i = 0; i < n; ++i)
          v.push_back(n == 1 ? 0 : int(std::lround(double(extent - t) * i / (n - 1))));
        return v;
      };
      const float sx = float(rgb.width) / small.width, sy = float(rgb.height) / small.height;
      const float m = 0.01f * t;
      for (int y : starts(small.height))
        for (int x : starts(small.width)) {
          const mediapipe::Crop c{x, y, t, t};
          for (FaceBox f : run_model(kFull, full_anchors_, small, c)) {
            const bool cut = (c.x > 0 && f.x0 < c.x + m) || (c.y > 0 && f.y0 < c.y + m) ||
                             (c.x + t < small.width && f.x1 > c.x + t - m) ||
                             (c.y + t < small.height && f.y1 > c.y + t - m);
            if (cut) continue;
            f.x0 *= sx, f.x1 *= sx, f.y0 *= sy, f.y1 *= sy;
            for (auto& k : f.keypoints) k[0] *= sx, k[1] *= sy;
            all.push_back(f);
          }
        }
    }
    return weighted_nms(std::move(all), 0.3f);
  }

 private:
  // Below this the tiles would be enlarged into the model's 192 px, which adds nothing.
  static constexpr int kMinTile = 192;

  std::vector<FaceBox> run_model(const FaceModel& m, const std::vector<Anchor>& anchors,
                                 const ImageF& rgb, const mediapipe::Crop& crop) const {
    const auto out = mediapipe::run(m.net, mediapipe::make_input(m.net, rgb, crop));
    const std::vector<float>& reg = out[0];
    const std::vector<float>& cls = out[1];
    // The letterbox of make_input: the crop scaled by s, centred in the square tensor.
    const double s = std::min(double(m.size) / crop.width, double(m.size) / crop.height);
    const double nw = std::clamp(double(std::lround(crop.width * s)), 1.0, double(m.size));
    const double nh = std::clamp(double(std::lround(crop.height * s)), 1.0, double(m.size));
    const double ox = (m.size - int(nw)) / 2, oy = (m.size - int(nh)) / 2;
    const double sx = crop.width / nw, sy = crop.height / nh;
    auto px = [&](double u) { return float((u * m.size - ox) * sx + crop.x); };
    auto py = [&](double v) { return float((v * m.size - oy) * sy + crop.y); };
    std::vector<FaceBox> boxes;
    for (size_t i = 0; i < anchors.size(); ++i) {
      const float logit = std::clamp(cls[i], -100.f, 100.f);
      const float score = 1.f / (1.f + std::exp(-logit));
      if (score < m.min_score) continue;
      const float* r = &reg[i * 16];
      const float inv = 1.f / float(m.size);  // x/y/w/h_scale = the input size
      const float cx = r[0] * inv + anchors[i].x, cy = r[1] * inv + anchors[i].y;
      const float w = r[2] * inv, h = r[3] * inv;
      FaceBox b;
      b.score = score;
      b.x0 = px(cx - w / 2);
      b.x1 = px(cx + w / 2);
      b.y0 = py(cy - h / 2);
      b.y1 = py(cy + h / 2);
      for (int k = 0; k < 6; ++k) {
        b.keypoints[k][0] = px(r[4 + 2 * k] * inv + anchors[i].x);
        b.keypoints[k][1] = py(r[5 + 2 * k] * inv + anchors[i].y);
      }
      boxes.push_back(b);
    }
    // Suppress within one model first, as MediaPipe's graph does, so that the pooled
    // suppression in detect() weighs one merged box per model and face.
    return weighted_nms(std::move(boxes), 0.3f);
  }

  std::vector<Anchor> short_anchors_, full_anchors_;
};

}  // namespace

std::shared_ptr<const PersonSegmenter> PersonSegmenter::shared() {
  // A function-local static retries construction after a throw (a missing model file).
  static const std::shared_ptr<const PersonSegmenter> instance =
      std::make_shared<MediapipeSegmenter>();
  return instance;
}

std::shared_ptr<const FaceDetector> FaceDetector::shared() {
  static const std::shared_ptr<const FaceDetector> instance = std::make_shared<BlazeFaceDetector>();
  return instance;
}

}  // namespace autograde
