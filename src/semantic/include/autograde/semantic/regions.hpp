#pragma once
// The region classes of context-aware grading (DESIGN.md principle 1: a few LUTs blended by
// smooth masks; the design's equations 30-32) and the masks one picture yields.
//
// Every mask is a 1-channel ImageF (channels == 1), 0..1 (1 = inside), soft at its edges, at
// the size of the picture it was computed from (the analysis size, not the output size: the
// engine upsamples masks as it renders). Pictures given to the semantic layer are
// display-referred R'G'B' code values 0..1 (Rec.709/sRGB primaries, after the input
// conversion), any size.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "autograde/core/image.hpp"

namespace autograde {

enum class Region { Person, Face, Skin, Sky, Foliage };
inline constexpr std::array<Region, 5> kAllRegions{Region::Person, Region::Face, Region::Skin,
                                                    Region::Sky, Region::Foliage};

const char* region_name(Region r);  // "person", "face", "skin", "sky", "foliage"
// nullopt for an unknown name.
std::optional<Region> region_from_name(std::string_view name);

// One detected face, in pixels of the picture it was found in (x right, y down).
struct FaceBox {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  float score = 0;  // detector confidence 0..1
  // BlazeFace's six keypoints: right eye, left eye, nose tip, mouth centre, right ear tragion,
  // left ear tragion (the subject's right/left), in pixels.
  std::array<std::array<float, 2>, 6> keypoints{};
  // MediaPipe's 468-point face mesh in pixels (face_mesh.hpp), or empty where it was not run
  // or found no face in the box.
  std::vector<std::array<float, 2>> mesh;
};

struct RegionMasks {
  int width = 0, height = 0;
  // Each width x height x 1. Skin is the likelihood of skin (0.5: as likely as not; the grade
  // blends by a matte made from it, region_masks.hpp region_mattes).
  ImageF person, face, skin, sky, foliage;
  // The faces' eye openings, brows and lips from their meshes (face_mesh.hpp): not skin, so not
  // in `skin`, but inside the skin region's matte (region_masks.hpp region_mattes). Set (zero
  // where there are no meshes) whenever skin is.
  ImageF features;
  std::vector<FaceBox> faces;

  const ImageF& get(Region r) const;
  ImageF& get(Region r);
};

// Fraction of the picture inside a mask (mean of its values).
double mask_coverage(const ImageF& mask);

}  // namespace autograde
