// --explain text for a prompt.
#include <fmt/format.h>

#include "autograde/look/prompt.hpp"

namespace autograde {

namespace {

std::string indent(const std::string& block, const std::string& pad) {
  std::string out;
  size_t start = 0;
  while (start < block.size()) {
    size_t end = block.find('\n', start);
    if (end == std::string::npos) end = block.size();
    out += pad + block.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

std::string trim_leading(const std::string& s) {
  size_t k = 0;
  while (k < s.size() && s[k] == ' ') ++k;
  return s.substr(k);
}

}  // namespace

std::string format_explanation(const PromptExplanation& ex) {
  std::string s = fmt::format("prompt: \"{}\"\n", ex.prompt);
  for (const auto& t : ex.terms) {
    s += fmt::format("  \"{}\" -> {} [{}] x{:+.2f} ({})\n", t.words, t.concept_name, t.category,
                     t.weight, t.via);
    s += fmt::format("      why: {}\n", t.rationale);
    std::string d = describe(t.delta);
    // describe() indents by two spaces; re-indent under the term.
    std::string lines;
    size_t start = 0;
    while (start < d.size()) {
      size_t end = d.find('\n', start);
      if (end == std::string::npos) end = d.size();
      lines += trim_leading(d.substr(start, end - start)) + "\n";
      start = end + 1;
    }
    s += indent(lines, "      ");
  }
  if (ex.terms.empty()) s += "  (no word was understood)\n";
  for (const auto& u : ex.unknown) s += fmt::format("  not understood: {}\n", u);
  for (const auto& c : ex.contradictions) s += fmt::format("  contradiction: {}\n", c);
  for (const auto& n : ex.notes) s += fmt::format("  note: {}\n", n);
  s += "result:\n" + describe(ex.look);
  return s;
}

}  // namespace autograde
