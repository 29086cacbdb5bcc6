// The refinement loop on a plan (issue 6, issue 19): text commands and sliders on the shots'
// Looks, the history, undo, and `autograde refine` end to end.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "autograde/core/error.hpp"
#include "autograde/pipeline/plan.hpp"
#include "autograde/pipeline/refine_plan.hpp"
#include "test_support.hpp"

namespace autograde {
namespace {

using nlohmann::json;

// A graded shot and an identity one, as grade writes them (typed, so every JSON comparison
// below is of plan_to_json output).
GradePlan sample_plan() {
  Look graded;
  graded.temperature = 0.2f;
  graded.contrast = 1.1f;
  graded.split.shadow_hue_deg = 200.f;
  graded.split.shadow_amount = 0.03f;
  GradePlan p;
  p.input_path = "/clips/clip.mov";
  p.luts_dir = "clip_luts";
  p.extra["tool"] = {{"name", "autograde"}};
  p.extra["note"] = "kept";
  ShotPlan a;
  a.index = 0;
  a.first_frame = 0;
  a.last_frame = 47;
  a.look = graded;
  a.lut_file = "shot0.cube";
  ShotPlan b;
  b.index = 1;
  b.first_frame = 48;
  b.last_frame = 99;
  b.look = identity_look();
  b.lut_file = "shot1.cube";
  p.shots = {a, b};
  return p;
}

json j(const GradePlan& p) { return plan_to_json(p); }

TEST(RefinePlan, WarmerThenUndoReturnsTheExactPlan) {
  const GradePlan plan = sample_plan();
  Refinement r;
  r.text = "warmer";
  r.command = "refine \"warmer\"";
  const RefineOutcome out = refine_plan(plan, r);
  EXPECT_NE(j(out.plan), j(plan));
  EXPECT_GT(out.plan.shots[0].look.temperature, 0.2f);
  EXPECT_GT(out.plan.shots[1].look.temperature, 0.f);
  EXPECT_FALSE(out.explanation.terms.empty());
  ASSERT_EQ(out.plan.history.size(), 1u);
  EXPECT_EQ(out.plan.history[0]["version"], 1);
  EXPECT_EQ(out.plan.history[0]["command"], "refine \"warmer\"");
  EXPECT_FALSE(out.plan.history[0]["changes"].empty());
  EXPECT_EQ(out.plan.history[0]["changes"], json(out.changes));
  ASSERT_EQ(out.plan.history[0]["looks"].size(), 2u);
  EXPECT_EQ(out.plan.history[0]["looks"][0]["shot"], 0);
  EXPECT_EQ(out.plan.history[0]["looks"][0]["before"], to_json(plan.shots[0].look));
  EXPECT_EQ(out.plan.history[0]["looks"][0]["after"], to_json(out.plan.shots[0].look));
  // Everything refine does not own is untouched.
  const json before = j(plan), after = j(out.plan);
  for (auto it = before.begin(); it != before.end(); ++it)
    if (it.key() != "shots" && it.key() != "history") {
      EXPECT_EQ(after[it.key()], it.value()) << it.key();
    }
  EXPECT_EQ(after["luts_dir"], "clip_luts");
  EXPECT_EQ(after["tool"], before["tool"]);
  EXPECT_EQ(after["note"], "kept");
  EXPECT_EQ(after["shots"][1]["lut"], "shot1.cube");
  EXPECT_EQ(j(undo_refinement(out.plan)), j(plan));

  // Two steps, two undos; the history survives the typed JSON round trip in between.
  Refinement r2;
  r2.sliders.exposure = 0.3f;
  const RefineOutcome out2 = refine_plan(plan_from_json(json::parse(after.dump())), r2);
  EXPECT_EQ(out2.plan.history.size(), 2u);
  EXPECT_EQ(out2.plan.history[1]["version"], 2);
  EXPECT_EQ(j(undo_refinement(out2.plan)), j(out.plan));
  EXPECT_EQ(j(undo_refinement(undo_refinement(out2.plan))), j(plan));
  EXPECT_THROW(undo_refinement(plan), Error);
}

// A learned grade lives in the Look's residual LUT (megabytes of JSON per shot): refinement edits
// the parameters before it, the history holds the parameters alone, and undo gives back the
// exact plan, residual included.
TEST(RefinePlan, ResidualLutsStayOutOfTheHistoryAndUndoKeepsThem) {
  GradePlan plan = sample_plan();
  Lut3D lut = Lut3D::identity(9);
  for (size_t i = 0; i < lut.table.size(); i += 3) lut.table[i] = 0.8f * lut.table[i] + 0.1f;
  plan.shots[0].look.residual = lut;
  Refinement r;
  r.text = "warmer";
  r.sliders.exposure = 0.2f;
  r.command = "refine \"warmer\" --exposure +0.2";
  const RefineOutcome out = refine_plan(plan, r);
  ASSERT_TRUE(out.plan.shots[0].look.residual.has_value());
  EXPECT_EQ(out.plan.shots[0].look.residual->table, lut.table);
  EXPECT_GT(out.plan.shots[0].look.temperature, plan.shots[0].look.temperature);
  for (const auto& l : out.plan.history[0]["looks"]) {
    EXPECT_FALSE(l["before"].contains("residual")) << l.dump();
    EXPECT_FALSE(l["after"].contains("residual")) << l.dump();
  }
  EXPECT_EQ(j(undo_refinement(out.plan)), j(plan));
  // An entry written with the residual in "before" (older plans) restores that one.
  GradePlan old = out.plan;
  Lut3D other = Lut3D::identity(9);
  old.history.back()["looks"][0]["before"] = to_json(plan.shots[0].look);
  old.history.back()["looks"][0]["before"]["residual"] = {{"size", other.size},
                                                         {"table", other.table}};
  const GradePlan undone = undo_refinement(old);
  ASSERT_TRUE(undone.shots[0].look.residual.has_value());
  EXPECT_EQ(undone.shots[0].look.residual->table, other.table);
}

TEST(RefinePlan, ShotTouchesOneShotOnly) {
  const GradePlan plan = sample_plan();
  Refinement r;
  r.text = "more cinematic";
  r.shot = 1;
  const auto out = refine_plan(plan, r);
  EXPECT_EQ(j(out.plan)["shots"][0], j(plan)["shots"][0]);
  EXPECT_GT(out.plan.shots[1].look.contrast, 1.f);
  ASSERT_EQ(out.plan.history[0]["looks"].size(), 1u);
  EXPECT_EQ(out.plan.history[0]["looks"][0]["shot"], 1);
  for (const auto& c : out.changes) EXPECT_EQ(c.rfind("shot 1: ", 0), 0u) << c;
  // The per-shot arithmetic is refine_look's.
  EXPECT_EQ(to_json(out.plan.shots[1].look),
            to_json(refine_look(plan.shots[1].look, text_command_delta(r.text), {})));
}

ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "expected an error";
  return ErrorKind::Internal;
}

TEST(RefinePlan, RejectsBadPlansAndRequests) {
  const GradePlan plan = sample_plan();
  Refinement empty;
  EXPECT_EQ(kind_of([&] { refine_plan(plan, empty); }), ErrorKind::Usage);
  Refinement gibberish;
  gibberish.text = "qwzxv";
  EXPECT_EQ(kind_of([&] { refine_plan(plan, gibberish); }), ErrorKind::Usage);
  Refinement far;
  far.text = "warmer";
  far.shot = 7;
  EXPECT_EQ(kind_of([&] { refine_plan(plan, far); }), ErrorKind::Usage);
  far.shot = -1;
  EXPECT_EQ(kind_of([&] { refine_plan(plan, far); }), ErrorKind::Usage);
  Refinement bad_slider;
  bad_slider.sliders.saturation = -100.f;
  EXPECT_EQ(kind_of([&] { refine_plan(plan, bad_slider); }), ErrorKind::Usage);

  // Malformed plans are the plan reader's to reject, naming the file.
  Refinement r;
  r.text = "warmer";
  GradePlan no_shots = plan;
  no_shots.shots.clear();
  EXPECT_EQ(kind_of([&] { refine_plan(no_shots, r, "p.json"); }), ErrorKind::BadInput);
  for (const json& malformed : {json::array(), json{{"shots", 3}}}) {
    EXPECT_EQ(kind_of([&] { plan_from_json(malformed, "p.json"); }), ErrorKind::BadInput);
  }
  json bad_look = j(plan);
  bad_look["shots"][0]["look"] = "warm";
  try {
    plan_from_json(bad_look, "p.json");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("p.json"), std::string::npos);
  }
}

