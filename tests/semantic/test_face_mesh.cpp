// FaceLandmarker (MediaPipe's face mesh through cv::dnn) and the masks drawn from it: the
// converted network against a NumPy forward pass of the original .tflite, the mesh against the
// hand-placed landmarks of the corpus' London portraits (upright and turned), the face-skin
// mask against the landmark skin masks, and the skin matte the grade blends by.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <opencv2/imgproc.hpp>

#include "autograde/semantic/face_mesh.hpp"
#include "autograde/semantic/person_segmenter.hpp"
#include "autograde/semantic/region_masks.hpp"
#include "mediapipe_support.hpp"

namespace autograde {
namespace {

using namespace autograde::testing;
using Pt = std::array<float, 2>;

ImageF astronaut() { return load_rgb(source_dir() / "data/images/astronaut.png"); }

float dist(const Pt& a, const Pt& b) { return std::hypot(a[0] - b[0], a[1] - b[1]); }

// Eye centres from the mesh: the mean of each eye opening's outline (MediaPipe's eye loops).
Pt eye_centre(const std::vector<Pt>& mesh, bool right) {
  static const int kRight[] = {33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246};
  static const int kLeft[] = {263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466};
  Pt c{0, 0};
  for (int i : right ? kRight : kLeft) c[0] += mesh[size_t(i)][0] / 16, c[1] += mesh[size_t(i)][1] / 16;
  return c;
}

// IoU of a soft mask (inside from 0.5) and a 0/1 truth of the same size (-1 for a size
// mismatch, which fails every bar below).
double iou(const ImageF& mask, const std::vector<unsigned char>& truth) {
  if (mask.pixels.size() != truth.size()) return -1;
  size_t inter = 0, uni = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    const bool a = mask.pixels[i] >= 0.5f, b = truth[i] != 0;
    inter += a && b;
    uni += a || b;
  }
  return uni ? double(inter) / double(uni) : 1.0;
}

// The strongest face of a picture with its mesh.
FaceBox face_with_mesh(const ImageF& photo) {
  std::vector<FaceBox> faces = FaceDetector::shared()->detect(photo);
  if (faces.empty()) return {};
  add_face_meshes(photo, std::span(faces).first(1));
  return faces[0];
}

TEST(FaceMesh, ConvertedNetworkMatchesTheTfliteGraph) {
  std::string why;
  const double diff = compare_with_reference(mediapipe::Net::FaceLandmark, astronaut(), why);
  if (diff < 0) GTEST_SKIP() << why;
  std::printf("face_landmark.onnx: max |onnx - numpy reference| = %.3g (outputs in pixels of 192)\n", diff);
  EXPECT_LT(diff, 2e-3);
}

// On the bundled astronaut photo: a full mesh, its eyes where BlazeFace put them, and the masks
// drawn from it keep the eyes and mouth out of the skin and the cheeks in.
TEST(FaceMesh, AstronautsFaceHasAMeshAndAFaceSkinMask) {
  const ImageF photo = astronaut();
  const FaceBox f = face_with_mesh(photo);
  ASSERT_EQ(f.mesh.size(), size_t(kFaceMeshPoints));
  const float ipd = dist(f.keypoints[0], f.keypoints[1]);
  EXPECT_LT(dist(eye_centre(f.mesh, true), f.keypoints[0]), 0.15f * ipd);
  EXPECT_LT(dist(eye_centre(f.mesh, false), f.keypoints[1]), 0.15f * ipd);
  for (const Pt& p : f.mesh) {
    EXPECT_GT(p[0], f.x0 - 0.5f * ipd);
    EXPECT_LT(p[0], f.x1 + 0.5f * ipd);
  }
  const std::vector<FaceBox> faces{f};
  const FaceMeshMasks m = face_mesh_masks(photo.width, photo.height, faces);
  auto at = [](const ImageF& im, const Pt& p) { return *im.at(int(p[0]), int(p[1])); };
  for (int k : {0, 1}) {
    EXPECT_GT(at(m.features, f.keypoints[k]), 0.9f) << "eye " << k;
    EXPECT_LT(at(m.skin, f.keypoints[k]), 0.1f) << "eye " << k;
  }
  EXPECT_LT(at(m.skin, f.keypoints[3]), 0.1f) << "mouth";
  // The cheeks: half-way from each eye to the mouth's side, a little out.
  for (int k : {0, 1}) {
    const Pt cheek{0.5f * (f.keypoints[k][0] + f.keypoints[3][0]) + (k == 0 ? -0.15f : 0.15f) * ipd,
                   0.5f * (f.keypoints[k][1] + f.keypoints[3][1])};
    EXPECT_GT(at(m.skin, cheek), 0.9f) << "cheek " << k;
  }
  // Nothing far from the face.
  EXPECT_EQ(*m.skin.at(0, 0), 0.f);
  EXPECT_EQ(*m.features.at(photo.width - 1, photo.height - 1), 0.f);
}

// The pipeline's masks: skin is an anatomical likelihood (the eyes and mouth out); the skin
// region's matte keys it (clear skin fully in, clear non-skin out) and takes the features back
// in (the skin LUT keeps their own colours); other regions' mattes are their masks; the tracker
// carries the features along within a shot.
TEST(FaceMesh, SkinMatteCoversTheFeaturesTheSkinMaskLeavesOut) {
  const ImageF photo = astronaut();
  const std::vector<Region> wanted{Region::Skin, Region::Person};
  const RegionMasks m = compute_region_masks(photo, wanted);
  ASSERT_FALSE(m.faces.empty());
  ASSERT_EQ(m.faces[0].mesh.size(), size_t(kFaceMeshPoints));
  ASSERT_EQ(m.features.pixels.size(), m.skin.pixels.size());
  const std::vector<ImageF> mattes = region_mattes(m, wanted);
  ASSERT_EQ(mattes.size(), 2u);
  const FaceBox& f = m.faces[0];
  for (int k : {0, 1, 3}) {  // eyes, mouth
    const int x = int(f.keypoints[k][0]), y = int(f.keypoints[k][1]);
    EXPECT_LT(*m.skin.at(x, y), 0.2f) << "keypoint " << k;
    EXPECT_GT(*mattes[0].at(x, y), 0.8f) << "keypoint " << k;
  }
  size_t skin = 0, keyed_in = 0, clear = 0, keyed_out = 0;
  for (size_t i = 0; i < m.skin.pixels.size(); ++i) {
    if (m.skin.pixels[i] >= 0.5f) ++skin, keyed_in += mattes[0].pixels[i] == 1.f;
    if (m.skin.pixels[i] <= 0.05f && m.features.pixels[i] == 0.f)
      ++clear, keyed_out += mattes[0].pixels[i] == 0.f;
  }
  EXPECT_GT(skin, 1000u);
  EXPECT_EQ(keyed_in, skin);
  EXPECT_GT(clear, m.skin.pixels.size() / 2);
  EXPECT_EQ(keyed_out, clear);
  EXPECT_EQ(mattes[1].pixels, m.person.pixels);

  MaskTracker tracker(0.5f);
  tracker.update(m);
  RegionMasks none = m;
  std::fill(none.features.pixels.begin(), none.features.pixels.end(), 0.f);
  const RegionMasks& t = tracker.update(std::move(none));
  const int x = int(f.keypoints[0][0]), y = int(f.keypoints[0][1]);
  EXPECT_NEAR(*t.features.at(x, y), 0.5f * *m.features.at(x, y), 1e-6f);
}

TEST(FaceMesh, NoMeshWhereThereIsNoFace) {
  ImageF grey(256, 256, 3);
  for (float& v : grey.pixels) v = 0.5f;
  FaceBox f;
  f.x0 = 64, f.y0 = 64, f.x1 = 192, f.y1 = 192;
  f.keypoints[0] = {100, 110};
  f.keypoints[1] = {156, 110};
  EXPECT_TRUE(FaceLandmarker::shared()->landmarks(grey, f).empty());
  // A degenerate box yields nothing rather than a mesh from a zero-sized crop.
  f.x1 = f.x0;
  EXPECT_TRUE(FaceLandmarker::shared()->landmarks(astronaut(), f).empty());
}

// The London portraits' hand-placed Psychomorph landmarks (corpus README): pupils 0/1 and mouth
// corners 87/93 against the mesh's eye centres and mouth corners (61 and 291), in units of
// the eye distance, upright and with the photo turned by 25 degrees (the crop follows the eye
// line; the mesh comes back into the picture's pixels).
TEST(FaceMesh, MeshLandsOnTheLondonLandmarks) {
  AG_REQUIRE_SHARED_DATA();
  if (!have_corpus("faces")) GTEST_SKIP() << "corpus/faces not present";
  const auto rows = read_tsv(corpus() / "faces/faces.tsv");
  double sum_upright = 0, sum_turned = 0, worst = 0;
  int n = 0;
  for (size_t r = 0; r < rows.size(); r += 5) {  // 15 portraits
    const ImageF photo = load_rgb(corpus() / rows[r].at("file"));
    const auto tem = read_tem(corpus() / rows[r].at("tem"));
    const float ipd = dist(tem[0], tem[1]);
    // Pupil 0 is the subject's left or right depending on the template; match by position.
    const Pt right_pupil = tem[0][0] < tem[1][0] ? tem[0] : tem[1];
    const Pt left_pupil = tem[0][0] < tem[1][0] ? tem[1] : tem[0];
    const Pt mouth_r = tem[87][0] < tem[93][0] ? tem[87] : tem[93];
    const Pt mouth_l = tem[87][0] < tem[93][0] ? tem[93] : tem[87];
    auto error = [&](const std::vector<Pt>& mesh) {
      return (dist(eye_centre(mesh, true), right_pupil) + dist(eye_centre(mesh, false), left_pupil) +
              dist(mesh[61], mouth_r) + dist(mesh[291], mouth_l)) / (4 * ipd);
    };
    const FaceBox up = face_with_mesh(photo);
    ASSERT_EQ(up.mesh.size(), size_t(kFaceMeshPoints)) << rows[r].at("id");
    const double e_up = error(up.mesh);
    // The photo turned about its centre; the mesh found there turned back.
    const float deg = 25.f, a = deg * float(M_PI) / 180.f;
    ImageF turned(photo.width, photo.height, 3);
    const cv::Point2f c(0.5f * photo.width, 0.5f * photo.height);
    const cv::Mat rot = cv::getRotationMatrix2D(c, deg, 1.0);
    cv::warpAffine(cv::Mat(photo.height, photo.width, CV_32FC3, const_cast<float*>(photo.pixels.data())),
                   cv::Mat(turned.height, turned.width, CV_32FC3, turned.pixels.data()), rot,
                   cv::Size(photo.width, photo.height), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    const FaceBox tf = face_with_mesh(turned);
    ASSERT_EQ(tf.mesh.size(), size_t(kFaceMeshPoints)) << rows[r].at("id") << " turned";
    std::vector<Pt> back(tf.mesh.size());
    for (size_t i = 0; i < back.size(); ++i) {
      // getRotationMatrix2D turns counter-clockwise on screen by `deg`; undo it.
      const float dx = tf.mesh[i][0] - c.x, dy = tf.mesh[i][1] - c.y;
      back[i] = {c.x + std::cos(a) * dx - std::sin(a) * dy, c.y + std::sin(a) * dx + std::cos(a) * dy};
    }
    const double e_turned = error(back);
    sum_upright += e_up;
    sum_turned += e_turned;
    worst = std::max({worst, e_up, e_turned});
    ++n;
  }
  std::printf("mesh vs hand landmarks over %d portraits: mean error %.3f (upright), %.3f (turned 25 deg) "
              "of the eye distance, worst %.3f\n", n, sum_upright / n, sum_turned / n, worst);
  EXPECT_LT(sum_upright / n, 0.08);
  EXPECT_LT(sum_turned / n, 0.08);
  EXPECT_LT(worst, 0.2);
}

// The face-skin mask drawn from the mesh alone against the London landmark skin masks (both stop
// at the jaw): the mesh outlines are what make the product's skin mask leave eyes, brows and
// lips out, so they must agree with the hand-placed outlines.
TEST(FaceMesh, FaceSkinAgreesWithTheLandmarkMasks) {
  AG_REQUIRE_SHARED_DATA();
  if (!have_corpus("faces")) GTEST_SKIP() << "corpus/faces not present";
  const auto rows = read_tsv(corpus() / "faces/faces.tsv");
  double sum = 0, worst = 1;
  int n = 0;
  for (size_t r = 2; r < rows.size(); r += 5) {
    const ImageF photo = load_rgb(corpus() / rows[r].at("file"));
    int w = 0, h = 0;
    const auto truth = load_mask(corpus() / rows[r].at("mask"), w, h);
    const FaceBox f = face_with_mesh(photo);
    ASSERT_EQ(f.mesh.size(), size_t(kFaceMeshPoints));
    const std::vector<FaceBox> faces{f};
    const FaceMeshMasks m = face_mesh_masks(w, h, faces);
    const double v = iou(m.skin, truth);
    sum += v;
    worst = std::min(worst, v);
    ++n;
  }
  std::printf("mesh face skin vs landmark masks over %d portraits: IoU mean %.3f, worst %.3f\n", n,
              sum / n, worst);
  EXPECT_GT(sum / n, 0.75);
  EXPECT_GT(worst, 0.6);
}

// The product's skin mask (the whole path: person, faces, meshes, colour model) against the
// London landmark masks over the frame, per tone group. The landmark masks stop at the jaw and
// the mask goes on down the neck, so the bar here sits below the 0.75 (which the mask
// meets above the chin: models/skin.md).
TEST(FaceMesh, ProductSkinMaskAgreesWithTheLandmarkMasksInEveryGroup) {
  AG_REQUIRE_SHARED_DATA();
  if (!have_corpus("faces")) GTEST_SKIP() << "corpus/faces not present";
  const auto rows = read_tsv(corpus() / "faces/faces.tsv");
  std::map<std::string, std::pair<double, int>> groups;
  const std::vector<Region> wanted{Region::Skin};
  for (size_t r = 0; r < rows.size(); ++r) {
    const std::string group = tone_group(std::stoi(rows[r].at("mst_estimate")));
    if (group == "medium" && r % 4 != 1) continue;  // every dark portrait, a quarter of the rest
    const ImageF photo = load_rgb(corpus() / rows[r].at("file"));
    int w = 0, h = 0;
    const auto truth = load_mask(corpus() / rows[r].at("mask"), w, h);
    const RegionMasks m = compute_region_masks(photo, wanted);
    auto& g = groups[group];
    g.first += iou(m.skin, truth);
    ++g.second;
  }
  double lo = 1, hi = 0;
  for (const auto& [name, g] : groups) {
    const double mean = g.first / g.second;
    std::printf("%-6s n=%2d  skin mask IoU vs landmark masks %.3f\n", name.c_str(), g.second, mean);
    lo = std::min(lo, mean);
    hi = std::max(hi, mean);
  }
  EXPECT_GT(lo, 0.65);
  EXPECT_LT(hi - lo, 0.08);
}

}  // namespace
}  // namespace autograde
