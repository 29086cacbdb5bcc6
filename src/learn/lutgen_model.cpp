// The learned LUT generator's weight file and forward pass (network in lutgen.hpp).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/learn/lutgen.hpp"
#include "weight_container.hpp"

namespace autograde::learn {

namespace {

constexpr char kMagic[] = "AGLG0001";

size_t count_of(const std::vector<int>& shape) {
  size_t n = 1;
  for (int v : shape) n *= size_t(v);
  return n;
}

using Vec = std::vector<float>;

// y = W x + b with W [out x in] row-major.
Vec dense(const LutgenTensor& w, const LutgenTensor& b, const float* x) {
  const int out = w.shape[0], in = w.shape[1];
  Vec y(static_cast<size_t>(out));
  for (int o = 0; o < out; ++o) {
    const float* row = w.values.data() + size_t(o) * size_t(in);
    double acc = b.values[size_t(o)];
    for (int i = 0; i < in; ++i) acc += double(row[i]) * double(x[i]);
    y[size_t(o)] = float(acc);
  }
  return y;
}

void relu(Vec& v) {
  for (float& x : v) x = std::max(0.f, x);
}

}  // namespace

std::vector<std::pair<std::string, std::vector<int>>> LutgenModel::layout(int d, int heads,
                                                                          int hidden, int bases,
                                                                          int lattice, int look_dim,
                                                                          int patches) {
  (void)heads;
  std::vector<std::pair<std::string, std::vector<int>>> l;
  l.push_back({"norm.band_mean", {kLutgenBandFeatures}});
  l.push_back({"norm.band_std", {kLutgenBandFeatures}});
  l.push_back({"norm.global_mean", {kLutgenGlobalFeatures}});
  l.push_back({"norm.global_std", {kLutgenGlobalFeatures}});
  l.push_back({"norm.look_scale", {look_dim}});
  for (const std::string enc : {"src", "ref"}) {
    l.push_back({enc + ".band1.weight", {d, kLutgenBandFeatures}});
    l.push_back({enc + ".band1.bias", {d}});
    l.push_back({enc + ".band2.weight", {d, d}});
    l.push_back({enc + ".band2.bias", {d}});
    l.push_back({enc + ".glob1.weight", {d, kLutgenGlobalFeatures}});
    l.push_back({enc + ".glob1.bias", {d}});
    l.push_back({enc + ".glob2.weight", {d, d}});
    l.push_back({enc + ".glob2.bias", {d}});
    l.push_back({enc + ".pos", {kLutgenTokens, d}});
  }
  l.push_back({"text.l1.weight", {d, look_dim}});
  l.push_back({"text.l1.bias", {d}});
  l.push_back({"text.l2.weight", {d, d}});
  l.push_back({"text.l2.bias", {d}});
  for (const std::string p : {"q", "k", "v", "o"}) {
    l.push_back({"attn." + p + ".weight", {d, d}});
    l.push_back({"attn." + p + ".bias", {d}});
  }
  l.push_back({"ln.weight", {d}});
  l.push_back({"ln.bias", {d}});
  l.push_back({"gen.l1.weight", {hidden, kLutgenTokens * d}});
  l.push_back({"gen.l1.bias", {hidden}});
  l.push_back({"gen.l2.weight", {bases, hidden}});
  l.push_back({"gen.l2.bias", {bases}});
  l.push_back({"gen.basis", {bases, 3, lattice, lattice, lattice}});
  if (patches > 0) {
    l.push_back({"norm.patch_mean", {kLutgenPatchFeatures}});
    l.push_back({"norm.patch_std", {kLutgenPatchFeatures}});
    l.push_back({"ref.patch1.weight", {d, kLutgenPatchFeatures}});
    l.push_back({"ref.patch1.bias", {d}});
    l.push_back({"ref.patch2.weight", {d, d}});
    l.push_back({"ref.patch2.bias", {d}});
    l.push_back({"ref.patch_pos", {patches, d}});
  }
  return l;
}

namespace {

// One record of a weight file; `used` is set to its length in bytes (a longer `bytes` holds
// further records).
LutgenModel parse_record(const std::string& bytes, const std::string& src, size_t& used) {
  const detail::WeightContainer c =
      detail::open_weight_container(bytes, kMagic, "LUT-generator model", src);
  LutgenModel m;
  std::vector<std::pair<std::string, std::vector<int>>> listed;
  try {
    const nlohmann::json& h = c.header;
    if (h.value("format", "") != "autograde-lutgen")
      throw_bad_input(src, "model header: format must be autograde-lutgen");
    const int version = h.value("version", 0);
    if (version != 1)
      throw_bad_input(src, "model header: network version " + std::to_string(version) +
                               " is not supported by this build (only version 1)");
    if (h.value("feature_version", 0) != kLutgenFeatureVersion)
      throw_bad_input(src, "model was trained on feature version " +
                               std::to_string(h.value("feature_version", 0)) +
                               ", this build computes version " +
                               std::to_string(kLutgenFeatureVersion));
    m.d = h.at("d").get<int>();
    m.heads = h.at("heads").get<int>();
    m.hidden = h.at("hidden").get<int>();
    m.bases = h.at("bases").get<int>();
    m.lattice = h.at("lattice").get<int>();
    m.look_dim = h.at("look_features").get<int>();
    m.patches = h.value("patches", 0);
    if (m.d <= 0 || m.d > 4096 || m.heads <= 0 || m.d % m.heads != 0 || m.hidden <= 0 ||
        m.hidden > 65536 || m.bases <= 0 || m.bases > 1024 || m.lattice < 2 || m.lattice > 65 ||
        m.look_dim != kLutgenLookFeatures || (m.patches != 0 && m.patches != kLutgenPatches))
      throw_bad_input(
          src,
          "model header: sizes out of range (d, heads, hidden, bases, lattice, look_features, "
          "patches)");
    for (const auto& t : h.at("tensors"))
      listed.push_back({t.at("name").get<std::string>(), t.at("shape").get<std::vector<int>>()});
    if (h.contains("meta")) m.meta = h.at("meta");
    // Residuals stacked on `auto` (meta "base" / "auto_token") are not run by this build.
    if (m.meta.is_object()) {
      if (m.meta.value("base", std::string("identity")) != "identity")
        throw_bad_input(src, "model meta: base '" + m.meta.value("base", std::string()) +
                                 "' is not supported by this build (only 'identity')");
      if (m.meta.value("auto_token", false))
        throw_bad_input(src, "model meta: auto_token models are not supported by this build");
    }
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(src, std::string("model header: ") + e.what());
  }
  const auto expected =
      LutgenModel::layout(m.d, m.heads, m.hidden, m.bases, m.lattice, m.look_dim, m.patches);
  if (listed != expected) {
    for (size_t i = 0; i < expected.size(); ++i)
      if (i >= listed.size() || listed[i] != expected[i])
        throw_bad_input(src, "model header: tensor " + std::to_string(i) + " should be '" +
                                 expected[i].first + "' with the network's shape");
    throw_bad_input(src, "model header lists " + std::to_string(listed.size() - expected.size()) +
                             " tensors the network does not have");
  }
  size_t need = 0;
  for (const auto& [name, shape] : expected) need += count_of(shape);
  // A longer payload may be further records (an ensemble); parse_lutgen checks what follows.
  const bool more = c.payload_bytes > need * 4 &&
                    bytes.compare(c.payload_offset + need * 4, sizeof kMagic - 1, kMagic) == 0;
  if (!more) detail::require_payload(c, need, src);
  used = c.payload_offset + need * 4;
  size_t at = c.payload_offset;
  for (const auto& [name, shape] : expected) {
    LutgenTensor t;
    t.shape = shape;
    t.values = detail::read_floats(bytes, at, count_of(shape), src, "tensor '" + name + "'");
    if (name.ends_with("_std") || name == "norm.look_scale")
      for (float v : t.values)
        if (!(v > 0.f)) throw_bad_input(src, "model tensor '" + name + "' must be > 0");
    at += t.values.size() * 4;
    m.tensors.emplace(name, std::move(t));
  }
  return m;
}

}  // namespace

LutgenModel parse_lutgen(const std::string& bytes, const std::string& src) {
  size_t used = 0;
  LutgenModel m = parse_record(bytes, src, used);
  for (size_t at = used; at < bytes.size(); at += used) {
    const std::string name =
        src + " (ensemble member " + std::to_string(m.members.size() + 2) + ")";
    LutgenModel member = parse_record(bytes.substr(at), name, used);
    if (member.lattice != m.lattice)
      throw_bad_input(name, "an ensemble's networks must share the lattice");
    m.members.push_back(std::move(member));
  }
  return m;
}

std::string serialise_lutgen(const LutgenModel& m) {
  nlohmann::json h;
  h["format"] = "autograde-lutgen";
  h["version"] = 1;
  h["feature_version"] = kLutgenFeatureVersion;
  h["d"] = m.d;
  h["heads"] = m.heads;
  h["hidden"] = m.hidden;
  h["bases"] = m.bases;
  h["lattice"] = m.lattice;
  h["look_features"] = m.look_dim;
  if (m.patches > 0) h["patches"] = m.patches;
  h["tensors"] = nlohmann::json::array();
  const auto expected =
      LutgenModel::layout(m.d, m.heads, m.hidden, m.bases, m.lattice, m.look_dim, m.patches);
  for (const auto& [name, shape] : expected) {
    const auto it = m.tensors.find(name);
    if (it == m.tensors.end() || it->second.shape != shape ||
        it->second.values.size() != count_of(shape))
      throw_internal("lutgen model: tensor '" + name + "' is missing or has the wrong shape");
    h["tensors"].push_back({{"name", name}, {"shape", shape}});
  }
  h["meta"] = m.meta;
  std::string out = detail::begin_weight_container(kMagic, h);
  for (const auto& [name, shape] : expected) detail::append_floats(out, m.tensors.at(name).values);
  for (const LutgenModel& member : m.members) {
    if (!member.members.empty())
      throw_internal("lutgen model: ensemble members must be single networks");
    out += serialise_lutgen(member);
  }
  return out;
}

LutgenModel read_lutgen(const std::string& path) {
  return parse_lutgen(read_file(path, input_limits::kModelBytes, "model"), path);
}

void write_lutgen(const std::string& path, const LutgenModel& m) {
  write_file_atomic(path, serialise_lutgen(m));
}

Lut3D LutgenModel::predict(const LutgenTokens* source, const LutgenTokens& reference,
                           const Look* prompt) const {
  const auto& T = tensors;
  auto t = [&](const std::string& name) -> const LutgenTensor& { return T.at(name); };
  // Eqs. 1-6: tokens → common d-dimensional embedding.
  auto encode = [&](const std::string& enc, const LutgenTokens* tok) {
    std::vector<Vec> out;
    for (int k = 0; k < kLutgenTokens; ++k) {
      const bool band = k < kLutgenBands;
      const int n = band ? kLutgenBandFeatures : kLutgenGlobalFeatures;
      const auto& mean = t(band ? "norm.band_mean" : "norm.global_mean").values;
      const auto& sd = t(band ? "norm.band_std" : "norm.global_std").values;
      Vec x(size_t(n), 0.f);
      if (tok) {
        const float* raw = band ? tok->band[size_t(k)].data() : tok->global.data();
        for (int i = 0; i < n; ++i) x[size_t(i)] = (raw[i] - mean[size_t(i)]) / sd[size_t(i)];
      }
      const std::string p = enc + (band ? ".band" : ".glob");
      Vec h = dense(t(p + "1.weight"), t(p + "1.bias"), x.data());
      relu(h);
      Vec e = dense(t(p + "2.weight"), t(p + "2.bias"), h.data());
      const float* pos = t(enc + ".pos").values.data() + size_t(k) * size_t(d);
      for (int i = 0; i < d; ++i) e[size_t(i)] += pos[i];
      out.push_back(std::move(e));
    }
    return out;
  };
  const std::vector<Vec> es = encode("src", source);
  std::vector<Vec> er = encode("ref", &reference);
  if (patches > 0) {
    if (reference.patches.size() != size_t(patches))
      throw_internal("lutgen: this network reads the reference's patch tokens; none were given");
    const auto& mean = t("norm.patch_mean").values;
    const auto& sd = t("norm.patch_std").values;
    for (int k = 0; k < patches; ++k) {
      Vec x(static_cast<size_t>(kLutgenPatchFeatures));
      for (int i = 0; i < kLutgenPatchFeatures; ++i)
        x[size_t(i)] = (reference.patches[size_t(k)][size_t(i)] - mean[size_t(i)]) / sd[size_t(i)];
      Vec h = dense(t("ref.patch1.weight"), t("ref.patch1.bias"), x.data());
      relu(h);
      Vec e = dense(t("ref.patch2.weight"), t("ref.patch2.bias"), h.data());
      const float* pos = t("ref.patch_pos").values.data() + size_t(k) * size_t(d);
      for (int i = 0; i < d; ++i) e[size_t(i)] += pos[i];
      er.push_back(std::move(e));
    }
  }
  if (prompt) {
    const std::vector<float> f = look_features(*prompt);
    const auto& scale = t("norm.look_scale").values;
    Vec x(static_cast<size_t>(look_dim));
    for (int i = 0; i < look_dim; ++i) x[size_t(i)] = f[size_t(i)] / scale[size_t(i)];
    Vec h = dense(t("text.l1.weight"), t("text.l1.bias"), x.data());
    relu(h);
    er.push_back(dense(t("text.l2.weight"), t("text.l2.bias"), h.data()));
  }
  // Eqs. 7-8 with per-head projections (eqs. 62-63): queries from the source, keys and values
  // from the reference (+ prompt).
  std::vector<Vec> q, k, v;
  for (const auto& e : es) q.push_back(dense(t("attn.q.weight"), t("attn.q.bias"), e.data()));
  for (const auto& e : er) {
    k.push_back(dense(t("attn.k.weight"), t("attn.k.bias"), e.data()));
    v.push_back(dense(t("attn.v.weight"), t("attn.v.bias"), e.data()));
  }
  const int dh = d / heads;
  const double inv = 1.0 / std::sqrt(double(dh));
  Vec style;
  style.reserve(size_t(kLutgenTokens * d));
  for (size_t i = 0; i < q.size(); ++i) {
    Vec att(size_t(d), 0.f);
    for (int hd = 0; hd < heads; ++hd) {
      std::vector<double> s(k.size());
      double mx = -1e300;
      for (size_t j = 0; j < k.size(); ++j) {
        double acc = 0;
        for (int c = hd * dh; c < (hd + 1) * dh; ++c)
          acc += double(q[i][size_t(c)]) * double(k[j][size_t(c)]);
        s[j] = acc * inv;
        mx = std::max(mx, s[j]);
      }
      double z = 0;
      for (double& x : s) z += (x = std::exp(x - mx));
      for (size_t j = 0; j < k.size(); ++j)
        for (int c = hd * dh; c < (hd + 1) * dh; ++c)
          att[size_t(c)] += float(s[j] / z) * v[j][size_t(c)];
    }
    Vec o = dense(t("attn.o.weight"), t("attn.o.bias"), att.data());
    // Eq. 9: residual + LayerNorm (eqs. 66-68, eps 1e-5).
    double mu = 0, var = 0;
    for (int c = 0; c < d; ++c) mu += (o[size_t(c)] += es[i][size_t(c)]);
    mu /= d;
    for (int c = 0; c < d; ++c) var += (o[size_t(c)] - mu) * (o[size_t(c)] - mu);
    var /= d;
    const double r = 1.0 / std::sqrt(var + 1e-5);
    const auto& g = t("ln.weight").values;
    const auto& b = t("ln.bias").values;
    for (int c = 0; c < d; ++c)
      style.push_back(float((o[size_t(c)] - mu) * r) * g[size_t(c)] + b[size_t(c)]);
  }
  // Eq. 13: style → basis weights → identity + Σ w_k B_k.
  Vec h = dense(t("gen.l1.weight"), t("gen.l1.bias"), style.data());
  relu(h);
  const Vec w = dense(t("gen.l2.weight"), t("gen.l2.bias"), h.data());
  Lut3D lut = Lut3D::identity(lattice);
  const size_t cells = size_t(lattice) * size_t(lattice) * size_t(lattice);
  const auto& basis = t("gen.basis").values;
  for (int kk = 0; kk < bases; ++kk) {
    const float wk = w[size_t(kk)];
    for (int c = 0; c < 3; ++c) {
      const float* bc = basis.data() + (size_t(kk) * 3 + size_t(c)) * cells;
      for (size_t i = 0; i < cells; ++i) lut.table[3 * i + size_t(c)] += wk * bc[i];
    }
  }
  return lut;
}

}  // namespace autograde::learn
