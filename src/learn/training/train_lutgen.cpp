// train_lutgen: trains the learned LUT generator (lutgen.hpp) on the CPU with libtorch and
// writes the AGLG weight file that the autograde binary runs in plain C++. The recipe, its
// options and what each was measured to do are in models/lutgen.md.
//
//   train_lutgen [--out models/lutgen.bin] [--cache DIR] [--seed 1] [--triplets 6000]
//                [--steps 4000] [--batch 32] [--threads 2] [--bases 24] [--eval-every 250]
//                [--sources real,random,blend,video[,film,mix3,fitted]] [--grey-weight 0]
//                [--order-weight 0] [--ema 0] [--photos N] [--mosaic 0]
//                [--corpus DIR [--corpus-photos N]] [--patches]
//                [--init FILE [--init-member K]] [--lr 2e-3]
//   train_lutgen --join A,B,... --out FILE   (an ensemble file of trained networks; no training)
//
// Data are triplets of the ground-truth protocol (match_protocol.hpp): source A, reference
// L(B) quantised to 8 bits, truth L(A), drawn from the lutgen_data.hpp training split only
// (with --corpus, also from the corpus's training split; its validation split then scores).
// Early stopping scores the validation cases of bench_lutgen --split validation through the
// product path (learned_match), so the trainer keeps what the benchmark would rank first.
#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <random>
#include <set>
#include <thread>

#include "autograde/core/error.hpp"
#include "autograde/core/image_ops.hpp"
#include "autograde/learn/lutgen.hpp"
#include "autograde/learn/lutgen_features.hpp"
#include "autograde/look/look_fit.hpp"
#include "autograde/look/match.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/training/corpus_split.hpp"
#include "autograde/training/dataset.hpp"
#include "autograde/training/lutgen_data.hpp"
#include "autograde/training/match_protocol.hpp"

namespace ag = autograde;
namespace al = autograde::learn;
namespace fs = std::filesystem;
namespace F = torch::nn::functional;

namespace {

constexpr int kPixels = 512;      // pixel samples of A stored per triplet
constexpr int kLossPixels = 256;  // of which the pixel losses use the first ones (speed)
constexpr int kLattice = 17;      // basis LUT lattice
constexpr int kBandF = al::kLutgenBandFeatures, kGlobF = al::kLutgenGlobalFeatures,
              kLookF = al::kLutgenLookFeatures;
constexpr int kTokF = al::kLutgenBands * kBandF + kGlobF;  // one image's flattened tokens
constexpr int kPatchF = al::kLutgenPatches * al::kLutgenPatchFeatures;  // its patch tokens

struct Options {
  std::string out = AUTOGRADE_SOURCE_DIR "/models/lutgen.bin";
  std::string cache = "lutgen-cache";
  uint64_t seed = 1;
  int triplets = 6000, steps = 4000, batch = 32, threads = 2;
  int d = 48, heads = 4, hidden = 128, bases = 24;
  double grey_weight = 0.0, order_weight = 0.0;  // grey-axis terms of the loss (0: off)
  double ema = 0.0;  // decay of the weights' moving average that is evaluated and exported (0: off)
  int eval_every = 250;  // validation dE00 every this many steps; the best step's weights are kept
                         // (0: last step)
  std::set<std::string> sources{"real", "random", "blend", "video"};
  int photos = 0;  // keep this many training photos, evenly spaced (0: all; the learning curve)
  bool patches = false;   // the reference's patch tokens join the attention (lutgen_features.hpp)
  std::string corpus;     // a corpus folder (corpus_split.hpp) whose training split joins training
                          // and whose validation split replaces the validation set
  int corpus_photos = 0;  // only the first N corpus training photos in hash order (0: all)
  double mosaic = 0.0;    // chance that a triplet's picture is a two-picture mosaic (draw_picture)
  std::vector<std::string> join;  // --join: weight files to write as one ensemble (no training)
  // --init: start from a trained network (network K of an ensemble file) instead of random
  // weights, keeping its input standardisation; a warm restart of the cosine schedule that
  // continues training on new triplets (another --seed draws other ones).
  std::string init;
  int init_member = 0;
  double lr = 2e-3;  // peak of the cosine learning-rate schedule (it ends at 1e-4)
  std::vector<ag::Look> fitted;   // the training LUTs read as Looks (source "fitted")
};

struct Draw {
  std::mt19937_64 gen;
  explicit Draw(uint64_t s) : gen(s) {}
  double uniform() { return double(gen() >> 11) * (1.0 / 9007199254740992.0); }
  int below(int n) { return int(uniform() * n) % n; }
  bool chance(double p) { return uniform() < p; }
};

std::vector<float> flat_tokens(const al::LutgenTokens& t) {
  std::vector<float> v;
  for (const auto& b : t.band) v.insert(v.end(), b.begin(), b.end());
  v.insert(v.end(), t.global.begin(), t.global.end());
  return v;
}

ag::ImageF crop_flip(const ag::ImageF& img, Draw& r) {
  const int w = std::max(8, int(img.width * (0.6 + 0.4 * r.uniform())));
  const int h = std::max(8, int(img.height * (0.6 + 0.4 * r.uniform())));
  const int x0 = r.below(std::max(1, img.width - w + 1)),
            y0 = r.below(std::max(1, img.height - h + 1));
  const bool flip = r.chance(0.5);
  ag::ImageF out(std::min(w, img.width), std::min(h, img.height), 3);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x) {
      const int sx = x0 + (flip ? out.width - 1 - x : x);
      for (int c = 0; c < 3; ++c) out.at(x, y)[c] = img.at(sx, y0 + y)[c];
    }
  return out;
}

// A triplet's picture: a crop of pics[i]; with chance `mosaic`, a mosaic of that crop and a crop
// of another picture (resized to it), cross-faded across a band of kMosaicBlend of the side
// around a seam at 30-70 % (vertical or horizontal). Mosaics give scenes whose colour
// statistics no single picture has, as the auto-correction trainer's do (dataset.hpp).
ag::ImageF draw_picture(const std::vector<ag::ImageF>& pics, int i, double mosaic, Draw& r) {
  ag::ImageF a = crop_flip(pics[size_t(i)], r);
  if (mosaic <= 0 || pics.size() < 2 || !r.chance(mosaic)) return a;  // no draws when off
  int j = i;
  while (j == i) j = r.below(int(pics.size()));
  const ag::ImageF b =
      ag::area_average(crop_flip(pics[size_t(j)], r), {.width = a.width, .height = a.height});
  const bool vertical_seam = r.chance(0.5);
  const double side = vertical_seam ? a.width : a.height;
  const double band = std::max(2.0, side * al::kMosaicBlend),
               start = side * (0.3 + 0.4 * r.uniform()) - band / 2;
  for (int y = 0; y < a.height; ++y)
    for (int x = 0; x < a.width; ++x) {
      const float t = float(std::clamp(((vertical_seam ? x : y) + 0.5 - start) / band, 0.0, 1.0));
      float* p = a.at(x, y);
      const float* q = b.at(x, y);
      for (int c = 0; c < 3; ++c) p[c] = (1.f - t) * p[c] + t * q[c];
    }
  return a;
}

// A look as a LUT on a 17^3 lattice (code values), plus its Look when parametric.
struct LookSample {
  ag::Lut3D lut;
  std::optional<ag::Look> look;
  std::string kind;
};

