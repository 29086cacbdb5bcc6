#pragma once
// A Look: the explicit, human-meaningful description of a grade (DESIGN.md principle 2).
//
// Encoding: a Look operates on display-referred code values — Rec.709 / sRGB R'G'B' in 0..1 as
// stored in an 8/10-bit file — and returns display-referred code values of the same encoding.
// The baked Lut3D is therefore applied to display-referred footage (log footage is converted to
// Rec.709 display first). Where a stage works in linear light it decodes with the IEC 61966-2-1
// sRGB curve and encodes back; where it works perceptually it uses Ottosson's OKLab (2020).
//
// Stage order in bake_look (each stage is identity at its default value):
//   1. black/white point  (code values, per channel, same for all channels)
//   2. exposure, temperature, tint  (linear light gains, von Kries style)
//   3. contrast around pivot  (code values, a C1 power S-curve)
//   4. lift / gamma / gain per channel  (code values)
//   5. fade  (code values)
//   6. saturation, vibrance, hue-vs-hue, hue-vs-sat, split toning  (OKLab)
//   7. residual LUT  (code values in, code values out)
//   8. strength: mix of the result with the input (0 = identity, 1 = full look)
//   Output is clamped to 0..1.
//
// Versioning: `version` is the schema version the Look was written with. from_json accepts any
// older version (migrating it forward), fills missing fields with defaults, and rejects a newer
// version with Error(BadInput).
#include <array>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "autograde/core/image.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde {

// Version 2 stores the residual lattice in base64 (below); version 1 documents are read too.
constexpr int kLookVersion = 2;
constexpr int kHueSectors = 8;  // hue-vs-hue / hue-vs-sat control points, 45° apart in OKLab hue,
                                // sector k centred on hue k*45° (0° = OKLab +a, i.e. magenta-red)

struct SplitToning {
  float shadow_hue_deg = 0.f;        // OKLab hue angle of the tint added to shadows, degrees
  float shadow_amount = 0.f;         // OKLab chroma added at full shadow weight (0..0.1 typical)
  float highlight_hue_deg = 0.f;     // same for highlights
  float highlight_amount = 0.f;
  float balance = 0.f;               // -1..1: moves the shadow/highlight crossover darker(-)/brighter(+)
};

struct Look {
  int version = kLookVersion;

  // 1. Input black / white point in code values: x' = (x - black_point) / (white_point - black_point).
  float black_point = 0.f;
  float white_point = 1.f;

  // 2. Linear-light gains. exposure in stops (2^exposure on all channels); temperature in stops
  //    of red/blue balance (R *= 2^(t/2), B *= 2^(-t/2); positive = warmer); tint in stops of
  //    green (G *= 2^(-tint/2); positive = magenta). Highlights roll off smoothly above 0.9.
  float exposure = 0.f;
  float temperature = 0.f;
  float tint = 0.f;

  // 3. Contrast: slope at the pivot (1 = unchanged, >1 more contrast), applied per channel with
  //    the same curve: y = p (x/p)^c below the pivot, 1 - (1-p) ((1-x)/(1-p))^c above (C1, keeps 0,
  //    1 and the pivot fixed). pivot in code values.
  float contrast = 1.f;
  float pivot = 0.45f;

  // 4. Lift / gamma / gain per channel (R, G, B), code values:
  //    y = (lift + x (gain - lift))^(1/gamma). lift offsets black (0 neutral), gain scales white
  //    (1 neutral), gamma > 1 brightens midtones (1 neutral).
  Rgb lift{0.f, 0.f, 0.f};
  Rgb gamma{1.f, 1.f, 1.f};
  Rgb gain{1.f, 1.f, 1.f};

  // 5. Fade 0..0.45: raises black to `fade` with a soft toe, y = x + fade (1 - x)^2.
  float fade = 0.f;

