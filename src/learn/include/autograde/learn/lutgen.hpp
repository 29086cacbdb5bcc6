#pragma once
// The learned LUT generator (issue 8): source footage + reference still (+ optionally a text
// prompt's Look) → a 3D LUT. It is the system description's multi-modal core (seed 001,
// eqs. 1-9) and LUT generator (eq. 13), sized for a CPU and run in plain C++ (training, with
// libtorch, is src/learn/training/train_lutgen.cpp).
//
// Encoding: images hold display-referred code values (sRGB / Rec.709 R'G'B' 0..1); the LUT
// maps display code values to display code values, like every match method (match.hpp).
//
// Network (all sizes from the weight file):
//   encoders (eqs. 1-6): the source pixels (all frames pooled) and the reference pixels each
//     become kLutgenTokens colour-statistics tokens (lutgen_features.hpp: one per tonal band
//     plus a global one). Each token is standardised and projected by a two-layer ReLU MLP
//     into a common d-dimensional space, plus a learned per-token position vector; source and
//     reference have their own weights (W_v, W_i). A prompt Look (when given) is one more
//     token through its own MLP (W_t). A network with patches also reads the reference's 16
//     patch tokens (lutgen_features.hpp) through its own MLP (W_p) plus a position vector each.
//   fusion (eqs. 7-9, with the learned projections of eqs. 60-63): multi-head cross-attention,
//     queries = source tokens, keys/values = reference tokens (+ the prompt token);
//     s = LayerNorm(e_v + Attention(Q, K, V)).
//   generator (eq. 13): the flattened s (kLutgenTokens x d) → FC + ReLU → K weights over K
//     learned basis residual LUTs (N^3 x 3, Zeng et al., "Learning Image-adaptive 3D Lookup
//     Tables", TPAMI 2020): LUT = identity + Σ_k w_k B_k, so an empty style is no change.
//     The N^3 lattice is resampled (trilinear) to the requested size.
//   Without a source, the source tokens are the training mean (standardised zeros), which the
//   network was trained to read as "unknown source".
//
// Weight file "AGLG0001" (little-endian): 8-byte magic, uint32 header length H, H bytes of
// UTF-8 JSON {"format": "autograde-lutgen", "version": 1, "d": ..., "heads": ..., "hidden": ...,
// "bases": K, "lattice": N, "look_features": T, "feature_version": ..., optionally "patches": 16
// (the reference's patch tokens join its keys and values: seven more tensors, after the others),
// "tensors": [{"name": ..., "shape": [...]}, ...], "meta": {...}}, then the float32 payload of
// every tensor in the listed order, row-major. An ensemble is several such records back to
// back in one file (the first is the model, the others its members); nothing may follow the
// last record. Every tensor the network needs must be present with the expected shape and
// finite values; anything else is Error(BadInput) naming the file, and so is a network this
// build does not run: another "version", or meta "base" other than "identity" or meta
// "auto_token" true (residuals stacked on `auto`, models/lutgen.md).
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/learn/lutgen_features.hpp"
#include "autograde/look/look.hpp"
#include "autograde/look/match.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde::learn {

constexpr const char* kLutgenModelFile = "lutgen.bin";
constexpr int kLutgenLookFeatures = 40;

// A Look as the prompt token reads it (neutral Look → all zeros):
//   [0] exposure, [1] temperature, [2] tint, [3] ln contrast, [4] pivot - 0.45,
//   [5..7] lift, [8..10] ln gamma, [11..13] ln gain, [14] fade, [15] saturation - 1,
//   [16] vibrance, [17..24] hue shifts / 60°, [25..32] hue saturations,
//   [33,34] shadow split-tone amount·(cos, sin) of its hue, [35,36] the same for highlights,
//   [37] split balance, [38] black point, [39] white point - 1.
std::vector<float> look_features(const Look& look);

struct LutgenTensor {
  std::vector<int> shape;
  std::vector<float> values;
};

struct LutgenModel {
  int d = 0, heads = 0, hidden = 0, bases = 0, lattice = 0, look_dim = 0;
  // kLutgenPatches when the reference's patch tokens (lutgen_features.hpp) join its keys and
  // values through their own MLP and position vectors (header "patches"); 0 when not.
  int patches = 0;
  std::map<std::string, LutgenTensor> tensors;
  nlohmann::json meta = nlohmann::json::object();

