#pragma once
// Shot lists as CSV, JSON and CMX 3600 EDL (what `autograde scenes` prints). Shots are
// numbered from 0 in CSV and JSON, as in plans, `--shot` and `--hero-shot` (one numbering
// everywhere); EDL event numbers count from 001, as CMX 3600 requires.
#include <string>

#include "autograde/analysis/shots.hpp"

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

}  // namespace autograde
