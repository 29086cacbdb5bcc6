#pragma once
// `autograde masks` (issue 21): the region masks of a still or a clip as 8-bit grey images an
// editor or compositor can use as mattes (255 = inside), plus what was found (faces with boxes
// and scores, coverage per class) as JSON.
//
//   still IN → DIR/person.png, face.png, skin.png, sky.png, foliage.png, same size as IN;
//   clip IN  → DIR/<class>/<class>.%06d.png per frame (0-based frame numbers, full size), the
//              masks kept steady within each shot and restarted at cuts, as a render does.
//
// Masks are computed on the picture brought to `mask_width` pixels wide and display-referred
// (clips: the input colour-space conversion; scene-linear stills such as OpenEXR: the sRGB
// curve), then upsampled bilinearly to the full size. For a clip the JSON also gives, per shot
// and class, the mean absolute frame-to-frame change of the mask in 8-bit code values, as
// written (steadied by semantic/region_masks.hpp MaskTracker) and as the networks gave it.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "autograde/semantic/regions.hpp"

namespace autograde {

struct MaskExportOptions {
  std::vector<Region> classes{kAllRegions.begin(), kAllRegions.end()};
  int mask_width = 512;
  std::string input_colorspace = "auto";  // clips: as grade's --input-colorspace
  bool quiet = false;
};

struct MaskExportResult {
  nlohmann::json info;             // {"input", "kind": "still"|"clip", "faces"/"frames", ...}
  std::vector<std::string> files;  // still: one per class; clip: one folder per class
};

// Error(BadInput) naming IN when it cannot be read; Error(Usage) when DIR is a file or IN.
// Everything is written to a staging folder and appears only when complete.
MaskExportResult export_masks(const std::string& input, const std::string& dir,
                              const MaskExportOptions& options);

}  // namespace autograde