  // Further networks of an ensemble (the weight file's later records, above); empty for one
  // network. They share this network's lattice; learned_match averages the product LUTs of all
  // of them.
  std::vector<LutgenModel> members;

  // The predicted LUT of this network (members ignored) on its own N^3 lattice (display code
  // values, not clamped). `source` may be null (no source footage), `prompt` null (no text
  // prompt). A network with patches needs the reference's patch tokens (Error(Internal)
  // otherwise); the others ignore them.
  Lut3D predict(const LutgenTokens* source, const LutgenTokens& reference,
                const Look* prompt) const;

  // The list of tensors (name, shape) a model with these sizes must hold, in file order.
  static std::vector<std::pair<std::string, std::vector<int>>> layout(int d, int heads, int hidden,
                                                                      int bases, int lattice,
                                                                      int look_dim,
                                                                      int patches = 0);
};

// Error(BadInput) naming the file for a missing, truncated, inconsistent or non-finite model.
LutgenModel read_lutgen(const std::string& path);
LutgenModel parse_lutgen(const std::string& bytes, const std::string& source_name);
std::string serialise_lutgen(const LutgenModel& model);
void write_lutgen(const std::string& path, const LutgenModel& model);  // atomic

// Loads (once per path, then cached) the shipped model: model_path(kLutgenModelFile), or
// `path` when not empty.
const LutgenModel& shipped_lutgen(const std::string& path = "");

// `--method learned`: the match_reference contract (match.hpp) with the learned generator.
// Sources are optional; `prompt` (a Look from a text prompt) is optional. The LUT is resampled
// to options.lut_size, mixed with identity by options.strength, clamped to 0..1 and kept
// monotone along the neutral axis. Error(BadInput) for an empty or non-finite image or a bad
// model file, Error(Usage) for a bad size/strength.
MatchResult match_reference_learned(const ImageF& reference, std::span<const ImageF> sources,
                                    const MatchOptions& options,
                                    const std::string& reference_name = "reference",
                                    const Look* prompt = nullptr,
                                    const std::string& model_file = "");

// The same product path for tokens already computed (match_reference_learned after its
// feature extraction; the trainer scores its validation cases with it). When the grey axis had
// to be repaired, one of the notes contains "monotone".
MatchResult learned_match(const LutgenModel& model, const LutgenTokens* source,
                          const LutgenTokens& reference, const Look* prompt,
                          const MatchOptions& options);

// `--method hybrid` (stacking of the two reference matchers): the learned generator's LUT and
// `auto`'s LUT combined by adding their displacements from identity with fixed weights,
//   LUT = identity + w_l (learned - identity) + w_a (auto - identity),
// with w_l, w_a chosen on the validation split (bench_lutgen --split validation --sweep-hybrid
// 0.125; the table and the CIELAB variant are in models/lutgen.md). A plain reference gives (near)
// identity from both methods, so it stays a (near) no-change. The weights sum to at most 1, so the
// result is a convex mix of identity and the two LUTs, whose grey-axis luma never decreases (each
// method guarantees it), and neither does the mix's.
constexpr float kHybridLearnedWeight = 0.5f;
constexpr float kHybridAutoWeight = 0.5f;

enum class HybridSpace {
  code_values,  // displacements of display code values
  lab,          // displacements of CIELAB (D65) colours of the lattice outputs
};

// identity + w_learned (learned - identity) + w_auto (automatic - identity), in `space`,
// clamped to 0..1. Error(Usage) for different sizes or non-finite weights.
Lut3D combine_luts(const Lut3D& learned, const Lut3D& automatic, float w_learned, float w_auto,
                   HybridSpace space = HybridSpace::code_values);

// The hybrid result from the two methods' results (same LUT size, same strength applied).
MatchResult hybrid_match(const MatchResult& learned, const MatchResult& automatic);

// The match_reference contract with `--method hybrid`: runs `learned` and `auto` and combines
// them (hybrid_match). Errors as match_reference_learned / match_reference.
MatchResult match_reference_hybrid(const ImageF& reference, std::span<const ImageF> sources,
                                   const MatchOptions& options,
                                   const std::string& reference_name = "reference",
                                   const Look* prompt = nullptr,
                                   const std::string& model_file = "");

}  // namespace autograde::learn
