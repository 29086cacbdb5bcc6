// The weight files' shared container (weight_container.hpp).
#include "weight_container.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "autograde/core/error.hpp"

namespace autograde::learn::detail {

namespace {

constexpr size_t kMagicLen = 8;
constexpr uint32_t kMaxHeader = 1u << 20;

uint32_t read_u32_le(const std::string& s, size_t at) {
  return uint32_t(uint8_t(s[at])) | uint32_t(uint8_t(s[at + 1])) << 8 |
         uint32_t(uint8_t(s[at + 2])) << 16 | uint32_t(uint8_t(s[at + 3])) << 24;
}

void append_u32_le(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(char((v >> (8 * i)) & 0xff));
}

}  // namespace

WeightContainer open_weight_container(const std::string& bytes, const char (&magic)[9],
                                      const std::string& kind, const std::string& src) {
  if (bytes.size() < kMagicLen + 4 || bytes.compare(0, kMagicLen, magic) != 0)
    throw_bad_input(src,
                    "not an autograde " + kind + " (missing " + std::string(magic) + " magic)");
  const uint32_t hlen = read_u32_le(bytes, kMagicLen);
  if (hlen == 0 || hlen > kMaxHeader || kMagicLen + 4 + hlen > bytes.size())
    throw_bad_input(src, "model header length " + std::to_string(hlen) + " is out of range");
  WeightContainer c;
  try {
    c.header = nlohmann::json::parse(bytes.substr(kMagicLen + 4, hlen));
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(src, std::string("model header is not valid JSON: ") + e.what());
  }
  c.payload_offset = kMagicLen + 4 + hlen;
  c.payload_bytes = bytes.size() - c.payload_offset;
  return c;
}

void require_payload(const WeightContainer& c, size_t floats, const std::string& src) {
  if (c.payload_bytes != floats * 4)
    throw_bad_input(src, "model payload holds " + std::to_string(c.payload_bytes) +
                             " bytes, the header needs " + std::to_string(floats * 4) +
                             (c.payload_bytes < floats * 4 ? " (truncated)" : ""));
}

std::vector<float> read_floats(const std::string& bytes, size_t at, size_t n,
                               const std::string& src, const std::string& what) {
  if (at + n * 4 > bytes.size()) throw_bad_input(src, "model payload is truncated in " + what);
  std::vector<float> v(n);
  if (n) std::memcpy(v.data(), bytes.data() + at, n * 4);
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i]))
      throw_bad_input(
          src, "model " + what + " has a non-finite value at byte " + std::to_string(at + 4 * i));
  return v;
}

std::string begin_weight_container(const char (&magic)[9], const nlohmann::json& header) {
  const std::string h = header.dump();
  std::string out(magic, kMagicLen);
  append_u32_le(out, uint32_t(h.size()));
  out += h;
  return out;
}

void append_floats(std::string& out, const std::vector<float>& values) {
  if (!values.empty()) out.append(reinterpret_cast<const char*>(values.data()), values.size() * 4);
}

}  // namespace autograde::learn::detail
