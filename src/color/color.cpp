#include "autograde/color/color.hpp"

#include <cmath>

namespace autograde {

float srgb_to_linear(float v) {
  const float a = std::abs(v);
  const float r = a <= 0.04045f ? a / 12.92f : std::pow((a + 0.055f) / 1.055f, 2.4f);
  return std::copysign(r, v);
}

float linear_to_srgb(float v) {
  const float a = std::abs(v);
  const float r = a <= 0.0031308f ? a * 12.92f : 1.055f * std::pow(a, 1.f / 2.4f) - 0.055f;
  return std::copysign(r, v);
}

float display_luminance(Vec3 v) {
  // BT.709-6 item 1.4 primaries, D65: Y = 0.2126 R + 0.7152 G + 0.0722 B on linear light.
  return 0.2126f * srgb_to_linear(v[0]) + 0.7152f * srgb_to_linear(v[1]) + 0.0722f * srgb_to_linear(v[2]);
}

float rec709_oetf(float l) {
  const float a = std::abs(l);
  const float r = a < 0.018f ? 4.5f * a : 1.099f * std::pow(a, 0.45f) - 0.099f;
  return std::copysign(r, l);
}

float rec709_inverse_oetf(float v) {
  const float a = std::abs(v);
  const float r = a < 0.081f ? a / 4.5f : std::pow((a + 0.099f) / 1.099f, 1.f / 0.45f);
  return std::copysign(r, v);
}

namespace {
// ITU-R BT.2020-2 Table 4 constants (the precise values, used for 12-bit systems).
constexpr double kRec2020Alpha = 1.09929682680944, kRec2020Beta = 0.018053968510807;
}  // namespace

float rec2020_oetf(float l) {
  const double a = std::abs(double(l));
  const double r =
      a < kRec2020Beta ? 4.5 * a : kRec2020Alpha * std::pow(a, 0.45) - (kRec2020Alpha - 1.0);
  return float(std::copysign(r, double(l)));
}

float rec2020_inverse_oetf(float v) {
  const double a = std::abs(double(v));
  const double r = a < 4.5 * kRec2020Beta
                       ? a / 4.5
                       : std::pow((a + kRec2020Alpha - 1.0) / kRec2020Alpha, 1.0 / 0.45);
  return float(std::copysign(r, double(v)));
}

float dci_p3_eotf(float v) { return std::copysign(std::pow(std::abs(v), 2.6f), v); }
float dci_p3_inverse_eotf(float l) { return std::copysign(std::pow(std::abs(l), 1.f / 2.6f), l); }

float bt1886_eotf(float v) { return std::copysign(std::pow(std::abs(v), 2.4f), v); }
float bt1886_inverse_eotf(float l) { return std::copysign(std::pow(std::abs(l), 1.f / 2.4f), l); }

const Chromaticities kRec709{0.640, 0.330, 0.300, 0.600, 0.150, 0.060, 0.3127, 0.3290};
const Chromaticities kRec2020{0.708, 0.292, 0.170, 0.797, 0.131, 0.046, 0.3127, 0.3290};
const Chromaticities kDisplayP3{0.680, 0.320, 0.265, 0.690, 0.150, 0.060, 0.3127, 0.3290};
const Chromaticities kDciP3{0.680, 0.320, 0.265, 0.690, 0.150, 0.060, 0.314, 0.351};
const Chromaticities kAcesAP0{0.7347, 0.2653, 0.0, 1.0, 0.0001, -0.0770, 0.32168, 0.33767};
const Chromaticities kAcesAP1{0.713, 0.293, 0.165, 0.830, 0.128, 0.044, 0.32168, 0.33767};

namespace {
std::array<double, 3> xy_to_xyz(double x, double y) { return {x / y, 1.0, (1.0 - x - y) / y}; }
}  // namespace

Mat3 inverse(const Mat3& m) {
  const double a = m[0][0], b = m[0][1], c = m[0][2];
  const double d = m[1][0], e = m[1][1], f = m[1][2];
  const double g = m[2][0], h = m[2][1], i = m[2][2];
  const double A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const double det = a * A + b * B + c * C;
  return {{{A / det, -(b * i - c * h) / det, (b * f - c * e) / det},
           {B / det, (a * i - c * g) / det, -(a * f - c * d) / det},
           {C / det, -(a * h - b * g) / det, (a * e - b * d) / det}}};
}

Mat3 multiply(const Mat3& x, const Mat3& y) {
  Mat3 r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) r[i][j] += x[i][k] * y[k][j];
  return r;
}

