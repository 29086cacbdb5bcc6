#pragma once
// The OpenColorIO transforms behind camera_log.hpp's conversions, for code that builds an OCIO
// config (pipeline/ocio_handoff.hpp): a config made of these converts exactly as autograde does.
// Kept apart from camera_log.hpp so that only callers that speak OCIO include its header.
#include <OpenColorIO/OpenColorIO.h>

#include <string>

#include "autograde/color/camera_log.hpp"

namespace autograde {

// Camera code values → ACES2065-1 (OCIO built-ins; LogC4 from ARRI's specification).
// Error(Usage) for Rec709, which autograde passes through as display code values.
OCIO_NAMESPACE::TransformRcPtr camera_log_to_aces_transform(CameraLog space);

// ACES2065-1 → Rec.709 display code values (BT.1886) clamped to [0, 1]: ACES 1.3 reference gamut
// compression, the ACES 1.x SDR video output transform and the Rec.709 display encoding, as
// camera_log_to_rec709_display applies them.
OCIO_NAMESPACE::TransformRcPtr aces_to_rec709_display_transform();

// What the camera encoding is called in a colourist's tools ("S-Log3 S-Gamut3.Cine", ...);
// "Rec.709 display" for Rec709.
std::string camera_log_display_name(CameraLog space);

}  // namespace autograde
