#pragma once
// Person segmentation and face detection from MediaPipe's published graphs (Apache-2.0: the
// selfie segmentation and BlazeFace .tflite files in npm's @mediapipe packages), converted to
// ONNX by tools/tflite2onnx.py (OpenCV 4.6's DNN module reads ONNX, not TFLite) and run with
// cv::dnn on the CPU. The converted files live in models/ with their licence.
#include <memory>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/semantic/regions.hpp"

namespace autograde {

class PersonSegmenter {
 public:
  // Loads models/ (core/model_files.hpp) once per process; Error(BadInput) naming the file when
  // a model is missing or unreadable. Safe to call from several threads.
  static std::shared_ptr<const PersonSegmenter> shared();
  virtual ~PersonSegmenter() = default;
  // Soft person mask (0..1) at rgb's size. Thread-safe.
  virtual ImageF segment(const ImageF& rgb) const = 0;
};

class FaceDetector {
 public:
  static std::shared_ptr<const FaceDetector> shared();
  virtual ~FaceDetector() = default;
  // Faces in rgb (both BlazeFace ranges as needed, non-maximum suppression), strongest first.
  virtual std::vector<FaceBox> detect(const ImageF& rgb) const = 0;
};

}  // namespace autograde
