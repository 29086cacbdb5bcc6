#pragma once
// The parts of WordNet 3.0 (Princeton University, wordnet-dev) the prompt parser uses. The C
// library keeps global state and static buffers, so every call here is serialised by a mutex.
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace autograde::prompt {

// False when the WordNet database could not be opened (the parser then works on exact words).
bool wordnet_available();

// Base forms of `word` from morphstr, nouns first, then verbs, adjectives, adverbs
// ("shadows" -> "shadow", "colder" -> "cold"); empty when WordNet has none or is unavailable.
std::vector<std::string> wordnet_base_forms(const std::string& word);

// The adjective that `word` is the comparative (-er) or superlative (-est) form of, by
// WordNet's adjective morphology ("warmer" -> "warm", "bluest" -> "blue").
struct Gradable {
  std::string base;
  bool superlative = false;
};
std::optional<Gradable> wordnet_gradable(const std::string& word);

struct ConceptHit {
  std::string phrase;    // the known phrase that was reached (normalised)
  int depth = 0;         // links walked (0 = a synonym in one of the word's own synsets)
  bool antonym = false;  // an odd number of antonym links: the meaning is reversed
  std::string path;      // e.g. "chilly -similar-to-> cold"
};

// Breadth-first walk from every sense of `word` (all parts of speech, senses in WordNet's
// frequency order) along synonym, similar-to, derivation, pertainym, also-see, attribute,
// hypernym (and antonym) links, at most `max_depth` links and a bounded number of synsets.
// The first synset word for which `known` is true wins (smallest depth, then link preference,
// then sense order).
std::optional<ConceptHit> wordnet_nearest(const std::string& word,
                                          const std::function<bool(const std::string&)>& known,
                                          int max_depth);

}  // namespace autograde::prompt
