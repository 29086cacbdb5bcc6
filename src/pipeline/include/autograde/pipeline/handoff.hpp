#pragma once
// What a grade hands to finishing tools, beside the graded clip and the plan: each shot's LUT
// (.cube, named by the plan, plus copies in other formats), and on request the grade as ASC CDL
// values per shot (.cdl, one .ccc for all) with a LUT for what a CDL cannot hold, and a
// CMX 3600 EDL whose events carry them (issue 25, hand-off). Every path comes from the plan's
// LUT names resolved inside the LUT folder (issue 24, containment).
#include <string>
#include <vector>

#include "autograde/analysis/shot_export.hpp"
#include "autograde/core/cleanup.hpp"
#include "autograde/lut/lut.hpp"
#include "autograde/pipeline/plan.hpp"

namespace autograde {

// Where write_plan_luts puts each shot's LUT: ShotPlan::lut_file inside `dir`. Error(BadInput)
// naming the shot when a name is not a plain "*.cube" file name or leads out of `dir` (an
// absolute path, "..", a symbolic link pointing out). Touches no file.
std::vector<std::string> plan_lut_paths(const GradePlan& plan, const std::string& dir);

// The LUT formats to hand off, as extensions (".cube" always first: the plan names those
// files); `formats` are extensions with or without the dot ("3dl", ".clf"). Error(Usage)
// listing the supported ones (lut/lut_write.hpp) for an unknown one.
std::vector<std::string> check_lut_formats(const std::vector<std::string>& formats);

// Stages each shot's LUT at plan_lut_paths, and a copy in every other format of `formats`
// beside it (same name, that extension), into `staged`, and the region LUTs of shots with
// regions (region_grades.hpp stage_region_luts, .cube only); returns the final paths. Each LUT
// is input code values → Rec.709 display code values.
std::vector<std::string> stage_plan_luts(const GradePlan& plan, const std::vector<Lut3D>& luts,
                                         const std::string& dir,
                                         const std::vector<std::string>& formats,
                                         StagedOutputs& staged);
// The same, committed at once (all files or none).
std::vector<std::string> write_plan_luts(const GradePlan& plan, const std::vector<Lut3D>& luts,
                                         const std::string& dir,
                                         const std::vector<std::string>& formats = {"cube"});

// ASC CDL hand-off. Per shot: the CDL fitted to the shot's LUT (lut/cdl.hpp fit_cdl) as
// <name>.cdl, and <name>.after_cdl.cube, the LUT to apply after it, sampled from the shot's grade
// itself (cdl_residual); all shots in <dir>/shots.ccc; and, when `edl_path` is not empty, a
// CMX 3600 EDL with each event's *ASC_SOP, *ASC_SAT and the after-CDL LUT's name. The pair
// follows the grade about as closely as the shot's .cube does (at most 1.5 times the .cube's
// largest error, or 2 8-bit code values): the closest CDL when it can, else the closest CDL that
// clamps nothing inside the cube, else the identity CDL with the shot's LUT after it (and a line
// in `warnings`). Each .cdl's description records which, and both errors. Staged into `staged`;
// returns the paths.
struct CdlHandoffResult {
  std::vector<std::string> paths;
  std::vector<std::string> warnings;
};
CdlHandoffResult stage_cdl_handoff(const GradePlan& plan, const std::vector<Lut3D>& luts,
                                   const std::string& dir, const std::string& edl_path,
                                   const ShotList& shots, const ShotExportContext& edl_context,
                                   StagedOutputs& staged);

}  // namespace autograde
