#pragma once
// The style vocabulary and the prompt grammar words, loaded from data/vocabulary/*.json
// (embedded into the library at build time by prompt_sources.cmake).
//
// Vocabulary file: {"category": "...", "entries": [ {"phrases": [...], "delta": {...},
// "why": "one-line rationale"} ]} (an entry may override "category"). A delta uses the Look's
// own JSON names and units (look.hpp, to_json) and is read as offsets from identity; missing
// fields are neutral. Two conveniences: "hue_saturation" and "hue_shift_deg" may be objects
// keyed by sector angle ("45": 0.2), and "lift"/"gamma"/"gain" may be one number for all
// channels.
//
// grammar.json: {"intensifiers": {"very": 1.5, ...}, "comparatives": {"more": 0.5, ...},
// "negators": [...], "negation_joiners": [...], "conjunctions": [...], "title_markers": [...],
// "stop_words": [...]}.
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "autograde/look/look.hpp"

namespace autograde::prompt {

struct EmbeddedFile {
  const char* name;
  const char* text;
};
const std::vector<EmbeddedFile>& embedded_vocabulary_files();

struct PhraseForm {
  std::vector<std::string> words;   // as written (normalised)
  std::vector<std::string> lemmas;  // WordNet base form of each word (the word when none)
};

struct VocabEntry {
  std::vector<std::string> phrases;  // normalised; the first is the canonical name
  std::string category;
  Look delta;
  std::string rationale;
};

// Joiner: "or"/"nor" carry a negation on to the next concept; Conjunction ("and", "but")
// ends a negation or a title.
enum class GrammarKind { Intensifier, Comparative, Negator, Joiner, Conjunction, TitleMarker, Stop };

struct GrammarWord {
  GrammarKind kind;
  float value = 1.f;  // intensifier factor or comparative step
};

struct Vocabulary {
  std::vector<VocabEntry> entries;
  // Every phrase (vocabulary and grammar) with what it is: entry index >= 0, or -1 and grammar.
  struct Phrase {
    PhraseForm form;
    int entry = -1;
    GrammarWord grammar{GrammarKind::Stop};
  };
  std::vector<Phrase> phrases;
  std::unordered_map<std::string, int> entry_by_phrase;  // normalised phrase -> entry
  std::unordered_map<std::string, int> grammar_phrase;   // normalised phrase -> phrases index
};

// Parses vocabulary and grammar documents; Error(BadInput) naming the file for malformed data
// (unknown delta keys, duplicate phrases, out-of-range values).
Vocabulary load_vocabulary(const std::vector<std::pair<std::string, std::string>>& files);

// The embedded vocabulary, parsed once.
const Vocabulary& builtin_vocabulary();

// A vocabulary delta from its JSON (see above); `where` names it in errors.
Look delta_from_json(const nlohmann::json& j, const std::string& where);

// WordNet base form used for matching (the word itself when WordNet has none).
std::string match_lemma(const std::string& word);

}  // namespace autograde::prompt
