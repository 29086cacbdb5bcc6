// The one-line reading of a Look that the CLI and the report print per shot (issue 25: the user
// must see what the match did without opening plan.json).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "autograde/color/color.hpp"
#include "autograde/look/look.hpp"
#include "autograde/look/look_fit.hpp"

namespace autograde {

namespace {

// The nearest colour word for an OKLab hue angle (degrees). Centres read off OKLab's hue circle
// for sRGB primaries and secondaries (red ≈ 29°, yellow ≈ 110°, green ≈ 142°, cyan ≈ 195°,
// blue ≈ 264°, magenta ≈ 328°; Ottosson 2020), with orange, teal and purple between them.
const char* hue_word(double deg) {
  static const struct {
    double centre;
    const char* name;
  } words[] = {{25, "red"},   {60, "orange"}, {105, "yellow"}, {142, "green"}, {190, "teal"},
               {250, "blue"}, {295, "purple"}, {330, "magenta"}};
  deg = std::fmod(std::fmod(deg, 360.0) + 360.0, 360.0);
  const char* best = words[0].name;
  double best_d = 1e9;
  for (const auto& w : words) {
    const double d = std::min(std::abs(deg - w.centre), 360.0 - std::abs(deg - w.centre));
    if (d < best_d) best_d = d, best = w.name;
  }
  return best;
}

// OKLab chroma and hue (degrees) of a display code value.
std::pair<double, double> oklab_chroma_hue(Rgb code) {
  const Vec3 lab = linear_srgb_to_oklab(
      {srgb_to_linear(code[0]), srgb_to_linear(code[1]), srgb_to_linear(code[2])});
  return {std::hypot(lab[1], lab[2]), std::atan2(lab[2], lab[1]) * 180.0 / M_PI};
}

}  // namespace

float look_mean_change(const Look& look) {
  constexpr int n = 9;
  double sum = 0;
  for (int b = 0; b < n; ++b)
    for (int g = 0; g < n; ++g)
      for (int r = 0; r < n; ++r) {
        const Rgb x{r / float(n - 1), g / float(n - 1), b / float(n - 1)};
        const Rgb y = apply_look(look, x);
        sum += (std::abs(y[0] - x[0]) + std::abs(y[1] - x[1]) + std::abs(y[2] - x[2])) / 3.0;
      }
  return float(sum / (n * n * n));
}

namespace {

// The parameters a colourist would name, in words (the residual LUT aside).
std::vector<std::string> parameter_words(const Look& l) {
  std::vector<std::string> parts;
  // Thresholds: about the smallest change a colourist would dial on purpose (a few percent of
  // a stop, of the slope, of chroma); below them a parameter is matching noise.
  if (std::abs(l.exposure) >= 0.05f)
    parts.push_back(fmt::format("{} by {:.2f} stop", l.exposure > 0 ? "brighter" : "darker",
                                std::abs(l.exposure)));
  if (std::abs(l.temperature) >= 0.03f)
    parts.push_back(fmt::format("{} by {:.2f} stop", l.temperature > 0 ? "warmer" : "cooler",
                                std::abs(l.temperature)));
  if (std::abs(l.tint) >= 0.03f)
    parts.push_back(fmt::format("{} by {:.2f} stop", l.tint > 0 ? "more magenta" : "greener",
                                std::abs(l.tint)));
  if (std::abs(l.contrast - 1.f) >= 0.03f)
    parts.push_back(fmt::format("contrast {:+.0f} %", 100.f * (l.contrast - 1.f)));
  if (std::abs(l.saturation - 1.f) >= 0.03f)
    parts.push_back(fmt::format("saturation {:+.0f} %", 100.f * (l.saturation - 1.f)));
  if (std::abs(l.vibrance) >= 0.05f) parts.push_back(fmt::format("vibrance {:+.2f}", l.vibrance));
  if (l.fade >= 0.01f || l.black_point <= -0.01f) parts.push_back("lifted blacks");
  // Casts of the dark and the bright greys from the tonal-colour parameters (lift / gamma /
  // gain per channel, split toning), white balance left out: it is named above.
  Look tonal = l;
  tonal.exposure = tonal.temperature = tonal.tint = 0.f;
  tonal.strength = 1.f;
  for (const auto& [grey, where] : {std::pair{0.15f, "shadows"}, std::pair{0.85f, "highlights"}}) {
    const auto [chroma, hue] = oklab_chroma_hue(apply_look(tonal, {grey, grey, grey}));
    if (chroma >= 0.012) parts.push_back(fmt::format("{} {}", hue_word(hue), where));
  }
  float widest = 0;
  int at = 0;
  for (int k = 0; k < kHueSectors; ++k)
    if (std::abs(l.hue_shift_deg[k]) > std::abs(widest)) widest = l.hue_shift_deg[k], at = k;
  if (std::abs(widest) >= 3.f)
    parts.push_back(fmt::format("{} hues turned {:+.0f}°", hue_word(at * 360.0 / kHueSectors), widest));
  return parts;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string s;
  for (const std::string& p : parts) s += (s.empty() ? "" : ", ") + p;
  return s.empty() ? "close to no change" : s;
}

// The reading of a LUT grade costs a fit of the whole grade (about 0.13 s at 33^3), and the CLI,
// the report and the contact sheet each ask for the same shot's. The last few readings are kept,
// keyed by the Look's exact content (parameters and residual bytes), so a shot is fitted once.
std::string lut_grade_reading(const Look& l) {
  std::string key = parameters_to_json(l).dump();
  const auto& t = l.residual->table;
  const size_t head = key.size();
  key.resize(head + t.size() * sizeof(float));
  std::memcpy(key.data() + head, t.data(), t.size() * sizeof(float));
  static std::mutex mutex;
  static std::deque<std::pair<std::string, std::string>> recent;  // newest first
  {
    const std::lock_guard lock(mutex);
    for (const auto& [k, reading] : recent)
      if (k == key) return reading;
  }
  const LookPairFit fit = fit_look_to_grade(l);
  std::string reading =
      fmt::format("LUT grade reading as {} (that Look is within {:.1f} code values RMS of it)",
                  joined(parameter_words(fit.look)), 255.0 * fit.rms);
  const std::lock_guard lock(mutex);
  recent.emplace_front(std::move(key), reading);
  if (recent.size() > 8) recent.pop_back();
  return reading;
}

}  // namespace

std::string look_summary(const Look& l) {
  std::string s;
  if (!l.residual) {
    s = joined(parameter_words(l));
  } else {
    // A LUT grade (a learned or transferred match, a look LUT) has no parameters to name, so it
    // is read through the Look that best reproduces the whole grade, with how far that reading
    // is from the LUT.
    s = lut_grade_reading(l);
  }
  if (l.strength < 0.995f) s += fmt::format(" (at {:.0f} % strength)", 100.f * l.strength);
  return s;
}

}  // namespace autograde