Vec3 apply_matrix(const Mat3& m, Vec3 v) {
  Vec3 r{};
  for (int i = 0; i < 3; ++i) r[i] = float(m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2]);
  return r;
}

Mat3 rgb_to_xyz_matrix(const Chromaticities& c) {
  auto R = xy_to_xyz(c.rx, c.ry), G = xy_to_xyz(c.gx, c.gy), B = xy_to_xyz(c.bx, c.by);
  auto W = xy_to_xyz(c.wx, c.wy);
  Mat3 P{{{R[0], G[0], B[0]}, {R[1], G[1], B[1]}, {R[2], G[2], B[2]}}};
  Mat3 Pi = inverse(P);
  double S[3];
  for (int i = 0; i < 3; ++i) S[i] = Pi[i][0] * W[0] + Pi[i][1] * W[1] + Pi[i][2] * W[2];
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) P[i][j] *= S[j];
  return P;
}

Mat3 bradford_adaptation(double src_x, double src_y, double dst_x, double dst_y) {
  // Bradford cone response matrix (Lam 1985), as used by ICC v4 (ICC.1:2010 Annex E) and by
  // OpenColorIO's "_BFD" built-ins. von Kries scaling in that cone space maps one white onto
  // the other: M^-1 * diag(cone(dst) / cone(src)) * M.
  const Mat3 brad{
      {{0.8951, 0.2664, -0.1614}, {-0.7502, 1.7135, 0.0367}, {0.0389, -0.0685, 1.0296}}};
  const auto ws = xy_to_xyz(src_x, src_y), wd = xy_to_xyz(dst_x, dst_y);
  double cs[3], cd[3];
  for (int i = 0; i < 3; ++i) {
    cs[i] = brad[i][0] * ws[0] + brad[i][1] * ws[1] + brad[i][2] * ws[2];
    cd[i] = brad[i][0] * wd[0] + brad[i][1] * wd[1] + brad[i][2] * wd[2];
  }
  const Mat3 scale{{{cd[0] / cs[0], 0, 0}, {0, cd[1] / cs[1], 0}, {0, 0, cd[2] / cs[2]}}};
  return multiply(inverse(brad), multiply(scale, brad));
}

Mat3 rgb_to_rgb_matrix(const Chromaticities& from, const Chromaticities& to) {
  Mat3 m = rgb_to_xyz_matrix(from);
  if (from.wx != to.wx || from.wy != to.wy)
    m = multiply(bradford_adaptation(from.wx, from.wy, to.wx, to.wy), m);
  return multiply(inverse(rgb_to_xyz_matrix(to)), m);
}

namespace {
// D65 white (CIE 15:2004, x 0.3127 y 0.3290 as used by Rec.709/sRGB), Y = 1.
constexpr double kWx = 0.3127 / 0.3290, kWz = (1.0 - 0.3127 - 0.3290) / 0.3290;
constexpr double kEps = 216.0 / 24389.0, kKappa = 24389.0 / 27.0;

double lab_f(double t) { return t > kEps ? std::cbrt(t) : (kKappa * t + 16.0) / 116.0; }
double lab_finv(double f) {
  double f3 = f * f * f;
  return f3 > kEps ? f3 : (116.0 * f - 16.0) / kKappa;
}
}  // namespace

Vec3 xyz_to_lab(Vec3 xyz) {
  double fx = lab_f(xyz[0] / kWx), fy = lab_f(xyz[1]), fz = lab_f(xyz[2] / kWz);
  return {float(116.0 * fy - 16.0), float(500.0 * (fx - fy)), float(200.0 * (fy - fz))};
}

Vec3 lab_to_xyz(Vec3 lab) {
  double fy = (lab[0] + 16.0) / 116.0, fx = fy + lab[1] / 500.0, fz = fy - lab[2] / 200.0;
  double y = lab[0] > kKappa * kEps ? fy * fy * fy : lab[0] / kKappa;
  return {float(lab_finv(fx) * kWx), float(y), float(lab_finv(fz) * kWz)};
}

