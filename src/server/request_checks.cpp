#include "request_checks.hpp"

#include <fmt/format.h>

#include <array>
#include <cstring>

#include "autograde/color/camera_log.hpp"
#include "autograde/pipeline/shot_look.hpp"

namespace autograde::server {

std::optional<std::string> path_problem(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return "contains a NUL byte";
  if (!text.empty() && (text[0] == '/' || text[0] == '\\' || text[0] == '~'))
    return "is an absolute path";
  if (text.size() >= 2 && std::isalpha(static_cast<unsigned char>(text[0])) && text[1] == ':')
    return "is an absolute path";
  // A ".." segment between slashes (either kind) or at either end of the text.
  for (size_t at = text.find(".."); at != std::string_view::npos; at = text.find("..", at + 1)) {
    const bool start = at == 0 || text[at - 1] == '/' || text[at - 1] == '\\';
    const bool end = at + 2 == text.size() || text[at + 2] == '/' || text[at + 2] == '\\';
    if (start && end) return "climbs out of its folder (\"..\")";
  }
  return std::nullopt;
}

void check_json_strings(const nlohmann::json& j, const std::string& where) {
  if (j.is_string()) {
    if (auto p = path_problem(j.get_ref<const std::string&>()))
      throw HttpError(400, fmt::format("{}: '{}' {}", where, j.get<std::string>(), *p));
  } else if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (auto p = path_problem(k))
        throw HttpError(400, fmt::format("{}: key '{}' {}", where, k, *p));
      check_json_strings(v, where + "." + k);
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) check_json_strings(j[i], fmt::format("{}[{}]", where, i));
  }
}

namespace {

struct Signature {
  size_t offset;
  std::string_view magic;
  const char* kind;
  const char* ext;
};

// Container and image signatures (the formats FFmpeg and OpenImageIO read here).
const std::array<Signature, 11> kSignatures{{
    {0, "\x89PNG\r\n\x1a\n", "image", ".png"},
    {0, "\xff\xd8\xff", "image", ".jpg"},
    {0, "II*\0", "image", ".tif"},
    {0, "MM\0*", "image", ".tif"},
    {0, "\x76\x2f\x31\x01", "image", ".exr"},
    {0, "SDPX", "image", ".dpx"},
    {0, "XPDS", "image", ".dpx"},
    {4, "ftyp", "video", ".mp4"},  // ISO BMFF: mp4, mov, m4v
    {0, "\x1a\x45\xdf\xa3", "video", ".mkv"},
    {0, "YUV4MPEG2", "video", ".y4m"},
    {0, "\x06\x0e\x2b\x34", "video", ".mxf"},
}};

const Signature* sniff(std::string_view bytes) {
  for (const Signature& s : kSignatures)
    if (bytes.size() >= s.offset + s.magic.size() &&
        bytes.substr(s.offset, s.magic.size()) == s.magic)
      return &s;
  // QuickTime files without ftyp start with another atom (moov, mdat, wide, free).
  if (bytes.size() >= 8)
    for (std::string_view atom : {"moov", "mdat", "wide", "free"})
      if (bytes.substr(4, 4) == atom) return &kSignatures[7];
  return nullptr;
}

float number_in(const nlohmann::json& v, const std::string& key, double lo, double hi) {
  if (!v.is_number()) throw HttpError(400, fmt::format("{}: expected a number", key));
  const double x = v.get<double>();
  if (!(x >= lo && x <= hi))
    throw HttpError(400, fmt::format("{}: {} is outside {}..{}", key, x, lo, hi));
  return float(x);
}

int int_in(const nlohmann::json& v, const std::string& key, int lo, int hi) {
  if (!v.is_number_integer()) throw HttpError(400, fmt::format("{}: expected an integer", key));
  const int64_t x = v.get<int64_t>();
  if (x < lo || x > hi)
    throw HttpError(400, fmt::format("{}: {} is outside {}..{}", key, x, lo, hi));
  return int(x);
}

bool flag(const nlohmann::json& v, const std::string& key) {
  if (!v.is_boolean()) throw HttpError(400, fmt::format("{}: expected true or false", key));
  return v.get<bool>();
}

std::string text(const nlohmann::json& v, const std::string& key) {
  if (!v.is_string()) throw HttpError(400, fmt::format("{}: expected a string", key));
  return v.get<std::string>();
}

}  // namespace

