#pragma once
// OpenColorIO config hand-off (issue 25): `grade --ocio DIR` / `render --ocio DIR` write
// DIR/config.ocio, an OCIO v2 config built with OpenColorIO's own API, and each shot's .cube
// beside it, so the folder is self-contained (search_path "."):
//
//   colorspaces  "<input>"           the plan's input encoding, e.g. "S-Log3 S-Gamut3.Cine":
//                                    to_scene_reference = the camera → ACES2065-1 transform
//                                    autograde uses (absent for Rec.709 input, which is the
//                                    display space itself)
//                "ACES2065-1"        the scene reference (camera input only; role scene_linear)
//                "Rec.709 display"   BT.1886 code values: from_scene_reference = autograde's
//                                    display rendering (gamut compression, ACES SDR video
//                                    output, Rec.709 display, clamp), so <input> → Rec.709
//                                    display converts as autograde does (an excluded shot's LUT)
//                "Linear Rec.709"    Rec.709 input only: the scene reference (role scene_linear,
//                                    which OCIO requires), "Rec.709 display" being the BT.709
//                                    OETF over it, as autograde reads Rec.709 video
//                "Raw"               data (role data)
//   looks        shot_000, shot_001, ...: process_space <input>, a FileTransform of the shot's
//                .cube with the plan's interpolation. A shot's LUT is its whole grade, input code
//                values → Rec.709 display code values, display rendering included: OCIO looks
//                map their process space to itself, so the look's output already *is* display
//                code values. Apply it from <input> to <input> (LookTransform), or view it
//                through the display's "Shot look" view, whose colour space is <input> for that
//                reason (no second conversion after the look).
//   displays     "Rec.709": views "Ungraded" (Rec.709 display) and "Shot look" (see above).
//   roles        default and color_timing (and compositing_log for camera input) = <input>,
//                color_picking = Rec.709 display, data = Raw, scene_linear and reference (and
//                aces_interchange for camera input) = the scene reference.
//
// An OCIO look cannot both take camera code values and return display values through OCIO's
// own conversions: that would need the display rendering's inverse, which the ACES output
// transform only approximates (a round trip through it moves display values by up to 0.56).
// Putting the rendering inside the look keeps the look equal to the shot's .cube.
#include <string>
#include <vector>

#include "autograde/core/cleanup.hpp"
#include "autograde/lut/lut.hpp"
#include "autograde/pipeline/plan.hpp"

namespace autograde {

struct OcioHandoffResult {
  std::string config_path;         // DIR/config.ocio
  std::vector<std::string> paths;  // the .cube copies, then config.ocio
};

// The config's text (YAML, as OpenColorIO serialises it); `luts` one per shot (plan_luts).
// Checked with OCIO's Config::validate() and read back by OCIO before it is returned
// (Error(Internal) naming what OCIO said otherwise).
std::string ocio_config_text(const GradePlan& plan);

// Stages DIR/config.ocio and the shots' .cube files (ShotPlan::lut_file, from `luts`) into
// `staged`; every look's file is loaded through OCIO from its staged copy before anything is
// published. `dir` must exist. Returns the final paths.
OcioHandoffResult stage_ocio_config(const GradePlan& plan, const std::vector<Lut3D>& luts,
                                    const std::string& dir, StagedOutputs& staged);

// The look name of shot i: "shot_000", ...
std::string ocio_look_name(size_t shot);

}  // namespace autograde
