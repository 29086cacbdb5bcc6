#pragma once
// Shot matching inside a scene (the colourist's "continuity" pass, issue 4 --continuity):
// shots cut together should look like one scene even when each was matched to the reference
// on its own (different content pulls an automatic match in different directions).
//
// Scenes: shots are grouped by how alike their ungraded pictures are — the colour-histogram
// distance of shot detection (analysis/color_histogram.hpp, 0..1 total variation) between
// the shots' mean histograms, single linkage over all shot pairs (a shot/reverse-shot
// sequence A B A B is one scene). Shots closer than `scene_threshold` share a scene; a
// threshold ≥ 1 puts every shot in one scene.
// Hero: the shot the user chose (`hero_shot`) in its scene; elsewhere the longest locked shot of
// the scene, else its longest shot (most screen time), the earliest on a tie.
// Locked and excluded shots (grade --lock / --exclude) are never re-matched: their Looks leave
// as they came. A locked shot may be the hero — it is a look the colourist approved and will
// not move, so the scene follows it (matched to another hero, the scene would drift from the
// one shot that cannot follow). An excluded shot is ungraded on purpose (a title, an archive
// insert): it is never a hero (--hero-shot naming one is refused) and is left out of the
// spreads, which measure how alike the graded shots are.
// Match: every other shot's Look gets a white-balance correction — temperature and tint
// (look.hpp stage 2, linear-light von Kries gains) — solved by Gauss-Newton so the mean CIE
// a*b* of its graded near-neutral pixels (the least chromatic `neutral_fraction` of the
// input) equals the hero's: shots are balanced on their neutrals, as a colourist does, so a
// shot whose content is genuinely bluer is not pushed warm. target "mean" solves on all
// pixels instead (the shots' whole-frame mean a*b* made equal, content included).
// Never wider: when the corrections widen the spread of the shots' graded mean a*b* over all
// pixels, they are taken back a tenth at a time (each step where it narrows the spread most)
// until it is no wider than without continuity — balancing neutrals must not make the shots as
// a whole drift apart (issue 24). Each shot records the fraction it kept.
// Reported per scene: the spread of the shots' graded mean a*b* (RMS distance to the scene's
// mean, ΔE*ab units) before and after, over all pixels and over the pixels solved on.
#include <array>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "autograde/core/image.hpp"
#include "autograde/look/look.hpp"

namespace autograde {

struct ContinuityShot {
  std::vector<ImageF> frames;  // Rec.709 display code values (the input, converted), small
  int64_t frame_count = 0;     // screen time of the shot
  Look look;                   // in: the shot's own Look; out: with the continuity correction
  bool locked = false;         // in: keep `look` (may be the hero)
  bool excluded = false;       // in: keep `look`, never the hero, not in the spreads
  int scene = 0;               // out
};

struct ContinuityOptions {
  double scene_threshold = 0.45;
  int max_pixels_per_shot = 8192;  // sample frames are subsampled to this many pixels
  double neutral_fraction = 0.4;   // share of each shot's pixels the balance is solved on
  std::string target = "neutral";  // "neutral" or "mean"
  int hero_shot = -1;              // 0-based shot index the user chose as hero; -1: longest
};

// Per scene: its shots, the hero, and the spreads (RMS distance to the scene's mean, ΔE*ab for
// a*b*, L* for l) of the shots' graded means before and after the match.
struct ContinuityScene {
  std::vector<int> shots;
  int hero = 0;
  bool hero_chosen = false;    // the user's hero_shot (else the longest shot)
  double ab_spread_input = 0;  // ungraded
  double ab_spread_before = 0, ab_spread_after = 0;
  double solved_ab_spread_before = 0, solved_ab_spread_after = 0;  // on the pixels solved on
  double l_spread_before = 0, l_spread_after = 0;
};

// Per shot: the white-balance correction it got (0 for the hero) and its graded mean a*b*.
struct ContinuityShotResult {
  int scene = 0;
  bool hero = false;
  double temperature = 0, tint = 0;  // the correction applied
  double kept = 1;  // its fraction of the solved correction (the never-wider rule)
  std::array<double, 2> mean_ab_before{}, mean_ab_after{};
  bool fixed = false;  // locked or excluded: not matched (temperature, tint and kept are 0)
};

struct ContinuityResult {
  double scene_threshold = 0;
  std::string target;
  double neutral_fraction = 0;
  std::vector<ContinuityScene> scenes;
  std::vector<ContinuityShotResult> shots;
};

ContinuityResult match_continuity(std::vector<ContinuityShot>& shots,
                                  const ContinuityOptions& options = {});

// The plan's "continuity" record: {"enabled": true, "scene_threshold", "target",
// "neutral_fraction", "scenes": [{"shots", "hero", "ab_spread_input", ...}]} (shots' own results
// go into each shot's "match"), and back; Error(BadInput) naming `source_name` when malformed.
nlohmann::json to_json(const ContinuityScene& scene);
nlohmann::json to_json(const ContinuityShotResult& shot);
nlohmann::json continuity_plan_json(const ContinuityResult& result);
ContinuityResult continuity_from_plan_json(const nlohmann::json& j, const std::string& source_name);

// Scene index per shot (0-based, in order of first appearance).
std::vector<int> group_scenes(const std::vector<std::vector<ImageF>>& shot_frames,
                              double threshold);

}  // namespace autograde
