// The refinement loop on plan JSON (issue 6): text commands, sliders, history, undo.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "autograde/core/error.hpp"
#include "autograde/look/refine.hpp"
#include "test_support.hpp"

namespace autograde {
namespace {

nlohmann::json sample_plan() {
  Look graded;
  graded.temperature = 0.2f;
  graded.contrast = 1.1f;
  graded.split.shadow_hue_deg = 200.f;
  graded.split.shadow_amount = 0.03f;
  return {{"version", 1},
          {"input", "clip.mov"},
          {"shots", {{{"start", 0}, {"end", 47}, {"look", to_json(graded)}},
                     {{"start", 48}, {"end", 99}, {"lut", "shot1.cube"}}}}};
}

TEST(Refine, WarmerThenUndoReturnsTheExactPlan) {
  const nlohmann::json plan = sample_plan();
  Refinement r;
  r.text = "warmer";
  r.command = "refine \"warmer\"";
  const RefineOutcome out = refine_plan(plan, r);
  EXPECT_NE(out.plan, plan);
  EXPECT_GT(out.plan["shots"][0]["look"]["temperature"].get<float>(), 0.2f);
  EXPECT_GT(out.plan["shots"][1]["look"]["temperature"].get<float>(), 0.f);
  ASSERT_EQ(out.plan["history"].size(), 1u);
  EXPECT_EQ(out.plan["history"][0]["version"], 1);
  EXPECT_EQ(out.plan["history"][0]["command"], "refine \"warmer\"");
  EXPECT_FALSE(out.plan["history"][0]["changes"].empty());
  // Keys refine does not own are untouched.
  EXPECT_EQ(out.plan["input"], "clip.mov");
  EXPECT_EQ(out.plan["version"], 1);
  EXPECT_EQ(out.plan["shots"][1]["lut"], "shot1.cube");
  EXPECT_EQ(undo_refinement(out.plan), plan);

  // Two steps, two undos.
  Refinement r2;
  r2.sliders.exposure = 0.3f;
  const RefineOutcome out2 = refine_plan(out.plan, r2);
  EXPECT_EQ(out2.plan["history"].size(), 2u);
  EXPECT_EQ(out2.plan["history"][1]["version"], 2);
  EXPECT_EQ(undo_refinement(out2.plan), out.plan);
  EXPECT_EQ(undo_refinement(undo_refinement(out2.plan)), plan);
  EXPECT_THROW(undo_refinement(plan), Error);
}

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
    const nlohmann::json after = to_json(apply_sliders(base, c.s));
    EXPECT_NEAR(after[c.key].get<float>(), c.expected, 1e-6f) << c.key;
    for (auto it = before.begin(); it != before.end(); ++it)
      if (it.key() != c.key) {
        EXPECT_EQ(after[it.key()], it.value()) << c.key << " changed " << it.key();
      }
  }
  Sliders bad;
  bad.contrast = -100.f;
  EXPECT_THROW(apply_sliders(base, bad), Error);
}

TEST(Refine, TextCommandsUseTheVocabularyScaled) {
  const nlohmann::json plan = sample_plan();
  auto temp_after = [&](const std::string& text) {
    Refinement r;
    r.text = text;
    r.shot = 1;  // identity look
    return refine_plan(plan, r).plan["shots"][1]["look"]["temperature"].get<float>();
  };
  const float full = look_from_prompt("warm").temperature;
  EXPECT_NEAR(temp_after("warmer"), look_from_prompt("warm").temperature * 0.5f, 0.02f);
  EXPECT_LT(temp_after("a bit warmer"), temp_after("warmer"));
  EXPECT_LT(temp_after("warmer"), temp_after("much warmer"));
  EXPECT_NEAR(temp_after("much warmer"), full, 0.02f);
  EXPECT_LT(temp_after("less warm"), 0.f);
  // --shot touches one shot only.
  Refinement r;
  r.text = "more cinematic";
  r.shot = 1;
  const auto out = refine_plan(plan, r);
  EXPECT_EQ(out.plan["shots"][0], plan["shots"][0]);
  EXPECT_GT(out.plan["shots"][1]["look"]["contrast"].get<float>(), 1.f);
}

TEST(Refine, RejectsBadPlansAndRequests) {
  Refinement r;
  r.text = "warmer";
  EXPECT_THROW(refine_plan(nlohmann::json::array(), r), Error);
  EXPECT_THROW(refine_plan(nlohmann::json{{"shots", 3}}, r), Error);
  Refinement empty;
  EXPECT_THROW(refine_plan(sample_plan(), empty), Error);
  Refinement gibberish;
  gibberish.text = "qwzxv";
  EXPECT_THROW(refine_plan(sample_plan(), gibberish), Error);
  Refinement far;
  far.text = "warmer";
  far.shot = 7;
  EXPECT_THROW(refine_plan(sample_plan(), far), Error);
  nlohmann::json bad_look = sample_plan();
  bad_look["shots"][0]["look"] = "warm";
  try {
    refine_plan(bad_look, r, "p.json");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("p.json"), std::string::npos);
  }
}

// The CLI end to end: refine, refine again, undo; bad plan -> exit 3; never overwrite input.
TEST(RefineCli, RoundTripThroughFiles) {
  const auto dir = testing::scratch_dir("refine_cli");
  const auto plan = dir / "plan.json";
  std::ofstream(plan) << sample_plan().dump(2);
  const std::string cli = AUTOGRADE_CLI;
  auto run = [&](const std::string& args) {
    return WEXITSTATUS(std::system((cli + " refine " + args + " > /dev/null 2>&1").c_str()));
  };
  ASSERT_EQ(run(plan.string() + " \"more cinematic\" --contrast +10 -o " + (dir / "p2.json").string()), 0);
  ASSERT_EQ(run((dir / "p2.json").string() + " --undo -o " + (dir / "p3.json").string()), 0);
  std::ifstream a(plan), b(dir / "p3.json");
  EXPECT_EQ(nlohmann::json::parse(a), nlohmann::json::parse(b));
  EXPECT_EQ(run(plan.string() + " warmer -o " + plan.string()), 2);
  std::ofstream(dir / "bad.json") << "{ not json";
  EXPECT_EQ(run((dir / "bad.json").string() + " warmer -o " + (dir / "x.json").string()), 3);
  EXPECT_FALSE(std::filesystem::exists(dir / "x.json"));
}

}  // namespace
}  // namespace autograde