std::string sniff_media(std::string_view bytes) {
  const Signature* s = sniff(bytes);
  return s ? s->kind : "";
}

std::string media_extension(std::string_view bytes) {
  const Signature* s = sniff(bytes);
  return s ? s->ext : "";
}

nlohmann::json apply_job_options(const nlohmann::json& options, GradeOptions& o) {
  if (!options.is_object()) throw HttpError(400, "options: expected a JSON object");
  check_json_strings(options, "options");
  for (const auto& [k, v] : options.items()) {
    const std::string key = "options." + k;
    if (k == "method") {
      o.method = text(v, key);
      bool known = false;
      for (const LookMethod& m : look_methods()) known = known || m.name == o.method;
      if (!known)
        throw HttpError(400, fmt::format("{}: unknown method '{}' (one of {})",
                                         key, o.method, look_method_list(", ")));
    } else if (k == "strength") {
      o.strength = number_in(v, key, 0, 1);
    } else if (k == "transfer") {
      o.transfer = number_in(v, key, 0, 1);
    } else if (k == "lut_size") {
      o.lut_size = int_in(v, key, 2, 129);
    } else if (k == "samples") {
      o.samples_per_shot = int_in(v, key, 1, 64);
    } else if (k == "input_colorspace") {
      o.input_colorspace = text(v, key);
      if (o.input_colorspace != "auto") {
        try {
          (void)parse_input_colorspace(o.input_colorspace);
        } catch (const std::exception& e) {
          throw HttpError(400, key + ": " + e.what());
        }
      }
    } else if (k == "auto_correct") {
      o.auto_correct = flag(v, key);
    } else if (k == "continuity") {
      o.continuity = flag(v, key);
    } else if (k == "exclude") {
      if (!v.is_array()) throw HttpError(400, key + ": expected an array of shot numbers");
      o.exclude.clear();
      for (const auto& s : v) o.exclude.push_back(int_in(s, key, 0, 1000000));
    } else if (k == "crf") {
      o.encode.crf = int_in(v, key, 0, 51);
    } else {
      throw HttpError(
          400,
          fmt::format("{}: unknown option (known: method, strength, transfer, lut_size, samples, "
                      "input_colorspace, auto_correct, continuity, exclude, crf)",
                      key));
    }
  }
  return options;
}

Refinement parse_refinement(const nlohmann::json& body) {
  Refinement r;
  for (const auto& [k, v] : body.items()) {
    if (k == "text") {
      r.text = text(v, k);
    } else if (k == "shot") {
      if (!v.is_null()) r.shot = int_in(v, k, 0, 1000000);
    } else if (k == "sliders") {
      if (!v.is_object()) throw HttpError(400, "sliders: expected an object");
      // The CLI's ranges (cmd_refine.cpp), the Look's own limits in the sliders' units.
      for (const auto& [s, x] : v.items()) {
        const std::string key = "sliders." + s;
        if (x.is_null()) continue;
        if (s == "exposure")
          r.sliders.exposure = number_in(x, key, -4, 4);
        else if (s == "contrast")
          r.sliders.contrast = number_in(x, key, -75, 300);
        else if (s == "saturation")
          r.sliders.saturation = number_in(x, key, -100, 300);
        else if (s == "temperature")
          r.sliders.temperature = number_in(x, key, -100, 100);
        else if (s == "tint")
          r.sliders.tint = number_in(x, key, -100, 100);
        else if (s == "strength")
          r.sliders.strength = number_in(x, key, 0, 1);
        else
          throw HttpError(
              400,
              key +
                  ": unknown slider (exposure, contrast, saturation, temperature, tint, strength)");
      }
    } else {
      throw HttpError(400, k + ": unknown field (text, shot, sliders)");
    }
  }
  r.command = refinement_command(r);
  return r;
}

nlohmann::json json_body(const std::string& content_type, const std::string& body) {
  // An action without parameters (undo, render) may come with no body at all.
  if (body.empty()) return nlohmann::json::object();
  if (content_type.rfind("application/json", 0) != 0)
    throw HttpError(415,
                    fmt::format("expected Content-Type application/json, got '{}'", content_type));
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) throw HttpError(400, "the body is not valid JSON");
  if (!j.is_object()) throw HttpError(400, "the body must be a JSON object");
  check_json_strings(j, "body");
  return j;
}

}  // namespace autograde::server