TEST(RefinePlan, UndoRejectsMalformedHistoryNamingThePlan) {
  Refinement r;
  r.sliders.tint = -2.f;
  const GradePlan refined = refine_plan(sample_plan(), r).plan;
  auto expect_bad = [&](const json& entry) {
    GradePlan p = refined;
    p.history.back() = entry;
    try {
      undo_refinement(p, "p.json");
      ADD_FAILURE() << "expected an error for " << entry.dump();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput) << entry.dump();
      EXPECT_NE(std::string(e.what()).find("p.json"), std::string::npos) << e.what();
    }
  };
  expect_bad(json("not an entry"));
  expect_bad(json::parse(R"({"version": 1})"));
  expect_bad(json::parse(R"({"looks": [{"shot": 0}]})"));
  expect_bad(json::parse(R"({"looks": [{"shot": -1, "before": null}]})"));
  expect_bad(json::parse(R"({"looks": [{"shot": 5, "before": null}]})"));
  expect_bad(json::parse(R"({"looks": [{"shot": 0, "before": "warm"}]})"));
  // Entries written before the typed plan: "before": null is a shot that had no look.
  GradePlan old = refined;
  old.history.back()["looks"][0]["before"] = nullptr;
  old.history.back()["created_history"] = true;
  const GradePlan undone = undo_refinement(old, "p.json");
  EXPECT_EQ(to_json(undone.shots[0].look), to_json(identity_look()));
  EXPECT_TRUE(undone.history.empty());
  GradePlan none = sample_plan();
  EXPECT_EQ(kind_of([&] { undo_refinement(none, "p.json"); }), ErrorKind::Usage);
}

