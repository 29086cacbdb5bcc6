#pragma once
// Region grades of a plan (issue 21; plan.hpp "regions"): which shots get which regions, the
// region LUTs derived from each shot's LUT, and their hand-off files.
#include <string>
#include <vector>

#include "autograde/core/cleanup.hpp"
#include "autograde/core/image.hpp"
#include "autograde/lut/lut.hpp"
#include "autograde/pipeline/plan.hpp"
#include "autograde/pipeline/render_clip.hpp"

namespace autograde {

// The region LUT of one shot: "skin", "sky" or "foliage" (semantic/region_luts.hpp), from the
// shot's LUT and the plan's input conversion alone on the same lattice.
Lut3D region_lut(const std::string& region, const Lut3D& shot_lut, const Lut3D& ungraded);
// The input conversion alone (identity for Rec.709 input) on the plan's lattice.
Lut3D ungraded_lut(const GradePlan& plan);

// One entry per shot (empty entries for shots without regions) for render_clip.
std::vector<ShotRegionLuts> plan_region_luts(const GradePlan& plan, std::span<const Lut3D> luts);

// Sets each shot's regions from plan.regions and the shot's sampled frames (display-referred,
// as matching saw them): skin at protect_skin where a sample shows a person or a face, each
// class of plan.regions.classes where a sample shows enough of it. Excluded shots get none.
// What was found goes to each shot's match record ("regions": coverage per class, faces).
void assign_regions(GradePlan& plan, const std::vector<std::vector<ImageF>>& samples);

// Every LUT file a plan hands off, in order: per shot its LUT ("shot"), then each region's
// ("skin", "sky", "foliage") and, with skin, "<shot LUT stem>_skin_protected.cube"
// ("skin_protected"). The names are the plan's (validated by plan.hpp); the server lists and
// serves exactly these.
struct PlanLutFile {
  int shot = 0;
  std::string kind;
  std::string file;
};
std::vector<PlanLutFile> plan_lut_files(const GradePlan& plan);

// Writes each shot's region LUTs (the names in the plan) and, for shots with skin, a
// single-LUT skin-protected copy "<shot LUT stem>_skin_protected.cube" for editors that load
// one LUT only. Returns the paths written.
std::vector<std::string> stage_region_luts(const GradePlan& plan, std::span<const Lut3D> luts,
                                           const std::string& dir, StagedOutputs& staged);

}  // namespace autograde
