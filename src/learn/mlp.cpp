// MLP inference and the AGNN weight file (format documented in mlp.hpp).
#include "autograde/learn/mlp.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "weight_container.hpp"

namespace autograde::learn {

namespace {

constexpr char kMagic[] = "AGNN0001";

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
  const detail::WeightContainer c = detail::open_weight_container(bytes, kMagic, "model file", src);
  const nlohmann::json& h = c.header;
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
  detail::require_payload(c, need, src);
  size_t at = c.payload_offset;
  auto take = [&](size_t n, const std::string& what) {
    std::vector<float> v = detail::read_floats(bytes, at, n, src, what);
    at += 4 * n;
    return v;
  };
  m.input_mean = take(m.input_mean.size(), "input mean");
  m.input_std = take(m.input_std.size(), "input std");
  for (float v : m.input_std)
    if (!(v > 0.f)) throw_bad_input(src, "model input std must be > 0");
  for (size_t i = 0; i < m.layers.size(); ++i) {
    auto& l = m.layers[i];
    l.weights = take(size_t(l.in) * size_t(l.out), "layer " + std::to_string(i) + " weights");
    l.bias = take(size_t(l.out), "layer " + std::to_string(i) + " bias");
  }
  return m;
}

Mlp read_mlp(const std::string& path) { return parse_mlp(read_file(path, input_limits::kModelBytes, "model"), path); }

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
  std::string out = detail::begin_weight_container(kMagic, h);
  detail::append_floats(out, m.input_mean);
  detail::append_floats(out, m.input_std);
  for (const auto& l : m.layers) {
    detail::append_floats(out, l.weights);
    detail::append_floats(out, l.bias);
  }
  return out;
}

void write_mlp(const std::string& path, const Mlp& mlp) { write_file_atomic(path, serialise_mlp(mlp)); }

}  // namespace autograde::learn
