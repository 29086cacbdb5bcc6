// Refining one Look (issue 6): sliders, text commands, their composition. The plan-level loop
// (history, undo, --shot, the CLI) is tested in tests/pipeline/test_refine_plan.cpp.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "autograde/core/error.hpp"
#include "autograde/look/refine.hpp"

namespace autograde {
namespace {

// Every slider changes exactly its own parameter, by the documented unit.
TEST(Refine, SliderDeltasChangeExactlyTheNamedParameter) {
  Look base;
  base.exposure = 0.1f;
  base.contrast = 1.2f;
  base.saturation = 0.9f;
  base.temperature = 0.1f;
  base.tint = -0.05f;
  base.fade = 0.03f;
  base.split.highlight_amount = 0.02f;
  base.split.highlight_hue_deg = 70.f;
  const nlohmann::json before = to_json(base);
  struct Case {
    const char* key;
    Sliders s;
    float expected;
  };
  std::vector<Case> cases(6);
  cases[0] = {"exposure", {}, 0.4f};
  cases[0].s.exposure = 0.3f;
  cases[1] = {"contrast", {}, 1.2f * 1.10f};
  cases[1].s.contrast = 10.f;
  cases[2] = {"saturation", {}, 0.9f * 0.95f};
  cases[2].s.saturation = -5.f;
  cases[3] = {"temperature", {}, 0.1f + 0.08f};
  cases[3].s.temperature = 8.f;
  cases[4] = {"tint", {}, -0.05f - 0.02f};
  cases[4].s.tint = -2.f;
  cases[5] = {"strength", {}, 0.8f};
  cases[5].s.strength = 0.8f;
  for (const auto& c : cases) {
    // refine_look without a text is exactly apply_sliders: the same single-parameter change.
    for (const Look& refined :
         {apply_sliders(base, c.s), refine_look(base, text_command_delta(""), c.s)}) {
      const nlohmann::json after = to_json(refined);
      EXPECT_NEAR(after[c.key].get<float>(), c.expected, 1e-6f) << c.key;
      for (auto it = before.begin(); it != before.end(); ++it)
        if (it.key() != c.key) {
          EXPECT_EQ(after[it.key()], it.value()) << c.key << " changed " << it.key();
        }
    }
  }
  Sliders bad;
  bad.contrast = -100.f;
  EXPECT_THROW(apply_sliders(base, bad), Error);
  EXPECT_THROW(refine_look(base, identity_look(), bad), Error);
}

TEST(Refine, TextCommandsUseTheVocabularyScaled) {
  auto temp_after = [&](const std::string& text) {
    return refine_look(identity_look(), text_command_delta(text), {}).temperature;
  };
  const float full = look_from_prompt("warm").temperature;
  EXPECT_NEAR(temp_after("warmer"), look_from_prompt("warm").temperature * 0.5f, 0.02f);
  EXPECT_LT(temp_after("a bit warmer"), temp_after("warmer"));
  EXPECT_LT(temp_after("warmer"), temp_after("much warmer"));
  EXPECT_NEAR(temp_after("much warmer"), full, 0.02f);
  EXPECT_LT(temp_after("less warm"), 0.f);
  EXPECT_GT(refine_look(identity_look(), text_command_delta("more cinematic"), {}).contrast, 1.f);
}

// The text delta is added with add() (today's per-shot arithmetic), then the sliders.
TEST(Refine, RefineLookAddsTheTextThenAppliesTheSliders) {
  Look graded;
  graded.temperature = 0.2f;
  graded.contrast = 1.1f;
  graded.split.shadow_hue_deg = 200.f;
  graded.split.shadow_amount = 0.03f;
  PromptExplanation e;
  const Look delta = text_command_delta("more cinematic", &e);
  EXPECT_FALSE(e.terms.empty());
  Sliders s;
  s.contrast = 10.f;
  s.exposure = 0.3f;
  EXPECT_EQ(to_json(refine_look(graded, delta, s)), to_json(apply_sliders(add(graded, delta), s)));
  EXPECT_FALSE(look_changes(graded, refine_look(graded, delta, s)).empty());
  EXPECT_TRUE(look_changes(graded, graded).empty());
}

TEST(Refine, TextOfWhichNoWordIsUnderstoodIsAUsageError) {
  try {
    text_command_delta("qwzxv");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("qwzxv"), std::string::npos);
  }
  PromptExplanation e;
  EXPECT_EQ(to_json(text_command_delta("", &e)), to_json(identity_look()));
  EXPECT_TRUE(e.terms.empty());
}

}  // namespace
}  // namespace autograde
