#pragma once
// The MediaPipe networks behind PersonSegmenter and FaceDetector, one level down: the model
// input each builds from a picture and the raw network outputs. Internal to ag_semantic and its
// tests (tests/semantic compares run() with tools/tflite_reference.py, the NumPy forward pass
// of the original .tflite, on the same input tensor).
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde::mediapipe {

enum class Net { Selfie, SelfieLandscape, FaceShort, FaceFull, FaceLandmark };

struct NetInfo {
  const char* onnx;    // file in models/ (core/model_files.hpp)
  const char* tflite;  // the npm package file it was converted from
  int width, height;   // input tensor size
};
NetInfo net_info(Net net);

// The input tensor, 1 x height x width x 3 (NHWC, TFLite's layout), as MediaPipe's
// ImageToTensorCalculator makes it for `net`:
//  - selfie (and the face landmark net given a Crop): the picture stretched to the tensor (no
//    aspect kept), RGB 0..1;
//  - BlazeFace: the picture scaled to fit, centred, black borders (letterbox), RGB -1..1;
//  - face landmarks: a rotated square around one face (make_input with a Roi below), RGB 0..1.
// rgb: 3 or 4 channels (alpha ignored), code values 0..1.
std::vector<float> make_input(Net net, const ImageF& rgb);

// A part of a picture, in its pixels.
struct Crop {
  int x = 0, y = 0, width = 0, height = 0;
};
// The same for the part `crop` of rgb (inside it) as if it were the whole picture.
std::vector<float> make_input(Net net, const ImageF& rgb, const Crop& crop);

// A square part of a picture turned by `angle` radians (clockwise on screen, y down): centre
// and side in its pixels. The tensor's x axis runs along (cos angle, sin angle).
struct Roi {
  float cx = 0, cy = 0, side = 0, angle = 0;
};
// The tensor for `roi` of rgb, sampled bilinearly, edge pixels repeated outside the picture
// (MediaPipe's ImageToTensorCalculator with its default replicate border).
std::vector<float> make_input(Net net, const ImageF& rgb, const Roi& roi);

// Runs the converted network on an NHWC input tensor of net_info(net)'s size. Outputs in the
// .tflite graph's order and layout, flattened: selfie {mask 1 x h x w x 1 (sigmoid applied)};
// BlazeFace {regressors 1 x N x 16, classificators 1 x N x 1 (logits)}; face landmarks
// {468 x (x, y, z) in tensor pixels, face presence logit}. Thread-safe.
std::vector<std::vector<float>> run(Net net, const std::vector<float>& nhwc);

}  // namespace autograde::mediapipe
