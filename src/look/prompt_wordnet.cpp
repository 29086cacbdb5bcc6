#include "prompt_wordnet.hpp"

#include <wn.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

#include "prompt_text.hpp"

namespace autograde::prompt {

namespace {

std::mutex& wn_mutex() {
  static std::mutex m;
  return m;
}

// Called with the mutex held.
bool ensure_init() {
  static int state = -1;  // -1 not tried, 0 ok, 1 failed
  if (state < 0) {
    // wninit prints to stderr through display_message on failure; keep the CLI's stderr clean.
    display_message = [](char*) { return 0; };
    state = wninit() == 0 ? 0 : 1;
  }
  return state == 0;
}

std::vector<std::string> morph_all(const std::string& word, int pos) {
  std::vector<std::string> out;
  std::string buf = word;
  char* s = morphstr(buf.data(), pos);
  while (s) {
    out.emplace_back(s);
    s = morphstr(nullptr, pos);
  }
  return out;
}

struct SynsetDeleter {
  void operator()(Synset* s) const { free_synset(s); }
};
struct IndexDeleter {
  void operator()(Index* i) const { free_index(i); }
};

int link_rank(int ptr) {
  switch (ptr) {
    case 0: return 0;  // synonym
    case SIMPTR: return 1;
    case DERIVATION: return 2;
    case PERTPTR: return 2;
    case SEEALSOPTR: return 3;
    case ATTRIBUTE: return 4;
    case HYPERPTR: return 5;
    case INSTANCE: return 5;
    case ANTPTR: return 6;
    default: return 7;
  }
}

const char* link_name(int ptr) {
  switch (ptr) {
    case 0: return "synonym";
    case SIMPTR: return "similar-to";
    case DERIVATION: return "derived-from";
    case PERTPTR: return "pertains-to";
    case SEEALSOPTR: return "see-also";
    case ATTRIBUTE: return "attribute";
    case HYPERPTR: return "is-a";
    case INSTANCE: return "instance-of";
    case ANTPTR: return "antonym";
    default: return "link";
  }
}

}  // namespace

bool wordnet_available() {
  std::lock_guard lock(wn_mutex());
  return ensure_init();
}

std::vector<std::string> wordnet_base_forms(const std::string& word) {
  std::lock_guard lock(wn_mutex());
  if (!ensure_init() || word.empty() || word.size() > 60) return {};
  std::vector<std::string> out;
  for (int pos : {NOUN, VERB, ADJ, ADV})
    for (auto& b : morph_all(word, pos))
      if (b != word && std::find(out.begin(), out.end(), b) == out.end()) out.push_back(b);
  return out;
}

std::optional<Gradable> wordnet_gradable(const std::string& word) {
  std::lock_guard lock(wn_mutex());
  if (!ensure_init() || word.size() < 4 || word.size() > 60) return std::nullopt;
  const bool er = word.ends_with("er") || word.ends_with("r");
  const bool est = word.ends_with("est");
  if (!er && !est) return std::nullopt;
  for (auto& b : morph_all(word, ADJ)) {
    if (b == word) continue;
    // Only inflections the -er/-est rules (or adj.exc, e.g. "better") produce.
    return Gradable{b, est};
  }
  return std::nullopt;
}

std::optional<ConceptHit> wordnet_nearest(const std::string& word,
                                          const std::function<bool(const std::string&)>& known,
                                          int max_depth) {
  std::lock_guard lock(wn_mutex());
  if (!ensure_init() || word.empty() || word.size() > 60) return std::nullopt;

  struct Node {
    int pos;
    long offset;
    int depth;
    int last_link;  // link that reached this synset (0 = start)
    bool antonym;
    std::string path;
    std::string label;  // first word of this synset as reached
  };
  std::deque<Node> queue;
  std::set<std::pair<int, long>> seen;
  std::vector<std::string> forms{word};
  for (int pos : {NOUN, VERB, ADJ, ADV})
    for (auto& b : morph_all(word, pos))
      if (std::find(forms.begin(), forms.end(), b) == forms.end()) forms.push_back(b);
  // Senses in WordNet's order (most frequent first), adjectives before nouns: prompt words
  // describe qualities more often than things.
  for (int pos : {ADJ, NOUN, VERB, ADV})
    for (const auto& f : forms) {
      std::string buf = f;
      std::unique_ptr<Index, IndexDeleter> idx(index_lookup(buf.data(), pos));
      if (!idx) continue;
      for (int i = 0; i < idx->off_cnt; ++i)
        if (seen.insert({pos, long(idx->offset[i])}).second)
          queue.push_back({pos, long(idx->offset[i]), 0, 0, false, word, f});
    }

  constexpr size_t kMaxSynsets = 3000;
  size_t visited = 0;
  std::optional<ConceptHit> best;
  int best_rank = 99;
  while (!queue.empty() && visited < kMaxSynsets) {
    Node n = std::move(queue.front());
    queue.pop_front();
    if (best && n.depth > best->depth) break;
    ++visited;
    std::string empty;
    std::unique_ptr<Synset, SynsetDeleter> ss(read_synset(n.pos, n.offset, empty.data()));
    if (!ss) continue;
    for (int w = 0; w < ss->wcount; ++w) {
      std::string phrase = ss->words[w];
      std::replace(phrase.begin(), phrase.end(), '_', ' ');
      phrase = normalise_phrase(phrase);
      if (phrase == word || phrase.empty() || !known(phrase)) continue;
      const int rank = link_rank(n.last_link);
      if (!best || rank < best_rank) {
        best = ConceptHit{phrase, n.depth, n.antonym,
                          n.depth == 0 ? n.path + " -synonym-> " + phrase
                                      : (normalise_phrase(n.label) == phrase ? n.path : n.path + " = " + phrase)};
        best_rank = rank;
      }
    }
    if (n.depth >= max_depth || best) continue;
    for (int p = 0; p < ss->ptrcount; ++p) {
      const int type = ss->ptrtyp[p];
      if (link_rank(type) > 6) continue;
      // Antonyms only straight from the word's own senses; deeper they mislead.
      if (type == ANTPTR && n.depth > 0) continue;
      int pos = ss->ppos[p];
      if (pos == SATELLITE) pos = ADJ;
      if (pos < NOUN || pos > ADV) continue;
      if (!seen.insert({pos, ss->ptroff[p]}).second) continue;
      std::string label;
      {
        std::string empty2;
        std::unique_ptr<Synset, SynsetDeleter> target(read_synset(pos, ss->ptroff[p], empty2.data()));
        if (!target || target->wcount < 1) continue;
        label = target->words[0];
        std::replace(label.begin(), label.end(), '_', ' ');
      }
      queue.push_back({pos, ss->ptroff[p], n.depth + 1, type, n.antonym != (type == ANTPTR),
                       n.path + " -" + link_name(type) + "-> " + label, label});
    }
  }
  return best;
}

}  // namespace autograde::prompt