LookSample draw_look(const std::vector<ag::Lut3D>& real, const Options& o, Draw& r, uint64_t seed) {
  const bool use_real = o.sources.count("real") && !real.empty();
  const bool use_random = o.sources.count("random") > 0;
  const bool use_blend = o.sources.count("blend") && !real.empty();
  LookSample s;
  if (r.chance(0.08)) {
    s.lut = ag::Lut3D::identity(kLattice);
    s.look = ag::Look{};
    s.kind = "identity";
    return s;
  }
  std::vector<std::pair<std::string, double>> kinds;
  if (use_real) kinds.push_back({"real", 0.3});
  if (use_random) kinds.push_back({"random", 0.45});
  if (use_blend) kinds.push_back({"blend", 0.25});
  if (o.sources.count("film")) kinds.push_back({"film", 0.3});
  if (o.sources.count("mix3") && real.size() >= 3) kinds.push_back({"mix3", 0.15});
  if (o.sources.count("fitted") && !o.fitted.empty()) kinds.push_back({"fitted", 0.3});
  double total = 0;
  for (auto& k : kinds) total += k.second;
  double u = r.uniform() * total;
  s.kind = kinds.back().first;
  for (auto& k : kinds)
    if ((u -= k.second) < 0) {
      s.kind = k.first;
      break;
    }
  if (s.kind == "real") {
    s.lut = real[size_t(r.below(int(real.size())))];
    if (r.chance(0.3)) {
      s.lut = ag::mix_with_identity(s.lut, float(0.5 + 0.5 * r.uniform()));
    }
  } else if (s.kind == "random") {
    s.look = al::random_look(seed);
    if (r.chance(0.1)) s.look->saturation = 0.f;  // monochrome looks are common and unmistakable
    s.lut = ag::bake_look(*s.look, kLattice);
  } else if (s.kind == "fitted") {
    const ag::Look& a = o.fitted[size_t(r.below(int(o.fitted.size())))];
    const ag::Look& b = o.fitted[size_t(r.below(int(o.fitted.size())))];
    const float t = float(r.uniform());
    ag::Look l = ag::add(ag::scale(a, 1.f - t), ag::scale(b, t));
    if (r.chance(0.5)) l = ag::add(l, ag::scale(al::random_look(seed ^ 0xf17edull), 0.3f));
    s.look = ag::clamp_to_limits(ag::scale(l, float(0.5 + 0.75 * r.uniform())));
    s.lut = ag::bake_look(*s.look, kLattice);
  } else if (s.kind == "film") {
    s.lut = al::film_look(seed, kLattice);
  } else if (s.kind == "mix3") {
    double w[3], sum = 0;
    for (double& x : w) sum += (x = -std::log(std::max(r.uniform(), 1e-12)));  // flat Dirichlet
    s.lut = ag::Lut3D::identity(kLattice);
    std::fill(s.lut.table.begin(), s.lut.table.end(), 0.f);
    for (int j = 0; j < 3; ++j) {
      const ag::Lut3D& a = real[size_t(r.below(int(real.size())))];
      for (size_t i = 0; i < s.lut.table.size(); ++i)
        s.lut.table[i] += float(w[j] / sum) * a.table[i];
    }
  } else {
    const ag::Lut3D& a = real[size_t(r.below(int(real.size())))];
    s.lut = a;
    if (r.chance(0.5)) {
      const ag::Lut3D& b = real[size_t(r.below(int(real.size())))];
      const float k = float(0.2 + 0.6 * r.uniform());
      for (size_t i = 0; i < s.lut.table.size(); ++i)
        s.lut.table[i] = (1 - k) * a.table[i] + k * b.table[i];
    } else {
      const ag::Look mild = ag::scale(al::random_look(seed ^ 0xabcdefull), 0.5f);
      for (size_t i = 0; i < s.lut.table.size(); i += 3) {
        const ag::Rgb o2 =
            ag::apply_look(mild, {s.lut.table[i], s.lut.table[i + 1], s.lut.table[i + 2]});
        for (int c = 0; c < 3; ++c) s.lut.table[i + size_t(c)] = o2[size_t(c)];
      }
    }
  }
  return s;
}

struct Data {
  int n = 0;
  std::vector<float> src, ref, refp, look, pix,
      truth;  // n x kTokF, n x kTokF, n x kPatchF, n x kLookF, n x P x 3, n x P x 3
  std::vector<uint8_t> has_src, has_look;
  std::vector<std::string> kind;
};

std::vector<ag::Rgb> rgb_of(const ag::ImageF& img) {
  std::vector<ag::Rgb> v(img.pixel_count());
  for (size_t i = 0; i < v.size(); ++i)
    for (int c = 0; c < 3; ++c) v[i][size_t(c)] = img.pixels[i * size_t(img.channels) + size_t(c)];
  return v;
}

void make_range(Data& d, int from, int to, const std::vector<ag::ImageF>& pics,
                const std::vector<ag::Lut3D>& real, const Options& o, uint64_t seed) {
  for (int i = from; i < to; ++i) {
    // A look serves two consecutive triplets (its bake is the slow part).
    const int look_id = i / 2;
    Draw lr(seed * 1000003ull + uint64_t(look_id));
    LookSample ls = draw_look(real, o, lr, seed * 7919ull + uint64_t(look_id));
    Draw r(seed * 2654435761ull + uint64_t(i) * 97ull + 5);
    const int ia = r.below(int(pics.size()));
    int ib = ia;
    if (!r.chance(0.25) && pics.size() > 1)
      while (ib == ia) ib = r.below(int(pics.size()));
    const ag::ImageF crop_a = draw_picture(pics, ia, o.mosaic, r);
    // 8 %: the reference is the source itself, ungraded; nothing must change.
    const bool self = r.chance(0.08);
    if (self) ls = LookSample{ag::Lut3D::identity(kLattice), ag::Look{}, "self"};
    const ag::ImageF A = al::lutgen_thumbnail(crop_a, "A");
    ag::ImageF B =
        ag::apply_lut_clamped(ls.lut, self ? crop_a : draw_picture(pics, ib, o.mosaic, r));
    ag::quantise_8bit(B);
    const auto ts = flat_tokens(al::lutgen_tokens(rgb_of(A)));
    const al::LutgenTokens tb = al::lutgen_reference_tokens(B, "B", true);
    const auto tr = flat_tokens(tb);
    std::copy(ts.begin(), ts.end(), d.src.begin() + long(size_t(i) * kTokF));
    std::copy(tr.begin(), tr.end(), d.ref.begin() + long(size_t(i) * kTokF));
    const auto& tp = tb.patches;
    for (size_t k = 0; k < tp.size(); ++k)
      std::copy(tp[k].begin(), tp[k].end(),
                d.refp.begin() + long(size_t(i) * kPatchF + k * al::kLutgenPatchFeatures));
    d.has_src[size_t(i)] = r.chance(0.9);
    d.has_look[size_t(i)] = ls.look && ls.kind == "random" && r.chance(0.33);
    if (d.has_look[size_t(i)]) {
      const auto f = al::look_features(*ls.look);
      std::copy(f.begin(), f.end(), d.look.begin() + long(size_t(i) * kLookF));
    }
    for (int p = 0; p < kPixels; ++p) {
      const size_t k = size_t(r.below(int(A.pixel_count())));
      const ag::Rgb in{A.pixels[3 * k], A.pixels[3 * k + 1], A.pixels[3 * k + 2]};
      const ag::Rgb out = ag::sample_tetrahedral(ls.lut, in);
      for (int c = 0; c < 3; ++c) {
        d.pix[(size_t(i) * kPixels + size_t(p)) * 3 + size_t(c)] = in[size_t(c)];
        d.truth[(size_t(i) * kPixels + size_t(p)) * 3 + size_t(c)] =
            std::clamp(out[size_t(c)], 0.f, 1.f);
      }
    }
    d.kind[size_t(i)] = ls.kind;
  }
}

