#pragma once
// Shot lists as CSV, JSON and CMX 3600 EDL (what `autograde scenes` prints). Shots are
// numbered from 0 in CSV and JSON, as in plans, `--shot` and `--hero-shot` (one numbering
// everywhere); EDL event numbers count from 001, as CMX 3600 requires.
#include <string>
#include <vector>

#include "autograde/analysis/shots.hpp"
#include "autograde/lut/cdl.hpp"

namespace autograde {

struct ShotExportContext {
  std::string source_path;
  std::string start_timecode;  // the stream's timecode tag; "" → 00:00:00:00
};

std::string shots_to_csv(const ShotList& shots, const ShotExportContext& ctx);
std::string shots_to_json(const ShotList& shots, const ShotExportContext& ctx);
// One event per shot, source in/out from the clip's start timecode, record in/out from
// 00:00:00:00 (out points exclusive, as CMX 3600 counts them); fades noted as comments.
std::string shots_to_edl(const ShotList& shots, const ShotExportContext& ctx);

// The grade of one shot as a finishing tool takes it: the CDL part and the file name of the
// LUT for the rest (e.g. fit_cdl's residual written beside the EDL; "" for none).
struct EdlLook {
  Cdl cdl;
  std::string lut_file;
};

// As above, with each event followed by its look: the ASC CDL spec's EDL lines
// "*ASC_SOP (s s s)(o o o)(p p p)" and "*ASC_SAT s" (read by Resolve, Baselight, Avid and
// OpenTimelineIO), then "*LUT: name" when the look has a LUT file. There is no standard for
// the LUT comment; it sits where the ASC lines do so a tool or a person finds it with them.
// `looks` holds one entry per shot, in shot order; Error(Usage) when the counts differ or a
// LUT name holds a line break (it would end the comment), Error(BadInput) for an invalid CDL.
std::string shots_to_edl(const ShotList& shots, const ShotExportContext& ctx,
                         const std::vector<EdlLook>& looks);

}  // namespace autograde