// The CLI end to end: refine, refine again, undo; bad plan -> exit 3; never overwrite input;
// a relative luts_dir stays as written.
TEST(RefineCli, RoundTripThroughFiles) {
  const auto dir = testing::scratch_dir("refine_cli");
  const auto plan = dir / "plan.json";
  std::ofstream(plan) << j(sample_plan()).dump(2);
  const std::string cli = AUTOGRADE_CLI;
  auto run = [&](const std::string& args) {
    return WEXITSTATUS(std::system((cli + " refine " + args + " > /dev/null 2>&1").c_str()));
  };
  auto load = [](const std::filesystem::path& p) { return json::parse(std::ifstream(p)); };
  ASSERT_EQ(
      run(plan.string() + " \"more cinematic\" --contrast +10 -o " + (dir / "p2.json").string()),
      0);
  EXPECT_EQ(load(dir / "p2.json")["luts_dir"], "clip_luts");
  EXPECT_EQ(load(dir / "p2.json")["history"][0]["command"],
            "refine \"more cinematic\" --contrast +10");
  ASSERT_EQ(run((dir / "p2.json").string() + " --temperature +8 --shot 1 -o " +
                (dir / "p3.json").string()),
            0);
  EXPECT_EQ(load(dir / "p3.json")["history"].size(), 2u);
  ASSERT_EQ(run((dir / "p3.json").string() + " --undo -o " + (dir / "p4.json").string()), 0);
  EXPECT_EQ(load(dir / "p4.json"), load(dir / "p2.json"));
  ASSERT_EQ(run((dir / "p2.json").string() + " --undo -o " + (dir / "p5.json").string()), 0);
  EXPECT_EQ(load(dir / "p5.json"), load(plan));
  EXPECT_EQ(run(plan.string() + " warmer -o " + plan.string()), 2);
  EXPECT_EQ(run(plan.string() + " warmer --shot 9 -o " + (dir / "x.json").string()), 2);
  EXPECT_EQ(run(plan.string() + " --undo -o " + (dir / "x.json").string()), 2);
  std::ofstream(dir / "bad.json") << "{ not json";
  EXPECT_EQ(run((dir / "bad.json").string() + " warmer -o " + (dir / "x.json").string()), 3);
  std::ofstream(dir / "notaplan.json") << R"({"shots": 3})";
  EXPECT_EQ(run((dir / "notaplan.json").string() + " warmer -o " + (dir / "x.json").string()), 3);
  EXPECT_FALSE(std::filesystem::exists(dir / "x.json"));
}

}  // namespace
}  // namespace autograde
