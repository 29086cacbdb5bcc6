#pragma once
// Grade from words: a text prompt becomes a Look (issue 6).
//
// Language understanding is ours, explainable and deterministic: a curated vocabulary
// (data/vocabulary/*.json, embedded at build time) maps phrases to Look deltas, and WordNet 3.0
// (Princeton; Debian's wordnet-dev / wordnet-base) lemmatises words and links unknown words to
// the nearest known concept.
//
// Encoding: the returned Look works on display-referred code values (Rec.709 / sRGB R'G'B'
// 0..1), like every Look (look.hpp). Deltas are Looks read as offsets (look.hpp: add/scale).
//
// Grammar (words listed in data/vocabulary/grammar.json):
//   - lower-casing, accents folded ("Amélie" = "amelie"), punctuation splits clauses;
//   - each word is lemmatised with WordNet's morphstr ("shadows" = "shadow");
//   - multi-word phrases, longest match first ("blue hour" before "blue");
//   - intensifiers scale the next concept: "slightly"/"a bit" ×0.5, "very" ×1.5,
//     "extremely" ×2 (table in grammar.json);
//   - comparatives are steps: "more X" / "Xer" ×0.5, "less X" ×-0.5, "a bit warmer" ×0.25,
//     "much warmer" ×1;
//   - negation ("not", "no", "without", "not too", ...) applies to the next concept (and to
//     concepts joined to it by "or"/"nor"): the combined delta is first kept from moving in the
//     negated concept's direction, then a mild counter-push (×-0.35) is added;
//   - "like <film>" / "in the style of <film>": a title that is not in the vocabulary is
//     reported as unknown, never guessed through WordNet;
//   - unknown words: WordNet synonyms, similar-to, derivation, pertainym, also-see, attribute
//     and hypernym links are walked breadth-first up to `wordnet_depth` links; the nearest
//     vocabulary concept is used with weight 1, 0.85, 0.7, 0.55 by depth (an antonym link flips
//     the sign). Words with no such concept are listed in PromptExplanation::unknown.
// Composition: term deltas add in Look space (add/scale), then each parameter is softly limited
// (tanh, so order is kept but nothing runs away: |exposure| < 1 stop, |temperature| < 0.8 stops,
// saturation < 1.7x, ...; see prompt_compose.cpp) and finally clamped with LookLimits.
// Terms that pull one axis (warmth, tint, exposure, contrast, saturation, fade) in opposite
// directions are reported as contradictions.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "autograde/look/look.hpp"

namespace autograde {

struct PromptTerm {
  std::string words;      // the prompt words this term covers (normalised), e.g. "slightly warmer"
  std::string concept_name;  // the vocabulary phrase it matched, e.g. "warm"
  std::string category;   // vocabulary category, e.g. "light"
  std::string rationale;  // the vocabulary's one-line reason for the delta
  std::string via;        // how it matched: "phrase", "lemma", "comparative", "WordNet ..."
  float weight = 1.f;     // signed scale applied to the vocabulary delta
  bool negated = false;
  Look delta;             // the delta this term contributed (already scaled)
};

struct PromptExplanation {
  std::string prompt;
  std::vector<PromptTerm> terms;
  std::vector<std::string> unknown;         // words (or titles) that were not understood
  std::vector<std::string> contradictions;  // human-readable, one per conflicting pair
  std::vector<std::string> notes;           // e.g. a parameter that reached its soft limit
  Look look;                                // the composed, limited result
};

struct PromptOptions {
  bool use_wordnet = true;  // lemmatisation and the unknown-word walk
  int wordnet_depth = 3;    // links walked at most from an unknown word
};

// The Look a prompt describes (identity when nothing was understood). Never throws for any
// text; `explanation`, when given, receives what each word matched and contributed.
Look look_from_prompt(std::string_view text, PromptExplanation* explanation = nullptr,
                      const PromptOptions& options = {});

// The prompt's delta applied on top of a base Look ("like this still but colder": base is the
// matched Look). Same composition rules as look_from_prompt (soft limits, then LookLimits).
Look apply_prompt_delta(const Look& base, const Look& prompt_delta);

// Multi-line text for --explain: per term what it matched, via what, and its delta.
std::string format_explanation(const PromptExplanation& explanation);

// scale() that also works for negative k: split-toning tints turn to the opposite hue instead
// of vanishing ("less yellow" tints toward blue).
Look scale_delta(const Look& delta, float k);

struct VocabularyInfo {
  std::map<std::string, int> entries_per_category;
  int entries = 0;
  int phrases = 0;
};
VocabularyInfo vocabulary_info();

}  // namespace autograde
