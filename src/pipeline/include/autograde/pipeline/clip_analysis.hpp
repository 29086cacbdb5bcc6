#pragma once
// Everything a grade needs to know about a clip before it can choose Looks, from one decode
// (DESIGN.md data flow: clip → shot detection → shots with sampled statistics): the stream's
// description, its shots (analysis/shots.hpp, with per-frame statistics for the colour-space
// check) and frames spread across each shot for matching, correction and the report.
//
// Each decoded picture is converted twice by the reader: small for shot detection and at the
// sample width for the samples. Which frames are samples depends on where the shots end, which
// is known only at the end of the clip, so the sample-width pictures are kept while they fit
// `sample_budget_bytes` (128 MiB: about 300 frames of 16:9 at 256 wide, 12 s at 24 fps; the
// budget keeps a 4K grade under its 2 GiB); a longer clip reads its samples in a second,
// skipping pass instead (same frames, same values).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "autograde/analysis/shots.hpp"
#include "autograde/core/image.hpp"
#include "autograde/media/video_types.hpp"
#include "autograde/pipeline/shot_sampling.hpp"

namespace autograde {

struct ClipAnalysisOptions {
  ShotDetectOptions shots;
  int samples_per_shot = 8;  // evenly spread, ends included (fewer for short shots)
  int sample_width = 256;    // never above the clip's width
  std::size_t sample_budget_bytes = std::size_t(128) << 20;
  bool quiet = false;
};

struct ClipAnalysis {
  VideoStreamInfo info;
  ShotList shots;
  std::vector<std::vector<SampledFrame>> samples;  // per shot
  int decode_passes = 1;                           // 2 when the samples did not fit the budget
};

// Error(BadInput) naming the file for an unreadable, audio-only or empty clip.
ClipAnalysis analyze_clip(const std::string& path, const ClipAnalysisOptions& options = {});

// A still image (media/image_io.hpp is_image_path) as a clip of one frame and one shot, so
// `grade` treats stills and clips alike: info has the picture's size, codec "still", one frame
// at 1 fps; the one sample is the picture at the sample width (alpha dropped).
// Error(BadInput) naming the file when it cannot be read.
ClipAnalysis analyze_still(const std::string& path, const ClipAnalysisOptions& options = {});

}  // namespace autograde
