// Prompt parser behaviour (issue 6): vocabulary size, lemmatisation, phrases, modifiers,
// negation, WordNet fallback, unknown words, contradictions, limits.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "autograde/core/error.hpp"
#include "autograde/look/look.hpp"
#include "autograde/look/prompt.hpp"

namespace autograde {
namespace {

PromptExplanation explain(const std::string& text) {
  PromptExplanation ex;
  look_from_prompt(text, &ex);
  return ex;
}

TEST(PromptVocabulary, HasAtLeast400EntriesInEveryRequiredCategory) {
  const VocabularyInfo info = vocabulary_info();
  EXPECT_GE(info.entries, 400);
  for (const char* cat : {"colour", "light", "time_weather", "mood", "process", "genre", "film", "tone"})
    EXPECT_GE(info.entries_per_category.count(cat) ? info.entries_per_category.at(cat) : 0, 20) << cat;
  EXPECT_GT(info.phrases, info.entries);
}

TEST(PromptParser, EmptyAndUnknownGiveIdentityAndSayWhy) {
  EXPECT_TRUE(is_identity(look_from_prompt("")));
  const auto ex = explain("qwzxv plorkish");
  EXPECT_TRUE(ex.terms.empty());
  ASSERT_EQ(ex.unknown.size(), 2u);
  EXPECT_EQ(ex.unknown[0], "qwzxv");
  EXPECT_TRUE(is_identity(ex.look));
}

// Found by fuzz_prompt: every unknown word walked WordNet afresh, so a long paste took seconds.
// Repeated words reuse their walk, and at most 24 distinct words are walked (with a note).
TEST(PromptParser, ManyUnknownWordsAreBoundedAndSaySo) {
  const auto repeated = explain("cathedral zebra cathedral zebra cathedral zebra");
  EXPECT_EQ(repeated.terms.size() + repeated.unknown.size(), 6u);
  EXPECT_TRUE(repeated.notes.empty());
  std::string many;
  for (int i = 0; i < 40; ++i) many += "qwzxv" + std::string(1, char('a' + i % 26)) + char('a' + i / 26) + " ";
  const auto ex = explain(many);
  EXPECT_EQ(ex.unknown.size(), 40u);
  ASSERT_FALSE(ex.notes.empty());
  EXPECT_NE(ex.notes.back().find("WordNet was consulted for the first 24"), std::string::npos);
}

TEST(PromptParser, CaseAccentsAndPunctuationDoNotMatter) {
  const Look a = look_from_prompt("like Amélie");
  const Look b = look_from_prompt("LIKE AMELIE!!");
  EXPECT_EQ(to_json(a), to_json(b));
  EXPECT_FALSE(is_identity(a));
  const auto ex = explain("Mad Max: Fury Road");
  ASSERT_EQ(ex.terms.size(), 1u);
  EXPECT_EQ(ex.terms[0].category, "film");
}

TEST(PromptParser, LongestPhraseWinsOverItsWords) {
  const auto ex = explain("blue hour");
  ASSERT_EQ(ex.terms.size(), 1u);
  EXPECT_EQ(ex.terms[0].concept_name, "blue hour");
  const auto ex2 = explain("blade runner 2049");
  ASSERT_EQ(ex2.terms.size(), 1u);
  EXPECT_EQ(ex2.terms[0].concept_name, "blade runner 2049");
}

TEST(PromptParser, LemmatisesWithWordNet) {
  // The vocabulary has "neon lights", not "neon light": the words match by WordNet lemma.
  const auto ex = explain("neon light");
  ASSERT_EQ(ex.terms.size(), 1u);
  EXPECT_EQ(ex.terms[0].concept_name, "neon lights");
  EXPECT_EQ(ex.terms[0].via, "lemma");
}

TEST(PromptParser, IntensifiersAndComparativesScaleTheSameDelta) {
  const float warm = look_from_prompt("warm").temperature;
  ASSERT_GT(warm, 0.f);
  EXPECT_LT(look_from_prompt("slightly warm").temperature, warm);
  EXPECT_GT(look_from_prompt("very warm").temperature, warm);
  const auto ex = explain("warmer");
  ASSERT_EQ(ex.terms.size(), 1u);
  EXPECT_EQ(ex.terms[0].concept_name, "warm");
  EXPECT_FLOAT_EQ(ex.terms[0].weight, 0.5f);
  EXPECT_FLOAT_EQ(explain("a bit warmer").terms.at(0).weight, 0.25f);
  EXPECT_FLOAT_EQ(explain("much warmer").terms.at(0).weight, 1.f);
  EXPECT_FLOAT_EQ(explain("less yellow").terms.at(0).weight, -0.5f);
  EXPECT_FLOAT_EQ(explain("more contrast").terms.at(0).weight, 0.5f);
}

TEST(PromptParser, NegationNeverPushesTowardTheNegatedConcept) {
  EXPECT_LE(look_from_prompt("not too saturated").saturation, 1.f);
  EXPECT_LE(look_from_prompt("not warm").temperature, 0.f);
  // "warm" alone raises saturation a little in some entries; here the cap removes any increase.
  const Look l = look_from_prompt("golden hour but not too saturated");
  EXPECT_LE(l.saturation, 1.f);
  EXPECT_GT(l.temperature, 0.f);
  const auto ex = explain("without the green cast");
  ASSERT_EQ(ex.terms.size(), 1u);
  EXPECT_TRUE(ex.terms[0].negated);
  // "no green or magenta": the negation carries across "or".
  const auto ex2 = explain("no green or magenta");
  ASSERT_EQ(ex2.terms.size(), 2u);
  EXPECT_TRUE(ex2.terms[0].negated);
  EXPECT_TRUE(ex2.terms[1].negated);
}

TEST(PromptParser, UnknownWordsWalkWordNetToANearbyConcept) {
  const auto ex = explain("frigid");
  ASSERT_EQ(ex.terms.size(), 1u);
  EXPECT_NE(ex.terms[0].via.find("WordNet"), std::string::npos) << ex.terms[0].via;
  EXPECT_LT(ex.look.temperature, 0.f) << ex.terms[0].concept_name;
  PromptOptions no_wn;
  no_wn.use_wordnet = false;
  PromptExplanation ex2;
  look_from_prompt("frigid", &ex2, no_wn);
  EXPECT_TRUE(ex2.terms.empty());
  EXPECT_EQ(ex2.unknown.size(), 1u);
}

TEST(PromptParser, UnknownFilmTitlesAreReportedNotGuessed) {
  const auto ex = explain("like Zorblax Returns but warmer");
  ASSERT_EQ(ex.terms.size(), 1u);
  EXPECT_EQ(ex.terms[0].concept_name, "warm");
  ASSERT_EQ(ex.unknown.size(), 1u);
  EXPECT_NE(ex.unknown[0].find("zorblax returns"), std::string::npos) << ex.unknown[0];
}

TEST(PromptParser, ContradictionsAreReported) {
  const auto ex = explain("warm and cold");
  ASSERT_FALSE(ex.contradictions.empty());
  EXPECT_NE(ex.contradictions[0].find("warmth"), std::string::npos) << ex.contradictions[0];
  EXPECT_TRUE(explain("warm and bright").contradictions.empty());
}

TEST(PromptParser, CompositionStaysWithinSoftLimits) {
  const Look l = look_from_prompt(
      "extremely saturated vibrant oversaturated technicolor velvia extremely vivid very punchy");
  EXPECT_LT(l.saturation, 1.75f);
  const Look w = look_from_prompt("extremely warm very hot tungsten candlelit extremely golden hour");
  EXPECT_LT(w.temperature, 0.8f);
  EXPECT_GT(w.temperature, look_from_prompt("extremely warm").temperature);
  // The baked LUT stays finite and in range.
  const Lut3D lut = bake_look(l, 9);
  for (float v : lut.table) EXPECT_TRUE(std::isfinite(v) && v >= 0.f && v <= 1.f);
}

TEST(PromptParser, ExplanationListsEveryTermAndTheResult) {
  const auto ex = explain("slightly warmer, nostalgic, not too saturated, xyzzy");
  const std::string text = format_explanation(ex);
  EXPECT_NE(text.find("\"slightly warmer\" -> warm"), std::string::npos) << text;
  EXPECT_NE(text.find("nostalgic"), std::string::npos);
  EXPECT_NE(text.find("negated"), std::string::npos);
  EXPECT_NE(text.find("not understood: xyzzy"), std::string::npos);
  EXPECT_NE(text.find("result:"), std::string::npos);
}

TEST(PromptParser, DeterministicAndThreadAgnostic) {
  const auto a = to_json(look_from_prompt("a cold, frosty, gloomy winter morning like Fargo"));
  const auto b = to_json(look_from_prompt("a cold, frosty, gloomy winter morning like Fargo"));
  EXPECT_EQ(a, b);
}

TEST(PromptParser, NegativeScaleFlipsSplitTonesInsteadOfDroppingThem) {
  Look d;
  d.split.highlight_hue_deg = 90.f;
  d.split.highlight_amount = 0.04f;
  const Look n = scale_delta(d, -0.5f);
  EXPECT_NEAR(n.split.highlight_amount, 0.02f, 1e-6f);
  EXPECT_NEAR(n.split.highlight_hue_deg, 270.f, 1e-4f);
}

}  // namespace
}  // namespace autograde
