#include "prompt_text.hpp"

#include <cctype>

namespace autograde::prompt {

namespace {

// ASCII base letter of a UTF-8 two-byte Latin-1 Supplement letter (U+00C0..U+00FF), 0 if none.
char fold_latin1(unsigned char lead, unsigned char cont) {
  if (lead != 0xC3) return 0;
  const int cp = 0xC0 + (cont & 0x3F);
  static const char* const kMap =
      // U+00C0..U+00FF
      "aaaaaaaceeeeiiii"  // C0-CF
      "dnooooo ouuuuyts"  // D0-DF (D7 multiplication sign -> space, DE thorn, DF sharp s)
      "aaaaaaaceeeeiiii"  // E0-EF
      "dnooooo ouuuuyty"; // F0-FF
  const char c = kMap[cp - 0xC0];
  return c == ' ' ? 0 : c;
}

}  // namespace

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back({word, false});
    word.clear();
  };
  auto brk = [&] {
    flush();
    if (!out.empty() && !out.back().clause_break) out.push_back({"", true});
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      if (i + 1 < text.size()) {
        const auto n = static_cast<unsigned char>(text[i + 1]);
        if (char f = fold_latin1(c, n)) {
          word += f;
          ++i;
          continue;
        }
        // U+2019 right single quotation mark (E2 80 99) is an apostrophe: dropped.
        if (c == 0xE2 && n == 0x80 && i + 2 < text.size() &&
            (static_cast<unsigned char>(text[i + 2]) == 0x99 ||
             static_cast<unsigned char>(text[i + 2]) == 0x98)) {
          i += 2;
          continue;
        }
      }
      flush();
      // Skip the rest of this UTF-8 sequence.
      while (i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) ++i;
      continue;
    }
    if (std::isalnum(c)) {
      word += static_cast<char>(std::tolower(c));
    } else if (c == '\'') {
      // dropped inside words
    } else if (c == '&') {
      flush();
      out.push_back({"and", false});
    } else if (c == '+') {
      // "+" as in "more": keep as a word so "+contrast" reads "more contrast"
      flush();
      out.push_back({"more", false});
    } else if (c == '.' && (word == "mr" || word == "mrs" || word == "dr" || word == "st" ||
                            word == "vs" || word == "no")) {
      flush();  // an abbreviation's full stop ("Mr. Robot") does not end the clause
    } else if (c == ',' || c == ';' || c == '.' || c == '!' || c == '?' || c == '\n') {
      brk();
    } else {
      flush();
    }
  }
  flush();
  while (!out.empty() && out.back().clause_break) out.pop_back();
  return out;
}

std::string normalise_phrase(std::string_view text) {
  std::string s;
  for (const Token& t : tokenize(text)) {
    if (t.clause_break) continue;
    if (!s.empty()) s += ' ';
    s += t.text;
  }
  return s;
}

}  // namespace autograde::prompt