  // 6. OKLab colour. saturation multiplies chroma (1 neutral, 0 = monochrome); vibrance -1..1
  //    boosts (or cuts) low-chroma colours more than saturated ones; hue_shift_deg[k] rotates hue
  //    near sector k (degrees), hue_saturation[k] multiplies chroma there by (1 + value);
  //    both interpolate smoothly (periodic cubic) between sectors and fade to nothing at grey.
  float saturation = 1.f;
  float vibrance = 0.f;
  std::array<float, kHueSectors> hue_shift_deg{};
  std::array<float, kHueSectors> hue_saturation{};
  SplitToning split;

  // 7. What the parameters cannot express: a LUT applied after stage 6 (code values in/out).
  std::optional<Lut3D> residual;

  // 8. 0..1 mix with the input (0 = identity).
  float strength = 1.f;
};

// Per-parameter bounds used by add() (and by from_json to reject nonsense).
struct LookLimits {
  float exposure = 4.f;      // |stops|
  float temperature = 2.f;   // |stops|
  float tint = 2.f;          // |stops|
  float contrast_min = 0.25f, contrast_max = 4.f;
  float lift = 0.5f;         // |code value|
  float gamma_min = 0.25f, gamma_max = 4.f;
  float gain_min = 0.f, gain_max = 4.f;
  float fade = 0.45f;
  float saturation_max = 4.f;
  float vibrance = 1.f;
  float hue_shift_deg = 60.f;
  float hue_saturation_min = -1.f, hue_saturation_max = 3.f;
  float split_amount = 0.2f;
};

Look identity_look();
bool is_identity(const Look& look, float tolerance = 1e-6f);

// Delta algebra for layers that edit Looks (text prompts, sliders, learned models).
// A "delta" is a Look read as offsets: additive parameters add, multiplicative ones
// (contrast, gamma, gain, saturation) multiply, hue angles rotate; split-toning amounts add
// as 2D chroma vectors. add() clamps the result to `limits`. scale(delta, k) scales the
// delta's effect by k (k = 0 gives identity, multiplicative parameters become x^k).
// The residual LUT is not combined: add() keeps `base`'s residual.
Look add(const Look& base, const Look& delta, const LookLimits& limits = {});
Look scale(const Look& delta, float k);
Look clamp_to_limits(const Look& look, const LookLimits& limits = {});

// JSON (nlohmann). The residual LUT, when present, is stored as {"size": N, "encoding":
// "float32le-base64", "data": "..."}: its table's float32 values (Lut3D order), little-endian, in
// base64. A learned grade's 33^3 residual is 575 KB that way, against 3.4 MB as the indented
// 17-digit JSON numbers of version 1 ({"size": N, "table": [...]}, still read), and the values
// come back bit for bit, so a plan renders exactly what the grade did.
constexpr const char* kResidualEncoding = "float32le-base64";
nlohmann::json to_json(const Look& look);
// to_json without the residual LUT: the parameters alone (a residual is up to megabytes of JSON,
// and edits of the parameters, such as refinement and its history, never change it).
nlohmann::json parameters_to_json(const Look& look);
Look look_from_json(const nlohmann::json& j, const std::string& source_name = "look");

// The Look applied to one display-referred code value triple (no LUT involved); bake_look
// samples exactly this function on the lattice.
Rgb apply_look(const Look& look, Rgb code_value);
// The same on every pixel of a copy of `image` (channels beyond the third are kept).
ImageF apply_look_to_image(const Look& look, ImageF image);

// Samples apply_look on a size^3 lattice (size 2..129) over code values 0..1.
Lut3D bake_look(const Look& look, int size = 33);

// A human-readable multi-line description of the non-default parameters (for --explain).
std::string describe(const Look& look);

// One line a colourist reads at a glance: "cooler by 0.30 stop, contrast +12 %, teal shadows",
// naming only the changes large enough to be chosen on purpose; "close to no change" when
// there are none (look_summary.cpp). A Look with a residual LUT is read through the Look fitted
// to its whole grade (look_fit.hpp), with that fit's RMS error in code values.
std::string look_summary(const Look& look);
// How much the Look changes colours: mean |graded − input| over a 9³ lattice of code values,
// per channel (0 = identity; 0.01 is about 2.5 8-bit code values).
float look_mean_change(const Look& look);

}  // namespace autograde
