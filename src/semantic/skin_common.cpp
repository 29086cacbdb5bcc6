// Image helpers shared by the skin and sky/foliage models (see skin_internal.hpp).
#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "skin_internal.hpp"

namespace autograde::skin_detail {

namespace {

cv::Mat as_mat(const ImageF& img) {
  return cv::Mat(img.height, img.width, CV_32FC(img.channels),
                 const_cast<float*>(img.pixels.data()));
}

ImageF from_mat(const cv::Mat& m) {
  ImageF out(m.cols, m.rows, m.channels());
  cv::Mat dst(m.rows, m.cols, CV_32FC(m.channels()), out.pixels.data());
  m.convertTo(dst, CV_32F);
  return out;
}

// The sRGB decoding curve sampled finely enough that linear interpolation is far below the
// noise of 8-bit sources; the per-pixel pow() would dominate the mask's cost at 1080p.
struct SrgbTable {
  static constexpr int kN = 4096;
  std::array<float, kN + 1> t{};
  SrgbTable() {
    for (int i = 0; i <= kN; ++i) t[size_t(i)] = srgb_to_linear(float(i) / kN);
  }
  float operator()(float v) const {
    v = std::clamp(v, 0.f, 1.f) * kN;
    const int i = std::min(int(v), kN - 1);
    const float f = v - float(i);
    return t[size_t(i)] + f * (t[size_t(i) + 1] - t[size_t(i)]);
  }
};

}  // namespace

ImageF to_oklab(const ImageF& rgb) {
  static const SrgbTable lin;
  ImageF out(rgb.width, rgb.height, 3);
  const size_t n = rgb.pixel_count();
  const int c = rgb.channels;
  for (size_t i = 0; i < n; ++i) {
    const float* p = rgb.pixels.data() + i * size_t(c);
    const Vec3 lab = linear_srgb_to_oklab({lin(p[0]), lin(p[1]), lin(p[2])});
    float* o = out.pixels.data() + i * 3;
    o[0] = lab[0];
    o[1] = lab[1];
    o[2] = lab[2];
  }
  return out;
}

ImageF luma_of(const ImageF& rgb) {
  ImageF out(rgb.width, rgb.height, 1);
  const size_t n = rgb.pixel_count();
  const int c = rgb.channels;
  for (size_t i = 0; i < n; ++i) {
    const float* p = rgb.pixels.data() + i * size_t(c);
    out.pixels[i] = rec709_luma({p[0], p[1], p[2]});
  }
  return out;
}

ImageF resize_image(const ImageF& img, int w, int h) {
  if (img.width == w && img.height == h) return img;
  cv::Mat dst;
  const bool shrink = w < img.width && h < img.height;
  cv::resize(as_mat(img), dst, cv::Size(w, h), 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
  return from_mat(dst);
}

namespace {

// The guided filter's mean linear coefficients (q = A * I + B) for guide I and input P.
void guided_coeffs(const cv::Mat& I, const cv::Mat& P, int radius, float eps, cv::Mat& A, cv::Mat& B) {
  const cv::Size k(2 * radius + 1, 2 * radius + 1);
  auto box = [&](const cv::Mat& m) {
    cv::Mat o;
    cv::boxFilter(m, o, CV_32F, k, cv::Point(-1, -1), true, cv::BORDER_REFLECT);
    return o;
  };
  const cv::Mat mI = box(I), mP = box(P);
  const cv::Mat cIP = box(I.mul(P)) - mI.mul(mP);
  const cv::Mat vI = box(I.mul(I)) - mI.mul(mI);
  const cv::Mat a = cIP / (vI + eps);
  const cv::Mat b = mP - a.mul(mI);
  A = box(a);
  B = box(b);
}

}  // namespace

ImageF guided_upsample(const ImageF& guide_full, const ImageF& p_low, int radius, float eps) {
  const int W = guide_full.width, H = guide_full.height;
  if (p_low.width == W && p_low.height == H) return guided_filter(guide_full, p_low, radius, eps);
  cv::Mat I_low, A, B, Af, Bf;
  cv::resize(as_mat(guide_full), I_low, cv::Size(p_low.width, p_low.height), 0, 0, cv::INTER_AREA);
  if (radius < 1) {
    cv::Mat q;
    cv::resize(as_mat(p_low), q, cv::Size(W, H), 0, 0, cv::INTER_LINEAR);
    ImageF out = from_mat(q);
    clamp01(out);
    return out;
  }
  guided_coeffs(I_low, as_mat(p_low), radius, eps, A, B);
  cv::resize(A, Af, cv::Size(W, H), 0, 0, cv::INTER_LINEAR);
  cv::resize(B, Bf, cv::Size(W, H), 0, 0, cv::INTER_LINEAR);
  const cv::Mat q = Af.mul(as_mat(guide_full)) + Bf;
  ImageF out = from_mat(q);
  clamp01(out);
  return out;
}

ImageF guided_filter(const ImageF& guide, const ImageF& p, int radius, float eps) {
  if (guide.channels != 1 || p.channels != 1 || guide.width != p.width ||
      guide.height != p.height)
    throw Error(ErrorKind::Internal, "guided_filter: 1-channel images of one size expected");
  if (radius < 1) return p;
  const cv::Mat I = as_mat(guide), P = as_mat(p);
  cv::Mat A, B;
  guided_coeffs(I, P, radius, eps, A, B);
  const cv::Mat q = A.mul(I) + B;
  ImageF out = from_mat(q);
  clamp01(out);
  return out;
}

ImageF dilate_mask(const ImageF& m, int r) {
  if (r < 1) return m;
  cv::Mat o;
  cv::dilate(as_mat(m), o, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(2 * r + 1, 2 * r + 1)));
  return from_mat(o);
}

void clamp01(ImageF& m) {
  for (float& v : m.pixels) v = std::clamp(v, 0.f, 1.f);
}

}  // namespace autograde::skin_detail
