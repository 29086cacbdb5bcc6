#pragma once
// Prompt text → tokens: lower-case, accents folded to ASCII, punctuation as clause breaks.
#include <string>
#include <string_view>
#include <vector>

namespace autograde::prompt {

struct Token {
  std::string text;             // lower-case ASCII word ("" for a clause break)
  bool clause_break = false;    // , ; . ! ? and line breaks (brackets only separate words)
};

// Lower-cases and folds Latin-1 accented letters (UTF-8 "é" -> "e"); other non-ASCII bytes
// become spaces. Apostrophes are dropped ("schindler's" -> "schindlers"), hyphens, slashes,
// colons and quotes separate words, "&" becomes "and".
std::vector<Token> tokenize(std::string_view text);

// The words of `text` joined by single spaces (clause breaks dropped): the canonical form of a
// vocabulary phrase.
std::string normalise_phrase(std::string_view text);

}  // namespace autograde::prompt
