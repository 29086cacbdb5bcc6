#include "autograde/color/camera_log.hpp"
#include "autograde/color/camera_log_ocio.hpp"

#include <OpenColorIO/OpenColorIO.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <mutex>

#include "autograde/core/error.hpp"

namespace OCIO = OCIO_NAMESPACE;

namespace autograde {

namespace {

constexpr std::array<CameraLog, 7> kAll{CameraLog::Rec709, CameraLog::SLog3, CameraLog::LogC3,
                                        CameraLog::LogC4,  CameraLog::VLog,  CameraLog::CLog3,
                                        CameraLog::Log3G10};
constexpr std::array<std::string_view, 7> kNames{"rec709", "slog3", "logc3",  "logc4",
                                                 "vlog",   "clog3", "log3g10"};

// OCIO 2.1.2 built-in style names (checked at run time by the tests through
// BuiltinTransformRegistry). LogC4 and Rec709 have none.
const char* builtin_to_aces(CameraLog s) {
  switch (s) {
    case CameraLog::SLog3:
      return "SONY_SLOG3-SGAMUT3.CINE_to_ACES2065-1";
    case CameraLog::LogC3:
      return "ARRI_ALEXA-LOGC-EI800-AWG_to_ACES2065-1";
    case CameraLog::VLog:
      return "PANASONIC_VLOG-VGAMUT_to_ACES2065-1";
    case CameraLog::CLog3:
      return "CANON_CLOG3-CGAMUT_to_ACES2065-1";
    case CameraLog::Log3G10:
      return "RED_LOG3G10-RWG_to_ACES2065-1";
    default:
      return nullptr;
  }
}

// ARRI LogC4 Specification (Cooper & Brendel, ARRI 2022), §4.1: with
//   a = (2^18 - 16) / 117.45, b = (1023 - 95) / 1023, c = 95 / 1023,
//   s = 7 ln2 · 2^(7 - 14c/b) / (a b),  t = (2^(14(-c/b) + 6) - 64) / a,
// encoding E' = (log2(a E + 64) - 6) / 14 · b + c for E >= t, else (E - t) / s.
struct LogC4Constants {
  double a = (std::pow(2.0, 18.0) - 16.0) / 117.45;
  double b = (1023.0 - 95.0) / 1023.0;
  double c = 95.0 / 1023.0;
  double s = 7.0 * std::log(2.0) * std::pow(2.0, 7.0 - 14.0 * c / b) / (a * b);
  double t = (std::pow(2.0, 14.0 * (-c / b) + 6.0) - 64.0) / a;
};
const LogC4Constants kLogC4;

OCIO::MatrixTransformRcPtr matrix_transform(const Mat3& m) {
  const double m44[16] = {m[0][0], m[0][1], m[0][2], 0, m[1][0], m[1][1], m[1][2], 0,
                          m[2][0], m[2][1], m[2][2], 0, 0,       0,       0,       1};
  auto t = OCIO::MatrixTransform::Create();
  t->setMatrix(m44);
  return t;
}

OCIO::BuiltinTransformRcPtr builtin(const char* style,
                                    OCIO::TransformDirection dir = OCIO::TRANSFORM_DIR_FORWARD) {
  auto t = OCIO::BuiltinTransform::Create();
  t->setStyle(style);
  t->setDirection(dir);
  return t;
}

// LogC4 signal → linear AWG4 as an OCIO LogCameraTransform (inverse direction). The spec's
// curve is exactly OCIO's camera-log form: log side = (b/14)·log2(a·E + 64) + (c - 6b/14)
// above the break E = t, and its linear toe has slope 1/s, which equals the log segment's
// derivative at t, so OCIO's derived linear slope reproduces it. Tests compare this with
// logc4_to_linear() below, written straight from the spec.
OCIO::TransformRcPtr logc4_decode_transform() {
  const double brk[3] = {kLogC4.t, kLogC4.t, kLogC4.t};
  auto t = OCIO::LogCameraTransform::Create(brk);
  t->setBase(2.0);
  const double log_slope[3] = {kLogC4.b / 14.0, kLogC4.b / 14.0, kLogC4.b / 14.0};
  const double log_offset = kLogC4.c - 6.0 * kLogC4.b / 14.0;
  const double log_off[3] = {log_offset, log_offset, log_offset};
  const double lin_slope[3] = {kLogC4.a, kLogC4.a, kLogC4.a};
  const double lin_off[3] = {64.0, 64.0, 64.0};
  t->setLogSideSlopeValue(log_slope);
  t->setLogSideOffsetValue(log_off);
  t->setLinSideSlopeValue(lin_slope);
  t->setLinSideOffsetValue(lin_off);
  t->setDirection(OCIO::TRANSFORM_DIR_INVERSE);
  return t;
}

// Camera code values → ACES2065-1.
void append_to_aces(OCIO::GroupTransformRcPtr& g, CameraLog s) {
  if (s == CameraLog::LogC4) {
    // AWG4 (D65) → XYZ D65 → ACES2065-1 through the inverse of OCIO's Bradford AP0 → XYZ D65
    // built-in. ARRI's and the Academy's LogC4 IDT adapt with CAT02 instead; both map white to
    // white, so greys are identical and saturated colours differ by well under 1%.
    g->appendTransform(logc4_decode_transform());
    g->appendTransform(matrix_transform(rgb_to_xyz_matrix(kArriWideGamut4)));
    g->appendTransform(
        builtin("UTILITY - ACES-AP0_to_CIE-XYZ-D65_BFD", OCIO::TRANSFORM_DIR_INVERSE));
  } else {
    g->appendTransform(builtin(builtin_to_aces(s)));
  }
}

// ACES2065-1 → Rec.709 display code values (unclamped: the callers clamp).
void append_aces_to_display(OCIO::GroupTransformRcPtr& g) {
  // Without the gamut compression, saturated camera colours outside AP1 hit the output
  // transform's clip and fold (e.g. S-Log3 (0.9, 0.5, 0.1) renders with a blue channel
  // of 0.41); with it the rendering is smoother and a baked cube tracks it better.
  g->appendTransform(builtin("ACES-LMT - ACES 1.3 Reference Gamut Compression"));
  g->appendTransform(builtin("ACES-OUTPUT - ACES2065-1_to_CIE-XYZ-D65 - SDR-VIDEO_1.0"));
  g->appendTransform(builtin("DISPLAY - CIE-XYZ-D65_to_REC.1886-REC.709"));
}

OCIO::ConstCPUProcessorRcPtr make_processor(CameraLog s, bool display) {
  auto g = OCIO::GroupTransform::Create();
  if (!display && s == CameraLog::LogC4) {
    // Straight to XYZ D65: no round trip through the ACES white.
    g->appendTransform(logc4_decode_transform());
    g->appendTransform(matrix_transform(rgb_to_xyz_matrix(kArriWideGamut4)));
  } else {
    append_to_aces(g, s);
    if (display) {
      append_aces_to_display(g);
    } else {
      g->appendTransform(builtin("UTILITY - ACES-AP0_to_CIE-XYZ-D65_BFD"));
    }
  }
  if (!display) g->appendTransform(matrix_transform(inverse(rgb_to_xyz_matrix(kRec709))));
  try {
    auto config = OCIO::Config::CreateRaw();
    auto proc = config->getProcessor(g);
    return proc->getOptimizedCPUProcessor(OCIO::BIT_DEPTH_F32, OCIO::BIT_DEPTH_F32,
                                          OCIO::OPTIMIZATION_LOSSLESS);
  } catch (const OCIO::Exception& e) {
    throw_internal(std::string("OpenColorIO cannot build the ") + std::string(camera_log_name(s)) +
                   " transform: " + e.what());
  }
}

// One CPU processor per (space, direction), built on first use; OCIO CPU processors are
// safe to share between threads once built.
const OCIO::ConstCPUProcessorRcPtr& processor(CameraLog s, bool display) {
  static std::mutex mutex;
  static std::array<std::array<OCIO::ConstCPUProcessorRcPtr, 2>, kAll.size()> cache;
  std::lock_guard lock(mutex);
  auto& slot = cache[size_t(s)][display ? 1 : 0];
  if (!slot) slot = make_processor(s, display);
  return slot;
}

void check_rgb(std::span<float> rgb) {
  if (rgb.size() % 3 != 0)
    throw_internal("camera log conversion needs interleaved RGB (size a multiple of 3)");
}

void apply_processor(const OCIO::ConstCPUProcessorRcPtr& p, std::span<float> rgb) {
  if (rgb.empty()) return;
  OCIO::PackedImageDesc desc(rgb.data(), long(rgb.size() / 3), 1, 3);
  p->apply(desc);
}

std::string normalise_name(std::string_view name) {
  std::string out;
  for (char ch : name)
    if (ch != '-' && ch != '_' && ch != ' ' && ch != '.')
      out += char(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

}  // namespace

OCIO::TransformRcPtr camera_log_to_aces_transform(CameraLog s) {
  if (s == CameraLog::Rec709)
    throw_usage("Rec.709 input has no camera transform: it is taken as display code values");
  auto g = OCIO::GroupTransform::Create();
  append_to_aces(g, s);
  return g;
}

OCIO::TransformRcPtr aces_to_rec709_display_transform() {
  auto g = OCIO::GroupTransform::Create();
  append_aces_to_display(g);
  // camera_log_to_rec709_display clamps to [0, 1] after the processor; this is that clamp.
  auto clamp = OCIO::RangeTransform::Create();
  clamp->setMinInValue(0.0), clamp->setMinOutValue(0.0);
  clamp->setMaxInValue(1.0), clamp->setMaxOutValue(1.0);
  g->appendTransform(clamp);
  return g;
}

std::string camera_log_display_name(CameraLog s) {
  switch (s) {
    case CameraLog::Rec709: return "Rec.709 display";
    case CameraLog::SLog3: return "S-Log3 S-Gamut3.Cine";
    case CameraLog::LogC3: return "ARRI LogC3 (EI800) AWG3";
    case CameraLog::LogC4: return "ARRI LogC4 AWG4";
    case CameraLog::VLog: return "Panasonic V-Log V-Gamut";
    case CameraLog::CLog3: return "Canon Log 3 Cinema Gamut";
    case CameraLog::Log3G10: return "RED Log3G10 REDWideGamutRGB";
  }
  return std::string(camera_log_name(s));
}

const Chromaticities kArriWideGamut4{0.7347, 0.2653,  0.1424, 0.8576,
                                     0.0991, -0.0308, 0.3127, 0.3290};

std::span<const CameraLog> all_camera_logs() { return kAll; }

std::string_view camera_log_name(CameraLog s) { return kNames[size_t(s)]; }

CameraLog parse_input_colorspace(std::string_view name) {
  const std::string n = normalise_name(name);
  for (size_t i = 0; i < kAll.size(); ++i)
    if (n == kNames[i]) return kAll[i];
  std::string valid;
  for (auto v : kNames) valid += (valid.empty() ? "" : ", ") + std::string(v);
  throw_usage("unknown input colour space '" + std::string(name) + "' (valid: " + valid + ")");
}

double logc4_to_linear(double x) {
  if (x < 0.0) return x * kLogC4.s + kLogC4.t;
  return (std::pow(2.0, 14.0 * (x - kLogC4.c) / kLogC4.b + 6.0) - 64.0) / kLogC4.a;
}

double linear_to_logc4(double e) {
  if (e < kLogC4.t) return (e - kLogC4.t) / kLogC4.s;
  return (std::log2(kLogC4.a * e + 64.0) - 6.0) / 14.0 * kLogC4.b + kLogC4.c;
}

void camera_log_to_linear_rec709(CameraLog s, std::span<float> rgb) {
  check_rgb(rgb);
  if (s == CameraLog::Rec709) {
    // Rec.709 video is taken as camera-encoded: undo the BT.709 OETF.
    for (float& v : rgb) v = rec709_inverse_oetf(v);
    return;
  }
  apply_processor(processor(s, false), rgb);
}

Vec3 camera_log_to_linear_rec709(CameraLog s, Vec3 code) {
  camera_log_to_linear_rec709(s, std::span<float>(code));
  return code;
}

void camera_log_to_rec709_display(CameraLog s, std::span<float> rgb) {
  check_rgb(rgb);
  if (s == CameraLog::Rec709) return;
  apply_processor(processor(s, true), rgb);
  for (float& v : rgb) v = std::clamp(v, 0.f, 1.f);
}

Vec3 camera_log_to_rec709_display(CameraLog s, Vec3 code) {
  camera_log_to_rec709_display(s, std::span<float>(code));
  return code;
}

std::vector<float> bake_camera_log_to_rec709_display(CameraLog s, int size) {
  if (size < 2 || size > 256) throw_usage("LUT size must be 2..256, got " + std::to_string(size));
  const size_t n = size_t(size);
  std::vector<float> table(n * n * n * 3);
  const float step = 1.f / float(size - 1);
  size_t i = 0;
  for (size_t b = 0; b < n; ++b)
    for (size_t g = 0; g < n; ++g)
      for (size_t r = 0; r < n; ++r) {
        table[i++] = float(r) * step;
        table[i++] = float(g) * step;
        table[i++] = float(b) * step;
      }
  camera_log_to_rec709_display(s, table);
  return table;
}

}  // namespace autograde
