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
// Hero: the longest shot of the scene (most screen time), the earliest on a tie.
// Match: every other shot's Look gets a white-balance correction — temperature and tint
// (look.hpp stage 2, linear-light von Kries gains) — solved by Gauss-Newton so the mean CIE
// a*b* of its graded near-neutral pixels (the least chromatic `neutral_fraction` of the
// input) equals the hero's: shots are balanced on their neutrals, as a colourist does, so a
// shot whose content is genuinely bluer is not pushed warm. target "mean" solves on all
// pixels instead (the shots' whole-frame mean a*b* made equal, content included).
// Reported per scene: the spread of the shots' graded mean a*b* (RMS distance to the scene's
// mean, ΔE*ab units) before and after, over all pixels and over the pixels solved on.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "autograde/core/image.hpp"
#include "autograde/look/look.hpp"

namespace autograde {

struct ContinuityShot {
  std::vector<ImageF> frames;  // Rec.709 display code values (the input, converted), small
  int64_t frame_count = 0;     // screen time of the shot
  Look look;                   // in: the shot's own Look; out: with the continuity correction
  int scene = 0;               // out
};

struct ContinuityOptions {
  double scene_threshold = 0.45;
  int max_pixels_per_shot = 8192;  // sample frames are subsampled to this many pixels
  double neutral_fraction = 0.4;   // share of each shot's pixels the balance is solved on
  std::string target = "neutral";  // "neutral" or "mean"
};

// Returns {"scene_threshold", "target", "neutral_fraction", "scenes": [{"shots", "hero",
// "ab_spread_input", "ab_spread_before", "ab_spread_after", "solved_ab_spread_before",
// "solved_ab_spread_after", "l_spread_before", "l_spread_after"}],
// "shots": [{"scene", "hero", "temperature", "tint", "mean_ab_before", "mean_ab_after"}]}.
nlohmann::json match_continuity(std::vector<ContinuityShot>& shots, const ContinuityOptions& options = {});

// Scene index per shot (0-based, in order of first appearance).
std::vector<int> group_scenes(const std::vector<std::vector<ImageF>>& shot_frames, double threshold);

}  // namespace autograde
