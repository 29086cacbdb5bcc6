#pragma once
// Grading many clips with one look (issue 23, `autograde batch`): every clip analysed and matched
// here, one plan each; then rendered here one after another, or on Slurm as one job array over
// every clip's tasks, with one join per clip.
#include <string>
#include <vector>

#include "autograde/farm/slurm.hpp"
#include "autograde/pipeline/grade.hpp"

namespace autograde {

// The clips named by `inputs`: each a video file, a folder (its .mp4, .mov, .m4v, .mkv, .mxf
// files, sorted by name) or a list (.txt: one path per line, relative to the list's folder;
// blank lines and lines starting with '#' skipped). Error(BadInput) naming a missing path or a
// list entry that is not a file; Error(Usage) when no clip is named or two share a file stem
// (their outputs would collide).
std::vector<std::string> batch_inputs(const std::vector<std::string>& inputs);

struct BatchOptions {
  GradeOptions grade;       // the look; input, output, plan and LUT paths are set per clip
  std::string output_dir;   // OUT/<stem><ext>, OUT/<stem>.plan.json, OUT/<stem>_luts/
  std::string farm = "local";  // "local" or "slurm"
  FarmRenderOptions farm_options;
};

struct BatchItem {
  std::string input, output, plan_path;
  int64_t frames = 0;
  size_t shots = 0;
};

// Grades every clip. With Slurm the plans and LUTs are written first, then every clip's tasks
// go out as one array; the call returns when every join has finished. Error(BadInput) naming
// the clip whose grade or render failed (the other clips' outputs stay).
std::vector<BatchItem> grade_batch(const std::vector<std::string>& clips, const BatchOptions& options,
                                   const std::function<void(const std::string&)>& on_warning = {});

}  // namespace autograde