Data make_data(int n, const std::vector<ag::ImageF>& pics, const std::vector<ag::Lut3D>& real,
               const Options& o, uint64_t seed) {
  Data d;
  d.n = n;
  d.src.assign(size_t(n) * kTokF, 0.f);
  d.ref.assign(size_t(n) * kTokF, 0.f);
  d.refp.assign(size_t(n) * kPatchF, 0.f);
  d.look.assign(size_t(n) * kLookF, 0.f);
  d.pix.assign(size_t(n) * kPixels * 3, 0.f);
  d.truth.assign(size_t(n) * kPixels * 3, 0.f);
  d.has_src.assign(size_t(n), 0);
  d.has_look.assign(size_t(n), 0);
  d.kind.assign(size_t(n), "");
  // Two workers over disjoint ranges; every triplet's draws depend only on its index.
  const int t = std::max(1, o.threads), chunk = (n + t - 1) / t;
  std::vector<std::thread> workers;
  for (int w = 0; w < t; ++w)
    workers.emplace_back(
        [&, w] { make_range(d, w * chunk, std::min(n, (w + 1) * chunk), pics, real, o, seed); });
  for (auto& th : workers) th.join();
  return d;
}

template <class T>
void write_vec(std::ofstream& f, const std::vector<T>& v) {
  f.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(T)));
}
template <class T>
bool read_vec(std::ifstream& f, std::vector<T>& v) {
  f.read(reinterpret_cast<char*>(v.data()), std::streamsize(v.size() * sizeof(T)));
  return bool(f);
}

torch::Tensor tensor_of(const std::vector<float>& v, std::vector<int64_t> shape) {
  return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat).clone();
}

// The network of lutgen.hpp, as a name → tensor map in the file layout.
struct Net {
  int d, heads, hidden, bases, patches;
  std::map<std::string, torch::Tensor> p;
  torch::Tensor identity;  // [3, N, N, N]

  Net(const Options& o)
      : d(o.d),
        heads(o.heads),
        hidden(o.hidden),
        bases(o.bases),
        patches(o.patches ? al::kLutgenPatches : 0) {
    const auto layout = al::LutgenModel::layout(d, heads, hidden, bases, kLattice, kLookF, patches);
    for (const auto& [name, shape] : layout) {
      std::vector<int64_t> s(shape.begin(), shape.end());
      torch::Tensor t;
      if (name.rfind("norm.", 0) == 0)
        t = torch::ones(s);
      else if (name == "ln.weight")
        t = torch::ones(s);
      else if (name == "ln.bias")
        t = torch::zeros(s);
      else if (name.ends_with(".pos") || name.ends_with("_pos"))
        t = torch::randn(s) * 0.02;
      else if (name == "gen.basis")
        t = torch::randn(s) * 0.005;
      else {
        const std::string w = name.substr(0, name.rfind('.')) + ".weight";
        int64_t fan_in = 1;
        for (const auto& [n2, sh] : layout)
          if (n2 == w) fan_in = sh.size() > 1 ? sh[1] : 1;
        const double bound = 1.0 / std::sqrt(double(fan_in));
        t = (torch::rand(s) * 2 - 1) * bound;
      }
      if (name.rfind("norm.", 0) != 0) t.set_requires_grad(true);
      p[name] = t;
    }
    identity = torch::zeros({3, kLattice, kLattice, kLattice});
    auto ramp = torch::linspace(0, 1, kLattice);
    identity[0] = ramp.view({1, 1, kLattice}).expand({kLattice, kLattice, kLattice});
    identity[1] = ramp.view({1, kLattice, 1}).expand({kLattice, kLattice, kLattice});
    identity[2] = ramp.view({kLattice, 1, 1}).expand({kLattice, kLattice, kLattice});
  }

  std::vector<torch::Tensor> trainable() {
    std::vector<torch::Tensor> v;
    for (auto& [n, t] : p)
      if (t.requires_grad()) v.push_back(t);
    return v;
  }

  torch::Tensor lin(const torch::Tensor& x, const std::string& n) {
    return F::linear(x, p[n + ".weight"], p[n + ".bias"]);
  }

  // tokens: [B, kTokF] raw; has: [B] (0 = no image) → [B, 6, d]
  torch::Tensor encode(const std::string& enc, const torch::Tensor& tok, const torch::Tensor& has) {
    const int64_t B = tok.size(0);
    auto band = tok.narrow(1, 0, al::kLutgenBands * kBandF).view({B, al::kLutgenBands, kBandF});
    auto glob = tok.narrow(1, al::kLutgenBands * kBandF, kGlobF);
    band = (band - p["norm.band_mean"]) / p["norm.band_std"];
    glob = (glob - p["norm.global_mean"]) / p["norm.global_std"];
    band = band * has.view({B, 1, 1});
    glob = glob * has.view({B, 1});
    auto eb = lin(torch::relu(lin(band, enc + ".band1")), enc + ".band2");
    auto eg = lin(torch::relu(lin(glob, enc + ".glob1")), enc + ".glob2").unsqueeze(1);
    return torch::cat({eb, eg}, 1) + p[enc + ".pos"].unsqueeze(0);
  }

  // → basis weights [B, K]
  // refp: [B, kPatchF] raw patch tokens (read only when the network has patches).
  torch::Tensor weights(const torch::Tensor& src, const torch::Tensor& has_src,
                        const torch::Tensor& ref, const torch::Tensor& refp,
                        const torch::Tensor& look, const torch::Tensor& has_look) {
    const int64_t B = src.size(0);
    auto es = encode("src", src, has_src);
    auto er = encode("ref", ref, torch::ones({B}));
    if (patches > 0) {
      auto x = (refp.view({B, patches, al::kLutgenPatchFeatures}) - p["norm.patch_mean"]) /
               p["norm.patch_std"];
      auto ep =
          lin(torch::relu(lin(x, "ref.patch1")), "ref.patch2") + p["ref.patch_pos"].unsqueeze(0);
      er = torch::cat({er, ep}, 1);
    }
    auto et = lin(torch::relu(lin(look / p["norm.look_scale"], "text.l1")), "text.l2").unsqueeze(1);
    auto kv = torch::cat({er, et}, 1);  // [B, 6 (+ patches) + 1, d]
    const int64_t nk = kv.size(1);
    const int dh = d / heads;
    auto q = lin(es, "attn.q").view({B, al::kLutgenTokens, heads, dh}).transpose(1, 2);
    auto k = lin(kv, "attn.k").view({B, nk, heads, dh}).transpose(1, 2);
    auto v = lin(kv, "attn.v").view({B, nk, heads, dh}).transpose(1, 2);
    auto s = torch::matmul(q, k.transpose(2, 3)) / std::sqrt(double(dh));  // [B, h, 6, nk]
    // The prompt key exists only when a prompt was given.
    auto mask =
        torch::cat({torch::ones({B, nk - 1}), has_look.view({B, 1})}, 1).view({B, 1, 1, -1});
    s = s.masked_fill(mask < 0.5, -1e9);
    auto att =
        torch::matmul(torch::softmax(s, -1), v).transpose(1, 2).reshape({B, al::kLutgenTokens, d});
    auto st = F::layer_norm(
        es + lin(att, "attn.o"),
        F::LayerNormFuncOptions({d}).weight(p["ln.weight"]).bias(p["ln.bias"]).eps(1e-5));
    auto flat = st.reshape({B, -1});
    return lin(torch::relu(lin(flat, "gen.l1")), "gen.l2");
  }

  // → residual lattices [B, 3, N, N, N]
  torch::Tensor residual(const torch::Tensor& w) {
    return torch::matmul(w, p["gen.basis"].view({bases, -1}))
        .view({-1, 3, kLattice, kLattice, kLattice});
  }
};

