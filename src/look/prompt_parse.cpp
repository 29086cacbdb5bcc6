// Prompt text -> Look: the grammar is described in prompt.hpp.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <unordered_set>

#include "autograde/look/prompt.hpp"
#include "prompt_compose.hpp"
#include "prompt_text.hpp"
#include "prompt_vocabulary.hpp"
#include "prompt_wordnet.hpp"

namespace autograde {

namespace {

using prompt::GrammarKind;

constexpr float kNegationCounter = -0.35f;  // mild push away from a negated concept
constexpr float kComparativeStep = 0.5f;    // "warmer" = half of "warm", added
constexpr float kSuperlative = 1.5f;        // "warmest" = "very warm"
constexpr float kDepthWeight[] = {1.f, 0.85f, 0.7f, 0.55f, 0.4f, 0.3f};
// WordNet walks per prompt. A walk reads up to a few thousand synsets (tens of ms); without a
// bound a long paste of unknown words took seconds (fuzz_prompt: 240 words, 6.8 s under ASan).
// Repeated words reuse their walk; words past the bound are reported unknown, with a note.
constexpr int kMaxWordnetWalks = 24;

struct TokenInfo {
  std::string raw;
  std::string lemma;
  std::optional<prompt::Gradable> gradable;
  bool clause_break = false;
};

struct Match {
  int phrase = -1;
  int length = 0;
  int exact = 0;
  bool via_lemma = false;
  bool via_gradable = false;
  bool superlative = false;
};

const std::unordered_set<std::string>& known_words(const prompt::Vocabulary& v) {
  static const std::unordered_set<std::string> words = [&] {
    std::unordered_set<std::string> s;
    for (const auto& p : v.phrases)
      for (const auto& w : p.form.words) s.insert(w);
    return s;
  }();
  return words;
}

Match best_match(const prompt::Vocabulary& v, const std::vector<TokenInfo>& toks, size_t i) {
  Match best;
  for (size_t pi = 0; pi < v.phrases.size(); ++pi) {
    const auto& form = v.phrases[pi].form;
    const size_t len = form.words.size();
    if (len == 0 || i + len > toks.size()) continue;
    if (int(len) < best.length) continue;
    Match m{int(pi), int(len), 0, false, false, false};
    bool ok = true;
    for (size_t j = 0; j < len && ok; ++j) {
      const TokenInfo& t = toks[i + j];
      if (t.clause_break) {
        ok = false;
      } else if (t.raw == form.words[j]) {
        ++m.exact;
      } else if (t.gradable && (t.gradable->base == form.words[j] || t.gradable->base == form.lemmas[j]) &&
                 v.phrases[pi].entry >= 0) {
        m.via_gradable = true;
        m.superlative = m.superlative || t.gradable->superlative;
      } else if (!t.gradable && t.lemma == form.lemmas[j]) {
        m.via_lemma = true;
      } else {
        ok = false;
      }
    }
    if (!ok) continue;
    // Longest first; among equal lengths prefer exact words, then vocabulary over grammar.
    const bool better = m.length > best.length ||
                        (m.length == best.length && m.exact > best.exact) ||
                        (m.length == best.length && m.exact == best.exact && best.phrase >= 0 &&
                         v.phrases[size_t(best.phrase)].entry < 0 && v.phrases[pi].entry >= 0);
    if (best.phrase < 0 || better) best = m;
  }
  return best;
}

std::string join(const std::vector<TokenInfo>& toks, size_t from, size_t to) {
  std::string s;
  for (size_t k = from; k < to; ++k) {
    if (toks[k].clause_break) continue;
    if (!s.empty()) s += ' ';
    s += toks[k].raw;
  }
  return s;
}

}  // namespace

Look look_from_prompt(std::string_view text, PromptExplanation* explanation, const PromptOptions& options) {
  const prompt::Vocabulary& vocab = prompt::builtin_vocabulary();
  const auto& known = known_words(vocab);
  const bool wn = options.use_wordnet && prompt::wordnet_available();

  std::vector<TokenInfo> toks;
  for (const auto& t : prompt::tokenize(text)) {
    TokenInfo ti;
    ti.raw = t.text;
    ti.clause_break = t.clause_break;
    if (!t.clause_break) {
      ti.lemma = wn ? prompt::match_lemma(t.text) : t.text;
      if (wn && !known.count(t.text)) ti.gradable = prompt::wordnet_gradable(t.text);
    }
    toks.push_back(std::move(ti));
  }

  PromptExplanation ex;
  ex.prompt = std::string(text);
  std::vector<Look> negated_units;

  // Modifier state for the next concept.
  float intensity = 1.f;
  float comparative = 0.f;  // 0: none
  bool negate = false;
  bool last_negated = false;
  bool title = false;
  size_t modifiers_from = 0;
  std::vector<std::string> title_run;
  auto flush_title = [&] {
    if (!title_run.empty()) {
      std::string t;
      for (auto& w : title_run) t += (t.empty() ? "" : " ") + w;
      ex.unknown.push_back("like " + t + " (not a known film or look)");
      title_run.clear();
    }
  };
  auto reset = [&](size_t next) {
    intensity = 1.f;
    comparative = 0.f;
    negate = false;
    modifiers_from = next;
  };

  auto add_term = [&](const prompt::VocabEntry& entry, const std::string& concept_name, size_t from,
                      size_t to, std::string via, float base_weight) {
    PromptTerm term;
    term.words = join(toks, from, to);
    term.concept_name = concept_name;
    term.category = entry.category;
    term.rationale = entry.rationale;
    float w = base_weight * intensity * (comparative != 0.f ? comparative : 1.f);
    if (negate) {
      term.negated = true;
      negated_units.push_back(entry.delta);
      w = kNegationCounter;  // whatever the intensifier: never toward the negated concept
      via += ", negated";
    }
    term.via = via;
    term.weight = w;
    term.delta = scale_delta(entry.delta, w);
    last_negated = negate;
    ex.terms.push_back(std::move(term));
  };

  // WordNet's nearest concept of a word not in the vocabulary, each word walked once.
  std::map<std::string, std::optional<prompt::ConceptHit>> walked;
  bool walks_exhausted = false;
  auto nearest = [&](const std::string& word) -> std::optional<prompt::ConceptHit> {
    if (auto it = walked.find(word); it != walked.end()) return it->second;
    if (walked.size() >= size_t(kMaxWordnetWalks)) {
      walks_exhausted = true;
      return std::nullopt;
    }
    auto is_known = [&](const std::string& p) { return vocab.entry_by_phrase.count(p) > 0; };
    return walked[word] = prompt::wordnet_nearest(word, is_known, options.wordnet_depth);
  };

  size_t i = 0;
  while (i < toks.size()) {
    if (toks[i].clause_break) {
      flush_title();
      title = false;
      last_negated = false;
      reset(i + 1);
      ++i;
      continue;
    }
    const Match m = best_match(vocab, toks, i);
    if (m.phrase >= 0) {
      const auto& ph = vocab.phrases[size_t(m.phrase)];
      if (ph.entry < 0) {
        switch (ph.grammar.kind) {
          case GrammarKind::Intensifier: intensity *= ph.grammar.value; break;
          case GrammarKind::Comparative:
            comparative = comparative == 0.f ? ph.grammar.value : comparative * std::abs(ph.grammar.value) / kComparativeStep;
            break;
          case GrammarKind::Negator: negate = true; break;
          case GrammarKind::Joiner:
            if (last_negated) negate = true;
            break;
          case GrammarKind::Conjunction:
            flush_title();
            title = false;
            last_negated = false;
            break;
          case GrammarKind::TitleMarker:
            flush_title();
            title = true;
            break;
          case GrammarKind::Stop:
            if (!title_run.empty()) title_run.push_back(join(toks, i, i + size_t(m.length)));
            break;
        }
        i += size_t(m.length);
        continue;
      }
      flush_title();
      title = false;
      const auto& entry = vocab.entries[size_t(ph.entry)];
      float w = 1.f;
      std::string via = m.via_lemma ? "lemma" : "phrase";
      if (m.via_gradable) {
        if (m.superlative) {
          w = kSuperlative;
          via = "superlative";
        } else if (comparative == 0.f) {
          w = kComparativeStep;
          via = "comparative";
        } else {
          via = "comparative";
        }
      }
      std::string phrase;
      for (const auto& w : ph.form.words) phrase += (phrase.empty() ? "" : " ") + w;
      add_term(entry, phrase, modifiers_from, i + size_t(m.length), via, w);
      i += size_t(m.length);
      reset(i);
      continue;
    }

    // Not in the vocabulary.
    const TokenInfo& t = toks[i];
    if (title) {
      title_run.push_back(t.raw);
      ++i;
      continue;
    }
    std::optional<prompt::ConceptHit> hit;
    float grade_w = 1.f;
    if (wn) {
      hit = nearest(t.raw);
      if (!hit && t.gradable) {
        hit = nearest(t.gradable->base);
        if (hit) grade_w = t.gradable->superlative ? kSuperlative : (comparative == 0.f ? kComparativeStep : 1.f);
      }
    }
    if (hit) {
      const int e = vocab.entry_by_phrase.at(hit->phrase);
      const float w = kDepthWeight[std::min<size_t>(size_t(hit->depth), std::size(kDepthWeight) - 1)] *
                      (hit->antonym ? -1.f : 1.f) * grade_w;
      add_term(vocab.entries[size_t(e)], hit->phrase, modifiers_from, i + 1,
               fmt::format("WordNet: {} (depth {})", hit->path, hit->depth), w);
      reset(i + 1);
    } else {
      ex.unknown.push_back(t.raw);
      // A modifier before an unknown word modifies nothing.
      reset(i + 1);
    }
    ++i;
  }
  flush_title();
  if (walks_exhausted)
    ex.notes.push_back(fmt::format(
        "more than {} words are not in the vocabulary; WordNet was consulted for the first {} only",
        kMaxWordnetWalks, kMaxWordnetWalks));

  // A counter-push that moves toward another negated concept ("no green or magenta": pushing
  // away from green is pushing toward magenta) is dropped; only the caps remain for those.
  for (size_t a = 0, ia = 0; a < ex.terms.size(); ++a) {
    if (!ex.terms[a].negated) continue;
    const auto counter = prompt::axes_of(ex.terms[a].delta);
    for (size_t b = 0; b < negated_units.size(); ++b) {
      if (b == ia) continue;
      const auto other = prompt::axes_of(negated_units[b]);
      bool toward = false;
      for (int k = 0; k < prompt::kAxisCount; ++k) {
        const float th = 0.5f * prompt::axis_threshold(k) * std::abs(kNegationCounter);
        toward = toward || (counter[size_t(k)] * other[size_t(k)] > 0.f && std::abs(counter[size_t(k)]) >= th &&
                            std::abs(other[size_t(k)]) >= 0.5f * prompt::axis_threshold(k));
      }
      if (toward) {
        ex.terms[a].delta = identity_look();
        ex.terms[a].weight = 0.f;
        ex.terms[a].via += " (counter-push dropped: it would move toward another negated concept)";
        break;
      }
    }
    ++ia;
  }

  // Compose: positive terms add; negated concepts cap the sum, then push back mildly.
  Look total = identity_look();
  for (const auto& term : ex.terms)
    if (!term.negated) total = add(total, term.delta);
  for (const auto& n : negated_units) total = prompt::cap_against(total, n);
  for (const auto& term : ex.terms)
    if (term.negated) total = add(total, term.delta);
  // Counter-pushes of opposite negations ("no green or magenta") may not leave a residue toward
  // either negated concept.
  for (const auto& n : negated_units) total = prompt::cap_against(total, n);
  std::string limited;
  ex.look = prompt::soft_limit(total, &limited);
  if (!limited.empty()) ex.notes.push_back("softly limited: " + limited);

  // Contradictions: two terms pulling one axis in opposite directions.
  for (int axis = 0; axis < prompt::kAxisCount; ++axis) {
    const PromptTerm* up = nullptr;
    const PromptTerm* down = nullptr;
    float up_v = 0.f, down_v = 0.f;
    for (const auto& term : ex.terms) {
      if (term.negated) continue;
      const float v = prompt::axes_of(term.delta)[size_t(axis)];
      if (v > up_v) up_v = v, up = &term;
      if (v < down_v) down_v = v, down = &term;
    }
    const float th = prompt::axis_threshold(axis);
    if (up && down && up_v >= th && -down_v >= th)
      ex.contradictions.push_back(fmt::format(
          "\"{}\" ({:+.2f}) and \"{}\" ({:+.2f}) pull {} in opposite directions; they partly cancel",
          up->words, up_v, down->words, down_v, prompt::axis_name(axis)));
  }

  Look result = ex.look;
  if (explanation) *explanation = std::move(ex);
  return result;
}

Look apply_prompt_delta(const Look& base, const Look& prompt_delta) { return add(base, prompt_delta); }

VocabularyInfo vocabulary_info() {
  const auto& v = prompt::builtin_vocabulary();
  VocabularyInfo info;
  for (const auto& e : v.entries) {
    info.entries_per_category[e.category]++;
    info.phrases += int(e.phrases.size());
  }
  info.entries = int(v.entries.size());
  return info;
}

}  // namespace autograde