namespace {
const Mat3& srgb_to_xyz() {
  static const Mat3 m = rgb_to_xyz_matrix(kRec709);
  return m;
}
const Mat3& xyz_to_srgb() {
  static const Mat3 m = inverse(srgb_to_xyz());
  return m;
}
}  // namespace

Vec3 srgb_to_lab(Vec3 s) {
  Vec3 lin{srgb_to_linear(s[0]), srgb_to_linear(s[1]), srgb_to_linear(s[2])};
  return xyz_to_lab(apply_matrix(srgb_to_xyz(), lin));
}

Vec3 lab_to_srgb(Vec3 lab) {
  Vec3 lin = apply_matrix(xyz_to_srgb(), lab_to_xyz(lab));
  return {linear_to_srgb(lin[0]), linear_to_srgb(lin[1]), linear_to_srgb(lin[2])};
}

// Matrices from Ottosson, "A perceptual color space for image processing" (2020).
Vec3 linear_srgb_to_oklab(Vec3 c) {
  double l = 0.4122214708 * c[0] + 0.5363325363 * c[1] + 0.0514459929 * c[2];
  double m = 0.2119034982 * c[0] + 0.6806995451 * c[1] + 0.1073969566 * c[2];
  double s = 0.0883024619 * c[0] + 0.2817188376 * c[1] + 0.6299787005 * c[2];
  l = std::cbrt(l), m = std::cbrt(m), s = std::cbrt(s);
  return {float(0.2104542553 * l + 0.7936177850 * m - 0.0040720468 * s),
          float(1.9779984951 * l - 2.4285922050 * m + 0.4505937099 * s),
          float(0.0259040371 * l + 0.7827717662 * m - 0.8086757660 * s)};
}

Vec3 oklab_to_linear_srgb(Vec3 c) {
  double l = c[0] + 0.3963377774 * c[1] + 0.2158037573 * c[2];
  double m = c[0] - 0.1055613458 * c[1] - 0.0638541728 * c[2];
  double s = c[0] - 0.0894841775 * c[1] - 1.2914855480 * c[2];
  l = l * l * l, m = m * m * m, s = s * s * s;
  return {float(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s),
          float(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s),
          float(-0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s)};
}

// Ottosson (2020), "Converting from XYZ to Oklab": M1 (XYZ → LMS), cube root, M2.
Vec3 xyz_to_oklab(Vec3 c) {
  double l = 0.8189330101 * c[0] + 0.3618667424 * c[1] - 0.1288597137 * c[2];
  double m = 0.0329845436 * c[0] + 0.9293118715 * c[1] + 0.0361456387 * c[2];
  double s = 0.0482003018 * c[0] + 0.2643662691 * c[1] + 0.6338517070 * c[2];
  l = std::cbrt(l), m = std::cbrt(m), s = std::cbrt(s);
  return {float(0.2104542553 * l + 0.7936177850 * m - 0.0040720468 * s),
          float(1.9779984951 * l - 2.4285922050 * m + 0.4505937099 * s),
          float(0.0259040371 * l + 0.7827717662 * m - 0.8086757660 * s)};
}

Vec3 oklab_to_xyz(Vec3 c) {
  // LMS from OKLab with Ottosson's inverse M2, then the inverse of M1 computed here (he
  // publishes M1 only), so both directions stay exact inverses of each other.
  static const Mat3 m1_inv = inverse(Mat3{{{0.8189330101, 0.3618667424, -0.1288597137},
                                           {0.0329845436, 0.9293118715, 0.0361456387},
                                           {0.0482003018, 0.2643662691, 0.6338517070}}});
  double l = c[0] + 0.3963377774 * c[1] + 0.2158037573 * c[2];
  double m = c[0] - 0.1055613458 * c[1] - 0.0638541728 * c[2];
  double s = c[0] - 0.0894841775 * c[1] - 1.2914855480 * c[2];
  l = l * l * l, m = m * m * m, s = s * s * s;
  Vec3 r{};
  for (int i = 0; i < 3; ++i) r[i] = float(m1_inv[i][0] * l + m1_inv[i][1] * m + m1_inv[i][2] * s);
  return r;
}

Vec3 oklab_to_oklch(Vec3 lab) {
  return {lab[0], std::hypot(lab[1], lab[2]), std::atan2(lab[2], lab[1])};
}
Vec3 oklch_to_oklab(Vec3 lch) {
  return {lch[0], lch[1] * std::cos(lch[2]), lch[1] * std::sin(lch[2])};
}

