// Sky and foliage: a small per-pixel perceptron on colour, brightness, position and texture
// computed at a low analysis size, then feathered to the picture's size by a guided filter
// (models/sky_foliage.md says how it was trained and how well it does).
#include "autograde/semantic/sky_foliage.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "autograde/core/error.hpp"
#include "autograde/core/model_files.hpp"
#include "skin_internal.hpp"

namespace autograde {
namespace skin_detail {

namespace {

constexpr int kFeatures = 16;

cv::Mat channel(const ImageF& img, int c) {
  cv::Mat m(img.height, img.width, CV_32F);
  for (int y = 0; y < img.height; ++y) {
    const float* s = img.row(y);
    float* d = m.ptr<float>(y);
    for (int x = 0; x < img.width; ++x) d[x] = s[size_t(x) * size_t(img.channels) + size_t(c)];
  }
  return m;
}

// Local standard deviation in a (2r+1)^2 window: texture (foliage is busy, sky is smooth).
cv::Mat local_std(const cv::Mat& m, int r) {
  cv::Mat mu, mu2;
  const cv::Size k(2 * r + 1, 2 * r + 1);
  cv::boxFilter(m, mu, CV_32F, k, cv::Point(-1, -1), true, cv::BORDER_REFLECT);
  cv::boxFilter(m.mul(m), mu2, CV_32F, k, cv::Point(-1, -1), true, cv::BORDER_REFLECT);
  cv::Mat var = mu2 - mu.mul(mu);
  cv::max(var, 0.0, var);
  cv::Mat s;
  cv::sqrt(var, s);
  return s;
}

RegionClassifier from_json(const nlohmann::json& j) {
  RegionClassifier c;
  c.analysis_side = j.at("analysis_side").get<int>();
  c.smooth_frac = j.at("smooth_frac").get<float>();
  c.smooth_eps = j.at("smooth_eps").get<float>();
  const auto& m = j.at("mlp");
  c.mlp.in = m.at("in").get<int>();
  c.mlp.hidden = m.at("hidden").get<int>();
  c.mlp.mean = m.at("mean").get<std::vector<float>>();
  c.mlp.scale = m.at("scale").get<std::vector<float>>();
  c.mlp.w1 = m.at("w1").get<std::vector<float>>();
  c.mlp.b1 = m.at("b1").get<std::vector<float>>();
  c.mlp.w2 = m.at("w2").get<std::vector<float>>();
  c.mlp.b2 = m.at("b2").get<float>();
  const size_t in = size_t(c.mlp.in), hid = size_t(c.mlp.hidden);
  if (c.mlp.in != kFeatures || c.mlp.mean.size() != in || c.mlp.scale.size() != in ||
      c.mlp.w1.size() != in * hid || c.mlp.b1.size() != hid || c.mlp.w2.size() != hid ||
      c.analysis_side < 8)
    throw Error(ErrorKind::BadInput, "sky/foliage model: inconsistent sizes");
  return c;
}

nlohmann::json to_json(const RegionClassifier& c) {
  const Mlp& m = c.mlp;
  return {{"analysis_side", c.analysis_side},
          {"smooth_frac", c.smooth_frac},
          {"smooth_eps", c.smooth_eps},
          {"mlp",
           {{"in", m.in}, {"hidden", m.hidden}, {"mean", m.mean}, {"scale", m.scale},
            {"w1", m.w1}, {"b1", m.b1}, {"w2", m.w2}, {"b2", m.b2}}}};
}

struct Bundled {
  RegionClassifier sky, foliage;
};

const Bundled& bundled() {
  static const Bundled b{load_region_classifier(model_path("sky_foliage.json"), "sky"),
                         load_region_classifier(model_path("sky_foliage.json"), "foliage")};
  return b;
}

}  // namespace

float Mlp::logit(const float* x) const {
  float xs[64];
  for (int i = 0; i < in; ++i) xs[i] = (x[i] - mean[size_t(i)]) * scale[size_t(i)];
  float out = b2;
  for (int h = 0; h < hidden; ++h) {
    const float* w = w1.data() + size_t(h) * size_t(in);
    float s = b1[size_t(h)];
    for (int i = 0; i < in; ++i) s += w[i] * xs[i];
    out += w2[size_t(h)] * std::tanh(s);
  }
  return out;
}

int region_feature_count() { return kFeatures; }

std::vector<float> region_features(const ImageF& small) {
  const int w = small.width, h = small.height;
  const ImageF lab = to_oklab(small);
  const cv::Mat L = channel(lab, 0), A = channel(lab, 1), B = channel(lab, 2);
  const cv::Mat s1 = local_std(L, 1), s4 = local_std(L, 4);
  cv::Mat gx, gy, grad;
  cv::Sobel(L, gx, CV_32F, 1, 0);
  cv::Sobel(L, gy, CV_32F, 0, 1);
  cv::magnitude(gx, gy, grad);
  cv::blur(grad, grad, cv::Size(5, 5));
  cv::Mat bL, bA, bB;
  const double sigma = std::max(1.0, 0.025 * std::max(w, h));
  cv::GaussianBlur(L, bL, cv::Size(), sigma);
  cv::GaussianBlur(A, bA, cv::Size(), sigma);
  cv::GaussianBlur(B, bB, cv::Size(), sigma);
  // Brightness relative to the picture: sky is usually among the brightest things in it.
  std::vector<float> ls(L.begin<float>(), L.end<float>());
  const double meanL = cv::mean(L)[0];
  auto p95 = ls.begin() + std::ptrdiff_t(ls.size() * 95 / 100);
  std::nth_element(ls.begin(), p95, ls.end());
  const float hiL = std::max(0.05f, *p95);

  std::vector<float> f(size_t(w) * size_t(h) * kFeatures);
  std::vector<double> colL(size_t(w), 0.0), colT(size_t(w), 0.0);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      float* o = f.data() + (size_t(y) * size_t(w) + size_t(x)) * kFeatures;
      const float l = L.at<float>(y, x), a = A.at<float>(y, x), b = B.at<float>(y, x);
      o[0] = l;
      o[1] = a;
      o[2] = b;
      o[3] = std::hypot(a, b);
      o[4] = (float(y) + 0.5f) / float(h);
      o[5] = std::fabs((float(x) + 0.5f) / float(w) - 0.5f);
      o[6] = s1.at<float>(y, x);
      o[7] = s4.at<float>(y, x);
      o[8] = grad.at<float>(y, x);
      o[9] = bL.at<float>(y, x);
      o[10] = bA.at<float>(y, x);
      o[11] = bB.at<float>(y, x);
      o[12] = l - float(meanL);
      o[13] = l / hiL;
      // What lies above in the same column (sky is rarely under ground, texture or dark).
      o[14] = y ? float(colL[size_t(x)] / y) : l;
      o[15] = y ? float(colT[size_t(x)] / y) : o[7];
    }
    for (int x = 0; x < w; ++x) {
      colL[size_t(x)] += L.at<float>(y, x);
      colT[size_t(x)] += s4.at<float>(y, x);
    }
  }
  return f;
}

