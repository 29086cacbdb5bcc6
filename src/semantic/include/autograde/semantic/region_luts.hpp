#pragma once
// The LUTs that regions get (issue 21), each built from the shot's base LUT and the "ungraded"
// LUT of the same lattice (the input conversion alone: identity for Rec.709 input, camera log →
// Rec.709 display otherwise), so every one stays a LUT (DESIGN.md principle 1).
#include "autograde/lut/lut.hpp"

namespace autograde {

// Every function returns a LUT over the base's domain, entries clamped to 0..1; `ungraded` is
// sampled (tetrahedral) at the base's lattice points, so its size may differ.

// How much of the look's lightness change skin takes (skin_region_lut). The look's exposure and
// contrast still read on the face (in direction and in part), but a look that crushes shadows
// does not take dark skin with it: a creative look's tone curve changes dark skin's L* far more
// than light skin's (a teal-orange cube that maps L* 94 → 91 maps L* 43 → 30), so following it
// fully would leave the darkest tones with the largest shift, the bias the fairness measure
// (the design's equation 40) penalises. Chosen on bench_fairness's validation portraits at
// protect 1 (skin shift cut light / medium / dark, bias): 0.5 gave 62 / 63 / 63 %, 0.103; 0.4
// 67 / 69 / 69 %, 0.093; 0.3 72 / 76 / 75 %, 0.079. 0.3 is shipped: the look's exposure and
// contrast still move the face, by a little under a third.
inline constexpr float kSkinToneFollow = 0.3f;

// Skin kept natural under the look (CIELAB): lightness moves kSkinToneFollow of the way from
// the ungraded skin's to the base's, hue and chroma stay near the ungraded skin, inside the
// skin locus (hue 35°-95°, chroma up to 45) widened on its red side to 0° for pale skin under a
// pink cast, so the look still reads on a face without a cast. Near-neutral colours (eye
// whites, grey hair) are treated the same way (they stay near their ungraded neutral); colours
// more saturated than skin, or of hues far from it, keep the base (a soft mask edge on clothes
// or sky changes nothing). The base's size.
Lut3D skin_region_lut(const Lut3D& base, const Lut3D& ungraded);

// For users who can load one LUT only: the base LUT blended towards skin_region_lut by
// `protect` (0..1) times a soft qualifier on the ungraded colour (skin hue, moderate
// saturation, neither near black nor near white). Clearly non-skin colours (greys, blues,
// greens) keep the base exactly. The lattice is doubled to 2·size − 1 (at most 65; a larger
// base keeps its size), which reproduces the base exactly between its own lattice points and
// lets the qualifier tell the lightest and darkest skins from greys.
Lut3D skin_protected_lut(const Lut3D& base, const Lut3D& ungraded, float protect);

// Opt-in region looks on top of the base (OKLab, mild): sky blues a touch deeper (−3 %
// lightness), their hue half-way back from the look's to the ungraded blue, chroma the richer of
// the two plus 8 %; foliage greens with the look's lightness, the ungraded hue and the richer
// chroma plus 5 %. Other colours (clouds, skin, greys) keep the base. The base's size.
Lut3D sky_region_lut(const Lut3D& base, const Lut3D& ungraded);
Lut3D foliage_region_lut(const Lut3D& base, const Lut3D& ungraded);

}  // namespace autograde