float delta_e76(Vec3 a, Vec3 b) {
  // CIE 15:2004 eq. 8.33.
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                   (a[2] - b[2]) * (a[2] - b[2]));
}

// Equations (1)-(22) of Sharma, Wu & Dalal, "The CIEDE2000 color-difference formula:
// implementation notes, supplementary test data, and mathematical observations", Color Res.
// Appl. 30(1), 2005, including their notes on hue when a chroma is zero and on the mean hue.
float ciede2000(Vec3 lab1, Vec3 lab2) {
  constexpr double kPi = 3.14159265358979323846;
  auto deg = [](double r) { return r * 180.0 / kPi; };
  auto rad = [](double d) { return d * kPi / 180.0; };
  const double L1 = lab1[0], a1 = lab1[1], b1 = lab1[2];
  const double L2 = lab2[0], a2 = lab2[1], b2 = lab2[2];
  const double C1 = std::hypot(a1, b1), C2 = std::hypot(a2, b2);
  const double Cbar = 0.5 * (C1 + C2);
  const double Cbar7 = std::pow(Cbar, 7.0);
  const double G = 0.5 * (1.0 - std::sqrt(Cbar7 / (Cbar7 + std::pow(25.0, 7.0))));
  const double a1p = (1.0 + G) * a1, a2p = (1.0 + G) * a2;
  const double C1p = std::hypot(a1p, b1), C2p = std::hypot(a2p, b2);
  auto hue = [&](double b, double ap) {
    if (b == 0.0 && ap == 0.0) return 0.0;
    double h = deg(std::atan2(b, ap));
    return h < 0.0 ? h + 360.0 : h;
  };
  const double h1p = hue(b1, a1p), h2p = hue(b2, a2p);
  const double dLp = L2 - L1, dCp = C2p - C1p;
  double dhp = 0.0;
  if (C1p * C2p != 0.0) {
    dhp = h2p - h1p;
    if (dhp > 180.0) dhp -= 360.0;
    if (dhp < -180.0) dhp += 360.0;
  }
  const double dHp = 2.0 * std::sqrt(C1p * C2p) * std::sin(rad(dhp / 2.0));
  const double Lbp = 0.5 * (L1 + L2), Cbp = 0.5 * (C1p + C2p);
  double hbp = h1p + h2p;
  if (C1p * C2p != 0.0) {
    // Sharma et al. eq. (14): the boundary |h1' - h2'| = 180 belongs to the plain mean. Pairs
    // such as their #9-#12 (hues exactly 180 deg apart in exact arithmetic) land a few ulps
    // either side of 180 after atan2 and the +360 wrap, so compare with a round-off margin.
    if (std::abs(h1p - h2p) <= 180.0 + 1e-9) {
      hbp = 0.5 * (h1p + h2p);
    } else {
      hbp = (h1p + h2p < 360.0) ? 0.5 * (h1p + h2p + 360.0) : 0.5 * (h1p + h2p - 360.0);
    }
  }
  const double T = 1.0 - 0.17 * std::cos(rad(hbp - 30.0)) + 0.24 * std::cos(rad(2.0 * hbp)) +
                   0.32 * std::cos(rad(3.0 * hbp + 6.0)) - 0.20 * std::cos(rad(4.0 * hbp - 63.0));
  const double dTheta = 30.0 * std::exp(-((hbp - 275.0) / 25.0) * ((hbp - 275.0) / 25.0));
  const double Cbp7 = std::pow(Cbp, 7.0);
  const double Rc = 2.0 * std::sqrt(Cbp7 / (Cbp7 + std::pow(25.0, 7.0)));
  const double Sl =
      1.0 + 0.015 * (Lbp - 50.0) * (Lbp - 50.0) / std::sqrt(20.0 + (Lbp - 50.0) * (Lbp - 50.0));
  const double Sc = 1.0 + 0.045 * Cbp, Sh = 1.0 + 0.015 * Cbp * T;
  const double Rt = -std::sin(rad(2.0 * dTheta)) * Rc;
  const double tl = dLp / Sl, tc = dCp / Sc, th = dHp / Sh;
  return float(std::sqrt(tl * tl + tc * tc + th * th + Rt * tc * th));
}

}  // namespace autograde
