// MLP inference and the AGNN weight file (format documented in mlp.hpp).
#include "autograde/learn/mlp.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"

namespace autograde::learn {

namespace {

constexpr char kMagic[] = "AGNN0001";
constexpr size_t kMagicLen = 8;
constexpr uint32_t kMaxHeader = 1u << 20;

uint32_t read_u32_le(const std::string& s, size_t at) {
  return uint32_t(uint8_t(s[at])) | uint32_t(uint8_t(s[at + 1])) << 8 |
         uint32_t(uint8_t(s[at + 2])) << 16 | uint32_t(uint8_t(s[at + 3])) << 24;
}

void append_u32_le(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(char((v >> (8 * i)) & 0xff));
}

// Float32 little-endian; this code targets little-endian hosts (x86-64, arm64).
float read_f32_le(const std::string& s, size_t at) {
  const uint32_t bits = read_u32_le(s, at);
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

void append_f32_le(std::string& s, float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  append_u32_le(s, bits);
}

Activation parse_activation(const std::string& name, const std::string& src) {
  if (name == "relu") return Activation::Relu;
  if (name == "linear") return Activation::Linear;
  throw_bad_input(src, "unknown activation '" + name + "' (expected relu or linear)");
}

const char* activation_name(Activation a) { return a == Activation::Relu ? "relu" : "linear"; }

}  // namespace

std::vector<float> Mlp::forward(const std::vector<float>& x) const {
  if (int(x.size()) != inputs())
    throw_internal("mlp '" + task + "': expected " + std::to_string(inputs()) + " inputs, got " +
                   std::to_string(x.size()));
  Eigen::VectorXf v(inputs());
  for (int i = 0; i < inputs(); ++i) v[i] = (x[size_t(i)] - input_mean[size_t(i)]) / input_std[size_t(i)];
  for (const auto& l : layers) {
    Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> w(
        l.weights.data(), l.out, l.in);
    Eigen::Map<const Eigen::VectorXf> b(l.bias.data(), l.out);
    Eigen::VectorXf y = w * v + b;
    if (l.activation == Activation::Relu) y = y.cwiseMax(0.f);
    v = std::move(y);
  }
  return std::vector<float>(v.data(), v.data() + v.size());
}

Mlp parse_mlp(const std::string& bytes, const std::string& src) {
  if (bytes.size() < kMagicLen + 4 || bytes.compare(0, kMagicLen, kMagic) != 0)
    throw_bad_input(src, "not an autograde model file (missing AGNN0001 magic)");
  const uint32_t hlen = read_u32_le(bytes, kMagicLen);
  if (hlen == 0 || hlen > kMaxHeader || kMagicLen + 4 + hlen > bytes.size())
    throw_bad_input(src, "model header length " + std::to_string(hlen) + " is out of range");
  nlohmann::json h;
  try {
    h = nlohmann::json::parse(bytes.substr(kMagicLen + 4, hlen));
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(src, std::string("model header is not valid JSON: ") + e.what());
  }
  Mlp m;
  size_t need = 0;
  try {
    if (h.value("format", "") != "autograde-mlp" || h.value("version", 0) != 1)
      throw_bad_input(src, "model header: format must be autograde-mlp version 1");
    m.task = h.at("task").get<std::string>();
    const int inputs = h.at("inputs").get<int>();
    if (inputs <= 0 || inputs > 100000) throw_bad_input(src, "model header: bad input count");
    need = 2 * size_t(inputs);
    int prev = inputs;
    for (const auto& lj : h.at("layers")) {
      DenseLayer l;
      l.in = lj.at("in").get<int>();
      l.out = lj.at("out").get<int>();
      l.activation = parse_activation(lj.at("activation").get<std::string>(), src);
      if (l.in != prev || l.out <= 0 || l.out > 100000)
        throw_bad_input(src, "model header: layer sizes do not chain (" + std::to_string(l.in) +
                                 " inputs after " + std::to_string(prev) + ")");
      need += size_t(l.in) * size_t(l.out) + size_t(l.out);
      prev = l.out;
      m.layers.push_back(std::move(l));
    }
    if (m.layers.empty()) throw_bad_input(src, "model header: no layers");
    m.input_mean.resize(size_t(inputs));
    m.input_std.resize(size_t(inputs));
    if (h.contains("meta")) m.meta = h.at("meta");
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(src, std::string("model header: ") + e.what());
  }
  const size_t start = kMagicLen + 4 + hlen;
  const size_t have = bytes.size() - start;
  if (have != need * 4)
    throw_bad_input(src, "model payload holds " + std::to_string(have) + " bytes, the header needs " +
                             std::to_string(need * 4) + (have < need * 4 ? " (truncated)" : ""));
  size_t at = start;
  auto next = [&]() {
    const float v = read_f32_le(bytes, at);
    if (!std::isfinite(v))
      throw_bad_input(src, "model payload has a non-finite value at byte " + std::to_string(at));
    at += 4;
    return v;
  };
  for (auto& v : m.input_mean) v = next();
  for (auto& v : m.input_std) {
    v = next();
    if (!(v > 0.f)) throw_bad_input(src, "model input std must be > 0");
  }
  for (auto& l : m.layers) {
    l.weights.resize(size_t(l.in) * size_t(l.out));
    l.bias.resize(size_t(l.out));
    for (auto& v : l.weights) v = next();
    for (auto& v : l.bias) v = next();
  }
  return m;
}

Mlp read_mlp(const std::string& path) { return parse_mlp(read_file(path), path); }

std::string serialise_mlp(const Mlp& m) {
  nlohmann::json h;
  h["format"] = "autograde-mlp";
  h["version"] = 1;
  h["task"] = m.task;
  h["inputs"] = m.inputs();
  h["layers"] = nlohmann::json::array();
  for (const auto& l : m.layers)
    h["layers"].push_back({{"in", l.in}, {"out", l.out}, {"activation", activation_name(l.activation)}});
  h["meta"] = m.meta;
  const std::string header = h.dump();
  std::string out(kMagic, kMagicLen);
  append_u32_le(out, uint32_t(header.size()));
  out += header;
  for (float v : m.input_mean) append_f32_le(out, v);
  for (float v : m.input_std) append_f32_le(out, v);
  for (const auto& l : m.layers) {
    for (float v : l.weights) append_f32_le(out, v);
    for (float v : l.bias) append_f32_le(out, v);
  }
  return out;
}

void write_mlp(const std::string& path, const Mlp& mlp) { write_file_atomic(path, serialise_mlp(mlp)); }

}  // namespace autograde::learn