// Trilinear lookup (eq. 12) of pixels [B, P, 3] in lattices [B, 3, N, N, N] → [B, P, 3].
torch::Tensor apply_lattice(const torch::Tensor& lut, const torch::Tensor& px) {
  auto grid = (px * 2 - 1).view({px.size(0), 1, 1, px.size(1), 3});  // (x, y, z) = (r, g, b)
  auto out = F::grid_sample(lut, grid,
                            F::GridSampleFuncOptions()
                                .mode(torch::kBilinear)
                                .padding_mode(torch::kBorder)
                                .align_corners(true));
  return out.view({px.size(0), 3, px.size(1)}).transpose(1, 2);
}

// Soft per-channel histograms (Gaussian kernels, 32 bins over 0..1): [B, P, 3] → [B, 3, 32].
torch::Tensor soft_hist(const torch::Tensor& px) {
  auto centres = (torch::arange(32).to(torch::kFloat) + 0.5) / 32.0;
  auto diff = px.unsqueeze(-1) - centres;  // [B, P, 3, 32]
  auto h = torch::exp(-diff * diff / (2.0 * (1.0 / 32) * (1.0 / 32))).sum(1);
  return (h + 1e-4) / (h + 1e-4).sum(-1, true);
}

struct Batch {
  torch::Tensor src, has_src, ref, refp, look, has_look, pix, truth;
};

Batch batch_of(const Data& d, const std::vector<int64_t>& idx) {
  const int64_t B = int64_t(idx.size());
  auto take = [&](const std::vector<float>& v, int64_t per) {
    auto t = torch::empty({B, per});
    for (int64_t i = 0; i < B; ++i)
      std::memcpy(t[i].data_ptr<float>(), v.data() + size_t(idx[size_t(i)] * per), size_t(per) * 4);
    return t;
  };
  Batch b;
  b.src = take(d.src, kTokF);
  b.ref = take(d.ref, kTokF);
  b.refp = take(d.refp, kPatchF);
  b.look = take(d.look, kLookF);
  b.pix = take(d.pix, kPixels * 3).view({B, kPixels, 3});
  b.truth = take(d.truth, kPixels * 3).view({B, kPixels, 3});
  b.has_src = torch::empty({B});
  b.has_look = torch::empty({B});
  for (int64_t i = 0; i < B; ++i) {
    b.has_src[i] = float(d.has_src[size_t(idx[size_t(i)])]);
    b.has_look[i] = float(d.has_look[size_t(idx[size_t(i)])]);
  }
  return b;
}

std::vector<float> to_vec(const torch::Tensor& t) {
  auto c = t.detach().contiguous().to(torch::kFloat);
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// Mean ΔE2000-free proxy for progress: RMS error in code values ×255.
double rms255(Net& net, const Data& d) {
  torch::NoGradGuard ng;
  double se = 0;
  int64_t n = 0;
  for (int64_t s = 0; s < d.n; s += 256) {
    std::vector<int64_t> idx;
    for (int64_t i = s; i < std::min<int64_t>(d.n, s + 256); ++i) idx.push_back(i);
    auto b = batch_of(d, idx);
    auto lut = net.identity.unsqueeze(0) +
               net.residual(net.weights(b.src, b.has_src, b.ref, b.refp, b.look, b.has_look));
    auto out = apply_lattice(lut, b.pix).clamp(0, 1);
    se += (out - b.truth).pow(2).sum().item<double>();
    n += out.numel();
  }
  return std::sqrt(se / double(n)) * 255.0;
}

double identity_rms255(const Data& d) {
  double se = 0;
  for (size_t i = 0; i < d.pix.size(); ++i)
    se += double(d.pix[i] - d.truth[i]) * double(d.pix[i] - d.truth[i]);
  return std::sqrt(se / double(d.pix.size())) * 255.0;
}

}  // namespace

