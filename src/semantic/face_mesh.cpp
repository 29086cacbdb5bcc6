#include "autograde/semantic/face_mesh.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "autograde/core/error.hpp"
#include "autograde/semantic/mediapipe_nets.hpp"

namespace autograde {

namespace {

using mediapipe::Net;

// Outlines as loops of mesh point indices. They are facts of the mesh's topology, the loops
// MediaPipe's face_mesh_connections lists as FACEMESH_FACE_OVAL, _LEFT/RIGHT_EYE,
// _LEFT/RIGHT_EYEBROW and the outer ring of _LIPS (mediapipe/python/solutions/
// face_mesh_connections.py), walked in order. "Right" is the subject's right (image left).
constexpr int kOval[] = {10,  338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288,
                         397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136,
                         172, 58,  132, 93,  234, 127, 162, 21,  54,  103, 67,  109};
constexpr int kRightEye[] = {33, 7, 163, 144, 145, 153, 154, 155, 133,
                             173, 157, 158, 159, 160, 161, 246};
constexpr int kLeftEye[] = {263, 249, 390, 373, 374, 380, 381, 382, 362,
                            398, 384, 385, 386, 387, 388, 466};
constexpr int kRightBrow[] = {46, 53, 52, 65, 55, 107, 66, 105, 63, 70};
constexpr int kLeftBrow[] = {276, 283, 282, 295, 285, 336, 296, 334, 293, 300};
constexpr int kLips[] = {61,  146, 91,  181, 84, 17, 314, 405, 321, 375,
                         291, 409, 270, 269, 267, 0,  37,  39,  40,  185};

// Presence: the network's face-flag logit; MediaPipe's graphs drop a face below 0.5.
constexpr float kMinPresence = 0.5f;

using Pt = std::array<float, 2>;

float dist(const Pt& a, const Pt& b) { return std::hypot(a[0] - b[0], a[1] - b[1]); }

Pt centroid(const std::vector<Pt>& mesh, std::span<const int> loop) {
  Pt c{0, 0};
  for (int i : loop) c[0] += mesh[size_t(i)][0], c[1] += mesh[size_t(i)][1];
  return {c[0] / float(loop.size()), c[1] / float(loop.size())};
}

class MeshLandmarker final : public FaceLandmarker {
 public:
  MeshLandmarker() {
    // Load now so a missing file fails at shared(), not in the middle of a grade.
    mediapipe::run(Net::FaceLandmark, std::vector<float>(192 * 192 * 3, 0.f));
  }

