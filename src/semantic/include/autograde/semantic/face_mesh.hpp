#pragma once
// Face landmarks: MediaPipe's face mesh (468 points; the landmark network of the npm package
// @mediapipe/face_mesh, Apache-2.0, converted to ONNX like the detector: models/mediapipe.md)
// run on each BlazeFace face, and the masks drawn from the mesh. A colour model alone cannot
// tell lips, brows and eyelids from the skin around them on every skin tone; the mesh places
// them by shape, so the skin mask can leave them out and fill the cheeks, nose and forehead
// whatever their colour under the light.
#include <array>
#include <memory>
#include <span>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/semantic/regions.hpp"

namespace autograde {

inline constexpr int kFaceMeshPoints = 468;

class FaceLandmarker {
 public:
  // Loads models/face_landmark.onnx once per process; Error(BadInput) naming the file when it
  // is missing or unreadable. Thread-safe.
  static std::shared_ptr<const FaceLandmarker> shared();
  virtual ~FaceLandmarker() = default;
  // The mesh of `face` (a BlazeFace box with its eye keypoints) in rgb's pixels, or empty when
  // the network finds no face in the region (its presence score below one half).
  virtual std::vector<std::array<float, 2>> landmarks(const ImageF& rgb,
                                                      const FaceBox& face) const = 0;
};

// Sets .mesh of every face in `faces` (found in rgb).
void add_face_meshes(const ImageF& rgb, std::span<FaceBox> faces);

// Soft (0..1) masks at width x height drawn from the faces' meshes; faces without a mesh add
// nothing. `skin`: the face oval (the mesh's upper forehead to the jaw) without `features`: the
// eye openings, the brows and the lips. `zone`: the oval a little grown (to the hairline and
// the ears), where the skin model lets a face's own colour decide (the union over the faces).
struct FaceMeshMasks {
  ImageF skin, features, zone;
};
FaceMeshMasks face_mesh_masks(int width, int height, std::span<const FaceBox> faces);

}  // namespace autograde