ImageF region_probability(const RegionClassifier& c, const ImageF& small) {
  const std::vector<float> f = region_features(small);
  ImageF out(small.width, small.height, 1);
  for (size_t i = 0; i < out.pixels.size(); ++i)
    out.pixels[i] = 1.f / (1.f + std::exp(-c.mlp.logit(f.data() + i * kFeatures)));
  return out;
}

ImageF region_mask_with(const RegionClassifier& c, const ImageF& rgb) {
  if (rgb.empty() || rgb.channels < 3)
    throw Error(ErrorKind::BadInput, "sky/foliage mask: an RGB picture is required");
  const int W = rgb.width, H = rgb.height;
  const float s = std::min(1.f, float(c.analysis_side) / float(std::max(W, H)));
  const int w = std::max(8, int(std::lround(W * s))), h = std::max(8, int(std::lround(H * s)));
  ImageF small = resize_image(rgb, w, h);
  if (small.channels != 3) {
    ImageF rgb3(w, h, 3);
    for (size_t i = 0; i < small.pixel_count(); ++i)
      for (int k = 0; k < 3; ++k)
        rgb3.pixels[i * 3 + size_t(k)] = small.pixels[i * size_t(small.channels) + size_t(k)];
    small = std::move(rgb3);
  }
  // Feathered at the picture's size up to kFeatherSide; above it at that size, then brought
  // up by the fast guided filter.
  const float fs = std::min(1.f, float(kFeatherSide) / float(std::max(W, H)));
  const int fw = std::max(1, int(std::lround(W * fs))), fh = std::max(1, int(std::lround(H * fs)));
  ImageF prob = resize_image(region_probability(c, small), fw, fh);
  const int r = int(std::lround(c.smooth_frac * float(std::max(fw, fh))));
  if (fs < 1.f) return guided_upsample(luma_of(rgb), prob, r, c.smooth_eps);
  if (r >= 1) prob = guided_filter(luma_of(rgb), prob, r, c.smooth_eps);
  return prob;
}

RegionClassifier load_region_classifier(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::BadInput, "cannot open sky/foliage model " + path);
  nlohmann::json j;
  try {
    in >> j;
    if (j.value("format", "") != "autograde-sky-foliage-v1")
      throw Error(ErrorKind::BadInput, "sky/foliage model " + path + ": unknown format");
    return from_json(j.at(key));
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::BadInput, "sky/foliage model " + path + ": " + e.what());
  }
}

void save_region_classifiers(const RegionClassifier& sky, const RegionClassifier& foliage,
                             const std::string& path) {
  nlohmann::json j;
  j["format"] = "autograde-sky-foliage-v1";
  j["sky"] = to_json(sky);
  j["foliage"] = to_json(foliage);
  std::ofstream out(path);
  if (!out) throw Error(ErrorKind::BadInput, "cannot write " + path);
  out << j.dump() << "\n";
}

}  // namespace skin_detail

ImageF sky_mask(const ImageF& rgb) {
  return skin_detail::region_mask_with(skin_detail::bundled().sky, rgb);
}

ImageF foliage_mask(const ImageF& rgb) {
  return skin_detail::region_mask_with(skin_detail::bundled().foliage, rgb);
}

}  // namespace autograde
