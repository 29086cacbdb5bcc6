#pragma once
// One way to get a Look (DESIGN.md data flow: reference still / text prompt → Look): every
// caller that turns a reference still and/or a prompt into a grade — `grade` per shot, `lut`,
// the server — goes through find_look, so the same inputs give the same LUT everywhere.
//
// Encoding: the reference and the sources hold display-referred code values (Rec.709 / sRGB
// R'G'B' 0..1; log footage is converted to display first); the Look works on the same values.
//
// The methods live in one table (look_methods): the matchers of look/match.hpp, then the
// learned generator and its hybrid with `auto` (learn/lutgen.hpp). Help texts and the usage
// error for an unknown name are generated from it.
//
// The combining rule, for a reference and a prompt together ("like this still but colder"):
// the prompt edits the matched grade, i.e. it acts on the matched picture:
//   - a parametric match (`auto`) gets the prompt's delta added to its parameters
//     (apply_prompt_delta), which keeps the result an editable Look;
//   - a LUT-only match (the classic transfers, `learned`, `hybrid`) becomes an identity Look
//     whose residual is prompt ∘ matched LUT, sampled at every lattice point, so the prompt
//     acts after the matched LUT just as it does after a parametric match.
// Strength (0..1) is the mix of the whole grade with the input; for a prompt alone it is the
// prompt Look's strength.
#include <span>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/look/look.hpp"
#include "autograde/look/match.hpp"
#include "autograde/look/prompt.hpp"

namespace autograde {

struct LookMethod {
  std::string name;
  std::string summary;  // one line for help texts
  bool needs_sources;   // transfers a distribution onto the footage: Error(Usage) without one
};

// Every method, the default first: `learned`, the method with the lowest error on the corpus's
// test split (models/auto.md, "Test split"; README, "Make a LUT").
const std::vector<LookMethod>& look_methods();
// The method a request runs: `method` itself when named; when empty (nothing asked for), the
// default, or `auto` when `transfer` is above 0 (the palette dial is `auto`'s alone, so asking
// for it picks the method that has it).
std::string resolve_look_method(const std::string& method, float transfer);
// "learned, auto, ..." (`separator` between the names), for error messages.
std::string look_method_list(const std::string& separator);
// "learned (the default; auto when --transfer is above 0), auto, ...": --method's help text.
std::string look_method_help();
// Error(Usage) naming the method and listing the valid ones when `name` is not in the table.
void check_look_method(const std::string& name);

// A prompt read once (it is the same for every shot): its Look and what each word did.
struct PromptLook {
  Look look = identity_look();
  PromptExplanation explanation;
  bool empty() const { return explanation.prompt.empty(); }
};
PromptLook read_prompt(const std::string& text);

struct LookRequest {
  const ImageF* reference = nullptr;  // may be null when there is a prompt or a look LUT
  // A creative LUT as the look (`grade --lut LOOK.cube`, issue 21: "apply this LUT, but protect
  // skin"): display code values → display code values. Not with a reference; a prompt edits it
  // as it edits a LUT-only match.
  const LutFile* look_lut = nullptr;
  std::string look_lut_name = "look LUT";
  std::string reference_name = "reference";
  std::span<const ImageF> sources;     // the footage the grade is for (may be empty)
  const PromptLook* prompt = nullptr;  // may be null when there is a reference
  std::string method;  // empty: resolve_look_method's choice
  float strength = 1.f;
  float transfer = 0.f;  // `auto` only: the dial towards the reference's whole palette (match.hpp)
  int lut_size = 33;
};

struct FoundLook {
  Look look;                       // display code values → display code values
  std::string method;              // the match method, or "prompt"
  float confidence = 1.f;          // of the match (1 for a prompt alone)
  std::vector<std::string> notes;  // the matcher's remarks for the user
  bool parametric = true;          // false when the grade lives in look.residual
};

// The reference matched by request.method alone (no prompt, look LUT or checks): the method
// table's one dispatch, which find_look uses and bench_match scores. Errors as the method's.
MatchResult match_by_method(const LookRequest& request);

// Error(Usage) with neither a reference, a look LUT nor a prompt, a reference with a look LUT, an unknown method, a bad strength or
// size, a transfer method (or a transfer above 0) without sources, or a transfer with a method
// other than `auto`; Error(BadInput) for a bad reference.
FoundLook find_look(const LookRequest& request);

}  // namespace autograde
