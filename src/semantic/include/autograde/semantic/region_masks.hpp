#pragma once
// The masks of one picture, and of a clip's frames kept steady within a shot (issue 21).
//
// compute_region_masks runs only what the wanted regions need: skin and face need the person
// mask and the faces (skin is looked for inside people only); sky and foliage stand alone.
// Pictures are display-referred R'G'B' 0..1 (regions.hpp), typically the frame brought to
// about 512 pixels wide: the networks see 128-256 pixel inputs, and the engine upsamples the
// soft masks to the output size as it renders.
#include <span>

#include "autograde/semantic/regions.hpp"

namespace autograde {

RegionMasks compute_region_masks(const ImageF& display, std::span<const Region> wanted);

// The mattes the region LUTs of `regions` are blended by, in that order: each region's mask,
// except skin's. The skin mask says how likely a pixel is skin (0.5 = as likely as not); its
// matte clips and gains that likelihood as a colourist keys a qualifier (likelihood 0.1 → 0,
// 0.4 → 1) and also covers the faces' features: the skin LUT keeps eyes, brows and lips in
// their own colours (near-neutral whites, hair, lips inside its hue window), while left to the
// look on a protected face they read as painted on (red lips and brows under a warm look). The
// masks themselves (`autograde masks`) keep skin anatomical.
std::vector<ImageF> region_mattes(const RegionMasks& masks, std::span<const Region> regions);

// A soft face mask (0..1) of the given size: one ellipse per face, set from the box and the
// eye/mouth keypoints (the face oval from brow to chin, not the square box), feathered over
// about a tenth of the face's width so a grade blended by it shows no edge.
ImageF face_mask(int width, int height, std::span<const FaceBox> faces);

// Masks of consecutive frames within a shot: each new frame's masks are blended with the
// running masks (an exponential moving average), so a mask edge that the networks place a pixel
// differently from one frame to the next does not shimmer in the grade; restart() at every cut
// (shots are graded apart, and a mask must not carry over to other pictures). `keep` is the
// weight of the past: 0 takes every frame as it is.
class MaskTracker {
 public:
  explicit MaskTracker(float keep = 0.5f) : keep_(keep) {}
  void restart() { started_ = false; }
  // Blends `fresh` into the running masks and returns them; faces are the fresh frame's.
  const RegionMasks& update(RegionMasks fresh);

 private:
  float keep_;
  bool started_ = false;
  RegionMasks state_;
};

}  // namespace autograde
