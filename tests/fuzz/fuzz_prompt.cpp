// libFuzzer target for the prompt parser (look_from_prompt, src/look/prompt_parse.cpp and the
// vocabulary / WordNet code behind it). The contract (prompt.hpp) is stronger than the other
// parsers': it never throws for any text, so here any exception at all is a failure. The Look
// it returns must be within LookLimits, survive its own JSON, and bake to a valid LUT.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "autograde/look/prompt.hpp"
#include "fuzz_common.hpp"

using namespace autograde;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  PromptExplanation explanation;
  Look look;
  try {
    look = look_from_prompt(text, &explanation);
    (void)format_explanation(explanation);
  } catch (const std::exception& e) {
    fuzz::fail(e.what());
  }
  fuzz::require(is_identity(look) || !explanation.terms.empty(),
                "a Look that is not identity came from no terms");
  if (!fuzz::accepts([&] {
        const Look back = look_from_json(to_json(look), "prompt look");
        validate(bake_look(back, 5), "prompt look");
      }))
    fuzz::fail("the prompt's Look does not survive JSON or baking");
  return 0;
}
