#pragma once
// The fast LUT engine's one entry point (as OpenColorIO's GetLut3DRenderer): make_renderer
// prepares a LUT once for one pixel format and interpolation, and picks the SIMD kernel for the
// running CPU (Highway runtime dispatch: SSE4/AVX2/AVX-512/NEON). apply() splits the image into
// row blocks with oneTBB inside the caller's current task arena, so a pipeline that already
// runs frames in parallel (or limits threads with a tbb::task_arena) is not oversubscribed.
//
// Numbers: the renderer maps code values to 0..1 (code / max for integer types), runs the
// optional 1D shaper then the 3D table exactly as src/lut's scalar sample() does, and writes
// back with correct rounding (round half to even) and clamping to the integer range. Float
// results agree with sample() to ~1e-6; integer results lie within 0.5 code value of it.
#include <memory>

#include "autograde/core/image.hpp"
#include "autograde/engine/pixel_format.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/lut.hpp"

namespace autograde {

namespace engine_detail {
struct PreparedLut;
}

class LutRenderer {
 public:
  LutRenderer(std::shared_ptr<const engine_detail::PreparedLut> lut, PixelFormat format);

  // src and dst have the same size; they may be the same buffers (in place) but must not
  // partially overlap. Alpha is copied from src to dst unchanged.
  void apply(const ConstImageView& src, const ImageView& dst) const;
  void apply(const ImageView& image) const { apply(ConstImageView(image), image); }
  // Convenience for the library's float images (format must be packed F32 with the image's
  // channel count).
  void apply(ImageF& image) const;

  const PixelFormat& format() const { return format_; }

 private:
  std::shared_ptr<const engine_detail::PreparedLut> lut_;
  PixelFormat format_;
};

// Error(Usage) for an unsupported format (channels other than 3/4).
LutRenderer make_renderer(const LutFile& lut, PixelFormat format, Interp interp);
LutRenderer make_renderer(const Lut3D& lut, PixelFormat format, Interp interp);

// Name of the SIMD target the kernels run on here (e.g. "AVX3", "AVX2").
const char* engine_simd_target();

}  // namespace autograde