int main(int argc, char** argv) try {
  Options o;
  std::string cmd;
  for (int i = 0; i < argc; ++i) cmd += std::string(i ? " " : "") + argv[i];
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw ag::Error(ag::ErrorKind::Usage, a + " needs a value");
      return argv[++i];
    };
    if (a == "--out")
      o.out = next();
    else if (a == "--cache")
      o.cache = next();
    else if (a == "--seed")
      o.seed = std::stoull(next());
    else if (a == "--triplets")
      o.triplets = std::stoi(next());
    else if (a == "--steps")
      o.steps = std::stoi(next());
    else if (a == "--batch")
      o.batch = std::stoi(next());
    else if (a == "--threads")
      o.threads = std::stoi(next());
    else if (a == "--bases")
      o.bases = std::stoi(next());
    else if (a == "--eval-every")
      o.eval_every = std::stoi(next());
    else if (a == "--grey-weight")
      o.grey_weight = std::stod(next());
    else if (a == "--order-weight")
      o.order_weight = std::stod(next());
    else if (a == "--ema")
      o.ema = std::stod(next());
    else if (a == "--photos")
      o.photos = std::stoi(next());
    else if (a == "--patches")
      o.patches = true;
    else if (a == "--corpus")
      o.corpus = next();
    else if (a == "--corpus-photos")
      o.corpus_photos = std::stoi(next());
    else if (a == "--init")
      o.init = next();
    else if (a == "--init-member")
      o.init_member = std::stoi(next());
    else if (a == "--lr")
      o.lr = std::stod(next());
    else if (a == "--mosaic") {
      o.mosaic = std::stod(next());
      if (!(o.mosaic >= 0 && o.mosaic <= 1))
        throw ag::Error(ag::ErrorKind::Usage, "--mosaic must be in 0..1");
    } else if (a == "--join") {
      // An ensemble file from trained networks: the first is the model, the rest its members.
      const std::string v = next();
      for (size_t s = 0, e; s <= v.size(); s = e + 1) {
        e = v.find(',', s);
        if (e == std::string::npos) e = v.size();
        if (e > s) o.join.push_back(v.substr(s, e - s));
      }
    } else if (a == "--sources") {
      o.sources.clear();
      const std::string v = next();
      for (size_t s = 0, e; s <= v.size(); s = e + 1) {
        e = v.find(',', s);
        if (e == std::string::npos) e = v.size();
        if (e > s) o.sources.insert(v.substr(s, e - s));
      }
    } else
      throw ag::Error(ag::ErrorKind::Usage, "unknown argument " + a);
  }
  if (!o.join.empty()) {
    std::vector<al::LutgenModel> nets;
    for (const std::string& file : o.join) {
      nets.push_back(al::read_lutgen(file));
      if (!nets.back().members.empty())
        throw ag::Error(ag::ErrorKind::Usage, file + " is already an ensemble");
    }
    al::LutgenModel m = std::move(nets.front());
    m.members.assign(std::make_move_iterator(nets.begin() + 1),
                     std::make_move_iterator(nets.end()));
    al::write_lutgen(o.out, m);
    // Read back: what was written is a valid ensemble of that many networks.
    const al::LutgenModel back = al::read_lutgen(o.out);
    fmt::print("wrote {}: an ensemble of {} networks\n", o.out, back.members.size() + 1);
    return 0;
  }
  if (!o.sources.count("real") && !o.sources.count("random"))
    throw ag::Error(ag::ErrorKind::Usage, "--sources needs real or random");
  torch::manual_seed(o.seed);
  // One torch thread: on a shared 2-core machine OpenMP's spinning workers cost more than they
  // give for tensors this small (data generation still uses --threads).
  torch::set_num_threads(1);
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  fmt::print("command: {}\n", cmd);

  const std::string shared = AUTOGRADE_SHARED_DATA;
  const al::LutgenSplit split =
      al::lutgen_split(shared + "/images", shared + "/luts", shared + "/videos");
  // Validation: every 6th training photo and every 5th training LUT are set aside (the test
  // split is never read here).
  std::vector<ag::ImageF> train_pics, val_pics;
  for (size_t i = 0; i < split.train_images.size(); ++i) {
    ag::ImageF img = ag::reduce_image(ag::read_image(split.train_images[i]).image, 384);
    ag::quantise_8bit(img);
    (i % 6 == 5 ? val_pics : train_pics).push_back(std::move(img));
  }
  if (o.photos > 0 && size_t(o.photos) < train_pics.size()) {
    std::vector<ag::ImageF> kept;
    for (int k = 0; k < o.photos; ++k)
      kept.push_back(std::move(train_pics[size_t(k) * train_pics.size() / size_t(o.photos)]));
    train_pics = std::move(kept);
  }
  int frames = 0;
  if (o.sources.count("video"))
    for (const auto& v : split.train_videos) {
      try {
        ag::VideoReadOptions vo;
        vo.rgb_width = 384;
        ag::VideoReader probe(v, vo);
        const int64_t count = std::max<int64_t>(1, probe.info().frame_count);
        for (auto& f : ag::sample_frames(v, 0, count - 1, 10, vo)) {
          ag::quantise_8bit(f.rgb);
          train_pics.push_back(std::move(f.rgb));
          ++frames;
        }
      } catch (const ag::Error& e) {
        fmt::print(stderr, "skipping clip: {}\n", e.what());
      }
    }
  std::vector<ag::Lut3D> train_luts, val_luts;
  std::vector<std::string> train_lut_names;
  for (size_t i = 0; i < split.train_luts.size(); ++i) {
    (i % 5 == 4 ? val_luts : train_luts)
        .push_back(ag::resample(split.train_luts[i].lut, kLattice, ag::Interp::Tetrahedral));
    if (i % 5 != 4) train_lut_names.push_back(split.train_luts[i].name);
  }
  // The corpus (issue 20): its training photos and LUTs join training; its validation photos
  // (every 4th, for time) and LUTs become the validation set, and the old validation photos and
  // LUTs train. Its test split is never read.
  int corpus_train_photos = 0, corpus_train_luts = 0, corpus_research = 0;
  std::map<std::string, int> corpus_by_folder;  // training photos per source folder
  if (!o.corpus.empty()) {
    for (auto& p : val_pics) train_pics.push_back(std::move(p));
    val_pics.clear();
    for (auto& l : val_luts) train_luts.push_back(std::move(l));
    for (size_t i = 4; i < split.train_luts.size(); i += 5)
      train_lut_names.push_back(split.train_luts[i].name);
    val_luts.clear();
    size_t k = 0;
    for (const auto& p : al::list_corpus_photos(o.corpus)) {
      if (p.split == ag::learn::Split::Test) continue;
      const bool val = p.split == ag::learn::Split::Validation;
      if (val && k++ % 4 != 0) continue;
      if (!val && o.corpus_photos > 0 && corpus_train_photos >= o.corpus_photos) continue;
      try {
        ag::ImageF img = ag::reduce_image(ag::read_image(p.path.string()).image, 384);
        ag::quantise_8bit(img);
        (val ? val_pics : train_pics).push_back(std::move(img));
        if (!val) {
          ++corpus_train_photos;
          ++corpus_by_folder[p.folder];
          corpus_research += p.licence_class != "open";
        }
      } catch (const ag::Error& e) {
        fmt::print(stderr, "skipping photo: {}\n", e.what());
      }
    }
    for (const auto& f : ag::files_with_extensions((fs::path(o.corpus) / "luts").string(),
                                                   {".cube", ".png", ".3dl", ".spi3d", ".clf"})) {
      const auto sp = al::content_split(f);
      if (sp == ag::learn::Split::Test) continue;
      try {
        std::optional<ag::Lut3D> lut = ag::load_creative_lut(f);
        if (!lut) continue;
        const bool val = sp == ag::learn::Split::Validation;
        (val ? val_luts : train_luts)
            .push_back(ag::resample(*lut, kLattice, ag::Interp::Tetrahedral));
        if (!val) {
          train_lut_names.push_back("corpus/" + f.filename().string());
          ++corpus_train_luts;
        }
      } catch (const ag::Error& e) {
        fmt::print(stderr, "skipping LUT: {}\n", e.what());
      }
    }
  }
  if (o.sources.count("fitted")) {
    // Each training LUT read as a Look, on pixels of every 4th training picture (every 97th
    // pixel) through the LUT.
    std::vector<ag::Rgb> before;
    for (size_t i = 0; i < train_pics.size(); i += 4) {
      const ag::ImageF& p = train_pics[i];
      for (size_t k = 0; k < p.pixel_count(); k += 97)
        before.push_back({p.pixels[k * size_t(p.channels)], p.pixels[k * size_t(p.channels) + 1],
                          p.pixels[k * size_t(p.channels) + 2]});
    }
    for (size_t l = 0; l < train_luts.size(); ++l) {
      std::vector<ag::Rgb> after(before.size());
      for (size_t k = 0; k < before.size(); ++k)
        after[k] = ag::sample_tetrahedral(train_luts[l], before[k]);
      const ag::LookPairFit f = ag::fit_look_to_pairs(before, after, 3000);
      o.fitted.push_back(f.look);
      fmt::print("fitted look {}: RMS {:.4f}\n", train_lut_names[l], f.rms);
    }
  }
  fmt::print(
      "data: {} training pictures ({} clip frames), {} validation photos; {} training LUTs, {} "
      "validation "
      "LUTs; held out (never read): {} photos, {} LUTs  [{:.0f} s]\n",
      train_pics.size(), frames, val_pics.size(), train_luts.size(), val_luts.size(),
      split.test_images.size(), split.test_luts.size(), elapsed());

  // Cached triplets, keyed by everything that shapes them.
  fs::create_directories(o.cache);
  auto load_or_make = [&](const std::string& tag, int n, const std::vector<ag::ImageF>& pics,
                          const std::vector<ag::Lut3D>& luts, uint64_t seed, const Options& opts) {
    std::string key = fmt::format("v3-{}-f{}-s{}-n{}-p{}-l{}-i{}-", 1, al::kLutgenFeatureVersion,
                                  seed, n, kPixels, luts.size(), pics.size());
    if (!o.corpus.empty()) key += fmt::format("corpus{}-", o.corpus_photos);
    for (const auto& s : opts.sources) key += s + ".";  // whole names: "real" and "random" differ
    if (opts.mosaic > 0) key += fmt::format("-mosaic{}", opts.mosaic);
    const fs::path file = fs::path(o.cache) / (tag + "-" + key + ".bin");
    Data d;
    d.n = n;
    d.src.resize(size_t(n) * kTokF);
    d.ref.resize(size_t(n) * kTokF);
    d.refp.resize(size_t(n) * kPatchF);
    d.look.resize(size_t(n) * kLookF);
    d.pix.resize(size_t(n) * kPixels * 3);
    d.truth.resize(size_t(n) * kPixels * 3);
    d.has_src.resize(size_t(n));
    d.has_look.resize(size_t(n));
    d.kind.assign(size_t(n), "");
    std::ifstream in(file, std::ios::binary);
    if (in && read_vec(in, d.src) && read_vec(in, d.ref) && read_vec(in, d.refp) &&
        read_vec(in, d.look) && read_vec(in, d.pix) && read_vec(in, d.truth) &&
        read_vec(in, d.has_src) && read_vec(in, d.has_look)) {
      fmt::print("{}: {} triplets from cache {}\n", tag, n, file.string());
      return d;
    }
    d = make_data(n, pics, luts, opts, seed);
    std::ofstream out(file.string() + ".tmp", std::ios::binary);
    write_vec(out, d.src), write_vec(out, d.ref), write_vec(out, d.refp), write_vec(out, d.look),
        write_vec(out, d.pix), write_vec(out, d.truth);
    write_vec(out, d.has_src), write_vec(out, d.has_look);
    out.close();
    fs::rename(file.string() + ".tmp", file);
    std::map<std::string, int> kinds;
    for (const auto& k : d.kind) ++kinds[k];
    std::string mix;
    for (const auto& [k, c] : kinds) mix += fmt::format(" {}={}", k, c);
    fmt::print("{}: made {} triplets ({}) [{:.0f} s]\n", tag, n, mix, elapsed());
    return d;
  };
  const Data train = load_or_make("train", o.triplets, train_pics, train_luts, o.seed, o);
  // Validation looks are the same whatever --sources says, so ablations compare fairly.
  Options vopt = o;
  vopt.sources = {"real", "random", "blend"};
  vopt.mosaic = 0;
  const Data val = load_or_make("val", 600, val_pics, val_luts, o.seed + 1000, vopt);
  // Validation triplets of real looks only (the validation LUTs, plus the identity / self cases
  // every mix has), printed next to the mixed set.
  Options ropt = o;
  ropt.sources = {"real"};
  ropt.mosaic = 0;
  const Data val_real = load_or_make("valreal", 400, val_pics, val_luts, o.seed + 2000, ropt);

  // Validation cases of bench_lutgen's protocol (bench_lutgen --split validation, --pairs 8):
  // a validation look L (lutgen_validation: built from the validation LUTs and generators the
  // default mix does not train on), two different validation photos A and B; reference L(B)
  // 8-bit, truth L(A). Scored through the product path (learned_match: 33^3, clamped, grey
  // axis repaired), so early stopping sees what bench_lutgen sees.
  struct ValCase {
    al::LutgenTokens src, ref;
    const ag::ImageF* a;
    ag::ImageF truth;
  };
  std::vector<ValCase> val_cases;
  {
    al::LutgenValidation vset = al::lutgen_validation(split);
    if (!o.corpus.empty()) {  // the corpus's validation LUTs at full strength
      vset.looks.clear();
      for (size_t l = 0; l < val_luts.size(); ++l)
        vset.looks.push_back({fmt::format("corpus-val-{}", l), val_luts[l]});
    }
    const int pairs = 8;
    const size_t n = val_pics.size();
    for (size_t l = 0; l < vset.looks.size() && n > 1; ++l)
      for (int j = 0; j < pairs; ++j) {
        const auto [ia, ib] = al::lutgen_case_photos(l, j, pairs, n);
        ag::ImageF ref = ag::apply_lut_clamped(vset.looks[l].lut, val_pics[ib]);
        ag::quantise_8bit(ref);
        ValCase c;
        c.src = al::lutgen_tokens(
            al::lutgen_pooled_pixels(std::span<const ag::ImageF>(&val_pics[ia], 1), "A"));
        c.ref = al::lutgen_reference_tokens(ref, "B", true);
        c.a = &val_pics[ia];
        c.truth = ag::apply_lut_clamped(vset.looks[l].lut, val_pics[ia]);
        val_cases.push_back(std::move(c));
      }
    fmt::print("validation looks ({}):", vset.looks.size());
    for (const auto& l : vset.looks) fmt::print(" {}", l.name);
    fmt::print("\n");
  }

  Net net(o);
  // Input standardisation from the training tokens (both images, all bands pooled).
  {
    auto all = torch::cat(
        {tensor_of(train.src, {train.n, kTokF}), tensor_of(train.ref, {train.n, kTokF})}, 0);
    auto band = all.narrow(1, 0, al::kLutgenBands * kBandF).reshape({-1, kBandF});
    auto glob = all.narrow(1, al::kLutgenBands * kBandF, kGlobF);
    net.p["norm.band_mean"] = band.mean(0);
    net.p["norm.band_std"] = band.std(0).clamp_min(0.01);
    net.p["norm.global_mean"] = glob.mean(0);
    net.p["norm.global_std"] = glob.std(0).clamp_min(0.01);
    if (net.patches > 0) {
      auto pt = tensor_of(train.refp, {train.n * al::kLutgenPatches, al::kLutgenPatchFeatures});
      net.p["norm.patch_mean"] = pt.mean(0);
      net.p["norm.patch_std"] = pt.std(0).clamp_min(0.01);
    }
    auto look = tensor_of(train.look, {train.n, kLookF});
    auto has = tensor_of(std::vector<float>(train.has_look.begin(), train.has_look.end()),
                         {train.n}) > 0.5;
    net.p["norm.look_scale"] = has.sum().item<int64_t>() > 1
                                   ? look.index({has}).pow(2).mean(0).sqrt().clamp_min(0.05)
                                   : torch::ones({kLookF});
  }
  if (!o.init.empty()) {
    al::LutgenModel file = al::read_lutgen(o.init);
    if (o.init_member < 0 || size_t(o.init_member) > file.members.size())
      throw ag::Error(ag::ErrorKind::Usage,
                      fmt::format("--init-member {}: {} holds {} network(s)", o.init_member,
                                  o.init, file.members.size() + 1));
    const al::LutgenModel& src =
        o.init_member == 0 ? file : file.members[size_t(o.init_member - 1)];
    if (src.d != o.d || src.heads != o.heads || src.hidden != o.hidden || src.bases != o.bases ||
        src.lattice != kLattice || src.patches != net.patches)
      throw ag::Error(ag::ErrorKind::Usage,
                      o.init + ": its network's sizes differ from this run's (check --patches)");
    torch::NoGradGuard ng;
    for (auto& [name, t] : net.p) {
      const al::LutgenTensor& v = src.tensors.at(name);
      std::vector<int64_t> shape(v.shape.begin(), v.shape.end());
      const bool grad = t.requires_grad();
      t = tensor_of(v.values, shape);
      if (grad) t.set_requires_grad(true);
    }
    fmt::print("initialised from network {} of {}\n", o.init_member, o.init);
  }
  auto disc1 = torch::nn::Linear(96, 64), disc2 = torch::nn::Linear(64, 1);
  std::vector<torch::Tensor> dparams;
  for (auto& t : disc1->parameters()) dparams.push_back(t);
  for (auto& t : disc2->parameters()) dparams.push_back(t);
  torch::optim::Adam opt(net.trainable(), torch::optim::AdamOptions(o.lr));
  torch::optim::Adam dopt(dparams, torch::optim::AdamOptions(1e-3));
  auto disc = [&](const torch::Tensor& h) {
    return disc2(torch::leaky_relu(disc1(h.reshape({h.size(0), -1})), 0.2));
  };

  Draw order(o.seed + 77);
  const double id_train = identity_rms255(train), id_val = identity_rms255(val);
  const double id_val_real = identity_rms255(val_real);
  fmt::print(
      "identity RMS error (code values x255): train {:.2f}, validation {:.2f}, validation real "
      "looks {:.2f}\n",
      id_train, id_val, id_val_real);
  double run_pix = 0, run_col = 0, run_adv = 0, run_tv = 0, run_mono = 0, run_grey = 0,
         run_order = 0;
  // Early stopping on the validation split: validation error bottoms out long before the
  // training loss does (the real looks are few), so the weights of the best evaluated step are
  // the ones exported.
  double best_val = 1e30;
  int best_step = 0;
  std::map<std::string, torch::Tensor> best;
  auto exported = [&] {
    al::LutgenModel m;
    m.d = o.d, m.heads = o.heads, m.hidden = o.hidden, m.bases = o.bases, m.lattice = kLattice,
    m.look_dim = kLookF, m.patches = net.patches;
    for (const auto& [name, shape] :
         al::LutgenModel::layout(m.d, m.heads, m.hidden, m.bases, m.lattice, m.look_dim, m.patches))
      m.tensors[name] = al::LutgenTensor{shape, to_vec(net.p[name])};
    return m;
  };
  // Mean CIEDE2000 over the validation cases and how many of them the product path had to mix
  // towards identity to keep the grey axis monotone.
  int val_mixed = 0;
  auto val_de00 = [&] {
    const al::LutgenModel m = exported();
    double sum = 0;
    val_mixed = 0;
    for (const auto& c : val_cases) {
      const ag::MatchResult r = al::learned_match(m, &c.src, c.ref, nullptr, ag::MatchOptions{});
      for (const auto& note : r.notes) val_mixed += note.find("monotone") != std::string::npos;
      sum += ag::score_against_truth(ag::apply_lut_clamped(r.lut, *c.a), c.truth).mean;
    }
    return val_cases.empty() ? 0.0 : sum / double(val_cases.size());
  };
  double id_de00 = 0;
  for (const auto& c : val_cases)
    id_de00 += ag::score_against_truth(*c.a, c.truth).mean / double(val_cases.size());
  fmt::print("validation cases (bench protocol): {}, identity mean dE00 {:.3f}\n", val_cases.size(),
             id_de00);
  auto keep_if_best = [&](int step) {
    const double v = val_de00();
    fmt::print(
        "  step {:5d}: validation mean dE00 {:.3f} ({} of {} mixed towards identity on grey)\n",
        step, v, val_mixed, val_cases.size());
    if (v < best_val) {
      best_val = v, best_step = step;
      for (auto& [n, t] : net.p) best[n] = t.detach().clone();
      // The best weights so far, readable while a long run goes on (or after it was stopped).
      al::LutgenModel m = exported();
      m.meta = {{"partial", true}, {"step", step}, {"validation_mean_de00", v}};
      al::write_lutgen(o.out + ".partial", m);
    }
    return v;
  };
  // Exponential moving average of the weights (Polyak averaging, --ema decay; 0: off): the
  // validation error of the raw weights swings by ±0.5 dE00 between checkpoints at these
  // learning rates, the average is what gets evaluated and exported. swap_ema() exchanges the
  // raw and the averaged weights (twice restores them).
  std::map<std::string, torch::Tensor> ema;
  if (o.ema > 0)
    for (auto& [n, t] : net.p) ema[n] = t.detach().clone();
  auto swap_ema = [&] {
    if (o.ema <= 0) return;
    torch::NoGradGuard ng;
    for (auto& [n, t] : net.p) {
      auto raw = t.detach().clone();
      t.copy_(ema.at(n));
      ema[n] = raw;
    }
  };
  // A warm start competes with where it started: if no step beats it, its weights are kept.
  if (!o.init.empty() && o.eval_every > 0) keep_if_best(0);
  for (int step = 1; step <= o.steps; ++step) {
    const double lr =
        1e-4 + 0.5 * (o.lr - 1e-4) * (1 + std::cos(std::numbers::pi * step / o.steps));
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
    std::vector<int64_t> idx;
    for (int i = 0; i < o.batch; ++i) idx.push_back(order.below(train.n));
    auto b = batch_of(train, idx);
    const auto tp0 = std::chrono::steady_clock::now();
    auto w = net.weights(b.src, b.has_src, b.ref, b.refp, b.look, b.has_look);
    auto lut = net.identity.unsqueeze(0) + net.residual(w);
    auto pix = b.pix.narrow(1, 0, kLossPixels), truth = b.truth.narrow(1, 0, kLossPixels);
    auto out = apply_lattice(lut, pix);
    auto l_pix = (out - truth).pow(2).mean();
    auto hg = soft_hist(out.clamp(0, 1)), ht = soft_hist(truth);
    auto l_col = (hg * (hg / ht).log()).sum(-1).mean();
    // Discriminator step (real: truth histograms, fake: graded), then the generator's eq. 18.
    {
      auto dr = disc(ht), df = disc(hg.detach());
      auto dl = F::binary_cross_entropy_with_logits(dr, torch::ones_like(dr)) +
                F::binary_cross_entropy_with_logits(df, torch::zeros_like(df));
      dopt.zero_grad();
      dl.backward();
      dopt.step();
    }
    auto dg = disc(hg);
    auto l_adv = F::binary_cross_entropy_with_logits(dg, torch::ones_like(dg));  // -log D(graded)
    using torch::indexing::Slice;
    // Regularisers on the first 8 LUTs of the batch (they are shared-basis, so that is enough).
    auto res = net.residual(w.narrow(0, 0, std::min(8, o.batch)));
    auto lut8 = net.identity.unsqueeze(0) + res;
    auto dxr = res.index({Slice(), Slice(), Slice(), Slice(), Slice(1)}) -
               res.index({Slice(), Slice(), Slice(), Slice(), Slice(0, -1)});
    auto dxg = res.index({Slice(), Slice(), Slice(), Slice(1)}) -
               res.index({Slice(), Slice(), Slice(), Slice(0, -1)});
    auto dxb =
        res.index({Slice(), Slice(), Slice(1)}) - res.index({Slice(), Slice(), Slice(0, -1)});
    auto l_tv = dxr.pow(2).mean() + dxg.pow(2).mean() + dxb.pow(2).mean();
    // Monotonicity: output channel c must not decrease along its own input axis.
    auto mr = lut8.index({Slice(), 0, Slice(), Slice(), Slice(1)}) -
              lut8.index({Slice(), 0, Slice(), Slice(), Slice(0, -1)});
    auto mg = lut8.index({Slice(), 1, Slice(), Slice(1)}) -
              lut8.index({Slice(), 1, Slice(), Slice(0, -1)});
    auto mb = lut8.index({Slice(), 2, Slice(1)}) - lut8.index({Slice(), 2, Slice(0, -1)});
    auto l_mono = torch::relu(-mr).pow(2).mean() + torch::relu(-mg).pow(2).mean() +
                  torch::relu(-mb).pow(2).mean();
    // Grey axis (all LUTs of the batch), sampled where the product's 33^3 lattice samples it
    // (every other of 65 grey levels) and in between: output luma (Rec.709 weights on code
    // values) must rise with a slope of at least 0.02, so the product path need not mix the
    // LUT towards identity; and each output channel must not fall (neutral-axis ordering: a
    // brighter grey never gets a darker R', G' or B'). Slopes are per unit of input.
    torch::Tensor l_grey = torch::zeros({}), l_order = torch::zeros({});
    if (o.grey_weight > 0 || o.order_weight > 0) {
      const int64_t G = 65;
      auto greys =
          torch::linspace(0, 1, G).view({1, G, 1}).expand({lut.size(0), G, 3}).contiguous();
      auto g = apply_lattice(lut, greys);  // [B, G, 3]
      auto slope = (g.narrow(1, 1, G - 1) - g.narrow(1, 0, G - 1)) * double(G - 1);
      auto luma = torch::matmul(slope, torch::tensor({0.2126f, 0.7152f, 0.0722f}));
      l_grey = torch::relu(0.02 - luma).pow(2).mean();
      l_order = torch::relu(-slope).pow(2).mean();
    }
    auto loss = l_pix + 0.05 * l_col + 0.002 * l_adv + 0.5 * l_tv + 10.0 * l_mono +
                o.grey_weight * l_grey + o.order_weight * l_order;
    const auto tp1 = std::chrono::steady_clock::now();
    opt.zero_grad();
    loss.backward();
    opt.step();
    if (o.ema > 0) {
      torch::NoGradGuard ng;
      for (auto& [n, t] : net.p) ema[n].mul_(o.ema).add_(t.detach(), 1.0 - o.ema);
    }
    if (step <= 3)
      fmt::print("step {} timing: batch+forward+losses {:.0f} ms, backward+update {:.0f} ms\n",
                 step, std::chrono::duration<double, std::milli>(tp1 - tp0).count(),
                 std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - tp1)
                     .count());
    run_pix += l_pix.item<double>(), run_col += l_col.item<double>(),
        run_adv += l_adv.item<double>();
    run_tv += l_tv.item<double>(), run_mono += l_mono.item<double>();
    run_grey += l_grey.item<double>(), run_order += l_order.item<double>();
    if (o.eval_every > 0 && step % o.eval_every == 0 && step % 500 != 0 && step != o.steps) {
      swap_ema();
      keep_if_best(step);
      swap_ema();
    }
    std::fflush(stdout);
    if (step % 500 == 0 || step == o.steps) {
      const double k = step % 500 == 0 ? 500.0 : double(step % 500);
      swap_ema();
      fmt::print(
          "step {:5d}  pixel {:.5f}  color {:.4f}  adv {:.3f}  tv {:.6f}  mono {:.2e}  grey {:.2e} "
          " order "
          "{:.2e}  | val RMS x255 {:.2f} (identity {:.2f}), real looks {:.2f} (identity {:.2f})  "
          "[{:.0f} s]\n",
          step, run_pix / k, run_col / k, run_adv / k, run_tv / k, run_mono / k, run_grey / k,
          run_order / k, rms255(net, val), id_val, rms255(net, val_real), id_val_real, elapsed());
      keep_if_best(step);
      swap_ema();
      std::fflush(stdout);
      run_pix = run_col = run_adv = run_tv = run_mono = run_grey = run_order = 0;
    }
  }

  if (o.eval_every > 0) {
    torch::NoGradGuard ng;
    for (auto& [n, t] : net.p) t.copy_(best.at(n));
    fmt::print("kept the weights of step {} (validation mean dE00 {:.3f}, identity {:.3f})\n",
               best_step, best_val, id_de00);
  } else {
    swap_ema();           // the averaged weights, when averaging
    best_step = o.steps;  // --eval-every 0: no early stopping, the last step's weights
    best_val = val_de00();
  }
  const double final_val = val_de00();  // also sets val_mixed for the kept weights
  fmt::print(
      "validation mean dE00 {:.3f} (identity {:.3f}); {} of {} cases mixed towards identity on "
      "grey\n",
      final_val, id_de00, val_mixed, val_cases.size());

  // Export in the AGLG layout and check the plain-C++ forward pass against torch's.
  al::LutgenModel m = exported();
  double max_diff = 0;
  {
    torch::NoGradGuard ng;
    std::vector<int64_t> idx{0, 1, 2, 3, 4, 5, 6, 7};
    auto b = batch_of(val, idx);
    b.has_look.zero_();
    b.has_look[3] = 1.f;  // exercise the prompt token too
    b.look[3] = tensor_of(al::look_features(al::random_look(5)), {kLookF});
    b.has_src[5] = 0.f;
    auto lut = net.identity.unsqueeze(0) +
               net.residual(net.weights(b.src, b.has_src, b.ref, b.refp, b.look, b.has_look));
    for (int i = 0; i < 8; ++i) {
      al::LutgenTokens ts, tr;
      auto unflat = [](const float* v, al::LutgenTokens& t) {
        for (int k = 0; k < al::kLutgenBands; ++k)
          for (int j = 0; j < kBandF; ++j) t.band[size_t(k)][size_t(j)] = v[k * kBandF + j];
        for (int j = 0; j < kGlobF; ++j) t.global[size_t(j)] = v[al::kLutgenBands * kBandF + j];
      };
      unflat(val.src.data() + size_t(i) * kTokF, ts);
      unflat(val.ref.data() + size_t(i) * kTokF, tr);
      tr.patches.resize(size_t(al::kLutgenPatches));
      for (int k = 0; k < al::kLutgenPatches; ++k)
        std::memcpy(tr.patches[size_t(k)].data(),
                    val.refp.data() + size_t(i) * kPatchF + size_t(k) * al::kLutgenPatchFeatures,
                    sizeof(float) * al::kLutgenPatchFeatures);
      const ag::Look prompt = al::random_look(5);
      const ag::Lut3D c = m.predict(b.has_src[i].item<float>() > 0.5f ? &ts : nullptr, tr,
                                    i == 3 ? &prompt : nullptr);
      const auto t = to_vec(lut[i].permute({1, 2, 3, 0}));  // [b][g][r][c], the Lut3D order
      for (size_t k = 0; k < t.size(); ++k)
        max_diff = std::max(max_diff, double(std::abs(t[k] - c.table[k])));
    }
  }
  fmt::print("plain-C++ forward vs libtorch: max |difference| {:.2e}\n", max_diff);
  if (max_diff > 1e-3)
    throw ag::Error(ag::ErrorKind::Internal, "C++ inference disagrees with the trained network");
  const double val_rms = rms255(net, val);
  m.meta = {
      {"issue", 8},
      {"command", cmd},
      {"seed", o.seed},
      {"steps", o.steps},
      {"init", o.init.empty() ? nlohmann::json(nullptr)
                              : nlohmann::json{{"file", o.init}, {"member", o.init_member}}},
      {"lr", o.lr},
      {"best_step", best_step},
      {"batch", o.batch},
      {"triplets", o.triplets},
      {"sources", std::vector<std::string>(o.sources.begin(), o.sources.end())},
      {"training_pictures", train_pics.size()},
      {"patches", net.patches},
      {"corpus", o.corpus.empty() ? nlohmann::json(nullptr)
                                  : nlohmann::json{{"training_photos", corpus_train_photos},
                                                   {"training_by_folder", corpus_by_folder},
                                                   {"training_research_only", corpus_research},
                                                   {"training_luts", corpus_train_luts},
                                                   {"validation_photos", val_pics.size()},
                                                   {"validation_luts", val_luts.size()}}},
      {"clip_frames", frames},
      {"training_luts", train_lut_names},
      {"validation_rms_x255", val_rms},
      {"validation_identity_rms_x255", id_val},
      {"validation_mean_de00", best_val},
      {"validation_identity_mean_de00", id_de00},
      {"validation_cases", val_cases.size()},
      {"validation_mixed_on_grey", val_mixed},
      {"grey_weight", o.grey_weight},
      {"order_weight", o.order_weight},
      {"ema", o.ema},
      {"validation_real_rms_x255", rms255(net, val_real)},
      {"validation_real_identity_rms_x255", id_val_real},
      {"train_seconds", elapsed()},
      {"license",
       o.corpus.empty()
           ? "weights: same license as autograde; trained on ../shared/data (see models/lutgen.md)"
           : "weights: same license as autograde; trained on ../shared/data including "
             "research-only corpus photos (counts in corpus.training_by_folder; see "
             "models/lutgen.md)"}};
  fs::create_directories(fs::path(o.out).parent_path());
  al::write_lutgen(o.out, m);
  fmt::print("wrote {} (validation RMS x255 {:.2f}, identity {:.2f}) [{:.0f} s]\n", o.out, val_rms,
             id_val, elapsed());
  return 0;
} catch (const ag::Error& e) {
  fmt::print(stderr, "train_lutgen: {}\n", e.what());
  return e.exit_code();
} catch (const std::exception& e) {
  fmt::print(stderr, "train_lutgen: {}\n", e.what());
  return 4;
}
