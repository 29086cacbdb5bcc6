#pragma once
// What a grade report says, once, for every report format (HTML, PDF): the settings on the
// cover, each shot's heading, its Look in words, its temporal measures, and the frames it
// shows. Text is UTF-8 plain text; each format escapes and lays it out itself.
#include <cstdint>
#include <string>
#include <vector>

#include "autograde/analysis/temporal_metrics.hpp"
#include "autograde/core/image.hpp"
#include "autograde/pipeline/grade.hpp"
#include "autograde/pipeline/plan.hpp"

namespace autograde {

struct ReportField {
  std::string name, value;
};

// The cover: input, output, colour space, reference, prompt, method, strength, transfer, LUT
// size and interpolation, encode settings, shot count, tool versions (the plan's "tool").
std::vector<ReportField> report_settings(const GradeReportInputs& inputs);

// "frames 0–21 (0.00–0.88 s), after a cut, scene 0, LUT shot_000.cube" (+ excluded / locked).
std::string shot_heading(const ShotPlan& shot);

// The shot's Look as a colourist reads it: the one-line summary (look_summary), how confident
// the match was, every non-default parameter (describe), and the matcher's notes.
struct LookWords {
  std::string summary;
  std::string confidence;               // "match confidence 0.83", or empty
  std::vector<std::string> parameters;  // one per line of describe()
  std::vector<std::string> notes;
};
LookWords look_words(const ShotPlan& shot);

// What the shot's grade does to display code values (its correction, if any, then its Look) as
// a 17³ LUT, Rec.709 display code values in and out: the shot's LUT without the input
// conversion, for lut_change_slices (for Rec.709 input it is the shot's LUT itself).
Lut3D display_grade(const ShotPlan& shot);

// The shot's temporal measures (temporal_metrics.hpp (a), (b), (c)), one row each.
struct MeasureRow {
  std::string measure, input, output;  // input empty where only the output is measured
};
std::vector<MeasureRow> temporal_rows(const TemporalMetrics& metrics);

// Each shot's representative frame (GradeReportInputs::sample_frames, else the middle) as in
// the input file and as in the rendered clip, `width` pixels wide; both empty when it could not
// be read. Display code values of each file's own encoding.
struct ShotStill {
  int64_t frame = -1;
  ImageF before, after;
};
std::vector<ShotStill> report_stills(const GradeReportInputs& inputs, int width);

// Regions (issue 21), for a shot with region grades and a still: its masks over the ungraded
// still in grey (skin cyan, sky magenta, foliage yellow, face boxes outlined) and the skin
// measures: the mean CIEDE2000 skin shift from the ungraded skin (masked_difference.hpp) of the
// shot's LUT alone (`input` column: without protection) and of the rendered frame (`output`: as
// graded), and each region's coverage. Empty for a shot without regions.
struct RegionView {
  ImageF overlay;
  std::vector<MeasureRow> rows;
};
RegionView region_view(const GradeReportInputs& inputs, size_t shot, const ShotStill& still);

}  // namespace autograde
