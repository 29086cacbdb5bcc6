#include "autograde/pipeline/shot_look.hpp"

#include <algorithm>
#include <cmath>

#include "autograde/core/error.hpp"
#include "autograde/learn/lutgen.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/look/match.hpp"

namespace autograde {

namespace {

constexpr const char* kLearned = "learned";
constexpr const char* kHybrid = "hybrid";

// The Look a match stands for: its fitted Look when baking that Look reproduces the returned
// LUT (then the grade stays editable as parameters), else identity with the LUT as residual.
Look look_of(const MatchResult& r, int size) {
  if (r.look) {
    const Lut3D baked = bake_look(*r.look, size);
    float worst = baked.table.size() == r.lut.table.size() ? 0.f : 1.f;
    for (size_t i = 0; worst < 1.f && i < baked.table.size(); ++i)
      worst = std::max(worst, std::abs(baked.table[i] - r.lut.table[i]));
    if (worst < 1e-4f) return *r.look;
  }
  Look l = identity_look();
  l.residual = r.lut;
  return l;
}

}  // namespace

std::string resolve_look_method(const std::string& method, float transfer) {
  if (!method.empty()) return method;
  return transfer > 0.f ? "auto" : look_methods().front().name;
}

MatchResult match_by_method(const LookRequest& request) {
  LookRequest q = request;
  q.method = resolve_look_method(q.method, q.transfer);
  MatchOptions mo;
  mo.method = q.method;
  mo.strength = q.strength;
  mo.transfer = q.transfer;
  mo.lut_size = q.lut_size;
  if (q.method == kLearned)
    return learn::match_reference_learned(*q.reference, q.sources, mo, q.reference_name);
  if (q.method == kHybrid)
    return learn::match_reference_hybrid(*q.reference, q.sources, mo, q.reference_name);
  return match_reference(*q.reference, q.sources, mo, q.reference_name);
}

const std::vector<LookMethod>& look_methods() {
  static const std::vector<LookMethod> methods = [] {
    std::vector<LookMethod> m;
    m.push_back({kLearned, "the learned LUT generator (models/lutgen.md; default)", false});
    for (const std::string& name : match_method_names()) {
      if (name == "auto")
        m.push_back({name,
                     "separates the reference's grade from its content as editable Look "
                     "parameters (the default with --transfer)",
                     false});
      else
        m.push_back({name, "classic colour transfer onto the footage", true});
    }
    m.push_back({kHybrid, "equal mix of learned and auto", false});
    return m;
  }();
  return methods;
}

std::string look_method_list(const std::string& separator) {
  std::string s;
  for (const LookMethod& m : look_methods()) s += (s.empty() ? "" : separator) + m.name;
  return s;
}

std::string look_method_help() {
  std::string s;
  for (const LookMethod& m : look_methods())
    s += (s.empty() ? m.name + " (the default; auto when --transfer is above 0)" : ", " + m.name);
  return s;
}

void check_look_method(const std::string& name) {
  const auto& m = look_methods();
  if (std::none_of(m.begin(), m.end(), [&](const LookMethod& x) { return x.name == name; }))
    throw_usage("unknown method '" + name + "' (" + look_method_list(", ") + ")");
}

PromptLook read_prompt(const std::string& text) {
  PromptLook p;
  p.look = look_from_prompt(text, &p.explanation);
  p.explanation.prompt = text;
  return p;
}

namespace {

// The prompt acts after a LUT-only grade: every lattice entry goes through the prompt's Look.
void apply_prompt_after(const Look& prompt, Lut3D& lut) {
  for (size_t i = 0; i < lut.table.size(); i += 3) {
    const Rgb v = apply_look(prompt, {lut.table[i], lut.table[i + 1], lut.table[i + 2]});
    for (size_t c = 0; c < 3; ++c) lut.table[i + c] = v[c];
  }
}

}  // namespace

FoundLook find_look(const LookRequest& request) {
  LookRequest q = request;
  q.method = resolve_look_method(q.method, q.transfer);
  if (!q.reference && !q.prompt && !q.look_lut)
    throw_usage("give a reference still, a look LUT and/or a text prompt");
  if (q.reference && q.look_lut)
    throw_usage("give a reference still or a look LUT (" + q.look_lut_name + "), not both");
  if (!(q.strength >= 0.f && q.strength <= 1.f)) throw_usage("strength must be in 0..1");
  FoundLook out;
  if (q.look_lut) {
    // The LUT sampled at every lattice point of the plan's size (through its shaper, if any):
    // an identity Look whose residual is the LUT, so the plan keeps it and refine edits on top.
    Lut3D lut = Lut3D::identity(q.lut_size);
    for (size_t i = 0; i < lut.table.size(); i += 3) {
      const Rgb v = sample(*q.look_lut, {lut.table[i], lut.table[i + 1], lut.table[i + 2]},
                           Interp::Tetrahedral);
      for (size_t c = 0; c < 3; ++c) lut.table[i + c] = v[c];
    }
    if (q.prompt) apply_prompt_after(q.prompt->look, lut);
    out.look = identity_look();
    out.look.residual = std::move(lut);
    out.look.strength = q.strength;
    out.method = "lut";
    out.parametric = false;
    return out;
  }
  if (!q.reference) {
    out.look = q.prompt->look;
    out.look.strength = q.strength;
    out.method = "prompt";
    return out;
  }
  check_look_method(q.method);
  if (!(q.transfer >= 0.f && q.transfer <= 1.f)) throw_usage("--transfer must be in 0..1");
  if (q.transfer > 0.f && q.method != "auto")
    throw_usage("--transfer dials `auto` towards the reference's whole palette; method '" + q.method +
                "' does not take it (leave --transfer at 0 or use --method auto)");
  // The transfer methods (and `auto` dialled above 0) return only a LUT: with a prompt it is matched at full strength and the
  // strength mixes prompt ∘ LUT afterwards, so strength scales the whole grade as it does for a
  // parametric Look.
  const bool lut_only = q.method != "auto" || q.transfer > 0.f;
  LookRequest m = q;
  if (q.prompt && lut_only) m.strength = 1.f;
  const MatchResult r = match_by_method(m);
  out.method = r.method;
  out.confidence = r.confidence;
  out.notes = r.notes;
  out.look = look_of(r, q.lut_size);
  out.parametric = !out.look.residual.has_value();
  if (!q.prompt) return out;
  if (out.parametric) {
    out.look = apply_prompt_delta(out.look, q.prompt->look);
  } else {
    apply_prompt_after(q.prompt->look, *out.look.residual);
    if (lut_only) out.look.strength = q.strength;
  }
  return out;
}

}  // namespace autograde
