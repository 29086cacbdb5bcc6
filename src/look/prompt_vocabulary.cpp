#include "prompt_vocabulary.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "autograde/core/error.hpp"
#include "prompt_text.hpp"
#include "prompt_wordnet.hpp"

namespace autograde::prompt {

namespace {

const std::set<std::string>& delta_keys() {
  static const std::set<std::string> k{"black_point", "white_point", "exposure",  "temperature",
                                       "tint",        "contrast",    "pivot",     "lift",
                                       "gamma",       "gain",        "fade",      "saturation",
                                       "vibrance",    "hue_shift_deg", "hue_saturation",
                                       "split_toning"};
  return k;
}

nlohmann::json sectors_array(const nlohmann::json& v, const std::string& where, const char* key) {
  if (v.is_array()) return v;
  if (!v.is_object()) throw_bad_input(where, std::string(key) + " must be an array or an object");
  nlohmann::json arr = nlohmann::json::array();
  for (int k = 0; k < kHueSectors; ++k) arr.push_back(0.0);
  for (auto it = v.begin(); it != v.end(); ++it) {
    int deg = -1;
    try {
      deg = std::stoi(it.key());
    } catch (...) {
      deg = -1;
    }
    if (deg < 0 || deg % 45 != 0 || deg >= 360 || !it.value().is_number())
      throw_bad_input(where, std::string(key) + ": sector keys are 0, 45, ... 315 with numbers, got '" +
                                 it.key() + "'");
    arr[size_t(deg / 45)] = it.value();
  }
  return arr;
}

bool same_look(const Look& a, const Look& b) {
  return to_json(a) == to_json(b);
}

}  // namespace

Look delta_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw_bad_input(where, "delta must be an object");
  nlohmann::json k = j;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!delta_keys().count(it.key()))
      throw_bad_input(where, "unknown Look parameter '" + it.key() + "' in delta");
  for (const char* key : {"hue_saturation", "hue_shift_deg"})
    if (k.contains(key)) k[key] = sectors_array(k[key], where, key);
  for (const char* key : {"lift", "gamma", "gain"})
    if (k.contains(key) && k[key].is_number()) k[key] = nlohmann::json::array({k[key], k[key], k[key]});
  Look d = look_from_json(k, where);
  if (!same_look(d, clamp_to_limits(d))) throw_bad_input(where, "delta exceeds the Look's limits");
  return d;
}

std::string match_lemma(const std::string& word) {
  // Cached: the vocabulary repeats words ("shadows", "highlights") and WordNet's morphology
  // reads its exception files on every call.
  static std::mutex m;
  static std::unordered_map<std::string, std::string> cache;
  {
    std::lock_guard lock(m);
    if (auto it = cache.find(word); it != cache.end()) return it->second;
  }
  auto forms = wordnet_base_forms(word);
  std::string lemma = forms.empty() ? word : forms.front();
  std::lock_guard lock(m);
  if (cache.size() < 100000) cache.emplace(word, lemma);
  return lemma;
}

Vocabulary load_vocabulary(const std::vector<std::pair<std::string, std::string>>& files) {
  Vocabulary v;
  auto form_of = [](const std::string& phrase) {
    PhraseForm f;
    for (const Token& t : tokenize(phrase))
      if (!t.clause_break) {
        f.words.push_back(t.text);
        f.lemmas.push_back(match_lemma(t.text));
      }
    return f;
  };
  auto add_grammar = [&](const std::string& file, const std::string& phrase, GrammarWord g) {
    const std::string norm = normalise_phrase(phrase);
    if (norm.empty()) throw_bad_input(file, "empty grammar phrase");
    if (v.grammar_phrase.count(norm) || v.entry_by_phrase.count(norm))
      throw_bad_input(file, "phrase '" + norm + "' is defined twice");
    v.grammar_phrase[norm] = int(v.phrases.size());
    v.phrases.push_back({form_of(norm), -1, g});
  };

  for (const auto& file : files) {
    // Plain references, not a structured binding: the lambdas below capture `name`, which
    // clang before 16 rejects for bindings (the sanitizer build uses clang 14).
    const std::string& name = file.first;
    const std::string& text = file.second;
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      throw_bad_input(name, std::string("not valid JSON: ") + e.what());
    }
    if (!doc.is_object()) throw_bad_input(name, "a vocabulary file holds one JSON object");
    if (doc.contains("intensifiers") || doc.contains("negators")) {
      auto numbers = [&](const char* key, GrammarKind kind) {
        if (!doc.contains(key)) return;
        if (!doc[key].is_object()) throw_bad_input(name, std::string(key) + " must be an object");
        for (auto it = doc[key].begin(); it != doc[key].end(); ++it) {
          if (!it.value().is_number()) throw_bad_input(name, std::string(key) + " values are numbers");
          add_grammar(name, it.key(), {kind, it.value().get<float>()});
        }
      };
      auto words = [&](const char* key, GrammarKind kind) {
        if (!doc.contains(key)) return;
        if (!doc[key].is_array()) throw_bad_input(name, std::string(key) + " must be an array");
        for (const auto& w : doc[key]) {
          if (!w.is_string()) throw_bad_input(name, std::string(key) + " holds strings");
          add_grammar(name, w.get<std::string>(), {kind, 1.f});
        }
      };
      numbers("intensifiers", GrammarKind::Intensifier);
      numbers("comparatives", GrammarKind::Comparative);
      words("negators", GrammarKind::Negator);
      words("negation_joiners", GrammarKind::Joiner);
      words("conjunctions", GrammarKind::Conjunction);
      words("title_markers", GrammarKind::TitleMarker);
      words("stop_words", GrammarKind::Stop);
      continue;
    }
    const std::string file_category = doc.value("category", "");
    if (!doc.contains("entries") || !doc["entries"].is_array())
      throw_bad_input(name, "expected an \"entries\" array");
    int index = 0;
    for (const auto& e : doc["entries"]) {
      const std::string where = name + " entry " + std::to_string(index++);
      if (!e.is_object() || !e.contains("phrases") || !e["phrases"].is_array() ||
          e["phrases"].empty() || !e.contains("delta") || !e.contains("why") || !e["why"].is_string())
        throw_bad_input(where, "an entry needs \"phrases\" (non-empty array), \"delta\" and \"why\"");
      VocabEntry entry;
      entry.category = e.value("category", file_category);
      if (entry.category.empty()) throw_bad_input(where, "no category");
      entry.rationale = e["why"].get<std::string>();
      if (entry.rationale.empty()) throw_bad_input(where, "empty rationale");
      entry.delta = delta_from_json(e["delta"], where);
      for (const auto& p : e["phrases"]) {
        if (!p.is_string()) throw_bad_input(where, "phrases must be strings");
        const std::string norm = normalise_phrase(p.get<std::string>());
        if (norm.empty()) throw_bad_input(where, "empty phrase");
        if (v.entry_by_phrase.count(norm) || v.grammar_phrase.count(norm))
          throw_bad_input(where, "phrase '" + norm + "' is defined twice");
        v.entry_by_phrase[norm] = int(v.entries.size());
        entry.phrases.push_back(norm);
        v.phrases.push_back({form_of(norm), int(v.entries.size()), {GrammarKind::Stop}});
      }
      v.entries.push_back(std::move(entry));
    }
  }
  return v;
}

const Vocabulary& builtin_vocabulary() {
  static std::once_flag once;
  static Vocabulary vocab;
  std::call_once(once, [] {
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& f : embedded_vocabulary_files()) files.emplace_back(f.name, f.text);
    vocab = load_vocabulary(files);
  });
  return vocab;
}

}  // namespace autograde::prompt
