// Look <-> JSON. Missing fields keep their defaults; older versions migrate forward.
#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <nlohmann/json.hpp>

#include "autograde/core/base64.hpp"
#include "autograde/core/error.hpp"
#include "autograde/look/look.hpp"

namespace autograde {

namespace {

nlohmann::json rgb_json(const Rgb& v) { return nlohmann::json::array({v[0], v[1], v[2]}); }

void read_float(const nlohmann::json& j, const char* key, float& out, const std::string& src) {
  if (!j.contains(key)) return;
  const auto& v = j.at(key);
  if (!v.is_number()) throw_bad_input(src, std::string("look field '") + key + "' must be a number");
  out = v.get<float>();
  if (!std::isfinite(out)) throw_bad_input(src, std::string("look field '") + key + "' is not finite");
}

template <size_t N>
void read_array(const nlohmann::json& j, const char* key, std::array<float, N>& out,
                const std::string& src) {
  if (!j.contains(key)) return;
  const auto& v = j.at(key);
  if (!v.is_array() || v.size() != N)
    throw_bad_input(src, std::string("look field '") + key + "' must be an array of " +
                             std::to_string(N) + " numbers");
  for (size_t i = 0; i < N; ++i) {
    if (!v[i].is_number()) throw_bad_input(src, std::string("look field '") + key + "' holds a non-number");
    out[i] = v[i].get<float>();
    if (!std::isfinite(out[i])) throw_bad_input(src, std::string("look field '") + key + "' is not finite");
  }
}

// The ranges clamp_to_limits keeps every Look the program makes inside (look.hpp LookLimits):
// a value outside them was typed by hand or damaged, and grading with it would be silently
// different from what the file says (issue 24: a strength of -3 rendered ungraded).
void check_range(float v, float lo, float hi, const std::string& key, const std::string& src) {
  if (!(v >= lo && v <= hi))
    throw_bad_input(src, fmt::format("look field '{}' is {:g}, outside {:g}..{:g}", key, v, lo, hi));
}

void check_ranges(const Look& l, const std::string& src) {
  const LookLimits m;
  check_range(l.black_point, -0.5f, 0.5f, "black_point", src);
  check_range(l.white_point, l.black_point + 0.05f, 1.5f, "white_point", src);
  check_range(l.exposure, -m.exposure, m.exposure, "exposure", src);
  check_range(l.temperature, -m.temperature, m.temperature, "temperature", src);
  check_range(l.tint, -m.tint, m.tint, "tint", src);
  check_range(l.contrast, m.contrast_min, m.contrast_max, "contrast", src);
  check_range(l.pivot, 0.05f, 0.95f, "pivot", src);
  for (int c = 0; c < 3; ++c) {
    const std::string i = "[" + std::to_string(c) + "]";
    check_range(l.lift[c], -m.lift, m.lift, "lift" + i, src);
    check_range(l.gamma[c], m.gamma_min, m.gamma_max, "gamma" + i, src);
    check_range(l.gain[c], m.gain_min, m.gain_max, "gain" + i, src);
  }
  check_range(l.fade, 0.f, m.fade, "fade", src);
  check_range(l.saturation, 0.f, m.saturation_max, "saturation", src);
  check_range(l.vibrance, -m.vibrance, m.vibrance, "vibrance", src);
  for (int k = 0; k < kHueSectors; ++k) {
    const std::string i = "[" + std::to_string(k) + "]";
    check_range(l.hue_shift_deg[k], -m.hue_shift_deg, m.hue_shift_deg, "hue_shift_deg" + i, src);
    check_range(l.hue_saturation[k], m.hue_saturation_min, m.hue_saturation_max,
                "hue_saturation" + i, src);
  }
  check_range(l.split.shadow_amount, 0.f, m.split_amount, "split_toning.shadow_amount", src);
  check_range(l.split.highlight_amount, 0.f, m.split_amount, "split_toning.highlight_amount", src);
  check_range(l.split.balance, -1.f, 1.f, "split_toning.balance", src);
  check_range(l.strength, 0.f, 1.f, "strength", src);
}

}  // namespace

nlohmann::json parameters_to_json(const Look& l) {
  nlohmann::json j;
  j["version"] = l.version;
  j["black_point"] = l.black_point;
  j["white_point"] = l.white_point;
  j["exposure"] = l.exposure;
  j["temperature"] = l.temperature;
  j["tint"] = l.tint;
  j["contrast"] = l.contrast;
  j["pivot"] = l.pivot;
  j["lift"] = rgb_json(l.lift);
  j["gamma"] = rgb_json(l.gamma);
  j["gain"] = rgb_json(l.gain);
  j["fade"] = l.fade;
  j["saturation"] = l.saturation;
  j["vibrance"] = l.vibrance;
  j["hue_shift_deg"] = l.hue_shift_deg;
  j["hue_saturation"] = l.hue_saturation;
  j["split_toning"] = {{"shadow_hue_deg", l.split.shadow_hue_deg},
                       {"shadow_amount", l.split.shadow_amount},
                       {"highlight_hue_deg", l.split.highlight_hue_deg},
                       {"highlight_amount", l.split.highlight_amount},
                       {"balance", l.split.balance}};
  j["strength"] = l.strength;
  return j;
}

nlohmann::json to_json(const Look& l) {
  nlohmann::json j = parameters_to_json(l);
  if (l.residual) {
    // The floats' bytes, little-endian, in base64 (look.hpp says why).
    std::vector<std::uint8_t> bytes;
    bytes.reserve(l.residual->table.size() * 4);
    for (float v : l.residual->table) {
      const auto u = std::bit_cast<std::uint32_t>(v);
      for (int s = 0; s < 32; s += 8) bytes.push_back(std::uint8_t(u >> s));
    }
    j["residual"] = {{"size", l.residual->size},
                     {"encoding", kResidualEncoding},
                     {"data", base64_encode(bytes)}};
  }
  return j;
}

Look look_from_json(const nlohmann::json& j, const std::string& src) {
  if (!j.is_object()) throw_bad_input(src, "a look must be a JSON object");
  Look l;
  int version = 1;  // documents written before versioning count as version 1
  if (j.contains("version")) {
    if (!j["version"].is_number_integer()) throw_bad_input(src, "look 'version' must be an integer");
    version = j["version"].get<int>();
  }
  if (version > kLookVersion)
    throw_bad_input(src, "look version " + std::to_string(version) + " is newer than this program (" +
                             std::to_string(kLookVersion) + ")");
  if (version < 1) throw_bad_input(src, "look version must be >= 1");
  // Version 2 changed only how the residual is stored, and both of its layouts are read below;
  // later versions add their migrations here, oldest first.
  l.version = kLookVersion;
  read_float(j, "black_point", l.black_point, src);
  read_float(j, "white_point", l.white_point, src);
  read_float(j, "exposure", l.exposure, src);
  read_float(j, "temperature", l.temperature, src);
  read_float(j, "tint", l.tint, src);
  read_float(j, "contrast", l.contrast, src);
  read_float(j, "pivot", l.pivot, src);
  read_array(j, "lift", l.lift, src);
  read_array(j, "gamma", l.gamma, src);
  read_array(j, "gain", l.gain, src);
  read_float(j, "fade", l.fade, src);
  read_float(j, "saturation", l.saturation, src);
  read_float(j, "vibrance", l.vibrance, src);
  read_array(j, "hue_shift_deg", l.hue_shift_deg, src);
  read_array(j, "hue_saturation", l.hue_saturation, src);
  if (j.contains("split_toning")) {
    const auto& s = j["split_toning"];
    if (!s.is_object()) throw_bad_input(src, "look 'split_toning' must be an object");
    read_float(s, "shadow_hue_deg", l.split.shadow_hue_deg, src);
    read_float(s, "shadow_amount", l.split.shadow_amount, src);
    read_float(s, "highlight_hue_deg", l.split.highlight_hue_deg, src);
    read_float(s, "highlight_amount", l.split.highlight_amount, src);
    read_float(s, "balance", l.split.balance, src);
  }
  if (j.contains("residual") && !j["residual"].is_null()) {
    const auto& r = j["residual"];
    const char* layout =
        "look 'residual' must be {\"size\": N, \"encoding\": \"float32le-base64\", \"data\": "
        "\"...\"} (or, in version 1, {\"size\": N, \"table\": [...]})";
    if (!r.is_object() || !r.contains("size") || !r["size"].is_number_integer())
      throw_bad_input(src, layout);
    Lut3D lut;
    lut.size = r["size"].get<int>();
    if (r.contains("table")) {  // version 1: the floats as JSON numbers
      if (!r["table"].is_array() || r.contains("data")) throw_bad_input(src, layout);
      for (const auto& v : r["table"]) {
        if (!v.is_number()) throw_bad_input(src, "look 'residual' table holds a non-number");
        lut.table.push_back(v.get<float>());
      }
    } else {
      if (!r.contains("encoding") || !r["encoding"].is_string() || !r.contains("data") ||
          !r["data"].is_string())
        throw_bad_input(src, layout);
      if (r["encoding"].get<std::string>() != kResidualEncoding)
        throw_bad_input(src, "look 'residual' encoding '" + r["encoding"].get<std::string>() +
                                 "' is not " + kResidualEncoding);
      const auto bytes = base64_decode(r["data"].get_ref<const std::string&>());
      if (!bytes) throw_bad_input(src, "look 'residual' data is not base64");
      if (bytes->size() % 4 != 0)
        throw_bad_input(src, "look 'residual' data is not a whole number of float32 values");
      lut.table.resize(bytes->size() / 4);
      for (size_t i = 0; i < lut.table.size(); ++i) {
        std::uint32_t u = 0;
        for (int k = 0; k < 4; ++k) u |= std::uint32_t((*bytes)[i * 4 + size_t(k)]) << (8 * k);
        lut.table[i] = std::bit_cast<float>(u);
      }
    }
    validate(lut, src + " (residual)");
    l.residual = std::move(lut);
  }
  read_float(j, "strength", l.strength, src);
  check_ranges(l, src);
  return l;
}

}  // namespace autograde