  std::vector<Pt> landmarks(const ImageF& rgb, const FaceBox& f) const override {
    // MediaPipe's detection-to-ROI step for the mesh (face_detection_front_detection_to_roi):
    // the box's centre, turned so the eyes lie level (keypoint 0 to 1 along +x), a square
    // 1.5 times the box's longer side.
    const float bw = f.x1 - f.x0, bh = f.y1 - f.y0;
    if (!(bw > 1.f && bh > 1.f)) return {};
    mediapipe::Roi roi;
    roi.cx = 0.5f * (f.x0 + f.x1);
    roi.cy = 0.5f * (f.y0 + f.y1);
    roi.side = 1.5f * std::max(bw, bh);
    const float ex = f.keypoints[1][0] - f.keypoints[0][0];
    const float ey = f.keypoints[1][1] - f.keypoints[0][1];
    roi.angle = ex * ex + ey * ey > 0.f ? std::atan2(ey, ex) : 0.f;
    const auto info = mediapipe::net_info(Net::FaceLandmark);
    const auto out = mediapipe::run(Net::FaceLandmark, mediapipe::make_input(Net::FaceLandmark, rgb, roi));
    const float logit = std::clamp(out[1][0], -100.f, 100.f);
    if (1.f / (1.f + std::exp(-logit)) < kMinPresence) return {};
    if (out[0].size() != size_t(kFaceMeshPoints) * 3)
      throw_internal("face landmark net: unexpected output size");
    // Tensor pixels back to picture pixels: the inverse of make_input's map.
    const float c = std::cos(roi.angle), s = std::sin(roi.angle);
    const float kx = roi.side / float(info.width), ky = roi.side / float(info.height);
    std::vector<Pt> mesh(kFaceMeshPoints);
    for (int i = 0; i < kFaceMeshPoints; ++i) {
      const float u = (out[0][size_t(i) * 3] - 0.5f * float(info.width)) * kx;
      const float v = (out[0][size_t(i) * 3 + 1] - 0.5f * float(info.height)) * ky;
      mesh[size_t(i)] = {roi.cx + c * u - s * v, roi.cy + s * u + c * v};
    }
    return mesh;
  }
};

// Fills a loop of mesh points into an 8-bit canvas whose origin is at (ox, oy) in the
// picture, anti-aliased at sub-pixel precision.
void fill_loop(cv::Mat& canvas, const std::vector<Pt>& pts, int ox, int oy) {
  constexpr int kShift = 4;  // fillPoly's fixed-point bits
  std::vector<cv::Point> p;
  p.reserve(pts.size());
  for (const Pt& q : pts)
    p.emplace_back(int(std::lround((q[0] - float(ox) - 0.5f) * (1 << kShift))),
                   int(std::lround((q[1] - float(oy) - 0.5f) * (1 << kShift))));
  const cv::Point* data = p.data();
  const int n = int(p.size());
  cv::fillPoly(canvas, &data, &n, 1, cv::Scalar(255), cv::LINE_AA, kShift);
}

std::vector<Pt> loop_points(const std::vector<Pt>& mesh, std::span<const int> loop) {
  std::vector<Pt> v;
  v.reserve(loop.size());
  for (int i : loop) v.push_back(mesh[size_t(i)]);
  return v;
}

}  // namespace

std::shared_ptr<const FaceLandmarker> FaceLandmarker::shared() {
  static const std::shared_ptr<const FaceLandmarker> instance = std::make_shared<MeshLandmarker>();
  return instance;
}

void add_face_meshes(const ImageF& rgb, std::span<FaceBox> faces) {
  if (faces.empty()) return;
  const auto net = FaceLandmarker::shared();
  for (FaceBox& f : faces) f.mesh = net->landmarks(rgb, f);
}

FaceMeshMasks face_mesh_masks(int width, int height, std::span<const FaceBox> faces) {
  FaceMeshMasks out{ImageF(width, height, 1), ImageF(width, height, 1), ImageF(width, height, 1)};
  for (const FaceBox& f : faces) {
    if (f.mesh.size() != size_t(kFaceMeshPoints)) continue;
    const std::vector<Pt>& m = f.mesh;
    const float face_w = dist(m[234], m[454]);  // cheek to cheek at the ears
    const float ipd = dist(centroid(m, kRightEye), centroid(m, kLeftEye));
    if (!(face_w > 2.f && ipd > 1.f)) continue;
    // The edge is feathered over about 3 % of the face's width, the features grown by 4 % of
    // the eye distance (as the corpus's landmark masks grow theirs by 3-4 %), so a grade
    // blended by the matte has no visible seam at the jaw or around the eyes.
    const float sigma = std::max(0.6f, 0.015f * face_w);
    const int grow = std::max(1, int(std::lround(0.04f * ipd)));
    // The zone: the oval grown by 5 % of the face's width (the hairline and the front of the
    // ears lie just outside the mesh), feathered over half that.
    const int zone_grow = std::max(1, int(std::lround(0.05f * face_w)));
    const float zone_sigma = std::max(0.6f, 0.5f * float(zone_grow));
    const int margin = std::max(int(std::ceil(3.f * sigma)) + grow,
                                int(std::ceil(3.f * zone_sigma)) + zone_grow) + 2;
    float x0 = m[0][0], x1 = x0, y0 = m[0][1], y1 = y0;
    for (const Pt& q : m)
      x0 = std::min(x0, q[0]), x1 = std::max(x1, q[0]), y0 = std::min(y0, q[1]), y1 = std::max(y1, q[1]);
    const int ox = std::max(0, int(std::floor(x0)) - margin);
    const int oy = std::max(0, int(std::floor(y0)) - margin);
    const int ex = std::min(width, int(std::ceil(x1)) + margin);
    const int ey = std::min(height, int(std::ceil(y1)) + margin);
    if (ex <= ox || ey <= oy) continue;
    cv::Mat oval(ey - oy, ex - ox, CV_8U, cv::Scalar(0)), feat = oval.clone();
    fill_loop(oval, loop_points(m, kOval), ox, oy);
    // The eye openings only: the lids are skin in colour, and a matte that left them to the look
    // would ring the eyes with it (the London masks leave the upper lids out, and IoU against
    // them on validation moved by 0.001 either way).
    fill_loop(feat, loop_points(m, kRightEye), ox, oy);
    fill_loop(feat, loop_points(m, kLeftEye), ox, oy);
    fill_loop(feat, loop_points(m, kRightBrow), ox, oy);
    fill_loop(feat, loop_points(m, kLeftBrow), ox, oy);
    fill_loop(feat, loop_points(m, kLips), ox, oy);
    cv::dilate(feat, feat,
               cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * grow + 1, 2 * grow + 1)));
    cv::Mat zone;
    cv::dilate(oval, zone,
               cv::getStructuringElement(cv::MORPH_ELLIPSE,
                                         cv::Size(2 * zone_grow + 1, 2 * zone_grow + 1)));
    cv::Mat of, ff, zf;
    oval.convertTo(of, CV_32F, 1.0 / 255.0);
    feat.convertTo(ff, CV_32F, 1.0 / 255.0);
    zone.convertTo(zf, CV_32F, 1.0 / 255.0);
    cv::GaussianBlur(of, of, cv::Size(), sigma);
    cv::GaussianBlur(ff, ff, cv::Size(), sigma);
    cv::GaussianBlur(zf, zf, cv::Size(), zone_sigma);
    for (int y = oy; y < ey; ++y) {
      const float* po = of.ptr<float>(y - oy);
      const float* pf = ff.ptr<float>(y - oy);
      const float* pz = zf.ptr<float>(y - oy);
      float* ds = out.skin.row(y);
      float* df = out.features.row(y);
      float* dz = out.zone.row(y);
      for (int x = ox; x < ex; ++x) {
        const float fe = std::min(1.f, pf[x - ox]);
        ds[x] = std::max(ds[x], std::min(1.f, po[x - ox]) * (1.f - fe));
        df[x] = std::max(df[x], fe);
        dz[x] = std::max(dz[x], std::min(1.f, pz[x - ox]));
      }
    }
  }
  return out;
}

}  // namespace autograde
