#include "autograde/semantic/mediapipe_nets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <memory>
#include <mutex>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "autograde/core/error.hpp"
#include "autograde/core/model_files.hpp"

namespace autograde::mediapipe {

namespace {

struct Spec {
  NetInfo info;
  std::vector<std::string> outputs;  // ONNX output names, in the .tflite graph's order
};

const Spec& spec(Net net) {
  // Sizes and output names as in the .tflite files (tools/tflite2onnx.py keeps the names).
  static const std::array<Spec, 5> specs{{
      {{"selfie_segmentation.onnx", "selfie_segmentation.tflite", 256, 256}, {"activation_10"}},
      {{"selfie_segmentation_landscape.onnx", "selfie_segmentation_landscape.tflite", 256, 144},
       {"segment_back"}},
      {{"face_detection_short_range.onnx", "face_detection_short_range.tflite", 128, 128},
       {"regressors", "classificators"}},
      {{"face_detection_full_range.onnx", "face_detection_full_range.tflite", 192, 192},
       {"reshaped_regressor_face_4", "reshaped_classifier_face_4"}},
      {{"face_landmark.onnx", "face_landmark.tflite", 192, 192}, {"conv2d_21", "conv2d_31"}},
  }};
  return specs[static_cast<size_t>(net)];
}

// cv::dnn::Net::forward is not const and keeps per-net scratch buffers, so each network is
// loaded once per process and run under its own mutex. The networks are small (a few ms a
// call), so callers on several threads queue briefly rather than each holding a copy.
struct LoadedNet {
  std::mutex mutex;
  cv::dnn::Net net;
};

LoadedNet& loaded(Net which) {
  static std::array<std::unique_ptr<LoadedNet>, 5> nets;
  static std::array<std::once_flag, 5> once;
  const size_t i = static_cast<size_t>(which);
  std::call_once(once[i], [&] {
    const std::string path = model_path(spec(which).info.onnx);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      throw_bad_input(path, "model file missing (see models/mediapipe.md)");
    auto n = std::make_unique<LoadedNet>();
    try {
      n->net = cv::dnn::readNetFromONNX(path);
    } catch (const cv::Exception& e) {
      throw_bad_input(path, fmt::format("cannot read the ONNX model: {}", e.what()));
    }
    if (n->net.empty()) throw_bad_input(path, "cannot read the ONNX model");
    n->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    n->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    nets[i] = std::move(n);
  });
  // A failed load leaves the flag unset, so the next call retries and throws again.
  return *nets[i];
}

// rgb (3 or 4 channels) as a 3-channel float cv::Mat; no copy for 3 channels.
cv::Mat rgb_mat(const ImageF& rgb) {
  if (rgb.empty() || (rgb.channels != 3 && rgb.channels != 4))
    throw Error(ErrorKind::BadInput, "mediapipe: picture must be RGB or RGBA and not empty");
  cv::Mat m(rgb.height, rgb.width, CV_32FC(rgb.channels), const_cast<float*>(rgb.pixels.data()));
  if (rgb.channels == 3) return m;
  cv::Mat out;
  cv::cvtColor(m, out, cv::COLOR_RGBA2RGB);
  return out;
}

// Area averaging when shrinking: MediaPipe samples bilinearly, which aliases when a 4K frame
// becomes 128 pixels; averaging gives the network the picture a camera at that size would
// see (the networks were trained on such pictures). Bilinear when enlarging.
cv::Mat resized(const cv::Mat& src, int w, int h) {
  if (src.cols == w && src.rows == h) return src;
  cv::Mat out;
  const bool shrink = w <= src.cols && h <= src.rows;
  cv::resize(src, out, cv::Size(w, h), 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

// Code values outside 0..1 (grading headroom, filter overshoot) are clipped, NaN read as 0: the
// networks only ever saw 8-bit pictures, and one NaN would spread through every convolution. A
// plain loop: cv::min/max with a scalar take a slow path (~40x).
void clamp01(cv::Mat& m) {
  CV_Assert(m.depth() == CV_32F);
  for (int y = 0; y < m.rows; ++y) {
    float* p = m.ptr<float>(y);
    for (size_t i = 0, n = size_t(m.cols) * m.channels(); i < n; ++i)
      p[i] = p[i] > 0.f ? (p[i] < 1.f ? p[i] : 1.f) : 0.f;  // NaN -> 0
  }
}

}  // namespace

NetInfo net_info(Net net) { return spec(net).info; }

std::vector<float> make_input(Net net, const ImageF& rgb) {
  return make_input(net, rgb, Crop{0, 0, rgb.width, rgb.height});
}

std::vector<float> make_input(Net net, const ImageF& rgb, const Crop& crop) {
  const NetInfo& info = spec(net).info;
  if (crop.width < 1 || crop.height < 1 || crop.x < 0 || crop.y < 0 ||
      crop.x + crop.width > rgb.width || crop.y + crop.height > rgb.height)
    throw_internal("mediapipe::make_input: crop outside the picture");
  cv::Mat src = rgb_mat(rgb)(cv::Rect(crop.x, crop.y, crop.width, crop.height));
  cv::Mat tensor;
  if (net == Net::Selfie || net == Net::SelfieLandscape || net == Net::FaceLandmark) {
    tensor = resized(src, info.width, info.height).clone();
    clamp01(tensor);
  } else {
    // Letterbox: the whole picture fits, centred; the rest is black (-1 after the range map;
    // MediaPipe's BORDER_ZERO pads the picture before its values are mapped to -1..1).
    const double s = std::min(double(info.width) / src.cols, double(info.height) / src.rows);
    const int nw = std::clamp(int(std::lround(src.cols * s)), 1, info.width);
    const int nh = std::clamp(int(std::lround(src.rows * s)), 1, info.height);
    cv::Mat small = resized(src, nw, nh);
    tensor = cv::Mat(info.height, info.width, CV_32FC3, cv::Scalar::all(-1.0));
    cv::Mat roi = tensor(cv::Rect((info.width - nw) / 2, (info.height - nh) / 2, nw, nh));
    cv::Mat clipped = small.clone();
    clamp01(clipped);
    clipped.convertTo(roi, CV_32FC3, 2.0, -1.0);
  }
  return std::vector<float>(tensor.ptr<float>(), tensor.ptr<float>() + tensor.total() * 3);
}

std::vector<float> make_input(Net net, const ImageF& rgb, const Roi& roi) {
  const NetInfo& info = spec(net).info;
  if (!(roi.side > 0) || !std::isfinite(roi.cx) || !std::isfinite(roi.cy) || !std::isfinite(roi.angle))
    throw_internal("mediapipe::make_input: empty or non-finite region");
  // The affine map from tensor pixels to picture pixels: tensor centre to roi centre, x along
  // the roi's angle, one tensor pixel = side / width picture pixels.
  const double c = std::cos(roi.angle), s = std::sin(roi.angle);
  const double kx = roi.side / info.width, ky = roi.side / info.height;
  const double hx = 0.5 * info.width, hy = 0.5 * info.height;
  cv::Matx23d to_picture(c * kx, -s * ky, 0, s * kx, c * ky, 0);
  // Pixel centres: tensor (u + 0.5) maps to picture (x + 0.5).
  to_picture(0, 2) = roi.cx - 0.5 - (c * kx * (hx - 0.5) - s * ky * (hy - 0.5));
  to_picture(1, 2) = roi.cy - 0.5 - (s * kx * (hx - 0.5) + c * ky * (hy - 0.5));
  cv::Mat src = rgb_mat(rgb);
  // A face much larger than the tensor is averaged down first, as for the other networks, so
  // the warp does not alias skin texture and hair into noise.
  const double shrink = roi.side / std::max(info.width, info.height);
  if (shrink > 2.0) {
    const int w = std::max(1, int(std::lround(src.cols / shrink)));
    const int h = std::max(1, int(std::lround(src.rows / shrink)));
    const double fx = double(w) / src.cols, fy = double(h) / src.rows;
    src = resized(src, w, h);
    for (int j = 0; j < 3; ++j) to_picture(0, j) *= fx, to_picture(1, j) *= fy;
    to_picture(0, 2) += 0.5 * fx - 0.5;
    to_picture(1, 2) += 0.5 * fy - 0.5;
  }
  cv::Mat tensor;
  cv::warpAffine(src, tensor, cv::Mat(to_picture), cv::Size(info.width, info.height),
                 cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
  clamp01(tensor);
  return std::vector<float>(tensor.ptr<float>(), tensor.ptr<float>() + tensor.total() * 3);
}

std::vector<std::vector<float>> run(Net which, const std::vector<float>& nhwc) {
  const Spec& sp = spec(which);
  const int w = sp.info.width, h = sp.info.height;
  if (nhwc.size() != size_t(w) * h * 3)
    throw_internal(fmt::format("mediapipe::run: input has {} values, {} wants {}x{}x3", nhwc.size(),
                               sp.info.onnx, w, h));
  // NHWC -> NCHW blob (the converted graph is NCHW throughout).
  const int size[4] = {1, 3, h, w};
  cv::Mat blob(4, size, CV_32F);
  float* dst = blob.ptr<float>();
  for (int c = 0; c < 3; ++c)
    for (size_t p = 0; p < size_t(w) * h; ++p) dst[c * size_t(w) * h + p] = nhwc[p * 3 + c];

  LoadedNet& n = loaded(which);
  std::vector<cv::Mat> outs;
  {
    std::lock_guard lock(n.mutex);
    n.net.setInput(blob);
    n.net.forward(outs, sp.outputs);
  }
  std::vector<std::vector<float>> result;
  for (const cv::Mat& o : outs) {
    cv::Mat c = o.isContinuous() ? o : o.clone();
    // The selfie masks are 1 x 1 x h x w, which is also NHWC's order for one channel.
    result.emplace_back(c.ptr<float>(), c.ptr<float>() + c.total());
  }
  return result;
}

}  // namespace autograde::mediapipe
