#pragma once
// Context-aware grading in one pass (the design's equations 31-32, with soft masks): a base
// LUT plus K region LUTs (skin, sky, foliage), blended per pixel by low-resolution soft masks:
//   out = base(c);  for k in order: out += strength_k * m_k(x, y) * (L_k(c) - out)
// where c is the input pixel (every LUT sees the ungraded pixel; none is chained after
// another) and m_k is mask k upsampled bilinearly to the image (pixel centres aligned). The
// single-LUT renderer (renderer.hpp) stays the fast path when no regions are used.
//
// Numbers and speed: pixels no mask reaches, and pixels where a region's weight is exactly 1 (and
// no later region reaches), go through the single-LUT kernels in the pixels' own format: the
// same bytes LutRenderer writes with that one LUT. Elsewhere each LUT runs on float planes and
// the result is written back with LutRenderer's rounding and clamping.
#include <memory>
#include <span>

#include "autograde/core/image.hpp"
#include "autograde/engine/pixel_format.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde {

namespace engine_detail {
struct RegionLuts;
}

class RegionRenderer {
 public:
  explicit RegionRenderer(std::shared_ptr<const engine_detail::RegionLuts> luts,
                          PixelFormat format);

  // masks: one per region LUT, 1-channel ImageF of any size > 0 (mask values outside 0..1 are
  // clamped); strengths: one per region LUT, 0..1. src/dst as LutRenderer::apply. Error(Usage)
  // when the counts disagree.
  void apply(const ConstImageView& src, const ImageView& dst, std::span<const ImageF* const> masks,
             std::span<const float> strengths) const;
  void apply(ImageF& image, std::span<const ImageF* const> masks,
             std::span<const float> strengths) const;

  int region_count() const;
  const PixelFormat& format() const { return format_; }

 private:
  std::shared_ptr<const engine_detail::RegionLuts> luts_;
  PixelFormat format_;
};

// Every LUT must have the same shaper-free domain 0..1 (as the shot LUTs do); Error(Usage)
// otherwise or for an unsupported format.
RegionRenderer make_region_renderer(const LutFile& base, std::span<const LutFile> regions,
                                    PixelFormat format, Interp interp);

}  // namespace autograde
